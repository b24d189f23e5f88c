// Fault suite item 4 (RELIABILITY.md): I/O errors on the Nth write or sync, transient and
// persistent, and a full disk, injected under the ledger by an SQLite VFS shim while the real
// puller pulls 2,000 orders from the simulated 12345 platform. Every failure rolls the page back:
// the cursor never runs ahead of committed data, the integrity check passes, the loop neither
// crashes nor spins, and once the disk behaves the ledger converges on exactly what the platform
// served.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sqlite3.h>

#include <map>

#include "adapters/hotline12345/client.h"
#include "adapters/hotline12345/sim.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"
#include "tests/faults/failing_vfs.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

using testing::FailingVfs;

constexpr int kOrders = 2000;

int64_t UpdateTimeOf(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  return *ParseShanghaiTime(d["gxsj"].GetString());
}

// The simulator's cursor is {"since": gxsj of the last record served, ...}.
std::string SinceOf(const std::string& cursor) {
  rapidjson::Document d;
  d.Parse(cursor.c_str());
  return d.IsObject() && d.HasMember("since") && d["since"].IsString() ? d["since"].GetString()
                                                                        : "";
}

class StorageFaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CurlTransport::GlobalInit();
    FailingVfs::Install();
  }

  void SetUp() override {
    hotline12345::SimOptions o;
    o.orders = kOrders;
    o.speed = 0;
    o.days_before = 30;
    o.days_after = 0;
    o.rps = 0;
    sim_ = std::make_unique<hotline12345::HotlineSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    hotline12345::Options a;
    a.base_url = sim_->base_url();
    a.app_key = "yy-sync";
    a.app_secret = "sim-secret";
    a.page_size = 100;  // 20 pages: 20 commits to fail in.
    adapter_ = hotline12345::CreateWithOptions(a, {&transport_, &clock_, log::Get("adapter")});
  }

  void TearDown() override { vfs().Disarm(); }

  static FailingVfs& vfs() { return FailingVfs::Install(); }

  void OpenLedger(const std::string& synchronous) {
    ledger::LedgerOptions lo;
    lo.synchronous = synchronous;
    auto l = ledger::Ledger::Open(dir_.File("ledger.db"), lo);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(l).value();
    sync::PullerOptions po;
    po.requests_per_second = 0;
    puller_ = std::make_unique<sync::Puller>(*adapter_, *ledger_, clock_, stop_, po, 7);
  }

  // The ledger as a separate connection reads it: external id → source update time.
  std::map<std::string, int64_t> Committed() {
    std::map<std::string, int64_t> out;
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return out;
    auto check = db->QueryText("PRAGMA integrity_check");
    EXPECT_TRUE(check.ok() && *check == "ok") << (check.ok() ? *check : check.status().ToString());
    auto st = sql::Stmt::Prepare(*db, "SELECT external_id, source_updated_at FROM tickets");
    while (*st->Step()) out[st->Text(0)] = st->Int(1);
    return out;
  }

  // The cursor is never ahead of committed data. Within a paging run the cursor is the platform's
  // opaque token, and the final ExpectLedgerEqualsPlatform after resuming from it shows that no
  // page was skipped (the look-back of the next run re-reads minutes, not a skipped page's weeks).
  // Between runs it carries `since`: every order updated before it must be in the ledger already.
  // Also passes the integrity check (Committed()).
  void ExpectCursorBehindCommittedData() {
    auto cursor = ledger_->LoadCursor("hotline12345");
    ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
    const std::map<std::string, int64_t> committed = Committed();
    const auto expected = Expected();
    const std::string since = SinceOf(*cursor);
    for (const auto& [gdbh, updated] : expected) {
      if (since.empty() || FormatShanghaiTime(updated) >= since) continue;
      auto it = committed.find(gdbh);
      ASSERT_NE(it, committed.end()) << gdbh << " is before the cursor " << since << " but missing";
      EXPECT_EQ(it->second, updated) << gdbh;
    }
  }

  std::map<std::string, int64_t> Expected() {
    std::map<std::string, int64_t> out;
    for (const auto& [gdbh, text] : sim_->Snapshot()) out[gdbh] = UpdateTimeOf(text);
    return out;
  }

  void ExpectLedgerEqualsPlatform() {
    EXPECT_EQ(Committed(), Expected());
  }

  // Pulls until a run reaches the end of the feed; at most `runs` tries.
  bool PullToTheEnd(int runs) {
    for (int i = 0; i < runs; ++i) {
      if (puller_->RunOnce().outcome == "ok") return true;
    }
    return false;
  }

  FakeClock clock_{SystemClock().NowMillis()};
  testing::TempDir dir_;
  std::unique_ptr<hotline12345::HotlineSim> sim_;
  CurlTransport transport_{CurlOptions{}};
  std::unique_ptr<adapters::Adapter> adapter_;
  sync::StopSignal stop_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<sync::Puller> puller_;
};

TEST_F(StorageFaultTest, ATransientWriteErrorAnywhereLosesNothing) {
  OpenLedger("NORMAL");
  // Faults spread over the first pull's writes (about a thousand): migrations, pages, the log.
  int failed_runs = 0;
  for (int64_t nth : {1, 2, 5, 11, 23, 47, 95, 191, 383}) {
    const int64_t failures = vfs().failures();
    vfs().Arm(FailingVfs::Op::kWrite, nth, 1, SQLITE_IOERR_WRITE);
    ledger::SyncRun run = puller_->RunOnce();
    vfs().Disarm();
    // A fault in a page fails the run; one in the sync log's own row only loses that row.
    failed_runs += vfs().failures() > failures && run.outcome == "failed";
    ExpectCursorBehindCommittedData();
    clock_.Advance(1);
  }
  EXPECT_GE(failed_runs, 3) << "the faults must land in pulls that had something to write";
  ASSERT_TRUE(PullToTheEnd(3));
  ExpectLedgerEqualsPlatform();
}

TEST_F(StorageFaultTest, PersistentSyncFailuresKeepTheCursorAndTheLoopRecovers) {
  OpenLedger("FULL");  // A sync with every commit.
  vfs().Arm(FailingVfs::Op::kSync, 6, -1, SQLITE_IOERR_FSYNC);
  std::string cursor_at_failure;
  for (int i = 0; i < 4; ++i) {
    ledger::SyncRun run = puller_->RunOnce();
    EXPECT_EQ(run.outcome, "failed") << "run " << i;
    EXPECT_NE(run.error.find("I/O"), std::string::npos) << run.error;
    auto cursor = ledger_->LoadCursor("hotline12345");
    ASSERT_TRUE(cursor.ok());
    if (i == 0) cursor_at_failure = *cursor;
    EXPECT_EQ(*cursor, cursor_at_failure) << "the cursor moved while nothing could be committed";
  }
  EXPECT_GE(vfs().failures(), 4);
  ExpectCursorBehindCommittedData();
  vfs().Disarm();
  ASSERT_TRUE(PullToTheEnd(2));
  ExpectLedgerEqualsPlatform();
}

TEST_F(StorageFaultTest, ADiskFullPausesThePullAndItResumesWhenSpaceReturns) {
  OpenLedger("NORMAL");
  vfs().Arm(FailingVfs::Op::kWrite, 40, -1, SQLITE_FULL);
  for (int i = 0; i < 3; ++i) {
    ledger::SyncRun run = puller_->RunOnce();
    EXPECT_EQ(run.outcome, "failed");
    EXPECT_NE(run.error.find("full"), std::string::npos) << run.error;
  }
  ExpectCursorBehindCommittedData();
  vfs().Disarm();
  ASSERT_TRUE(PullToTheEnd(2));
  ExpectLedgerEqualsPlatform();
  auto status = ledger::AdapterStatuses(*ledger_, {"hotline12345"});
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->front().failures_in_a_row, 0);
}

}  // namespace
}  // namespace hs
