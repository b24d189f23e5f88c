// The daemon's HTTP listener as operators and Prometheus use it, on a real daemon process against
// the simulated 12345 platform: /metrics parses under the text format's rules and its counters move
// as the platform is synced; /readyz turns false while the adapter has failed for longer than
// unready_after and true again when it recovers; requests from other sites are refused.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "adapters/hotline12345/sim.h"
#include "daemon/core/exit_codes.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/prom_text.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

using testing::ParsePromText;
using testing::PromParse;
using testing::PromValue;

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hotline12345::SimOptions o;
    o.orders = 400;
    o.speed = 3600;  // Moves only when the test advances the clock.
    o.rps = 0;
    o.faults.malformed_rate = 1;  // Every page carries a record that must be rejected.
    sim_ = std::make_unique<hotline12345::HotlineSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    const std::string config = testing::WriteHotlineConfig(
        dir_.path().string(), sim_->base_url(),
        "[ledger]\npath = \"ledger.db\"\n[service]\nlisten = \"127.0.0.1:0\"\n"
        "unready_after = \"1s\"\n[outbox]\nbackoff_cap = \"1s\"\n",
        "interval = \"200ms\"\n");
    ASSERT_TRUE(daemon_.Start(config, dir_.File("daemon.log")));
    url_ = daemon_.ListenerUrl(60'000);
    ASSERT_FALSE(url_.empty()) << daemon_.Log();
    http_ = std::make_unique<httplib::Client>(url_);
  }

  void TearDown() override {
    if (daemon_.pid() > 0) {
      daemon_.Signal(SIGTERM);
      EXPECT_EQ(daemon_.WaitExit(20'000), kExitOk) << daemon_.Log();
    }
  }

  PromParse Scrape() {
    auto res = http_->Get("/metrics");
    if (!res || res->status != 200) {
      ADD_FAILURE() << "GET /metrics failed";
      return {};
    }
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    PromParse p = ParsePromText(res->body);
    EXPECT_TRUE(p.ok) << p.error << "\n" << res->body;
    return p;
  }

  // Scrapes until `done` holds (true) or `ms` pass (false, with the last scrape in `last`).
  bool ScrapeUntil(const std::function<bool(const PromParse&)>& done, int64_t ms, PromParse* last) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    do {
      *last = Scrape();
      if (!last->ok) return false;
      if (done(*last)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < until);
    return false;
  }

  static double Sum(const PromParse& p, const std::string& family, const std::string& sample,
                    const std::map<std::string, std::string>& match = {}) {
    auto it = p.families.find(family);
    if (it == p.families.end()) return 0;
    double sum = 0;
    for (const auto& s : it->second.samples) {
      bool all = s.name == sample;
      for (const auto& [k, v] : match) all = all && s.labels.count(k) && s.labels.at(k) == v;
      if (all) sum += s.value;
    }
    return sum;
  }

  std::string Readyz() {
    auto res = http_->Get("/readyz");
    return res ? std::to_string(res->status) + " " + res->body : "no answer";
  }

  FakeClock clock_{SystemClock().NowMillis()};
  testing::TempDir dir_;
  std::unique_ptr<hotline12345::HotlineSim> sim_;
  testing::DaemonProcess daemon_;
  std::string url_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(ListenerTest, MetricsParseAndMoveWithTheSync) {
  PromParse p;
  const std::map<std::string, std::string> hotline = {{"adapter", "hotline12345"}};
  ASSERT_TRUE(ScrapeUntil(
      [&](const PromParse& m) {
        return Sum(m, "hs_pull_runs_total", "hs_pull_runs_total", {{"outcome", "ok"}}) >= 1;
      },
      60'000, &p))
      << daemon_.Log();
  // Every family the operators' dashboards read, with its type.
  const std::map<std::string, std::string> expected = {
      {"hs_adapter_last_good_pull_age_seconds", "gauge"},
      {"hs_adapter_failures_in_a_row", "gauge"},
      {"hs_records_total", "counter"},
      {"hs_rejects_total", "counter"},
      {"hs_pull_runs_total", "counter"},
      {"hs_http_request_duration_seconds", "histogram"},
      {"hs_outbox_items", "gauge"},
      {"hs_ledger_commit_seconds", "histogram"},
      {"hs_ledger_wal_bytes", "gauge"},
      {"hs_match_review_pending", "gauge"},
      {"hs_deadlines_at_risk", "gauge"},
      {"hs_tickets", "gauge"}};
  for (const auto& [family, type] : expected) {
    auto it = p.families.find(family);
    ASSERT_NE(it, p.families.end()) << family << " missing";
    EXPECT_EQ(it->second.type, type) << family;
    EXPECT_FALSE(it->second.help.empty()) << family;
  }
  EXPECT_GE(Sum(p, "hs_rejects_total", "hs_rejects_total", hotline), 1);
  auto age = PromValue(p, "hs_adapter_last_good_pull_age_seconds", hotline);
  ASSERT_TRUE(age.has_value()) << http_->Get("/metrics")->body;
  EXPECT_LT(*age, 30);

  // The platform moves on: more records, more requests, more commits.
  const double records = Sum(p, "hs_records_total", "hs_records_total", hotline);
  const double requests = Sum(p, "hs_http_request_duration_seconds",
                              "hs_http_request_duration_seconds_count", {{"direction", "pull"}});
  const double commits =
      Sum(p, "hs_ledger_commit_seconds", "hs_ledger_commit_seconds_count");
  EXPECT_GT(records, 0);
  clock_.Advance(1500);  // 1.5 simulated hours (the clock also checks request signatures).
  ASSERT_TRUE(ScrapeUntil(
      [&](const PromParse& m) {
        return Sum(m, "hs_records_total", "hs_records_total", hotline) > records &&
               Sum(m, "hs_http_request_duration_seconds", "hs_http_request_duration_seconds_count",
                   {{"direction", "pull"}}) > requests &&
               Sum(m, "hs_ledger_commit_seconds", "hs_ledger_commit_seconds_count") > commits;
      },
      30'000, &p))
      << daemon_.Log();
  EXPECT_EQ(Readyz().substr(0, 3), "200");

  // The platform fails every request: errors by class move, and after unready_after (1 s) the
  // daemon is not ready, naming the adapter; it is ready again once the platform recovers.
  hotline12345::SimFaults down;
  down.error_rate = 1;
  sim_->SetFaults(down);
  ASSERT_TRUE(ScrapeUntil(
      [&](const PromParse& m) {
        return Sum(m, "hs_http_errors_total", "hs_http_errors_total",
                   {{"adapter", "hotline12345"}, {"class", "http_5xx"}}) >= 1 &&
               PromValue(m, "hs_adapter_failures_in_a_row", hotline).value_or(0) >= 1;
      },
      30'000, &p))
      << daemon_.Log();
  std::string ready;
  for (int i = 0; i < 100 && ready.substr(0, 3) != "503"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = Readyz();
  }
  EXPECT_EQ(ready.substr(0, 3), "503") << ready;
  EXPECT_NE(ready.find("hotline12345 has failed for"), std::string::npos) << ready;
  sim_->SetFaults({});
  for (int i = 0; i < 300 && ready.substr(0, 3) != "200"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = Readyz();
  }
  EXPECT_EQ(ready.substr(0, 3), "200") << ready;
}

TEST_F(ListenerTest, RequestsFromOtherSitesAreRefused) {
  // DNS rebinding: a page of another site resolving its own name to 127.0.0.1.
  auto res = http_->Get("/api/status", {{"Host", "attacker.example:80"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 421);

  // The page carries the per-process token; a cross-site form can send neither it nor JSON.
  res = http_->Get("/");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string mark = "name=\"hs-token\" content=\"";
  const size_t at = res->body.find(mark);
  ASSERT_NE(at, std::string::npos);
  const std::string token = res->body.substr(at + mark.size(), 32);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);

  const std::string body = R"({"decision": 999999999, "operator": "王五"})";
  res = http_->Post("/api/dupes/merge", body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403) << res->body;
  res = http_->Post("/api/dupes/merge", {{"X-HS-Token", token}}, "decision=1&operator=x",
                    "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415) << res->body;
  res = http_->Post("/api/dupes/merge", {{"X-HS-Token", token}}, body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404) << res->body;  // Through every guard: there is no such decision.
  res = http_->Post("/api/unmask", {{"X-HS-Token", token}}, R"({"ticket": 1, "operator": "王五"})",
                    "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;  // No reason given: no look without an audit reason.
}

// Reject and split as the page posts them (merge is the browser test's), each audited, and a
// second decision on the same pair refused.
TEST_F(ListenerTest, ReviewActionsAreAppliedOnceAndAudited) {
  auto first = [&](const std::string& state) -> int64_t {
    auto res = http_->Get("/api/dupes?state=" + state);
    if (!res || res->status != 200) return 0;
    rapidjson::Document d;
    d.Parse(res->body.c_str());
    return d["decisions"].Empty() ? 0 : d["decisions"][0]["id"].GetInt64();
  };
  int64_t pending = 0, applied = 0;
  for (int i = 0; i < 600 && (pending == 0 || applied == 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pending = first("pending");
    applied = first("applied");
  }
  ASSERT_GT(pending, 0) << daemon_.Log();
  ASSERT_GT(applied, 0) << daemon_.Log();
  auto page = http_->Get("/");
  ASSERT_TRUE(page);
  const std::string mark = "name=\"hs-token\" content=\"";
  const std::string token = page->body.substr(page->body.find(mark) + mark.size(), 32);
  auto post = [&](const std::string& action, int64_t id) {
    auto res = http_->Post("/api/dupes/" + action, {{"X-HS-Token", token}},
                           R"({"decision": )" + std::to_string(id) + R"(, "operator": "赵六"})",
                           "application/json");
    return res ? res->status : -1;
  };
  EXPECT_EQ(post("reject", pending), 200);
  EXPECT_EQ(post("reject", pending), 409) << "a decision is final";
  EXPECT_EQ(post("split", applied), 200);
  EXPECT_EQ(post("split", applied), 409) << "the ticket is in no case any more";

  auto db = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READONLY);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryText("SELECT state FROM match_decisions WHERE id = " +
                           std::to_string(pending)),
            "rejected");
  EXPECT_EQ(*db->QueryText("SELECT group_concat(action, ' ') FROM (SELECT action FROM audit "
                           "WHERE actor = 'web:赵六' ORDER BY id)"),
            "dupes.reject dupes.split");
}

}  // namespace
}  // namespace hs
