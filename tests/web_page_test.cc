// The operators' web page in headless Chromium (Debian's chromium and chromium-driver), served by a
// real daemon syncing the three simulated platforms: it loads and shows each platform's status,
// the sync log, the score table with its chart and the repeat-complaint queue; an operator merges
// two complaints from it (audited under their name) and unmasks one record with a reason (audited).
// A screenshot of each view is saved in HS_SCREENSHOT_DIR. Skips when Chromium is not installed.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "adapters/hotline12345/sim.h"
#include "adapters/petition/sim.h"
#include "adapters/provincial/sim.h"
#include "daemon/core/exit_codes.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/webdriver.h"

namespace hs {
namespace {

using testing::WebDriver;

class WebPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!WebDriver::Available()) GTEST_SKIP() << "chromium and chromium-driver are not installed";
    hotline12345::SimOptions h;
    h.orders = 400;
    h.speed = 0;
    h.rps = 0;
    hotline_ = std::make_unique<hotline12345::HotlineSim>(h, clock_);
    petition::PetitionSimOptions p;
    p.count = 200;
    p.rps = 0;
    petition_ = std::make_unique<petition::PetitionSim>(p, clock_);
    provincial::ProvincialSimOptions v;
    v.count = 100;
    v.rps = 0;
    provincial_ = std::make_unique<provincial::ProvincialSim>(v, clock_);
    ASSERT_TRUE(hotline_->Start().ok());
    ASSERT_TRUE(petition_->Start().ok());
    ASSERT_TRUE(provincial_->Start().ok());
    for (const char* name : {"hotline12345", "petition", "provincial"}) {
      std::ofstream(dir_.File(std::string(name) + ".secret")) << "sim-secret\n";
    }
    std::ofstream(dir_.File("config.toml"))
        << "[ledger]\npath = \"ledger.db\"\n\n[service]\nlisten = \"127.0.0.1:0\"\n\n"
        << "[adapters.hotline12345]\nbase_url = \"" << hotline_->base_url() << "\"\n"
        << "app_key = \"yy-sync\"\napp_secret_file = \"hotline12345.secret\"\ninterval = \"1s\"\n"
        << "requests_per_second = 0\n\n"
        << "[adapters.petition]\nbase_url = \"" << petition_->base_url() << "\"\n"
        << "client_id = \"yy-sync\"\nclient_secret_file = \"petition.secret\"\ninterval = \"1s\"\n\n"
        << "[adapters.provincial]\nbase_url = \"" << provincial_->base_url() << "\"\n"
        << "city_code = \"430600\"\nsecret_file = \"provincial.secret\"\ninterval = \"1s\"\n";
    ASSERT_TRUE(daemon_.Start(dir_.File("config.toml"), dir_.File("daemon.log")));
    url_ = daemon_.ListenerUrl(60'000);
    ASSERT_FALSE(url_.empty()) << daemon_.Log();
    std::filesystem::create_directories(HS_SCREENSHOT_DIR);
  }

  void TearDown() override {
    if (daemon_.pid() > 0) {
      daemon_.Signal(SIGTERM);
      EXPECT_EQ(daemon_.WaitExit(20'000), kExitOk) << daemon_.Log();
    }
  }

  // Waits until every platform has had a good pull and a match waits for review.
  bool WaitForData(int64_t ms) {
    httplib::Client http(url_);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
      auto status = http.Get("/api/status");
      auto dupes = http.Get("/api/dupes");
      if (status && dupes && status->status == 200 && dupes->status == 200) {
        rapidjson::Document s, d;
        s.Parse(status->body.c_str());
        d.Parse(dupes->body.c_str());
        int synced = 0;
        for (const auto& a : s["status"]["adapters"].GetArray()) synced += !a["last_success_ms"].IsNull();
        if (synced == 3 && !d["decisions"].Empty()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  void Shot(WebDriver& browser, const std::string& name) {
    const std::string path = std::string(HS_SCREENSHOT_DIR) + "/" + name + ".png";
    Status s = browser.Screenshot(path);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::ifstream in(path, std::ios::binary);
    char magic[8] = {};
    in.read(magic, 8);
    EXPECT_EQ(std::string(magic, 8), "\x89PNG\r\n\x1a\n") << path;
  }

  // One value from the ledger, read as the test's own connection.
  std::string Query(const std::string& sql) {
    auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
    if (!db.ok()) return db.status().ToString();
    auto v = db->QueryText(sql);
    return v.ok() ? *v : v.status().ToString();
  }

  SystemClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<hotline12345::HotlineSim> hotline_;
  std::unique_ptr<petition::PetitionSim> petition_;
  std::unique_ptr<provincial::ProvincialSim> provincial_;
  testing::DaemonProcess daemon_;
  std::string url_;
};

TEST_F(WebPageTest, OperatorSeesEveryPlatformAndMergesTwoComplaints) {
  ASSERT_TRUE(WaitForData(90'000)) << daemon_.Log();
  WebDriver browser;
  Status started = browser.Start();
  ASSERT_TRUE(started.ok()) << started.ToString() << "\n" << browser.LogTail();
  auto ok = [&](const Status& s) { EXPECT_TRUE(s.ok()) << s.ToString(); return s.ok(); };

  // Status: a card per platform, each synced.
  ASSERT_TRUE(ok(browser.Navigate(url_ + "/#status")));
  for (const char* name : {"hotline12345", "petition", "provincial"}) {
    const std::string css = std::string(".platform[data-adapter=\"") + name + "\"] .state";
    ASSERT_TRUE(ok(browser.WaitForText(css, "正常 OK", 10'000))) << name;
  }
  ASSERT_TRUE(ok(browser.WaitForText("#readiness", "就绪 ready", 5'000)));
  Shot(browser, "status");

  // The sync log, and its failed-only filter.
  ASSERT_TRUE(ok(browser.Navigate(url_ + "/#log")));
  auto run = browser.WaitFor("#runs tbody tr.run", 10'000);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  Shot(browser, "log");

  // June 2023's hotline table and its chart.
  ASSERT_TRUE(ok(browser.Navigate(url_ + "/?month=2023-06#score")));
  ASSERT_TRUE(browser.WaitFor("#scores tbody tr", 10'000).ok());
  auto bars = browser.FindAll("#chart rect.bar");
  ASSERT_TRUE(bars.ok());
  auto rows = browser.FindAll("#scores tbody tr");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(bars->size(), rows->size());
  EXPECT_GT(rows->size(), 0u);
  Shot(browser, "score");

  // The review queue: the two complaints side by side; merge the first.
  ASSERT_TRUE(ok(browser.Navigate(url_ + "/#dupes")));
  auto first = browser.WaitFor(".decision", 10'000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto id = browser.Attribute(*first, "data-id");
  ASSERT_TRUE(id.ok());
  auto tickets = browser.FindAll(".decision:first-child .ticket");
  ASSERT_TRUE(tickets.ok());
  EXPECT_EQ(tickets->size(), 2u);
  Shot(browser, "dupes");

  auto operator_box = browser.Find("#operator");
  ASSERT_TRUE(operator_box.ok());
  ASSERT_TRUE(ok(browser.SendKeys(*operator_box, "李四")));
  auto merge = browser.Find(".decision:first-child button.merge");
  ASSERT_TRUE(merge.ok());
  ASSERT_TRUE(ok(browser.Click(*merge)));
  auto question = browser.AlertText();
  ASSERT_TRUE(question.ok()) << question.status().ToString();
  EXPECT_NE(question->find("#d" + *id), std::string::npos) << *question;
  ASSERT_TRUE(ok(browser.AcceptAlert()));
  ASSERT_TRUE(ok(browser.WaitForText("#msg", "已完成", 10'000)));
  Shot(browser, "dupes-merged");
  EXPECT_EQ(Query("SELECT state FROM match_decisions WHERE id = " + *id), "confirmed");
  EXPECT_EQ(Query("SELECT actor || ' ' || action FROM audit WHERE subject = 'decision #" + *id + "'"),
            "web:李四 dupes.merge");

  // Unmasking one record needs a reason and is audited; nothing of it is screenshotted.
  auto unmask = browser.Find(".decision:first-child .ticket button.unmask");
  ASSERT_TRUE(unmask.ok());
  ASSERT_TRUE(ok(browser.Click(*unmask)));
  auto reason = browser.Find(".decision:first-child .ticket .reason");
  ASSERT_TRUE(reason.ok());
  ASSERT_TRUE(ok(browser.SendKeys(*reason, "回访核实")));
  auto go = browser.Find(".decision:first-child .ticket button.unmask-go");
  ASSERT_TRUE(go.ok());
  ASSERT_TRUE(ok(browser.Click(*go)));
  ASSERT_TRUE(ok(browser.WaitForText(".decision:first-child .ticket .personal", "诉求人", 10'000)));
  EXPECT_EQ(Query("SELECT actor || ' ' || detail FROM audit WHERE action = 'unmask'"),
            "web:李四 回访核实");
}

}  // namespace
}  // namespace hs
