// Tests of the deadline watch (DESIGN.md flow 5) on a real ledger and a FakeClock: one warning per
// new item and level in the log, none the second time, more than 20 new ones summed up in one line
// naming `hotline-sync deadlines`, and no personal data in what it logs.
#include "daemon/sync/deadline_watch.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/ticket.h"
#include "daemon/ledger/ledger.h"
#include "daemon/log/log.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::sync {
namespace {

using ::hs::testing::Has;
using ::hs::testing::Lacks;

constexpr int64_t kNow = 1686618000;  // 2023-06-13 09:00:00 Beijing time, Unix seconds.
constexpr int64_t kHour = 3600;
constexpr char kPhone[] = "13800000000";
constexpr char kLandline[] = "0730-8000000";
constexpr char kName[] = "张某";

// Keeps what the loggers write, after masking.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  struct Line {
    std::string logger, text;
    spdlog::level::level_enum level;
  };
  std::vector<Line> Lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  // The lines of the "deadlines" logger.
  std::vector<std::string> Deadlines() {
    std::vector<std::string> out;
    for (const auto& l : Lines()) {
      if (l.logger == "deadlines") out.push_back(l.text);
    }
    return out;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.push_back({std::string(msg.logger_name.data(), msg.logger_name.size()),
                      std::string(msg.payload.data(), msg.payload.size()), msg.level});
  }
  void flush_() override {}

 private:
  std::vector<Line> lines_;
};

Ticket Dispatch(const std::string& id, int64_t deadline) {
  Ticket t;
  t.external_id = id;
  t.channel = "省长信箱";
  t.title = std::string("来电人") + kName + "，电话" + kPhone + "，反映噪音扰民";
  t.content = std::string("联系电话") + kPhone + "，座机" + kLandline;
  t.address = "岳阳市平江县";
  t.complainant = kName;
  t.phone = kPhone;
  t.deadline = deadline;
  t.state = "pending";
  t.native_state = "PENDING";
  t.updated_at = kNow - 86400;
  t.version = 1;
  t.raw = "{\"dispatchId\":\"" + id + "\",\"phone\":\"" + kPhone + "\"}";
  return t;
}

Ticket Order(const std::string& id, int64_t deadline, const std::string& unit = "岳阳楼区") {
  Ticket t;
  t.external_id = id;
  t.channel = "电话";
  t.kind = "投诉";
  t.title = std::string("市民") + kPhone + "反映占道经营";
  t.content = "某路口长期占道经营";
  t.complainant = kName;
  t.phone = kPhone;
  t.unit = unit;
  t.deadline = deadline;
  t.state = "in_progress";
  t.native_state = "办理中";
  t.updated_at = kNow - 86400;
  t.version = t.updated_at;
  t.raw = "{\"gdbh\":\"" + id + "\",\"lxdh\":\"" + kPhone + "\"}";
  return t;
}

class DeadlineWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::InitLogging({.level = "info", .extra_sink = sink_, .to_stderr = false});
    auto opened = ledger::Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }
  void TearDown() override { log::InitLogging({}); }

  void Commit(std::string_view source, const std::vector<Ticket>& tickets) {
    ledger::SyncRun run;
    run.source = std::string(source);
    run.started_ms = kNow * 1000;
    ++pages_;
    auto r = ledger_->CommitPage(source, tickets, {}, "c" + std::to_string(pages_), run,
                                 kNow * 1000 + pages_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  DeadlineWatch Watch() { return DeadlineWatch(*ledger_, clock_, {}); }

  void ExpectNoPersonalData() {
    for (const auto& l : sink_->Lines()) {
      EXPECT_TRUE(Lacks(l.text, kPhone));
      EXPECT_TRUE(Lacks(l.text, "138****0000"));  // Not even masked: the watch names no person.
      EXPECT_TRUE(Lacks(l.text, "8000000"));
      EXPECT_TRUE(Lacks(l.text, kName));
      EXPECT_TRUE(Lacks(l.text, "噪音扰民"));  // Titles may hold personal data: not logged.
    }
  }

  std::shared_ptr<CaptureSink> sink_ = std::make_shared<CaptureSink>();
  FakeClock clock_{kNow * 1000};
  testing::TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  int pages_ = 0;
};

TEST_F(DeadlineWatchTest, WarnsOncePerNewItem) {
  Commit("provincial", {Dispatch("HN-2023-0612-000001", kNow + 10 * kHour),
                        Dispatch("HN-2023-0612-000002", kNow + 60 * kHour)});  // Beyond 48 h.
  Commit("hotline12345", {Order("YY2306120001", kNow - 2 * kHour),
                          Order("YY2306120002", kNow + 30 * kHour)});  // Beyond 24 h.
  DeadlineWatch watch = Watch();
  EXPECT_EQ(watch.CheckOnce(), 2);
  auto lines = sink_->Deadlines();
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : sink_->Lines()) {
    if (l.logger == "deadlines") {
      EXPECT_EQ(l.level, spdlog::level::warn) << l.text;
    }
  }
  // Overdue first (soonest deadline first).
  EXPECT_TRUE(Has(lines[0], "hotline12345 YY2306120001"));
  EXPECT_TRUE(Has(lines[0], "岳阳楼区"));
  EXPECT_TRUE(Has(lines[0], "办理中"));
  EXPECT_TRUE(Has(lines[0], "OVERDUE by 2h00m"));
  EXPECT_TRUE(Has(lines[0], "2023-06-13 07:00:00"));
  EXPECT_TRUE(Has(lines[1], "provincial HN-2023-0612-000001"));
  EXPECT_TRUE(Has(lines[1], "no unit yet"));
  EXPECT_TRUE(Has(lines[1], "PENDING"));
  EXPECT_TRUE(Has(lines[1], "due in 10h00m"));
  EXPECT_TRUE(Has(lines[1], "2023-06-13 19:00:00"));
  EXPECT_TRUE(Lacks(lines[1], "OVERDUE"));

  // Nothing new: nothing logged.
  EXPECT_EQ(watch.CheckOnce(), 0);
  clock_.Advance(60'000);
  EXPECT_EQ(watch.CheckOnce(), 0);
  EXPECT_EQ(sink_->Deadlines().size(), 2u);
  // Another watch on the same ledger (a restarted daemon) does not repeat them either.
  EXPECT_EQ(Watch().CheckOnce(), 0);
  EXPECT_EQ(sink_->Deadlines().size(), 2u);
  ExpectNoPersonalData();
}

TEST_F(DeadlineWatchTest, WarnsAgainWhenOverdueAndForANewItem) {
  Commit("provincial", {Dispatch("HN-2023-0612-000001", kNow + kHour)});
  DeadlineWatch watch = Watch();
  EXPECT_EQ(watch.CheckOnce(), 1);
  clock_.Advance(2 * kHour * 1000);
  EXPECT_EQ(watch.CheckOnce(), 1);  // Now overdue.
  auto lines = sink_->Deadlines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(Has(lines[0], "due in 1h00m"));
  EXPECT_TRUE(Has(lines[1], "HN-2023-0612-000001"));
  EXPECT_TRUE(Has(lines[1], "OVERDUE by 1h00m"));
  EXPECT_EQ(watch.CheckOnce(), 0);

  Commit("hotline12345", {Order("YY2306120009", kNow + 5 * kHour)});  // The clock is at +2 h.
  EXPECT_EQ(watch.CheckOnce(), 1);
  lines = sink_->Deadlines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(Has(lines[2], "YY2306120009"));
  EXPECT_TRUE(Has(lines[2], "due in 3h00m"));
  EXPECT_EQ(watch.CheckOnce(), 0);
  ExpectNoPersonalData();
}

TEST_F(DeadlineWatchTest, MoreThanTwentyNewItemsAreSummedUpInOneLine) {
  std::vector<Ticket> orders;
  for (int i = 0; i < 27; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "YY23061200%02d", i);
    orders.push_back(Order(id, kNow + (i + 1) * 60, "平江县"));
  }
  Commit("hotline12345", orders);
  DeadlineWatch watch = Watch();
  EXPECT_EQ(watch.CheckOnce(), 27);
  auto lines = sink_->Deadlines();
  ASSERT_EQ(lines.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "YY23061200%02d", i);
    EXPECT_TRUE(Has(lines[i], id));
  }
  EXPECT_TRUE(Has(lines[20], "7 more items"));
  EXPECT_TRUE(Has(lines[20], "`hotline-sync deadlines`"));
  EXPECT_TRUE(Lacks(lines[20], "YY2306120020"));

  // All 27 were recorded: the summed ones are not logged again one by one.
  EXPECT_EQ(watch.CheckOnce(), 0);
  EXPECT_EQ(sink_->Deadlines().size(), 21u);
  ExpectNoPersonalData();
}

TEST_F(DeadlineWatchTest, TwentyNewItemsAreAllDetailed) {
  std::vector<Ticket> orders;
  for (int i = 0; i < 20; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "YY23061201%02d", i);
    orders.push_back(Order(id, kNow + (i + 1) * 60));
  }
  Commit("hotline12345", orders);
  EXPECT_EQ(Watch().CheckOnce(), 20);
  auto lines = sink_->Deadlines();
  ASSERT_EQ(lines.size(), 20u);
  for (const auto& l : lines) EXPECT_TRUE(Lacks(l, "more items"));
}

TEST_F(DeadlineWatchTest, WithoutALedgerDoesNothing) {
  DeadlineWatch watch;
  EXPECT_EQ(watch.CheckOnce(), 0);
  StopSignal stop;
  stop.Stop();
  watch.Loop(stop);  // Returns at once.
  EXPECT_TRUE(sink_->Deadlines().empty());
}

TEST_F(DeadlineWatchTest, LoopChecksUntilStopped) {
  Commit("provincial", {Dispatch("HN-2023-0612-000001", kNow + kHour)});
  DeadlineWatch watch(*ledger_, clock_, {.query = {}, .check_every_ms = 5});
  StopSignal stop;
  std::thread loop([&] { watch.Loop(stop); });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (sink_->Deadlines().empty() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // Several more checks.
  stop.Stop();
  loop.join();
  auto lines = sink_->Deadlines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(Has(lines[0], "HN-2023-0612-000001"));
}

}  // namespace
}  // namespace hs::sync
