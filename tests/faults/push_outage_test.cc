// A push target down for a minute (issue 3 acceptance; RELIABILITY.md fault suite item 8): the
// daemon, as a real process, has more than 1,000 pushes queued for the petition platform when that
// platform starts answering every request with 503. For a minute the pusher probes it at a falling,
// jittered rate (not once per queued item), the hotline keeps being pulled at its own pace, and
// when the platform is back every queued push is delivered, each with one effect.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "adapters/hotline12345/sim.h"
#include "adapters/petition/sim.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

constexpr int kQueued = 1000;
constexpr auto kOutage = std::chrono::seconds(60);

int64_t Query(const std::string& db_path, const std::string& sql) {
  auto db = sql::Db::Open(db_path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return -1;
  auto v = db->QueryText(sql);
  return v.ok() && !v->empty() ? std::stoll(*v) : -1;
}

TEST(PushOutageTest, TargetDownForAMinuteRecoversAndDeliversEverything) {
  SystemClock clock;
  testing::TempDir dir;
  hotline12345::SimOptions h;
  h.orders = 2000;
  h.days_before = 30;
  h.days_after = 0;
  h.speed = 0;
  h.rps = 0;
  hotline12345::HotlineSim hotline(h, clock);
  petition::PetitionSimOptions p;
  p.count = 20;
  p.speed = 0;
  p.rps = 0;
  petition::PetitionSim petition(p, clock);
  ASSERT_TRUE(hotline.Start().ok());
  ASSERT_TRUE(petition.Start().ok());
  petition::PetitionSimFaults down;
  down.error_rate = 1.0;
  petition.SetFaults(down);  // Down before the first push.

  std::ofstream(dir.File("h.secret")) << "sim-secret\n";
  std::ofstream(dir.File("p.secret")) << "sim-secret\n";
  // Orders of the largest district are petition matters here, so that well over 1,000 pushes queue.
  std::ofstream(dir.File("routing.toml")) << "[hotline_to_petition]\nunits = [\"岳阳楼区\"]\n";
  std::ofstream(dir.File("config.toml"))
      << "[ledger]\npath = \"ledger.db\"\n\n[routing]\nfile = \"routing.toml\"\n\n"
      << "[outbox]\nbackoff_cap = \"15s\"\n\n"
      << "[adapters.hotline12345]\nbase_url = \"" << hotline.base_url() << "\"\n"
      << "app_key = \"yy-sync\"\napp_secret_file = \"h.secret\"\ninterval = \"1s\"\n"
      << "requests_per_second = 0\n\n"
      << "[adapters.petition]\nbase_url = \"" << petition.base_url() << "\"\n"
      << "client_id = \"yy-sync\"\nclient_secret_file = \"p.secret\"\ninterval = \"1s\"\n"
      << "requests_per_second = 0\npush_requests_per_second = 0\n";

  const pid_t pid = testing::SpawnLogged({HS_BINARY, "run", "--config", dir.File("config.toml")},
                                         dir.File("daemon.log"));
  ASSERT_GT(pid, 0);

  const std::string db = dir.File("ledger.db");
  const std::string pending =
      "SELECT count(*) FROM outbox WHERE target = 'petition' AND state = 'pending'";
  int64_t queued = 0;
  for (int i = 0; i < 120 && queued < kQueued; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    queued = Query(db, pending);
  }
  ASSERT_GE(queued, kQueued) << "the hotline orders did not queue enough pushes";

  // The outage, timed from the moment the queue is full.
  const int64_t requests_before = petition.Stats().requests;
  const int64_t hotline_ok_before =
      Query(db, "SELECT last_success_ms FROM adapter_state WHERE source = 'hotline12345'");
  std::this_thread::sleep_for(kOutage);
  const int64_t outage_requests = petition.Stats().requests - requests_before;
  const int64_t hotline_ok_after =
      Query(db, "SELECT last_success_ms FROM adapter_state WHERE source = 'hotline12345'");
  const auto back = std::chrono::steady_clock::now();
  petition.SetFaults({});

  int64_t left = -1;
  for (int i = 0; i < 240 && left != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    left = Query(db, pending);
  }
  const auto recovered_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - back)
          .count();
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);

  // Probed, not hammered: the pusher and the petition puller together, a few dozen requests in a
  // minute, against more than a thousand queued items.
  EXPECT_LT(outage_requests, 100) << "requests to the target while it was down";
  EXPECT_GT(outage_requests, 2) << "the target was not probed while down";
  // The other platform kept its pace: the hotline was pulled successfully throughout.
  EXPECT_GT(hotline_ok_after - hotline_ok_before, 50'000);
  // Delivered, at a bounded time after the target came back (the backoff cap, then the drain).
  EXPECT_EQ(left, 0) << "pushes still pending " << recovered_s << " s after the target came back";
  EXPECT_EQ(Query(db, "SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
  const int64_t sent =
      Query(db, "SELECT count(*) FROM outbox WHERE target = 'petition' AND state = 'sent'");
  // The first probe after the return comes within the backoff cap (15 s); then the queue drains at
  // no less than 15 pushes a second (each sent mark is a durable commit).
  EXPECT_LT(recovered_s, 15 + sent / 15 + 5);
  const auto effects = petition.EffectsByKey();
  EXPECT_EQ(static_cast<int64_t>(effects.size()), sent);
  for (const auto& [key, n] : effects) EXPECT_EQ(n, 1) << key;
  std::printf(
      "outage: %lld queued, %lld requests in %lld s down, all %lld delivered %lld s after "
      "the target came back\n",
      static_cast<long long>(queued), static_cast<long long>(outage_requests),
      static_cast<long long>(kOutage.count()), static_cast<long long>(sent),
      static_cast<long long>(recovered_s));
}

}  // namespace
}  // namespace hs
