// The soak (issue 7, bench/soak.sh): hotline-sync, as a real process, against the simulated 12345,
// petition and provincial platforms for a given wall time while the simulated city runs many times
// faster, with faults switched on and off at random: HTTP 503s and 500s, connections reset before
// the body or after the effect, truncated and malformed pages, a proxy's HTML 502 page, latency,
// stalls past the daemon's timeout, and the daemon itself killed (SIGKILL) or restarted (SIGTERM).
// Then the faults stop, the simulated clock stops, the daemon catches up, and the invariants are
// checked: every record each platform holds is in the ledger at its latest version (or in
// rejects), every push took effect once, the ledger passes its integrity check. Prints a report;
// exits 1 when an invariant fails (the working directory, with the daemon's log, is then kept).
//
// Usage: soak_bench [--seconds 1800] [--seed 1] [--binary PATH] [--keep]
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/hotline12345/mapping.h"
#include "adapters/hotline12345/sim.h"
#include "adapters/petition/mapping.h"
#include "adapters/petition/sim.h"
#include "adapters/provincial/mapping.h"
#include "adapters/provincial/sim.h"
#include "daemon/core/clock.h"
#include "daemon/core/json.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/daemon_process.h"

namespace hs {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int seconds = 1800;
  uint64_t seed = 1;
  std::string binary = HS_BINARY;
  bool keep = false;
};

// The simulators' clock: real time while the soak runs, stopped for the final check so that the
// platforms hold still while the daemon catches up.
class SoakClock {
 public:
  SoakClock() : clock_(SystemClock().NowMillis()), ticker_([this] { Tick(); }) {}
  ~SoakClock() {
    stop_ = true;
    ticker_.join();
  }
  hs::Clock& clock() { return clock_; }
  void Freeze() { frozen_ = true; }

 private:
  void Tick() {
    SystemClock real;
    while (!stop_) {
      if (!frozen_) clock_.Set(real.NowMillis());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  FakeClock clock_;
  std::atomic<bool> stop_{false}, frozen_{false};
  std::thread ticker_;
};

// Faults switched on in one phase, by kind, for the report.
struct FaultCounts {
  std::map<std::string, int> phases;
  int kills = 0, restarts = 0;
};

class Soak {
 public:
  explicit Soak(Args args) : args_(std::move(args)), rng_(args_.seed) {
    dir_ = std::filesystem::temp_directory_path() /
           ("hotline-sync-soak-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~Soak() {
    if (!keep_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  int Run();

 private:
  std::string File(const std::string& name) const { return (dir_ / name).string(); }
  Status StartPlatforms();
  void WriteConfig() const;
  void StartDaemon();
  void StopDaemon(int sig);
  void RandomPhase();
  void FaultsOff();
  bool CaughtUp(std::string* why);
  int Report(double wall_s, double catch_up_s);

  Args args_;
  std::mt19937_64 rng_;
  std::filesystem::path dir_;
  bool keep_ = false;
  SoakClock clock_;
  double speed_ = 0;
  std::unique_ptr<hotline12345::HotlineSim> hotline_;
  std::unique_ptr<petition::PetitionSim> petition_;
  std::unique_ptr<provincial::ProvincialSim> provincial_;
  pid_t daemon_ = -1;
  FaultCounts faults_;
};

Status Soak::StartPlatforms() {
  // The simulated city's next 20 days unfold over the soak; 10 days of history exist at the start.
  constexpr int kDaysAfter = 20;
  speed_ = kDaysAfter * 86'400.0 / args_.seconds;
  hotline12345::SimOptions h;
  h.seed = args_.seed;
  h.orders = 6000;
  h.days_before = 10;
  h.days_after = kDaysAfter;
  h.speed = speed_;
  h.rps = 0;  // The clock stops for the final check: a rate limit would never refill.
  hotline_ = std::make_unique<hotline12345::HotlineSim>(h, clock_.clock());
  petition::PetitionSimOptions p;
  p.seed = args_.seed;
  p.count = 1500;
  p.days_before = 10;
  p.days_after = kDaysAfter;
  p.speed = speed_;
  p.rps = 0;
  p.transfer_share = 0.3;
  petition_ = std::make_unique<petition::PetitionSim>(p, clock_.clock());
  provincial::ProvincialSimOptions v;
  v.seed = args_.seed;
  v.count = 600;
  v.days_before = 10;
  v.days_after = kDaysAfter;
  v.speed = speed_;
  v.rps = 0;
  v.review_delay_s = 6 * 3600;
  v.reopen_share = 0.2;
  provincial_ = std::make_unique<provincial::ProvincialSim>(v, clock_.clock());
  HS_RETURN_IF_ERROR(hotline_->Start());
  HS_RETURN_IF_ERROR(petition_->Start());
  return provincial_->Start();
}

void Soak::WriteConfig() const {
  for (const char* f : {"h.secret", "p.secret", "v.secret"}) {
    std::ofstream(File(f)) << "sim-secret\n";
  }
  std::ofstream(File("routing.toml"))
      << "[hotline_to_petition]\nunits = [\"市信访局\", \"市人社局\"]\n";
  // Short intervals and backoffs so that a few seconds of fault are many failed requests; a 2-s
  // timeout so that the province's 3-s stalls are timeouts.
  std::ofstream cfg(File("config.toml"));
  cfg << "[ledger]\npath = \"ledger.db\"\n\n[routing]\nfile = \"routing.toml\"\n\n"
      << "[outbox]\nbackoff_base = \"100ms\"\nbackoff_cap = \"3s\"\nmax_attempts = 1000\n\n"
      << "[service]\nlisten = \"off\"\n\n";
  auto adapter = [&](const std::string& name, const std::string& url, const std::string& keys) {
    cfg << "[adapters." << name << "]\nbase_url = \"" << url << "\"\n"
        << keys << "interval = \"500ms\"\ntimeout = \"2s\"\nconnect_timeout = \"1s\"\n"
        << "requests_per_second = 0\npush_requests_per_second = 0\n\n";
  };
  adapter("hotline12345", hotline_->base_url(),
          "app_key = \"yy-sync\"\napp_secret_file = \"h.secret\"\n");
  adapter("petition", petition_->base_url(),
          "client_id = \"yy-sync\"\nclient_secret_file = \"p.secret\"\n");
  adapter("provincial", provincial_->base_url(),
          "city_code = \"430600\"\nsecret_file = \"v.secret\"\n");
}

void Soak::StartDaemon() {
  daemon_ = testing::SpawnLogged({args_.binary, "run", "--config", File("config.toml")},
                                 File("daemon.log"));
}

void Soak::StopDaemon(int sig) {
  if (daemon_ <= 0) return;
  ::kill(daemon_, sig);
  int status = 0;
  ::waitpid(daemon_, &status, 0);
  daemon_ = -1;
}

// One phase: each platform gets no fault (half the time) or one kind at a random strength; now
// and then the daemon is killed or restarted.
void Soak::RandomPhase() {
  std::uniform_real_distribution<double> u(0, 1);
  auto pick = [&](int kinds) { return static_cast<int>(u(rng_) * kinds); };
  auto share = [&] { return 0.1 + 0.4 * u(rng_); };  // 10% to 50% of requests
  hotline12345::SimFaults h;
  if (u(rng_) < 0.5) {
    switch (pick(5)) {
      case 0:
        h.error_rate = share();
        faults_.phases["hotline12345 503"]++;
        break;
      case 1:
        h.reset_rate = share();
        faults_.phases["hotline12345 reset before body"]++;
        break;
      case 2:
        h.truncate_rate = share();
        faults_.phases["hotline12345 truncated body"]++;
        break;
      case 3:
        h.malformed_rate = share();
        faults_.phases["hotline12345 malformed record"]++;
        break;
      default:
        h.latency_ms = 2500;
        faults_.phases["hotline12345 latency past timeout"]++;
        break;
    }
  }
  hotline_->SetFaults(h);
  petition::PetitionSimFaults p;
  if (u(rng_) < 0.5) {
    switch (pick(4)) {
      case 0:
        p.error_rate = share();
        faults_.phases["petition 503"]++;
        break;
      case 1:
        p.reset_rate = share();
        faults_.phases["petition reset before body"]++;
        break;
      case 2:
        p.html_502_rate = share();
        faults_.phases["petition HTML 502 proxy page"]++;
        break;
      default:
        p.latency_ms = 800;
        faults_.phases["petition latency"]++;
        break;
    }
  }
  petition_->SetFaults(p);
  provincial::ProvincialSimFaults v;
  if (u(rng_) < 0.5) {
    switch (pick(3)) {
      case 0:
        v.error_rate = share();
        faults_.phases["provincial 500/503"]++;
        break;
      case 1:
        v.reset_rate = share();
        faults_.phases["provincial reset after effect"]++;
        break;
      default:
        v.stall_rate = share();
        v.stall_ms = 3000;
        faults_.phases["provincial stall after effect"]++;
        break;
    }
  }
  provincial_->SetFaults(v);
  const double r = u(rng_);
  if (r < 0.12) {
    StopDaemon(SIGKILL);
    ++faults_.kills;
    StartDaemon();
  } else if (r < 0.18) {
    StopDaemon(SIGTERM);
    ++faults_.restarts;
    StartDaemon();
  }
}

void Soak::FaultsOff() {
  hotline_->SetFaults({});
  petition_->SetFaults({});
  provincial_->SetFaults({});
}

bool Next(sql::Stmt& st) {
  auto row = st.Step();
  return row.ok() && *row;
}

// One value a query returns, or `otherwise`.
std::string Query(sql::Db& db, const std::string& sql, const std::string& otherwise = "?") {
  auto v = db.QueryText(sql);
  return v.ok() ? *v : otherwise;
}

// The ledger's (external id → (updated at, state)) of one source.
std::map<std::string, std::pair<int64_t, std::string>> LedgerOf(sql::Db& db,
                                                                const std::string& source) {
  std::map<std::string, std::pair<int64_t, std::string>> out;
  auto st = sql::Stmt::Prepare(
      db, "SELECT external_id, source_updated_at, state FROM tickets WHERE source = ?1");
  if (!st.ok()) return out;
  st->Bind(1, source);
  while (Next(*st)) out[st->Text(0)] = {st->Int(1), st->Text(2)};
  return out;
}

std::set<std::string> RejectedIds(sql::Db& db, const std::string& source) {
  std::set<std::string> out;
  auto st = sql::Stmt::Prepare(db, "SELECT source_id FROM rejects WHERE source = ?1");
  if (!st.ok()) return out;
  st->Bind(1, source);
  while (Next(*st)) out.insert(st->Text(0));
  return out;
}

// A platform's records, each mapped as the adapter maps it: id → (updated at, state).
template <typename MapFn>
std::map<std::string, std::pair<int64_t, std::string>> PlatformOf(
    const std::vector<std::pair<std::string, std::string>>& snapshot, MapFn map, int* unmapped) {
  std::map<std::string, std::pair<int64_t, std::string>> out;
  for (const auto& [id, json] : snapshot) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    Ticket t;
    if (doc.HasParseError() || !map(doc, t).ok()) {
      ++*unmapped;
      continue;
    }
    out[id] = {t.updated_at, t.state};
  }
  return out;
}

struct Comparison {
  int platform = 0, in_ledger = 0, rejected = 0, missing = 0, stale = 0, unmapped = 0;
  std::string example;  // The first missing or stale id.
};

Comparison Compare(const std::map<std::string, std::pair<int64_t, std::string>>& platform,
                   const std::map<std::string, std::pair<int64_t, std::string>>& ledger,
                   const std::set<std::string>& rejected) {
  Comparison c;
  c.platform = static_cast<int>(platform.size());
  for (const auto& [id, want] : platform) {
    const auto it = ledger.find(id);
    if (it == ledger.end()) {
      if (rejected.contains(id)) {
        ++c.rejected;
        continue;
      }
      ++c.missing;
      if (c.example.empty()) c.example = id + " missing";
      continue;
    }
    ++c.in_ledger;
    if (it->second != want) {
      ++c.stale;
      if (c.example.empty()) c.example = id + " stale";
    }
  }
  return c;
}

struct Invariants {
  std::map<std::string, Comparison> sources;
  int double_effects = 0;
  std::string double_example;
  std::string integrity;
  int pending = 0, dead = 0;
};

Invariants Check(hotline12345::HotlineSim& hotline, petition::PetitionSim& petition,
                 provincial::ProvincialSim& provincial, const std::string& ledger_path) {
  Invariants inv;
  auto db = sql::Db::Open(ledger_path, SQLITE_OPEN_READONLY);
  if (!db.ok()) {
    inv.integrity = db.status().ToString();
    return inv;
  }
  // Each platform's records, mapped as its adapter maps them, against the ledger and rejects.
  auto compare = [&](const std::string& source, const auto& snapshot, auto map) {
    int unmapped = 0;
    auto platform = PlatformOf(snapshot, map, &unmapped);
    Comparison c = Compare(platform, LedgerOf(*db, source), RejectedIds(*db, source));
    c.unmapped = unmapped;
    inv.sources[source] = c;
  };
  static const Result<petition::CategoryMap> categories = petition::CategoryMap::Shipped();
  compare("hotline12345", hotline.Snapshot(), hotline12345::MapRecord);
  compare("petition", petition.Snapshot(), [](const rapidjson::Value& r, Ticket& t) {
    return petition::MapRecord(r, *categories, t);
  });
  compare("provincial", provincial.Snapshot(), provincial::MapRecord);

  // Pushes: each idempotency key took effect once at the bureau, no hotline order was registered
  // twice as a petition, the province accepted each dispatch at most once and stored at most one
  // result per reopen cycle, and no matter became two hotline orders (one wbbh, one order).
  auto twice = [&](const std::string& what) {
    if (inv.double_effects++ == 0) inv.double_example = what;
  };
  for (const auto& [key, n] : petition.EffectsByKey()) {
    if (n != 1) twice("petition key " + key);
  }
  std::set<std::string> created;
  for (const std::string& no : petition.CreatedSourceNos()) {
    if (!created.insert(no).second) twice("petition registered twice for " + no);
  }
  for (const auto& [id, e] : provincial.Effects()) {
    if (e.accepts > 1 || e.results > e.reopens + 1) twice("provincial dispatch " + id);
  }
  std::map<std::string, int> orders_per_ref;
  for (const auto& [gdbh, json] : hotline.Snapshot()) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("wbbh") && doc["wbbh"].IsString() &&
        doc["wbbh"].GetStringLength() > 0) {
      if (++orders_per_ref[doc["wbbh"].GetString()] == 2) {
        twice(std::string("hotline order made twice for ") + doc["wbbh"].GetString());
      }
    }
  }
  inv.integrity = Query(*db, "PRAGMA integrity_check", "(could not run)");
  inv.pending = std::stoi(Query(*db, "SELECT count(*) FROM outbox WHERE state = 'pending'", "0"));
  inv.dead = std::stoi(Query(*db, "SELECT count(*) FROM outbox WHERE state = 'dead'", "0"));
  return inv;
}

bool Soak::CaughtUp(std::string* why) {
  const Invariants inv = Check(*hotline_, *petition_, *provincial_, File("ledger.db"));
  for (const auto& [source, c] : inv.sources) {
    if (c.missing + c.stale > 0) {
      *why = source + ": " + std::to_string(c.missing) + " missing, " + std::to_string(c.stale) +
             " stale (" + c.example + ")";
      return false;
    }
  }
  if (inv.pending > 0) {
    *why = std::to_string(inv.pending) + " pushes pending";
    return false;
  }
  return true;
}

int Soak::Report(double wall_s, double catch_up_s) {
  const Invariants inv = Check(*hotline_, *petition_, *provincial_, File("ledger.db"));
  auto db = sql::Db::Open(File("ledger.db"), SQLITE_OPEN_READONLY);
  if (!db.ok()) {
    std::printf("soak: cannot open the ledger: %s\n", db.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "\nhotline-sync soak: %.0f s of faults (seed %llu), the simulated city %.0fx faster "
      "(%.1f simulated days); caught up %.1f s after the faults stopped\n",
      wall_s, static_cast<unsigned long long>(args_.seed), speed_, wall_s * speed_ / 86'400.0,
      catch_up_s);

  std::printf("\nRecords (each platform's, compared by id, update time and state)\n");
  std::printf("%-14s %9s %9s %9s %9s %9s %10s %10s\n", "platform", "records", "in ledger",
              "rejected", "missing", "stale", "pull runs", "failed");
  bool ok = true;
  for (const auto& [source, c] : inv.sources) {
    const std::string runs =
        Query(*db, "SELECT count(*) FROM sync_runs WHERE source = '" + source + "'");
    const std::string failed = Query(
        *db, "SELECT count(*) FROM sync_runs WHERE source = '" + source + "' AND outcome <> 'ok'");
    std::printf("%-14s %9d %9d %9d %9d %9d %10s %10s\n", source.c_str(), c.platform, c.in_ledger,
                c.rejected, c.missing, c.stale, runs.c_str(), failed.c_str());
    ok &= c.missing == 0 && c.stale == 0 && c.platform > 0;
    if (!c.example.empty()) std::printf("  first: %s\n", c.example.c_str());
    if (c.unmapped > 0)
      std::printf("  (%d %s records the adapter itself rejects)\n", c.unmapped, source.c_str());
  }
  std::printf("rejects (bad records kept for operators): %s\n",
              Query(*db, "SELECT count(*) FROM rejects").c_str());

  std::printf("\nPushes (outbox)\n%-14s %-10s %7s %8s %7s\n", "target", "action", "sent", "retries",
              "dead");
  auto st = sql::Stmt::Prepare(*db, R"(
SELECT target, action, sum(state = 'sent'), sum(CASE WHEN state = 'sent' THEN attempts - 1 END),
       sum(state = 'dead')
FROM outbox GROUP BY target, action ORDER BY target, action)");
  while (st.ok() && Next(*st)) {
    std::printf("%-14s %-10s %7lld %8lld %7lld\n", st->Text(0).c_str(), st->Text(1).c_str(),
                static_cast<long long>(st->Int(2)), static_cast<long long>(st->Int(3)),
                static_cast<long long>(st->Int(4)));
  }

  std::printf("\nFaults injected\n");
  std::printf("%-44s %7s\n", "phase kind (each a few seconds)", "phases");
  for (const auto& [kind, n] : faults_.phases) std::printf("%-44s %7d\n", kind.c_str(), n);
  std::printf("%-44s %7d\n", "daemon killed (SIGKILL) and started again", faults_.kills);
  std::printf("%-44s %7d\n", "daemon restarted (SIGTERM)", faults_.restarts);
  std::printf(
      "requests failed on purpose by the platforms: 12345 %lld, petition %lld, "
      "provincial %lld\n",
      static_cast<long long>(hotline_->Stats().faults),
      static_cast<long long>(petition_->Stats().faults),
      static_cast<long long>(provincial_->Stats().faults));

  std::printf("\nInvariants\n");
  int lost = 0, stale = 0;
  for (const auto& [source, c] : inv.sources) {
    lost += c.missing;
    stale += c.stale;
  }
  std::printf("lost records          %d\n", lost);
  std::printf("stale records         %d\n", stale);
  std::printf("double effects        %d%s\n", inv.double_effects,
              inv.double_effects ? (" (" + inv.double_example + ")").c_str() : "");
  std::printf("pushes still pending  %d\n", inv.pending);
  std::printf("dead letters          %d\n", inv.dead);
  std::printf("integrity check       %s\n", inv.integrity.c_str());
  ok &= lost == 0 && stale == 0 && inv.double_effects == 0 && inv.pending == 0 &&
        inv.integrity == "ok";
  std::printf("\nsoak: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

int Soak::Run() {
  if (Status s = StartPlatforms(); !s.ok()) {
    std::fprintf(stderr, "soak: the simulators did not start: %s\n", s.ToString().c_str());
    return 1;
  }
  WriteConfig();
  StartDaemon();
  std::fprintf(stderr, "soak: %d s in %s, the daemon's log in daemon.log\n", args_.seconds,
               dir_.c_str());
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(args_.seconds);
  std::uniform_int_distribution<int> phase_ms(2000, 8000);
  int phases = 0;
  while (Clock::now() < end) {
    RandomPhase();
    if (++phases % 50 == 0) {
      std::fprintf(
          stderr, "soak: %lld s, %d phases\n",
          static_cast<long long>(
              std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count()),
          phases);
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(
        std::chrono::milliseconds(phase_ms(rng_)),
        std::max<Clock::duration>(end - Clock::now(), Clock::duration(0))));
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();

  // The faults stop and the city holds still; the daemon (started afresh if a phase left it
  // down) must catch up within two minutes.
  FaultsOff();
  clock_.Freeze();
  if (daemon_ <= 0) StartDaemon();
  const auto catch_up_start = Clock::now();
  // Caught up = two checks in a row, 2 s apart, find nothing missing and nothing to push: a push
  // that lands between one check's snapshot and its look at the outbox (a new hotline order the
  // daemon has not pulled yet) cannot pass for quiet.
  std::string why;
  int quiet = 0;
  while (quiet < 2 && Clock::now() - catch_up_start < std::chrono::minutes(2)) {
    quiet = CaughtUp(&why) ? quiet + 1 : 0;
    if (quiet < 2) std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  const bool caught_up = quiet == 2;
  const double catch_up_s = std::chrono::duration<double>(Clock::now() - catch_up_start).count();
  StopDaemon(SIGTERM);
  if (!caught_up) std::printf("soak: not caught up after 2 minutes: %s\n", why.c_str());
  const int rc = Report(wall_s, catch_up_s);
  keep_ = args_.keep || rc != 0;
  if (keep_) std::printf("soak: kept %s (ledger.db, daemon.log)\n", dir_.c_str());
  return rc;
}

}  // namespace
}  // namespace hs

int main(int argc, char** argv) {
  hs::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      args.seconds = std::max(10, std::atoi(argv[++i]));
    } else if (a == "--seed" && i + 1 < argc) {
      args.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--binary" && i + 1 < argc) {
      args.binary = argv[++i];
    } else if (a == "--keep") {
      args.keep = true;
    } else {
      std::fprintf(stderr,
                   "usage: soak_bench [--seconds 1800] [--seed 1] [--binary PATH] [--keep]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  return hs::Soak(std::move(args)).Run();
}
