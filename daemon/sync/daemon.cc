#include "daemon/sync/daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "adapters/registry.h"
#include "daemon/config/config.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/ledger.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"

namespace hs::sync {
namespace {

// One adapter with everything it owns.
struct Worker {
  std::unique_ptr<CurlTransport> transport;
  std::unique_ptr<adapters::Adapter> adapter;
  std::unique_ptr<Puller> puller;
};

// The set of workers built from one configuration; stopped together on reload or exit.
struct Generation {
  StopSignal stop;
  std::vector<Worker> workers;
  std::vector<std::thread> threads;

  void Start() {
    for (Worker& w : workers) threads.emplace_back([&w] { w.puller->Loop(); });
  }
  void StopAndJoin() {
    stop.Stop();
    for (std::thread& t : threads) t.join();
    threads.clear();
  }
};

// Builds the workers of `cfg`. Errors: InvalidArgument naming the file, line and key.
Result<std::unique_ptr<Generation>> Build(const config::Config& cfg, ledger::Ledger& ledger,
                                          Clock& clock) {
  auto gen = std::make_unique<Generation>();
  if (cfg.adapter_names.empty()) {
    return Status::InvalidArgument(cfg.file +
                                   ": no [adapters.NAME] section; add one, e.g. "
                                   "[adapters.hotline12345]");
  }
  std::random_device seed_source;
  for (const std::string& name : cfg.adapter_names) {
    config::Section section = cfg.AdapterSection(name);
    PullerOptions po;
    po.interval_ms = section.DurationMillis("interval", "5s", 100, 86'400'000);
    po.requests_per_second = static_cast<double>(section.Int("requests_per_second", 20, 0, 10'000));
    CurlOptions co;
    co.total_timeout_ms = section.DurationMillis("timeout", "60s", 1000, 3'600'000);
    co.connect_timeout_ms = section.DurationMillis("connect_timeout", "10s", 100, 600'000);
    co.max_body_bytes = section.Int("max_body_bytes", 32 << 20, 1024, int64_t{1} << 31);
    co.ca_file = section.Path("ca_file", "");
    co.cancel = gen->stop.flag();
    Worker w;
    w.transport = std::make_unique<CurlTransport>(co);
    adapters::Deps deps{w.transport.get(), &clock, log::Get("adapter." + name)};
    HS_ASSIGN_OR_RETURN(w.adapter, adapters::Create(name, section, deps));
    w.puller = std::make_unique<Puller>(*w.adapter, ledger, clock, gen->stop, po, seed_source());
    gen->workers.push_back(std::move(w));
  }
  return gen;
}

void Notify(const std::string& state) { sd_notify(0, state.c_str()); }

}  // namespace

int RunDaemon(const std::string& config_path, bool once) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  // Before any thread, so that all inherit the mask and only sigwait below sees these signals. A
  // one-shot run keeps the default dispositions: killed, it leaves only whole pages behind.
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
  if (once) {
    bool all_ok = true;
    for (Worker& w : (*gen)->workers) all_ok = w.puller->RunOnce().outcome == "ok" && all_ok;
    return all_ok ? kExitOk : kExitFailure;
  }
  (*gen)->Start();
  log->info("hotline-sync started: ledger {}, {} adapter(s)", cfg->ledger_path,
            cfg->adapter_names.size());
  Notify("READY=1\nSTATUS=syncing");

  std::unique_ptr<Generation> current = std::move(*gen);
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
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
            next_cfg->ledger_synchronous != cfg->ledger_synchronous) {
          log->warn("[ledger] changes take effect at the next start; still writing {}",
                    cfg->ledger_path);
        }
        current->StopAndJoin();
        current = std::move(*next);
        try {
          log::InitLogging({.level = next_cfg->log_level, .extra_sink = nullptr});
        } catch (const std::exception& e) {
          log->error("[log] level: {}; keeping the previous level", e.what());
        }
        current->Start();
        log->info("configuration reloaded");
      }
      Notify("READY=1");
      continue;
    }
    Notify("STOPPING=1");
    log->info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    current->StopAndJoin();
    log->info("stopped; every committed page is in the ledger");
    return kExitOk;
  }
}

}  // namespace hs::sync
