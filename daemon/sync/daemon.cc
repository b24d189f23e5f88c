#include "daemon/sync/daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "adapters/registry.h"
#include "daemon/config/config.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/wal_watch.h"
#include "daemon/log/log.h"
#include "daemon/match/service.h"
#include "daemon/metrics/metrics.h"
#include "daemon/net/curl_transport.h"
#include "daemon/routing/router.h"
#include "daemon/sync/deadline_watch.h"
#include "daemon/sync/puller.h"
#include "daemon/sync/pusher.h"
#include "daemon/web/listener.h"

namespace hs::sync {
namespace {

// One adapter with everything it owns: a puller and a pusher, each with its own adapter instance
// and transport (an adapter is used by one thread).
struct Worker {
  std::string name;
  std::unique_ptr<CurlTransport> pull_transport, push_transport;
  std::unique_ptr<adapters::Adapter> pull_adapter, push_adapter;
  std::unique_ptr<Puller> puller;
  std::unique_ptr<Pusher> pusher;
};

// Request rates that keep pulls and pushes together under each platform's limit (20, 10 and 5 a
// second); an adapter section overrides them with requests_per_second and push_requests_per_second.
struct Rates {
  int64_t pull, push;
};
Rates DefaultRates(const std::string& name) {
  if (name == "petition") return {5, 4};
  if (name == "provincial") return {2, 2};
  return {15, 4};
}

// The set of workers built from one configuration; stopped together on reload or exit.
struct Generation {
  StopSignal stop;
  std::unique_ptr<routing::CityRouter> router;
  std::unique_ptr<match::MatchService> matcher;  // nullptr when [match] enabled = false.
  bool matcher_loaded = false;
  DeadlineWatch deadlines;
  Heartbeat heartbeat{300'000};
  std::vector<Worker> workers;
  std::vector<std::thread> threads;
  ledger::Ledger* ledger = nullptr;

  void Attach() {
    if (matcher && !matcher_loaded) {
      // The index is filled when the hook is set: a reload's new index misses nothing.
      if (Status s = matcher->Load(*ledger); !s.ok()) {
        log::Get("match")->error("loading the recent tickets for matching: {}; tickets pulled "
                                 "from now on are matched against each other only",
                                 s.message());
      }
      matcher_loaded = true;
    }
    ledger->SetMatchHook(matcher.get());
    ledger->SetRouter(router.get());
  }
  void Detach() {
    ledger->SetRouter(nullptr);
    ledger->SetMatchHook(nullptr);
  }
  void Start() {
    Attach();
    for (Worker& w : workers) {
      Pulse& pull = heartbeat.Add("pull." + w.name);
      Pulse& push = heartbeat.Add("push." + w.name);
      threads.emplace_back([&w, &pull] { w.puller->Loop(&pull); });
      threads.emplace_back([&w, &push] { w.pusher->Loop(&push); });
    }
    Pulse& watch = heartbeat.Add("deadlines");
    threads.emplace_back([this, &watch] { deadlines.Loop(stop, &watch); });
  }
  void StopAndJoin() {
    stop.Stop();
    for (std::thread& t : threads) t.join();
    threads.clear();
    Detach();
  }
  // run --once: every feed drained, then every outbox, twice (pushes make records the next pull
  // reads). Returns false when a pull failed.
  bool RunOnce() {
    Attach();
    bool ok = true;
    for (int round = 0; round < 2; ++round) {
      for (Worker& w : workers) ok = w.puller->RunOnce().outcome == "ok" && ok;
      for (Worker& w : workers) {
        for (;;) {
          PushPass p = w.pusher->DrainOnce();
          if (!p.target_error.ok() || p.sent + p.held + p.retried + p.dead == 0) break;
        }
      }
    }
    deadlines.CheckOnce();
    Detach();
    return ok;
  }
};

struct LoopKeys {
  PullerOptions pull;
  PusherOptions push;
  CurlOptions curl;
};

// The keys of an adapter's section that the sync loops, not the adapter, read.
LoopKeys ReadLoopKeys(const config::Config& cfg, const std::string& name, config::Section& section,
                      StopSignal& stop) {
  LoopKeys k;
  const Rates rates = DefaultRates(name);
  k.pull.interval_ms = section.DurationMillis("interval", "5s", 100, 86'400'000);
  k.pull.requests_per_second =
      static_cast<double>(section.Int("requests_per_second", rates.pull, 0, 10'000));
  k.push.requests_per_second =
      static_cast<double>(section.Int("push_requests_per_second", rates.push, 0, 10'000));
  k.push.max_attempts = cfg.outbox_max_attempts;
  k.push.backoff_base_ms = cfg.outbox_backoff_base_ms;
  k.push.backoff_cap_ms = cfg.outbox_backoff_cap_ms;
  k.curl.total_timeout_ms = section.DurationMillis("timeout", "60s", 1000, 3'600'000);
  k.curl.connect_timeout_ms = section.DurationMillis("connect_timeout", "10s", 100, 600'000);
  k.curl.max_body_bytes = section.Int("max_body_bytes", 32 << 20, 1024, int64_t{1} << 31);
  k.curl.ca_file = section.Path("ca_file", "");
  k.curl.cancel = stop.flag();
  return k;
}

// Builds the workers of `cfg`. Errors: InvalidArgument naming the file, line and key.
Result<std::unique_ptr<Generation>> Build(const config::Config& cfg, ledger::Ledger& ledger,
                                          Clock& clock) {
  auto gen = std::make_unique<Generation>();
  gen->ledger = &ledger;
  gen->heartbeat = Heartbeat(cfg.stall_after_ms);
  if (cfg.adapter_names.empty()) {
    return Status::InvalidArgument(cfg.file +
                                   ": no [adapters.NAME] section; add one, e.g. "
                                   "[adapters.hotline12345]");
  }
  auto rules = routing::LoadRules(cfg.routing_file);
  if (!rules.ok()) return rules.status().WithContext(cfg.file + ": [routing] file");
  gen->router = std::make_unique<routing::CityRouter>(std::move(rules).value());
  auto matcher = match::CreateMatchService(cfg);
  if (!matcher.ok()) return matcher.status().WithContext(cfg.file + ": [match]");
  gen->matcher = std::move(matcher).value();
  DeadlineWatch::Options dw;
  dw.query = DeadlineQueryOf(cfg, gen->router->rules());
  dw.check_every_ms = cfg.deadline_check_ms;
  gen->deadlines = DeadlineWatch(ledger, clock, dw);
  std::random_device seed_source;
  for (const std::string& name : cfg.adapter_names) {
    config::Section section = cfg.AdapterSection(name);
    config::Section again = cfg.AdapterSection(name);  // The pusher's adapter reads it too.
    auto [po, pu, co] = ReadLoopKeys(cfg, name, section, gen->stop);
    ReadLoopKeys(cfg, name, again, gen->stop);
    Worker w;
    w.name = name;
    co.metrics_adapter = name;
    co.metrics_direction = "pull";
    w.pull_transport = std::make_unique<CurlTransport>(co);
    co.metrics_direction = "push";
    w.push_transport = std::make_unique<CurlTransport>(co);
    auto logger = log::Get("adapter." + name);
    HS_ASSIGN_OR_RETURN(w.pull_adapter,
                        adapters::Create(name, section, {w.pull_transport.get(), &clock, logger}));
    HS_ASSIGN_OR_RETURN(w.push_adapter,
                        adapters::Create(name, again, {w.push_transport.get(), &clock, logger}));
    w.puller =
        std::make_unique<Puller>(*w.pull_adapter, ledger, clock, gen->stop, po, seed_source());
    w.pusher =
        std::make_unique<Pusher>(*w.push_adapter, ledger, clock, gen->stop, pu, seed_source());
    gen->workers.push_back(std::move(w));
  }
  return gen;
}

void Notify(const std::string& state) { sd_notify(0, state.c_str()); }

// STATUS= for systemctl status: counts only, never a record's content.
std::string StatusLine() {
  const metrics::Registry& m = metrics::Global();
  const int64_t records = m.Sum("hs_records_total", {{"result", "inserted"}}) +
                          m.Sum("hs_records_total", {{"result", "updated"}});
  return "STATUS=pulled " + std::to_string(records) + " new or changed records, " +
         std::to_string(m.Sum("hs_rejects_total")) + " rejected; pushed " +
         std::to_string(m.Sum("hs_pushes_total", {{"result", "sent"}})) + ", " +
         std::to_string(m.Sum("hs_pushes_total", {{"result", "dead"}})) + " dead letters";
}

// The running generation, as the HTTP listener and the watchdog see it across reloads.
class Current {
 public:
  void Set(std::unique_ptr<Generation> next) {
    std::lock_guard lock(mu_);
    gen_ = std::move(next);
  }
  Generation& get() { return *gen_; }  // Main thread only.
  std::vector<Heartbeat::Stall> Stalled() {
    std::lock_guard lock(mu_);
    return gen_ ? gen_->heartbeat.Stalled() : std::vector<Heartbeat::Stall>{};
  }

 private:
  std::mutex mu_;
  std::unique_ptr<Generation> gen_;
};

std::string Describe(const Heartbeat::Stall& s) {
  return s.loop + " (" + FormatDurationMillis(s.overdue_ms) + " overdue)";
}

Result<std::unique_ptr<web::Listener>> StartListener(const config::Config& cfg,
                                                      const routing::Rules& rules,
                                                      Current& current) {
  if (cfg.listen == "off") return std::unique_ptr<web::Listener>();
  HS_ASSIGN_OR_RETURN(config::ListenAddress where, config::SplitListenAddress(cfg.listen));
  web::ListenerOptions o;
  o.host = where.host;
  o.port = where.port;
  o.ledger_path = cfg.ledger_path;
  o.adapters = cfg.adapter_names;
  o.unready_after_ms = cfg.unready_after_ms;
  o.deadlines = DeadlineQueryOf(cfg, rules);
  o.policy_file = cfg.assessment_policy_file;
  o.routing_file = cfg.routing_file;
  o.stalled = [&current] {
    std::vector<std::string> out;
    for (const Heartbeat::Stall& s : current.Stalled()) out.push_back(Describe(s));
    return out;
  };
  auto listener = web::Listener::Start(o);
  if (!listener.ok()) {
    return listener.status().WithContext(cfg.file + ": [service] listen = \"" + cfg.listen +
                                         "\" (change the address, or \"off\")");
  }
  return listener;
}

}  // namespace

int RunDaemon(const std::string& config_path, bool once) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  // Before any thread, so that all inherit the mask and only sigtimedwait below sees these
  // signals. A one-shot run keeps the default dispositions: killed, it leaves only whole pages
  // behind.
  if (!once) pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  CurlTransport::GlobalInit();

  auto log = log::Get("daemon");
  auto cfg = config::Load(config_path);
  if (!cfg.ok()) {
    log->error("{}", cfg.status().message());
    return kExitConfig;
  }
  try {
    log::InitLogging({.level = cfg->log_level, .extra_sink = nullptr});
  } catch (const std::exception& e) {
    log->error("{}: [log] level: {}", config_path, e.what());
    return kExitConfig;
  }
  ledger::LedgerOptions ledger_options;
  ledger_options.synchronous = cfg->ledger_synchronous;
  auto ledger = ledger::Ledger::Open(cfg->ledger_path, ledger_options);
  if (!ledger.ok()) {
    log->error("{}", ledger.status().message());
    return ledger.status().code() == StatusCode::kRejected ? kExitDatabase : kExitFailure;
  }
  auto wal = ledger::WalWatch::Open(cfg->ledger_path, cfg->ledger_wal_alarm_mb << 20);
  if (!wal.ok()) {
    log->error("{}", wal.status().message());
    return kExitDatabase;
  }
  SystemClock clock;
  if (auto n = (*ledger)->MarkInterruptedRuns(clock.NowMillis()); n.ok() && *n > 0) {
    log->info("{} sync runs were cut short by the previous stop; their committed pages are kept",
              *n);
  }
  auto gen = Build(*cfg, **ledger, clock);
  if (!gen.ok()) {
    log->error("{}", gen.status().message());
    return kExitConfig;
  }
  if (once) return (*gen)->RunOnce() ? kExitOk : kExitFailure;

  Current current;
  current.Set(std::move(*gen));
  auto wal_gauge = metrics::Global().AddCollector([&wal](metrics::GaugeWriter& g) {
    g.Family("hs_ledger_wal_alarm",
             "1 while the write-ahead log is over [ledger] wal_alarm_mb and a reader keeps it from "
             "being checkpointed");
    g.Sample("hs_ledger_wal_alarm", {}, (*wal)->alarm() ? 1 : 0);
  });
  auto listener = StartListener(*cfg, current.get().router->rules(), current);
  if (!listener.ok()) {
    log->error("{}", listener.status().message());
    return kExitConfig;
  }
  current.get().Start();
  log->info("hotline-sync started: ledger {}, {} adapter(s){}", cfg->ledger_path,
            cfg->adapter_names.size(),
            *listener ? ", web page and metrics on http://" + cfg->listen.substr(0, cfg->listen.rfind(':')) +
                            ":" + std::to_string((*listener)->port()) + "/"
                      : "");
  // Ready: the ledger is open, migrated and checked, every adapter built with its credentials,
  // the listener bound.
  Notify("READY=1\n" + StatusLine());

  uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  // Pings at a third of WatchdogSec; STATUS= at most every 5 s.
  const int64_t tick_ms =
      watchdog ? std::clamp<int64_t>(static_cast<int64_t>(watchdog_usec / 3000), 50, 5000) : 5000;
  std::string last_status;
  bool was_stalled = false;
  for (;;) {
    const timespec wait{tick_ms / 1000, (tick_ms % 1000) * 1'000'000};
    const int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig < 0) {  // The tick (EAGAIN) or an unrelated interruption (EINTR).
      const std::vector<Heartbeat::Stall> stalled = current.Stalled();
      if (stalled.empty()) {
        if (watchdog) Notify("WATCHDOG=1");
        if (was_stalled) log->info("every sync loop is making progress again");
      } else if (!was_stalled) {
        std::string loops;
        for (const Heartbeat::Stall& s : stalled) loops += (loops.empty() ? "" : ", ") + Describe(s);
        log->error("no progress: {}; the watchdog is no longer pinged{}", loops,
                   watchdog ? ", so systemd restarts the daemon when WatchdogSec passes" : "");
      }
      was_stalled = !stalled.empty();
      (*wal)->Check();
      if (std::string status = StatusLine(); status != last_status) {
        Notify(status);
        last_status = std::move(status);
      }
      continue;
    }
    if (sig == SIGHUP) {
      Notify("RELOADING=1");
      log->info("SIGHUP: reloading {}", config_path);
      auto next_cfg = config::Load(config_path);
      auto next = next_cfg.ok() ? Build(*next_cfg, **ledger, clock)
                                : Result<std::unique_ptr<Generation>>(next_cfg.status());
      if (!next.ok()) {
        log->error("reload refused, keeping the running configuration: {}",
                   next.status().message());
      } else {
        if (next_cfg->ledger_path != cfg->ledger_path ||
            next_cfg->ledger_synchronous != cfg->ledger_synchronous ||
            next_cfg->listen != cfg->listen) {
          log->warn("[ledger] and [service] listen change at the next start; still writing {}",
                    cfg->ledger_path);
        }
        current.get().StopAndJoin();
        current.Set(std::move(*next));
        try {
          log::InitLogging({.level = next_cfg->log_level, .extra_sink = nullptr});
        } catch (const std::exception& e) {
          log->error("[log] level: {}; keeping the previous level", e.what());
        }
        current.get().Start();
        log->info("configuration reloaded");
      }
      Notify("READY=1");
      continue;
    }
    Notify("STOPPING=1");
    log->info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    listener->reset();
    current.get().StopAndJoin();
    log->info("stopped; every committed page is in the ledger");
    return kExitOk;
  }
}

}  // namespace hs::sync
