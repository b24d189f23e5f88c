// Fault suite item 6 (RELIABILITY.md): another process holds a read transaction on the ledger while
// the daemon pulls 2,000 orders. SQLite cannot checkpoint past the reader, so the write-ahead log
// grows: the daemon raises its WAL alarm (a warning saying what to do, hs_ledger_wal_alarm 1) and
// keeps syncing; once the reader lets go, the log is checkpointed and emptied and the alarm ends.
// Nothing is lost and the integrity check passes.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "adapters/hotline12345/sim.h"
#include "daemon/core/exit_codes.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/cli_runner.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/prom_text.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

TEST(WalReaderTest, AReaderHoldingATransactionRaisesTheAlarmAndTheLogShrinksAfter) {
  SystemClock clock;
  testing::TempDir dir;
  hotline12345::SimOptions o;
  o.orders = 2000;
  o.speed = 0;
  o.days_before = 30;  // Every order already exists.
  o.days_after = 0;
  o.rps = 0;
  hotline12345::HotlineSim sim(o, clock);
  ASSERT_TRUE(sim.Start().ok());
  testing::WriteHotlineConfig(
      dir.path().string(), sim.base_url(),
      "[ledger]\npath = \"ledger.db\"\nwal_alarm_mb = 4\n[service]\nlisten = \"127.0.0.1:0\"\n",
      "interval = \"300ms\"\npage_size = 100\n");
  auto migrated = testing::RunCli(HS_BINARY, {"migrate", "--config", dir.File("config.toml")},
                                  dir.path().string());
  ASSERT_EQ(migrated.code, 0) << migrated.all();

  // The reader: a read transaction on the empty ledger, held.
  auto reader = sql::Db::Open(dir.File("ledger.db"), SQLITE_OPEN_READONLY);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Exec("BEGIN").ok());
  ASSERT_EQ(*reader->QueryText("SELECT count(*) FROM tickets"), "0");

  testing::DaemonProcess daemon;
  ASSERT_TRUE(daemon.Start(dir.File("config.toml"), dir.File("daemon.log")));
  const std::string url = daemon.ListenerUrl(60'000);
  ASSERT_FALSE(url.empty()) << daemon.Log();
  httplib::Client http(url);
  auto alarm = [&]() -> double {
    auto res = http.Get("/metrics");
    if (!res) return -1;
    auto p = testing::ParsePromText(res->body);
    return testing::PromValue(p, "hs_ledger_wal_alarm").value_or(-1);
  };
  auto tickets = [&] {
    auto db = sql::Db::Open(dir.File("ledger.db"), SQLITE_OPEN_READONLY);
    auto n =
        db.ok() ? db->QueryText("SELECT count(*) FROM tickets") : Result<std::string>(db.status());
    return n.ok() ? std::stoll(*n) : -1;
  };

  // Everything is pulled while the reader holds its snapshot, and the alarm goes up.
  bool raised = false;
  for (int i = 0; i < 600 && !(raised && tickets() == 2000); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    raised = raised || alarm() == 1;
  }
  EXPECT_TRUE(raised) << daemon.Log();
  EXPECT_EQ(tickets(), 2000);
  const int64_t grown = FileSize(dir.File("ledger.db-wal"));
  EXPECT_GT(grown, 4 << 20);
  EXPECT_NE(daemon.Log().find("cannot be checkpointed: another process holds a read transaction"),
            std::string::npos)
      << daemon.Log();
  EXPECT_EQ(*reader->QueryText("SELECT count(*) FROM tickets"), "0") << "the reader's snapshot";

  // The reader lets go: within a few ticks the log is checkpointed away and the alarm ends.
  ASSERT_TRUE(reader->Exec("COMMIT").ok());
  *reader = sql::Db();
  double now = alarm();
  for (int i = 0; i < 300 && now != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    now = alarm();
  }
  EXPECT_EQ(now, 0) << daemon.Log();
  // Emptied then (later commits start it again from nothing).
  EXPECT_NE(daemon.Log().find("ledger.db-wal back to 0 MB"), std::string::npos) << daemon.Log();

  ASSERT_TRUE(daemon.Signal(SIGTERM));
  EXPECT_EQ(daemon.WaitExit(20'000), kExitOk) << daemon.Log();
  auto db = sql::Db::Open(dir.File("ledger.db"), SQLITE_OPEN_READONLY);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryText("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(*db->QueryText("SELECT count(*) FROM tickets"), "2000");
}

}  // namespace
}  // namespace hs
