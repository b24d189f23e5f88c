// Hostile records served by the simulator from a fixture file (sim --orders), through the real
// transport and sync loop: the good records reach the ledger, each bad one is in rejects with its
// reason and exact bytes, and the sync goes on (RELIABILITY.md fault suite item 9).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "adapters/hotline12345/client.h"
#include "adapters/hotline12345/sim.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

TEST(HostileFeedTest, BadRecordsAreRejectedWithReasonsAndTheGoodOnesArrive) {
  CurlTransport::GlobalInit();
  FakeClock clock(SystemClock().NowMillis());
  hotline12345::SimOptions so;
  so.orders_file =
      std::string(HS_SOURCE_DIR) + "/adapters/hotline12345/testdata/hostile_orders.jsonl";
  so.rps = 0;
  hotline12345::HotlineSim sim(so, clock);
  ASSERT_TRUE(sim.Start().ok());

  testing::TempDir dir;
  auto ledger = ledger::Ledger::Open(dir.File("ledger.db"), {});
  ASSERT_TRUE(ledger.ok());
  CurlTransport transport{CurlOptions{}};
  hotline12345::Options o;
  o.base_url = sim.base_url();
  o.app_key = "yy-sync";
  o.app_secret = "sim-secret";
  o.page_size = 3;  // Bad records on several pages.
  auto adapter = hotline12345::CreateWithOptions(o, {&transport, &clock, log::Get("adapter.test")});
  sync::StopSignal stop;
  sync::Puller puller(*adapter, **ledger, clock, stop, {.requests_per_second = 0}, 1);

  ledger::SyncRun run = puller.RunOnce();
  EXPECT_EQ(run.outcome, "ok") << run.error;
  EXPECT_EQ(run.inserted, 4);
  EXPECT_EQ(run.rejected, 6);

  std::set<std::string> good;
  for (const char* id : {"YY2306120001", "YY2306120002", "YY2306120008", "YY2306120010"}) {
    auto found = ledger::FindTickets(**ledger, id);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), 1u) << id;
    good.insert(id);
  }
  auto kept = ledger::FindTickets(**ledger, "YY2306120001");
  EXPECT_NE((*kept)[0].ticket.raw.find("\"kzzd\""), std::string::npos);  // Unknown field kept.

  auto rejects = ledger::ListRejects(**ledger, "", 100);
  ASSERT_TRUE(rejects.ok());
  ASSERT_EQ(rejects->size(), 6u);
  std::map<std::string, std::string> reason_of;
  for (const auto& r : *rejects) {
    EXPECT_FALSE(r.raw.empty());
    reason_of[r.source_id] = r.reason;
    EXPECT_EQ(r.reason.find("13907301234"), std::string::npos);
  }
  EXPECT_NE(reason_of["YY2306120003"].find("fgcs"), std::string::npos);
  EXPECT_NE(reason_of["YY2306120004"].find("gdzt"), std::string::npos);
  EXPECT_NE(reason_of["YY2306120005"].find("slsj"), std::string::npos);
  EXPECT_NE(reason_of[""].find("gdbh"), std::string::npos);
  EXPECT_NE(reason_of["YY2306120007"].find("64-bit"), std::string::npos);
  EXPECT_NE(reason_of["YY2306120009"].find("UTF-8"), std::string::npos);

  // Read again: rejects are not duplicated, they are counted.
  ledger::SyncRun again = puller.RunOnce();
  EXPECT_EQ(again.outcome, "ok");
  auto after = ledger::ListRejects(**ledger, "", 100);
  ASSERT_EQ(after->size(), 6u);
}

}  // namespace
}  // namespace hs
