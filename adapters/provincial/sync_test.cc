// End to end on loopback: sync::Puller and a real ledger::Ledger pulling from the provincial
// simulator through CurlTransport, while the city accepts, answers and returns dispatches and the
// province reviews the results: every dispatch ends in the ledger at its newest state.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "adapters/provincial/client.h"
#include "adapters/provincial/mapping.h"
#include "adapters/provincial/sim.h"
#include "daemon/core/json.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"
#include "tests/fakes/temp_dir.h"

namespace hs::provincial {
namespace {

constexpr const char* kResult =
    R"({"handledBy":"岳阳楼区信访局","closedAt":"2023-06-14T10:00:00+08:00","contacted":true,)"
    R"("process":"已电话联系来信人并现场核实","result":"已督促整改到位","citizenOpinion":"满意"})";

class ProvincialSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CurlTransport::GlobalInit();
    ProvincialSimOptions o;
    o.count = 150;  // 50 exist at the start; more arrive as the clock runs.
    o.rps = 0;
    o.speed = 3600;  // One simulated hour per clock second.
    o.review_delay_s = 6 * 3600;
    o.reopen_share = 0.5;
    sim_ = std::make_unique<ProvincialSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    auto l = ledger::Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(l).value();
    Options ao;
    ao.base_url = sim_->base_url();
    ao.city_code = "430600";
    ao.secret = "sim-secret";
    ao.page_size = 20;
    adapter_ = CreateWithOptions(ao, {&transport_, &clock_, log::Get("adapter.provincial")});
    pusher_ = CreateWithOptions(ao, {&push_transport_, &clock_, log::Get("adapter.provincial")});
    sync::PullerOptions po;
    po.requests_per_second = 0;
    puller_ = std::make_unique<sync::Puller>(*adapter_, *ledger_, clock_, stop_, po, 42);
  }

  void Push(const std::string& id, const std::string& action, const std::string& payload) {
    adapters::PushItem item;
    item.action = action;
    item.target_ref = id;
    item.idempotency_key = "k";
    item.payload = payload;
    auto r = pusher_->Push(item);
    ASSERT_TRUE(r.ok()) << action << ": " << r.status().ToString();
  }

  // Ledger contents: external id → (canonical state, native state).
  std::map<std::string, std::pair<std::string, std::string>> LedgerStates() {
    std::map<std::string, std::pair<std::string, std::string>> out;
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    auto st = sql::Stmt::Prepare(*db, "SELECT external_id, state, raw FROM tickets");
    while (*st->Step()) {
      rapidjson::Document raw;
      std::string native =
          json::Parse(st->Text(2), raw).ok() && raw.IsObject() ? raw["state"].GetString() : "?";
      out[st->Text(0)] = {st->Text(1), native};
    }
    return out;
  }

  void ExpectLedgerMatchesPlatform() {
    auto got = LedgerStates();
    auto snapshot = sim_->Snapshot();
    ASSERT_EQ(got.size(), snapshot.size());
    for (const auto& [id, record] : snapshot) {
      rapidjson::Document d;
      ASSERT_TRUE(json::Parse(record, d).ok());
      std::string native = d["state"].GetString();
      auto it = got.find(id);
      ASSERT_NE(it, got.end()) << id;
      EXPECT_EQ(it->second.first, CanonicalState(native)) << id;
      EXPECT_EQ(it->second.second, native) << id;
    }
  }

  testing::TempDir dir_;
  FakeClock clock_{1700000000'000};
  CurlTransport transport_{CurlOptions{}};
  CurlTransport push_transport_{CurlOptions{}};
  sync::StopSignal stop_;
  std::unique_ptr<ProvincialSim> sim_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<adapters::Adapter> adapter_;
  std::unique_ptr<adapters::Adapter> pusher_;
  std::unique_ptr<sync::Puller> puller_;
};

TEST_F(ProvincialSyncTest, EveryDispatchEndsInTheLedgerAtItsNewestState) {
  ledger::SyncRun run = puller_->RunOnce();
  ASSERT_EQ(run.outcome, "ok") << run.error;
  EXPECT_EQ(run.rejected, 0);
  ExpectLedgerMatchesPlatform();

  // The city works through the first 30 dispatches: most answered, a few returned, some only
  // accepted.
  auto snapshot = sim_->Snapshot();
  for (size_t i = 0; i < 30; ++i) {
    const std::string& id = snapshot[i].first;
    if (i % 10 == 9) {
      Push(id, "return", R"({"reason":"诉求事项不属于本市管辖"})");
      continue;
    }
    Push(id, "accept", "");
    if (i % 10 < 7) Push(id, "result", kResult);
  }
  run = puller_->RunOnce();
  ASSERT_EQ(run.outcome, "ok") << run.error;
  ExpectLedgerMatchesPlatform();

  // A simulated day later: reviews closed or reopened the results, new dispatches arrived.
  clock_.Advance(24'000);
  run = puller_->RunOnce();
  ASSERT_EQ(run.outcome, "ok") << run.error;
  ExpectLedgerMatchesPlatform();
  auto states = LedgerStates();
  int reopened = 0, closed = 0;
  for (const auto& [id, s] : states) {
    reopened += s.second == "REOPENED";
    closed += s.second == "CLOSED";
  }
  EXPECT_GT(reopened, 0);
  EXPECT_GT(closed, 0);
  EXPECT_GT(states.size(), 50u);

  // Reopened ones answered again; the next run brings them as RESULT_SUBMITTED.
  for (const auto& [id, s] : states) {
    if (s.second == "REOPENED") Push(id, "result", kResult);
  }
  run = puller_->RunOnce();
  ASSERT_EQ(run.outcome, "ok") << run.error;
  ExpectLedgerMatchesPlatform();
  for (const auto& [id, e] : sim_->Effects()) EXPECT_LE(e.results, e.reopens + 1) << id;
}

}  // namespace
}  // namespace hs::provincial
