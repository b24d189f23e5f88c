// The three platforms end to end (issue 3 acceptance): the daemon, as a real process, against the
// simulated hotline, petition and provincial platforms on loopback. A dispatch appears at the
// province, is accepted, becomes a hotline order, is closed there and its result reaches the
// province; a transferred petition becomes a hotline order whose progress returns to the petition
// platform; a petition-type hotline order becomes a petition. Then the same city with the daemon
// killed with SIGKILL 50 times while it drains its outbox: every push has exactly one effect.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "adapters/hotline12345/sim.h"
#include "adapters/petition/sim.h"
#include "adapters/provincial/sim.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/outbox.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

// What the ledger shows of the three flows.
struct Flows {
  int dispatch_results_sent = 0;   // Provincial results pushed for orders made from dispatches.
  int petition_progress_sent = 0;  // Progress pushed for orders made from transferred petitions.
  int petitions_created = 0;       // Petition-type hotline orders registered as petitions.
  int orders_from_dispatches = 0;  // Links dispatch → hotline order.
  int orders_from_petitions = 0;   // Links petition → hotline order.
  int orders_from_reopened = 0;    // REOPENED dispatches handled again as new hotline orders.
  int dead = 0;
};

class PushE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hotline12345::SimOptions h;
    h.orders = 300;
    h.days_before = 10;
    h.days_after = 20;
    h.speed = 86'400;  // A simulated day per second: orders made by pushes close within seconds.
    h.rps = 0;
    hotline_ = std::make_unique<hotline12345::HotlineSim>(h, clock_);
    petition::PetitionSimOptions p;
    p.count = 150;
    p.speed = 86'400;
    p.rps = 0;
    p.transfer_share = 0.3;
    petition_ = std::make_unique<petition::PetitionSim>(p, clock_);
    provincial::ProvincialSimOptions v;
    v.count = 60;
    v.speed = 86'400;
    v.rps = 0;
    v.review_delay_s = 3600;
    v.reopen_share = 0.5;  // Enough refused results that the test sees REOPENED handled.
    provincial_ = std::make_unique<provincial::ProvincialSim>(v, clock_);
    ASSERT_TRUE(hotline_->Start().ok());
    ASSERT_TRUE(petition_->Start().ok());
    ASSERT_TRUE(provincial_->Start().ok());
    for (const char* f : {"h.secret", "p.secret", "v.secret"}) {
      std::ofstream(dir_.File(f)) << "sim-secret\n";
    }
    // A petition unit that gets enough orders for the test to see several become petitions.
    std::ofstream(dir_.File("routing.toml"))
        << "[hotline_to_petition]\nunits = [\"市信访局\", \"市人社局\"]\n";
    std::ofstream(dir_.File("config.toml"))
        << "[ledger]\npath = \"ledger.db\"\n\n[routing]\nfile = "
           "\"routing.toml\"\n\n[outbox]\nbackoff_base = \"50ms\"\n"
        << "backoff_cap = \"1s\"\n\n[deadlines]\ncheck_every = \"1s\"\n\n"
        << "[adapters.hotline12345]\nbase_url = \"" << hotline_->base_url() << "\"\n"
        << "app_key = \"yy-sync\"\napp_secret_file = \"h.secret\"\ninterval = \"300ms\"\n"
        << "requests_per_second = 0\npush_requests_per_second = 0\n\n"
        << "[adapters.petition]\nbase_url = \"" << petition_->base_url() << "\"\n"
        << "client_id = \"yy-sync\"\nclient_secret_file = \"p.secret\"\ninterval = \"300ms\"\n"
        << "requests_per_second = 0\npush_requests_per_second = 0\n\n"
        << "[adapters.provincial]\nbase_url = \"" << provincial_->base_url() << "\"\n"
        << "city_code = \"430600\"\nsecret_file = \"v.secret\"\ninterval = \"300ms\"\n"
        << "requests_per_second = 0\npush_requests_per_second = 0\n";
  }

  pid_t StartDaemon() {
    return testing::SpawnLogged({HS_BINARY, "run", "--config", dir_.File("config.toml")},
                                dir_.File("daemon.log"));
  }
  void Stop(pid_t pid, int sig) {
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
  }

  Flows Read() {
    Flows f;
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    if (!db.ok()) return f;
    auto count = [&](const std::string& sql) {
      auto v = db->QueryText(sql);
      return v.ok() ? std::stoi(*v) : 0;
    };
    f.dispatch_results_sent = count(
        "SELECT count(*) FROM outbox WHERE target = 'provincial' AND action = 'result' "
        "AND state = 'sent'");
    f.petition_progress_sent = count(
        "SELECT count(*) FROM outbox o JOIN tickets t ON t.id = o.ticket_id "
        "WHERE o.target = 'petition' AND o.action = 'progress' AND o.state = 'sent' "
        "AND t.channel = '信访平台推送'");
    f.petitions_created = count(
        "SELECT count(*) FROM outbox WHERE target = 'petition' AND action = 'create' "
        "AND state = 'sent'");
    f.orders_from_dispatches = count(
        "SELECT count(*) FROM links l JOIN tickets t ON t.id = l.ticket_id "
        "WHERE t.source = 'provincial' AND l.target = 'hotline12345'");
    f.orders_from_petitions = count(
        "SELECT count(*) FROM links l JOIN tickets t ON t.id = l.ticket_id "
        "WHERE t.source = 'petition' AND l.target = 'hotline12345'");
    f.orders_from_reopened = count(
        "SELECT count(*) FROM tickets WHERE source = 'hotline12345' AND external_ref LIKE '%/R%'");
    f.dead = count("SELECT count(*) FROM outbox WHERE state = 'dead'");
    return f;
  }

  static bool AllFlows(const Flows& f) {
    return f.dispatch_results_sent > 0 && f.petition_progress_sent > 0 && f.petitions_created > 0 &&
           f.orders_from_dispatches > 0 && f.orders_from_petitions > 0 &&
           f.orders_from_reopened > 0;
  }

  // Waits up to `seconds` for every flow to have happened.
  Flows WaitForFlows(int seconds) {
    Flows f;
    for (int i = 0; i < seconds * 2 && !AllFlows(f = Read()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return f;
  }

  // Every push took effect exactly once at the simulators, and each matter was sent once.
  void ExpectEffectsOncePerKey() {
    std::map<std::string, int> effects = petition_->EffectsByKey();
    for (const auto& [key, n] : effects) EXPECT_EQ(n, 1) << key;
    std::vector<std::string> created = petition_->CreatedSourceNos();
    std::set<std::string> unique(created.begin(), created.end());
    EXPECT_EQ(unique.size(), created.size()) << "a hotline order was registered twice";
    for (const auto& [id, e] : provincial_->Effects()) {
      EXPECT_LE(e.accepts, 1) << id;
      EXPECT_LE(e.results, e.reopens + 1) << id;
    }
    // Every petition push the ledger calls sent is one effect at the platform, under its key; and
    // every effect there is an outbox item (one pushed as the daemon stopped may still be pending:
    // its resend will be a replay).
    auto ledger = ledger::Ledger::Open(dir_.File("ledger.db"), {.read_only = true});
    ASSERT_TRUE(ledger.ok());
    auto sent = ledger::ListOutbox(**ledger, {"sent", "petition", 1'000'000});
    auto open = ledger::ListOutbox(**ledger, {"", "petition", 1'000'000});
    ASSERT_TRUE(sent.ok() && open.ok());
    std::set<std::string> keys;
    for (const auto& o : *sent) {
      EXPECT_EQ(effects.count(o.idem_key), 1u) << o.idem_key;
      keys.insert(o.idem_key);
    }
    for (const auto& o : *open) keys.insert(o.idem_key);
    for (const auto& [key, n] : effects) EXPECT_EQ(keys.count(key), 1u) << key;
    EXPECT_GE(effects.size(), sent->size());
    auto check = (*ledger)->IntegrityCheck();
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(*check, "ok");
  }

  SystemClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<hotline12345::HotlineSim> hotline_;
  std::unique_ptr<petition::PetitionSim> petition_;
  std::unique_ptr<provincial::ProvincialSim> provincial_;
};

TEST_F(PushE2eTest, EveryFlowAcrossTheThreePlatforms) {
  pid_t pid = StartDaemon();
  ASSERT_GT(pid, 0);
  Flows f = WaitForFlows(90);
  Stop(pid, SIGTERM);
  EXPECT_GT(f.orders_from_dispatches, 0) << "no dispatch became a hotline order";
  EXPECT_GT(f.dispatch_results_sent, 0) << "no hotline closure reached the province";
  EXPECT_GT(f.orders_from_petitions, 0) << "no transferred petition became a hotline order";
  EXPECT_GT(f.petition_progress_sent, 0) << "no progress returned to the petition platform";
  EXPECT_GT(f.petitions_created, 0) << "no petition-type order became a petition";
  EXPECT_GT(f.orders_from_reopened, 0) << "no REOPENED dispatch became new hotline work";
  EXPECT_EQ(f.dead, 0);

  // The simulators saw the same: results stored at the province, progress and registrations at
  // the bureau.
  int results = 0;
  for (const auto& [id, e] : provincial_->Effects()) results += e.results;
  EXPECT_GT(results, 0);
  EXPECT_FALSE(petition_->CreatedSourceNos().empty());

  // Each ticket links to its counterparts: a dispatch shows its order, the order shows the
  // dispatch.
  auto ledger = ledger::Ledger::Open(dir_.File("ledger.db"), {.read_only = true});
  ASSERT_TRUE(ledger.ok());
  auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
  auto pair = sql::Stmt::Prepare(
      *db,
      "SELECT l.ticket_id, h.id FROM links l JOIN tickets d ON d.id = l.ticket_id "
      "JOIN tickets h ON h.source = l.target AND h.external_id = l.remote_id "
      "WHERE d.source = 'provincial' LIMIT 1");
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(*pair->Step()) << "no dispatch whose hotline order was read back";
  auto from_dispatch = ledger::CounterpartsOf(**ledger, pair->Int(0));
  auto from_order = ledger::CounterpartsOf(**ledger, pair->Int(1));
  ASSERT_TRUE(from_dispatch.ok() && from_order.ok());
  ASSERT_FALSE(from_dispatch->empty());
  EXPECT_EQ(from_dispatch->front().source, "hotline12345");
  bool names_dispatch = false;
  for (const auto& c : *from_order) names_dispatch |= c.source == "provincial";
  EXPECT_TRUE(names_dispatch);
  ExpectEffectsOncePerKey();
}

TEST_F(PushE2eTest, KilledFiftyTimesWhileDrainingEveryPushHasOneEffect) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pause_ms(0, 350);
  int queued_seen = 0;
  for (int i = 0; i < 50; ++i) {
    pid_t pid = StartDaemon();
    ASSERT_GT(pid, 0);
    // Killed while it drains: once pushes are queued (however long start-up and the first pages
    // take on this machine), at a random point of the next 350 ms.
    for (int waited = 0; waited < 30'000; waited += 20) {
      auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
      auto n = db.ok() ? db->QueryText("SELECT count(*) FROM outbox WHERE state = 'pending'")
                       : Result<std::string>(db.status());
      if (n.ok() && *n != "0") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    Stop(pid, SIGKILL);
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    if (!db.ok()) continue;
    auto check = db->QueryText("PRAGMA quick_check");
    if (!check.ok() && check.status().code() == StatusCode::kUnavailable) continue;  // Mid-start.
    ASSERT_TRUE(check.ok() && *check == "ok")
        << "after kill " << i << ": " << (check.ok() ? *check : check.status().ToString());
    if (auto n = db->QueryText("SELECT count(*) FROM outbox WHERE state = 'pending'"); n.ok()) {
      queued_seen = std::max(queued_seen, std::stoi(*n));
    }
  }
  EXPECT_GT(queued_seen, 0) << "the kills never hit a non-empty outbox";
  // Then an uninterrupted run drains what the killed runs queued (the simulated city goes on
  // making new work meanwhile).
  std::string last_queued;
  {
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    ASSERT_TRUE(db.ok());
    last_queued = db->QueryText("SELECT coalesce(max(id), 0) FROM outbox").value();
  }
  pid_t pid = StartDaemon();
  ASSERT_GT(pid, 0);
  std::string left;
  for (int i = 0; i < 120 && left != "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    auto n = db->QueryText("SELECT count(*) FROM outbox WHERE state = 'pending' AND id <= " +
                           last_queued);
    if (n.ok()) left = *n;
  }
  if (left != "0") {
    std::filesystem::copy_file(dir_.File("daemon.log"), "/tmp/push_e2e_daemon.log",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(dir_.File("ledger.db"), "/tmp/push_e2e_ledger.db",
                               std::filesystem::copy_options::overwrite_existing);
    auto ledger = ledger::Ledger::Open(dir_.File("ledger.db"), {.read_only = true});
    ASSERT_TRUE(ledger.ok());
    for (const auto& o : ledger::ListOutbox(**ledger, {"pending", "", 20}).value()) {
      ADD_FAILURE() << "still pending: #" << o.id << " " << o.target << " " << o.action << " tries "
                    << o.attempts << " next in " << (o.next_attempt_ms - clock_.NowMillis())
                    << " ms: " << o.last_error;
    }
  }
  Stop(pid, SIGTERM);
  EXPECT_EQ(Read().dead, 0);
  ExpectEffectsOncePerKey();
}

}  // namespace
}  // namespace hs
