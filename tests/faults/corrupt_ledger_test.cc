// Fault suite item 7 (RELIABILITY.md): a ledger with a corrupted page, or a file that is not a
// ledger at all, at start. The daemon never reports READY to systemd, exits with 65 (the code the
// unit does not restart on, so that an operator restores a backup rather than the service looping)
// and says what is wrong and what to do.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "adapters/hotline12345/sim.h"
#include "daemon/core/exit_codes.h"
#include "tests/fakes/cli_runner.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

class CorruptLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hotline12345::SimOptions o;
    o.orders = 300;
    o.speed = 0;
    o.rps = 0;
    sim_ = std::make_unique<hotline12345::HotlineSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    testing::WriteHotlineConfig(dir_.path().string(), sim_->base_url(),
                                "[ledger]\npath = \"ledger.db\"\n[service]\nlisten = \"off\"\n");
  }

  // Starts the daemon with a fake NOTIFY_SOCKET; its exit code, after checking it never said READY.
  int RunUntilExit() {
    testing::NotifySocket notify(dir_.File("notify"));
    testing::DaemonProcess daemon;
    EXPECT_TRUE(daemon.Start(dir_.File("config.toml"), dir_.File("daemon.log"),
                             {"NOTIFY_SOCKET=" + notify.path()}));
    const int code = daemon.WaitExit(60'000);
    for (const auto& m : notify.Read(100)) EXPECT_NE(m.text, "READY=1");
    log_ = daemon.Log();
    return code;
  }

  FakeClock clock_{SystemClock().NowMillis()};
  testing::TempDir dir_;
  std::unique_ptr<hotline12345::HotlineSim> sim_;
  std::string log_;
};

TEST_F(CorruptLedgerTest, ACorruptedPageStopsTheStartWithExit65) {
  // A real ledger with the platform's orders in it.
  auto once = testing::RunCli(HS_BINARY, {"run", "--once", "--config", dir_.File("config.toml")},
                              dir_.path().string(), 120);
  ASSERT_EQ(once.code, 0) << once.all();
  auto size = std::filesystem::file_size(dir_.File("ledger.db"));
  ASSERT_GT(size, 16384u * 8);
  // Garbage over the middle of a page inside the file (pages are 16 KiB; page 1 is the header).
  {
    std::fstream f(dir_.File("ledger.db"), std::ios::in | std::ios::out | std::ios::binary);
    const std::streamoff page = static_cast<std::streamoff>(size / 16384 / 2);
    f.seekp(page * 16384 + 8);
    std::mt19937 rng(7);
    for (int i = 0; i < 4000; ++i) f.put(static_cast<char>(rng()));
  }
  EXPECT_EQ(RunUntilExit(), kExitDatabase) << log_;
  EXPECT_NE(log_.find("failed its integrity check"), std::string::npos) << log_;
  EXPECT_NE(log_.find("backup"), std::string::npos) << log_;
}

TEST_F(CorruptLedgerTest, AFileThatIsNotALedgerStopsTheStartWithExit65) {
  std::ofstream(dir_.File("ledger.db"), std::ios::binary)
      << std::string("SQLite format 3\0", 16) << std::string(4096 * 4, '\x5a');
  EXPECT_EQ(RunUntilExit(), kExitDatabase) << log_;
  EXPECT_NE(log_.find("ledger.db"), std::string::npos) << log_;
}

}  // namespace
}  // namespace hs
