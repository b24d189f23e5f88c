// The daemon as systemd runs it (RELIABILITY.md, service promises; fault suite item 13), with a
// fake NOTIFY_SOCKET: READY only once the ledger is open, migrated and checked; WATCHDOG=1 while
// every sync loop makes progress and none once a loop is stalled; STATUS= with counts only;
// STOPPING=1 on SIGTERM and an exit well within the unit's stop timeout. (A ledger that fails its
// check: tests/faults/corrupt_ledger_test.cc.)
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "adapters/hotline12345/sim.h"
#include "daemon/core/exit_codes.h"
#include "daemon/ledger/ledger.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

using testing::NotifySocket;
using Clock = std::chrono::steady_clock;

int Count(const std::vector<NotifySocket::Message>& seen, const std::string& line) {
  return static_cast<int>(
      std::count_if(seen.begin(), seen.end(), [&](const auto& m) { return m.text == line; }));
}

class SystemdServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hotline12345::SimOptions o;
    o.orders = 300;
    o.speed = 0;
    o.rps = 0;
    sim_ = std::make_unique<hotline12345::HotlineSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    // A request may take an hour (timeout) but a loop must show progress within a second
    // (stall_after): a platform that stops answering is a stalled loop here.
    testing::WriteHotlineConfig(dir_.path().string(), sim_->base_url(),
                                "[ledger]\npath = \"ledger.db\"\n[service]\nstall_after = "
                                "\"1s\"\nlisten = \"127.0.0.1:0\"\n",
                                "interval = \"200ms\"\ntimeout = \"1h\"\n");
  }

  // With `journal`, standard error is "the journal": JOURNAL_STREAM names the log file's device
  // and inode, as systemd names the stream it connects.
  bool Start(bool journal = false) {
    std::vector<std::string> env = {"NOTIFY_SOCKET=" + notify_.path(), "WATCHDOG_USEC=300000"};
    if (journal) {
      std::ofstream(dir_.File("daemon.log")).flush();
      struct stat st {};
      if (stat(dir_.File("daemon.log").c_str(), &st) != 0) return false;
      env.push_back("JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" +
                    std::to_string(st.st_ino));
    }
    return daemon_.Start(dir_.File("config.toml"), dir_.File("daemon.log"), env);
  }

  FakeClock clock_{SystemClock().NowMillis()};
  testing::TempDir dir_;
  std::unique_ptr<hotline12345::HotlineSim> sim_;
  NotifySocket notify_{dir_.File("notify")};
  testing::DaemonProcess daemon_;
};

TEST_F(SystemdServiceTest, ReadyThenWatchdogWhileHealthyNoneWhenStalledStoppingOnSigterm) {
  ASSERT_TRUE(Start(/*journal=*/true));
  std::vector<NotifySocket::Message> seen;
  ASSERT_TRUE(notify_.WaitFor("READY=1", 60'000, &seen)) << daemon_.Log();
  EXPECT_EQ(Count(seen, "WATCHDOG=1"), 0) << "a watchdog ping before READY";
  {
    // READY came after the ledger was migrated.
    ledger::LedgerOptions ro;
    ro.read_only = true;
    auto ledger = ledger::Ledger::Open(dir_.File("ledger.db"), ro);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    EXPECT_EQ(*(*ledger)->SchemaVersion(), ledger::Ledger::LatestSchemaVersion());
  }
  const std::string url = daemon_.ListenerUrl(5'000);
  ASSERT_FALSE(url.empty()) << daemon_.Log();
  httplib::Client http(url);

  // Healthy: pings at about a third of WatchdogSec (100 ms), and STATUS= with counts.
  std::vector<NotifySocket::Message> healthy = notify_.Read(2'000);
  EXPECT_GE(Count(healthy, "WATCHDOG=1"), 8);
  seen.insert(seen.end(), healthy.begin(), healthy.end());
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;

  // The platform stops answering: the pull loop blocks in its request, past its promise.
  hotline12345::SimFaults hang;
  hang.latency_ms = 3'600'000;
  sim_->SetFaults(hang);
  // The next pull starts within the 200 ms interval and is overdue a second later; pings stop.
  std::vector<NotifySocket::Message> stalling = notify_.Read(3'000);
  std::vector<NotifySocket::Message> stalled = notify_.Read(2'000);
  EXPECT_EQ(Count(stalled, "WATCHDOG=1"), 0) << "pinged the watchdog while the pull loop was stuck";
  health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_NE(health->body.find("pull.hotline12345"), std::string::npos) << health->body;
  EXPECT_NE(daemon_.Log().find("no progress: pull.hotline12345"), std::string::npos)
      << daemon_.Log();
  for (auto* part : {&stalling, &stalled}) seen.insert(seen.end(), part->begin(), part->end());

  // SIGTERM while the request hangs: STOPPING, then an exit well within TimeoutStopSec (30 s).
  const auto term = Clock::now();
  ASSERT_TRUE(daemon_.Signal(SIGTERM));
  EXPECT_TRUE(notify_.WaitFor("STOPPING=1", 5'000, &seen));
  EXPECT_EQ(daemon_.WaitExit(15'000), kExitOk) << daemon_.Log();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - term);
  EXPECT_LT(took.count(), 10'000);

  // STATUS= lines: counts, never a record's content (no phone or ID number, no Chinese text).
  std::string last_status;
  for (const auto& m : seen) {
    if (m.text.rfind("STATUS=", 0) != 0) continue;
    last_status = m.text;
    EXPECT_TRUE(
        std::regex_match(m.text, std::regex(R"(STATUS=pulled \d+ new or changed records, )"
                                            R"(\d+ rejected; pushed \d+, \d+ dead letters)")))
        << m.text;
  }
  // Sent with READY and whenever the counts change: the last one has the first pull's records.
  EXPECT_TRUE(std::regex_search(last_status, std::regex("^STATUS=pulled [1-9]"))) << last_status;

  // For journald: every line starts with its priority, and none repeats journald's timestamp.
  // A stall is logged once, at error priority, however many ticks it lasts. (On a machine loaded
  // past its cores a healthy loop may also miss its second now and then: that is logged too, and
  // ends with the "progress again" line.)
  std::istringstream log(daemon_.Log());
  int lines = 0;
  bool in_stall = false;
  for (std::string line; std::getline(log, line); ++lines) {
    EXPECT_TRUE(std::regex_search(line, std::regex(R"(^<[2-7]>[a-z]+ \[[a-z0-9._]+\] )"))) << line;
    EXPECT_FALSE(std::regex_search(line, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d)"))) << line;
    if (line.rfind("<3>error [daemon] no progress", 0) == 0) {
      EXPECT_FALSE(in_stall) << "one stall logged twice: " << line;
      in_stall = true;
    }
    if (line.rfind("<6>info [daemon] every sync loop is making progress again", 0) == 0) {
      in_stall = false;
    }
  }
  EXPECT_GT(lines, 5);
  EXPECT_TRUE(in_stall) << "the hung pull is logged as a stall";
}

}  // namespace
}  // namespace hs
