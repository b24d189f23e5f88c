// Fault suite item 5 (RELIABILITY.md): the disk fills up for real. The daemon runs in a user and
// mount namespace of its own (`unshare -rm`, no root needed) with its ledger on a 3 MB tmpfs while
// it pulls 2,000 orders from the simulated 12345 platform. When the filesystem is full the pull
// pauses (every commit rolled back, the cursor kept), /readyz and the metrics say so, and the
// daemon neither crashes nor spins; when the tmpfs is grown the pull resumes and every order
// arrives once.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
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

bool CanUnshare(const std::string& dir) {
  auto out = testing::RunCli("/usr/bin/unshare",
                             {"-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs " + dir}, dir,
                             10);  // The mount is gone with the namespace when sh exits.
  return out.code == 0;
}

TEST(DiskFullTest, AFullFilesystemPausesThePullAndItResumesWithNothingLost) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.File("disk"));
  if (access("/usr/bin/unshare", X_OK) != 0 || !CanUnshare(dir.File("disk"))) {
    GTEST_SKIP() << "unprivileged user and mount namespaces (unshare -rm) are not available here";
  }
  SystemClock clock;
  hotline12345::SimOptions o;
  o.orders = 2000;
  o.speed = 0;
  o.days_before = 30;
  o.days_after = 0;
  o.rps = 0;
  hotline12345::HotlineSim sim(o, clock);
  ASSERT_TRUE(sim.Start().ok());
  testing::WriteHotlineConfig(dir.path().string(), sim.base_url(),
                              "[ledger]\npath = \"disk/ledger.db\"\n[service]\n"
                              "listen = \"127.0.0.1:0\"\nunready_after = \"1s\"\n"
                              "[match]\nkey_file = \"match.key\"\n",
                              "interval = \"300ms\"\npage_size = 100\n");
  std::ofstream(dir.File("match.key")) << "0123456789abcdef0123456789abcdef\n";
  // The namespace's script: a 3 MB tmpfs over disk/ and the daemon on it; when the test creates
  // `grow`, the tmpfs grows to 256 MB. On SIGTERM the daemon is stopped and, before the tmpfs goes
  // with the namespace, the ledger's integrity check and ticket count are written to check.txt.
  std::ofstream(dir.File("run.sh"))
      << "cd " << dir.path().string() << " || exit 90\n"
      << "mount -t tmpfs -o size=3m tmpfs disk || exit 91\n"
      << HS_BINARY << " run --config config.toml &\npid=$!\n"
      << "finish() { kill -TERM $pid; wait $pid; rc=$?; sqlite3 disk/ledger.db "
      << "'PRAGMA integrity_check; SELECT count(*) FROM tickets;' > check.txt; exit $rc; }\n"
      << "trap finish TERM\n"
      << "while [ ! -e grow ]; do sleep 0.1; done\n"
      << "mount -o remount,size=256m disk || exit 92\n"
      << "while :; do sleep 0.1; done\n";
  testing::DaemonProcess daemon;
  ASSERT_TRUE(daemon.StartCommand({"/usr/bin/unshare", "-rm", "sh", dir.File("run.sh")},
                                  dir.File("daemon.log")));
  const std::string url = daemon.ListenerUrl(60'000);
  ASSERT_FALSE(url.empty()) << daemon.Log();
  httplib::Client http(url);

  // Full: runs fail, the daemon is not ready and says why.
  std::string ready;
  for (int i = 0; i < 300 && ready.rfind("503", 0) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto res = http.Get("/readyz");
    ready = res ? std::to_string(res->status) + " " + res->body : "";
  }
  ASSERT_EQ(ready.substr(0, 3), "503") << daemon.Log();
  EXPECT_NE(ready.find("full"), std::string::npos) << ready;
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  auto p = testing::ParsePromText(metrics->body);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_GE(testing::PromValue(p, "hs_pull_runs_total", {{"outcome", "failed"}}).value_or(0), 1);
  EXPECT_GE(testing::PromValue(p, "hs_adapter_failures_in_a_row").value_or(0), 1);
  // Paused, not spinning: a few runs a second at most, backing off.
  const double failed =
      testing::PromValue(p, "hs_pull_runs_total", {{"outcome", "failed"}}).value_or(0);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  p = testing::ParsePromText(http.Get("/metrics")->body);
  EXPECT_LE(
      testing::PromValue(p, "hs_pull_runs_total", {{"outcome", "failed"}}).value_or(0) - failed,
      12);

  // Space returns: the pull resumes and completes.
  std::ofstream(dir.File("grow")).flush();
  for (int i = 0; i < 600 && ready.rfind("200", 0) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto res = http.Get("/readyz");
    ready = res ? std::to_string(res->status) + " " + res->body : "";
  }
  EXPECT_EQ(ready.substr(0, 3), "200") << daemon.Log();
  int64_t tickets = 0;
  for (int i = 0; i < 300 && tickets < 2000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto status = http.Get("/api/status");
    if (!status) continue;
    const size_t at = status->body.find("\"tickets\":");
    if (at != std::string::npos) tickets = std::stoll(status->body.substr(at + 10));
  }
  EXPECT_EQ(tickets, 2000) << daemon.Log();
  ASSERT_TRUE(daemon.Signal(SIGTERM));
  EXPECT_EQ(daemon.WaitExit(20'000), kExitOk) << daemon.Log();
  std::ifstream check(dir.File("check.txt"));
  std::string integrity, count;
  std::getline(check, integrity);
  std::getline(check, count);
  EXPECT_EQ(integrity, "ok");
  EXPECT_EQ(count, "2000");
}

}  // namespace
}  // namespace hs
