// The adapter contract suite (STYLE.md "Determinism"): every adapter, against its simulated
// platform on loopback, through the real HTTP transport and the real sync loop into a real ledger.
// Each platform joins by adding a Harness; the cases are the same for all.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <set>

#include "adapters/hotline12345/client.h"
#include "adapters/hotline12345/sim.h"
#include "adapters/petition/client.h"
#include "adapters/petition/mapping.h"
#include "adapters/petition/sim.h"
#include "adapters/provincial/client.h"
#include "adapters/provincial/mapping.h"
#include "adapters/provincial/sim.h"
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

// What a case may need that not every platform or simulator has.
enum class Feature {
  kExpiringCursors,   // The platform's cursors die after a while (cursor_ttl_ms, CursorExpiries).
  kMalformedRecords,  // The simulator can serve records that do not map (SetMalformedRate).
};

// What the suite needs of a platform and its simulator.
class Harness {
 public:
  virtual ~Harness() = default;
  virtual std::string name() const = 0;
  // Why the platform or its simulator lacks `f`, or "" when it has it; cases needing it skip.
  virtual std::string Lacks(Feature f) const = 0;
  // Starts the simulator with `orders` records that do not change while the test runs.
  // cursor_ttl_ms: the platform's cursor lifetime, where cursors expire.
  // rps: requests per second the simulator allows before 429 (0: no limit).
  virtual void Start(FakeClock& clock, int orders, int64_t cursor_ttl_ms, double rps) = 0;
  virtual std::unique_ptr<adapters::Adapter> MakeAdapter(HttpTransport& t, Clock& clock,
                                                         bool good_credentials) = 0;
  // Requests a new adapter makes for its first Pull from an empty cursor (token fetches
  // included).
  virtual int FirstPullRequests() const = 0;
  virtual void SetErrorRate(double share) = 0;
  // REQUIRES: Lacks(Feature::kMalformedRecords) is "".
  virtual void SetMalformedRate(double share) = 0;
  // REQUIRES: Lacks(Feature::kExpiringCursors) is "".
  virtual int64_t CursorExpiries() = 0;
  // external id → (platform update time in Unix seconds, 0 for a platform whose records have
  // none; canonical state).
  virtual std::map<std::string, std::pair<int64_t, std::string>> Expected() = 0;
};

// The hotline's states as the contract names them, written out here rather than taken from the
// adapter's mapping, so that the suite checks the mapping too.
std::string CanonicalOf(const std::string& platform_state) {
  static const std::map<std::string, std::string> kStates = {
      {"待签收", "pending"}, {"办理中", "in_progress"}, {"延期审核中", "extension_review"},
      {"已办结", "closed"},  {"已回访", "revisited"},   {"已归档", "archived"},
      {"已退单", "returned"}};
  auto it = kStates.find(platform_state);
  return it == kStates.end() ? platform_state : it->second;
}

class HotlineHarness final : public Harness {
 public:
  std::string name() const override { return "hotline12345"; }
  std::string Lacks(Feature) const override { return ""; }
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
  int FirstPullRequests() const override { return 1; }
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
      out[gdbh] = {*ParseShanghaiTime(d["gxsj"].GetString()), CanonicalOf(d["gdzt"].GetString())};
    }
    return out;
  }

 private:
  std::unique_ptr<hotline12345::HotlineSim> sim_;
  hotline12345::SimFaults faults_;
};

// The smart-petition platform (platforms/petition.md): bearer token, page-number windows over
// updatedAt.
class PetitionHarness final : public Harness {
 public:
  std::string name() const override { return "petition"; }
  std::string Lacks(Feature f) const override {
    switch (f) {
      case Feature::kExpiringCursors:
        return "the petition platform pages by page number over updatedAt windows: there is no "
               "server-side cursor to expire (platforms/petition.md)";
      case Feature::kMalformedRecords:
        return "PetitionSim has no switch to serve malformed records (PetitionSimFaults has "
               "latency, error_rate, reset_rate and html_502_rate only)";
    }
    return "";
  }
  void Start(FakeClock& clock, int orders, int64_t /*cursor_ttl_ms*/, double rps) override {
    petition::PetitionSimOptions o;
    o.count = orders;
    o.speed = 0;
    o.days_before = 30;
    o.days_after = 0;
    o.rps = rps;
    // The frozen simulated time, 2023-06-13 00:00 Beijing, is outside the 01:00-01:30
    // maintenance.
    o.sim_start = 1686585600;
    sim_ = std::make_unique<petition::PetitionSim>(o, clock);
    ASSERT_TRUE(sim_->Start().ok());
  }
  std::unique_ptr<adapters::Adapter> MakeAdapter(HttpTransport& t, Clock& clock,
                                                 bool good_credentials) override {
    petition::Options o;
    o.base_url = sim_->base_url();
    o.client_id = "yy-sync";
    o.client_secret = good_credentials ? "sim-secret" : "wrong-secret";
    o.page_size = 200;
    return petition::CreateWithOptions(o, {&t, &clock, log::Get("adapter.petition")});
  }
  int FirstPullRequests() const override { return 2; }  // The token, then the query.
  void SetErrorRate(double share) override {
    faults_.error_rate = share;
    sim_->SetFaults(faults_);
  }
  void SetMalformedRate(double) override { ADD_FAILURE() << Lacks(Feature::kMalformedRecords); }
  int64_t CursorExpiries() override { return 0; }
  std::map<std::string, std::pair<int64_t, std::string>> Expected() override {
    std::map<std::string, std::pair<int64_t, std::string>> out;
    for (const auto& [no, json_text] : sim_->Snapshot()) {
      rapidjson::Document d;
      d.Parse(json_text.c_str());
      out[no] = {d["updatedAt"].GetInt64() / 1000,
                 std::string(petition::CanonicalState(d["status"].GetString()))};
    }
    return out;
  }

 private:
  std::unique_ptr<petition::PetitionSim> sim_;
  petition::PetitionSimFaults faults_;
};

// The provincial supervision platform (platforms/provincial.md): MD5-signed GBK requests, the
// pending queue and the revision feed. Dispatches carry no update time: Expected() gives 0, which
// is what the adapter stores.
class ProvincialHarness final : public Harness {
 public:
  std::string name() const override { return "provincial"; }
  std::string Lacks(Feature f) const override {
    switch (f) {
      case Feature::kExpiringCursors:
        return "the provincial feed resumes after a revision number (afterRevision), which does "
               "not expire (platforms/provincial.md)";
      case Feature::kMalformedRecords:
        return "ProvincialSim has no switch to serve malformed records (ProvincialSimFaults has "
               "latency, error_rate, reset_rate and stall_rate only)";
    }
    return "";
  }
  void Start(FakeClock& clock, int orders, int64_t /*cursor_ttl_ms*/, double rps) override {
    provincial::ProvincialSimOptions o;
    o.count = orders;
    o.speed = 0;
    o.days_before = 30;
    o.days_after = 0;
    o.rps = rps;
    sim_ = std::make_unique<provincial::ProvincialSim>(o, clock);
    ASSERT_TRUE(sim_->Start().ok());
  }
  std::unique_ptr<adapters::Adapter> MakeAdapter(HttpTransport& t, Clock& clock,
                                                 bool good_credentials) override {
    provincial::Options o;
    o.base_url = sim_->base_url();
    o.city_code = "430600";
    o.secret = good_credentials ? "sim-secret" : "wrong-secret";
    o.page_size = 100;
    return provincial::CreateWithOptions(o, {&t, &clock, log::Get("adapter.provincial")});
  }
  // A run's first page reads the pending queue, then the revision feed.
  int FirstPullRequests() const override { return 2; }
  void SetErrorRate(double share) override {
    faults_.error_rate = share;
    sim_->SetFaults(faults_);
  }
  void SetMalformedRate(double) override { ADD_FAILURE() << Lacks(Feature::kMalformedRecords); }
  int64_t CursorExpiries() override { return 0; }
  std::map<std::string, std::pair<int64_t, std::string>> Expected() override {
    std::map<std::string, std::pair<int64_t, std::string>> out;
    for (const auto& [id, json_text] : sim_->Snapshot()) {
      rapidjson::Document d;
      d.Parse(json_text.c_str());
      out[id] = {0, std::string(provincial::CanonicalState(d["state"].GetString()))};
    }
    return out;
  }

 private:
  std::unique_ptr<provincial::ProvincialSim> sim_;
  provincial::ProvincialSimFaults faults_;
};

std::unique_ptr<Harness> MakeHarness(const std::string& name) {
  if (name == "hotline12345") return std::make_unique<HotlineHarness>();
  if (name == "petition") return std::make_unique<PetitionHarness>();
  if (name == "provincial") return std::make_unique<ProvincialHarness>();
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
  // Returns how many distinct records it held (a provincial first page holds the pending queue
  // and the feed's first changes, which overlap); the feed must have more.
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
    std::set<std::string> ids;
    for (const Ticket& t : page->tickets) ids.insert(t.external_id);
    return ids.size();
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
      EXPECT_EQ(it->second.second, want.second) << id;
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
  if (std::string why = harness_->Lacks(Feature::kExpiringCursors); !why.empty()) {
    GTEST_SKIP() << why;
  }
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
  // Exactly the first pull's requests are allowed at once (the fake clock does not move).
  StartPlatform(10, 600'000, /*rps=*/harness_->FirstPullRequests());
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
  if (std::string why = harness_->Lacks(Feature::kMalformedRecords); !why.empty()) {
    GTEST_SKIP() << why;
  }
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

INSTANTIATE_TEST_SUITE_P(Platforms, ContractTest,
                         ::testing::Values("hotline12345", "petition", "provincial"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace hs
