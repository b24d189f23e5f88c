// The adapter contract suite (STYLE.md "Determinism"): every adapter, against its simulated
// platform on loopback, through the real HTTP transport and the real sync loop into a real ledger.
// Each platform joins by adding a Harness; the cases are the same for all.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <memory>

#include "adapters/hotline12345/client.h"
#include "adapters/hotline12345/sim.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

// What the suite needs of a platform and its simulator.
class Harness {
 public:
  virtual ~Harness() = default;
  virtual std::string name() const = 0;
  // Starts the simulator with `orders` records that do not change while the test runs.
  // rps: requests per second the simulator allows before 429 (0: no limit).
  virtual void Start(FakeClock& clock, int orders, int64_t cursor_ttl_ms, double rps) = 0;
  virtual std::unique_ptr<adapters::Adapter> MakeAdapter(HttpTransport& t, Clock& clock,
                                                         bool good_credentials) = 0;
  virtual void SetErrorRate(double share) = 0;
  virtual void SetMalformedRate(double share) = 0;
  virtual int64_t CursorExpiries() = 0;
  // external id → (platform update time in Unix seconds, canonical state).
  virtual std::map<std::string, std::pair<int64_t, std::string>> Expected() = 0;
};

class HotlineHarness final : public Harness {
 public:
  std::string name() const override { return "hotline12345"; }
  void Start(FakeClock& clock, int orders, int64_t cursor_ttl_ms, double rps) override {
    hotline12345::SimOptions o;
    o.orders = orders;
    o.speed = 0;
    o.days_before = 30;
    o.days_after = 0;
    o.rps = rps;
    o.cursor_ttl_ms = cursor_ttl_ms;
    sim_ = std::make_unique<hotline12345::HotlineSim>(o, clock);
    ASSERT_TRUE(sim_->Start().ok());
  }
  std::unique_ptr<adapters::Adapter> MakeAdapter(HttpTransport& t, Clock& clock,
                                                 bool good_credentials) override {
    hotline12345::Options o;
    o.base_url = sim_->base_url();
    o.app_key = "yy-sync";
    o.app_secret = good_credentials ? "sim-secret" : "wrong-secret";
    o.page_size = 500;
    return hotline12345::CreateWithOptions(o, {&t, &clock, log::Get("adapter.hotline12345")});
  }
  void SetErrorRate(double share) override {
    faults_.error_rate = share;
    sim_->SetFaults(faults_);
  }
  void SetMalformedRate(double share) override {
    faults_.malformed_rate = share;
    sim_->SetFaults(faults_);
  }
  int64_t CursorExpiries() override { return sim_->Stats().cursor_expired; }
  std::map<std::string, std::pair<int64_t, std::string>> Expected() override {
    std::map<std::string, std::pair<int64_t, std::string>> out;
    for (const auto& [gdbh, json_text] : sim_->Snapshot()) {
      rapidjson::Document d;
      d.Parse(json_text.c_str());
      out[gdbh] = {*ParseShanghaiTime(d["gxsj"].GetString()), d["gdzt"].GetString()};
    }
    return out;
  }

 private:
  std::unique_ptr<hotline12345::HotlineSim> sim_;
  hotline12345::SimFaults faults_;
};

std::string CanonicalOf(const std::string& platform_state) {
  static const std::map<std::string, std::string> kStates = {
      {"待签收", "pending"}, {"办理中", "in_progress"}, {"延期审核中", "extension_review"},
      {"已办结", "closed"},  {"已回访", "revisited"},   {"已归档", "archived"},
      {"已退单", "returned"}};
  auto it = kStates.find(platform_state);
  return it == kStates.end() ? platform_state : it->second;
}

std::unique_ptr<Harness> MakeHarness(const std::string& name) {
  if (name == "hotline12345") return std::make_unique<HotlineHarness>();
  return nullptr;
}

class ContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    CurlTransport::GlobalInit();
    harness_ = MakeHarness(GetParam());
    ASSERT_NE(harness_, nullptr) << GetParam();
    auto l = ledger::Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(l).value();
  }

  void StartPlatform(int orders, int64_t cursor_ttl_ms = 600'000, double rps = 0) {
    harness_->Start(clock_, orders, cursor_ttl_ms, rps);
    adapter_ = harness_->MakeAdapter(transport_, clock_, true);
    sync::PullerOptions po;
    po.requests_per_second = 0;
    puller_ = std::make_unique<sync::Puller>(*adapter_, *ledger_, clock_, stop_, po, 42);
  }

  // Pulls the first page and commits it with its cursor, as a daemon that then stopped would have.
  // Returns how many tickets it held; the feed must have more.
  size_t CommitFirstPage() {
    Reject page_reject;
    auto page = adapter_->Pull("", page_reject);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return 0;
    EXPECT_TRUE(page->has_more);
    ledger::SyncRun first;
    first.source = GetParam();
    EXPECT_TRUE(ledger_
                    ->CommitPage(GetParam(), page->tickets, page->rejects, page->next_cursor, first,
                                 clock_.NowMillis())
                    .ok());
    return page->tickets.size();
  }

  // Ledger contents: external id → (update time, state).
  std::map<std::string, std::pair<int64_t, std::string>> LedgerTickets() {
    std::map<std::string, std::pair<int64_t, std::string>> out;
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    auto st = sql::Stmt::Prepare(*db, "SELECT external_id, source_updated_at, state FROM tickets");
    while (*st->Step()) out[st->Text(0)] = {st->Int(1), st->Text(2)};
    return out;
  }

  void ExpectLedgerMatchesPlatform() {
    auto expected = harness_->Expected();
    auto got = LedgerTickets();
    ASSERT_EQ(got.size(), expected.size());
    for (const auto& [id, want] : expected) {
      auto it = got.find(id);
      ASSERT_NE(it, got.end()) << id;
      EXPECT_EQ(it->second.first, want.first) << id;
      EXPECT_EQ(it->second.second, CanonicalOf(want.second)) << id;
    }
  }

  testing::TempDir dir_;
  FakeClock clock_{SystemClock().NowMillis()};
  CurlTransport transport_{CurlOptions{}};
  sync::StopSignal stop_;
  std::unique_ptr<Harness> harness_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<adapters::Adapter> adapter_;
  std::unique_ptr<sync::Puller> puller_;
};

TEST_P(ContractTest, FullSyncBringsEveryRecordWithItsNewestState) {
  StartPlatform(1200);
  ledger::SyncRun run = puller_->RunOnce();
  EXPECT_EQ(run.outcome, "ok") << run.error;
  EXPECT_EQ(run.inserted, 1200);
  EXPECT_GE(run.pages, 3);
  ExpectLedgerMatchesPlatform();
  ledger::SyncRun again = puller_->RunOnce();  // The look-back re-read changes nothing.
  EXPECT_EQ(again.outcome, "ok");
  EXPECT_EQ(again.inserted + again.updated, 0);
  EXPECT_EQ(*ledger_->IntegrityCheck(), "ok");
}

TEST_P(ContractTest, ResumesFromTheSavedCursorAfterARestart) {
  StartPlatform(1200);
  // One page with the first adapter, then a new adapter (a restarted daemon) finishes.
  const size_t first_page = CommitFirstPage();
  adapter_ = harness_->MakeAdapter(transport_, clock_, true);
  sync::PullerOptions po;
  po.requests_per_second = 0;
  sync::Puller restarted(*adapter_, *ledger_, clock_, stop_, po, 7);
  ledger::SyncRun run = restarted.RunOnce();
  EXPECT_EQ(run.outcome, "ok") << run.error;
  EXPECT_EQ(run.inserted, 1200 - static_cast<int64_t>(first_page));
  ExpectLedgerMatchesPlatform();
}

TEST_P(ContractTest, ExpiredCursorRestartsAndLosesNothing) {
  StartPlatform(1200, /*cursor_ttl_ms=*/1000);
  CommitFirstPage();
  clock_.Advance(2000);  // Past the platform's cursor lifetime, within the adapter's.
  ledger::SyncRun run = puller_->RunOnce();
  EXPECT_EQ(run.outcome, "ok") << run.error;
  EXPECT_GE(harness_->CursorExpiries(), 1);
  ExpectLedgerMatchesPlatform();
}

TEST_P(ContractTest, BadSignatureIsUnauthenticatedAndNamesTheSecret) {
  StartPlatform(10);
  auto bad = harness_->MakeAdapter(transport_, clock_, false);
  Reject page_reject;
  auto page = bad->Pull("", page_reject);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(page.status().message().find("secret"), std::string::npos) << page.status().message();
  EXPECT_EQ(bad->CheckHealth().code(), StatusCode::kUnauthenticated);
}

TEST_P(ContractTest, RateLimitIsUnavailableWithRetryAfterAndTheLoopWaitsForIt) {
  StartPlatform(10, 600'000, /*rps=*/1);
  Reject page_reject;
  ASSERT_TRUE(adapter_->Pull("", page_reject).ok());
  auto limited = adapter_->Pull("", page_reject);  // The fake clock has not moved: over the rate.
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.status().code(), StatusCode::kUnavailable);
  EXPECT_GE(limited.status().retry_after_ms(), 1000);
  ledger::SyncRun run = puller_->RunOnce();
  EXPECT_EQ(run.outcome, "failed");
  EXPECT_GE(puller_->NextDelayMs(run, limited.status().retry_after_ms()), 1000);
}

TEST_P(ContractTest, ServerErrorsAreUnavailableAndTheRunIsLoggedAsFailed) {
  StartPlatform(50);
  harness_->SetErrorRate(1.0);
  ledger::SyncRun run = puller_->RunOnce();
  EXPECT_EQ(run.outcome, "failed");
  EXPECT_EQ(run.error_code, "Unavailable");
  harness_->SetErrorRate(0);
  run = puller_->RunOnce();
  EXPECT_EQ(run.outcome, "ok") << run.error;
  ExpectLedgerMatchesPlatform();
  auto failed = ledger::ListRuns(
      *ledger_, {.source = "", .since_ms = 0, .failed_only = true, .after_id = 0, .limit = 10});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->size(), 1u);
}

TEST_P(ContractTest, MalformedRecordsGoToRejectsAndThePageGoesOn) {
  StartPlatform(1200);
  harness_->SetMalformedRate(1.0);
  ledger::SyncRun run = puller_->RunOnce();
  EXPECT_EQ(run.outcome, "ok") << run.error;
  EXPECT_GE(run.rejected, 3);
  ExpectLedgerMatchesPlatform();
  auto rejects = ledger::ListRejects(*ledger_, "", 100);
  ASSERT_TRUE(rejects.ok());
  ASSERT_FALSE(rejects->empty());
  for (const auto& r : *rejects) {
    EXPECT_FALSE(r.reason.empty());
    EXPECT_FALSE(r.raw.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Platforms, ContractTest, ::testing::Values("hotline12345"));

}  // namespace
}  // namespace hs
