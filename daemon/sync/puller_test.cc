// Tests of the pull loop against a scripted adapter and a real ledger: pages drained in order with
// each cursor passed on, the cursor never ahead of committed data after a failed pull or commit,
// unreadable pages kept in rejects, idle runs folded into one sync-log row, full-jitter backoff
// with Retry-After, and stopping.
#include "daemon/sync/puller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/temp_dir.h"

namespace hs::sync {
namespace {

constexpr int64_t kNowMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.
constexpr int64_t kT0 = 1686531600;         // 2023-06-12 09:00:00, Unix seconds.
constexpr std::string_view kName = "fake";

// An adapter that answers pulls from a queue and records the cursors it was asked for. Pulls run
// on the puller's fetch thread, so the state is guarded.
class ScriptedAdapter final : public adapters::Adapter {
 public:
  struct Answer {
    Result<adapters::Page> page = Status::Internal("unset");
    Reject page_reject;
    std::function<void()> before;  // Runs inside Pull, before it answers.
  };

  void Queue(adapters::Page page, std::function<void()> before = nullptr) {
    std::lock_guard lock(mu_);
    answers_.push_back({std::move(page), Reject{}, std::move(before)});
  }
  void QueueError(Status s, Reject page_reject = {}) {
    std::lock_guard lock(mu_);
    answers_.push_back({std::move(s), std::move(page_reject), nullptr});
  }

  std::string_view name() const override { return kName; }

  Result<adapters::Page> Pull(const std::string& cursor, Reject& page_reject) override {
    Answer a;
    {
      std::lock_guard lock(mu_);
      cursors_.push_back(cursor);
      if (answers_.empty()) return Status::Internal("ScriptedAdapter: no scripted answer left");
      a = std::move(answers_.front());
      answers_.pop_front();
    }
    if (a.before) a.before();
    page_reject = std::move(a.page_reject);
    return std::move(a.page);
  }

  Status CheckHealth() override { return Status::Ok(); }

  std::vector<std::string> cursors() {
    std::lock_guard lock(mu_);
    return cursors_;
  }
  size_t left() {
    std::lock_guard lock(mu_);
    return answers_.size();
  }

 private:
  std::mutex mu_;
  std::deque<Answer> answers_;
  std::vector<std::string> cursors_;
};

Ticket MakeTicket(const std::string& id) {
  Ticket t;
  t.external_id = id;
  t.state = "in_progress";
  t.unit = "岳阳楼区";
  t.updated_at = kT0;
  t.history.push_back({kT0, "派单", "岳阳楼区", "", "", ""});
  t.raw = "{\"gdbh\":\"" + id + "\"}";
  return t;
}

adapters::Page MakePage(const std::vector<std::string>& ids, std::string next_cursor,
                        bool has_more) {
  adapters::Page p;
  for (const std::string& id : ids) p.tickets.push_back(MakeTicket(id));
  p.next_cursor = std::move(next_cursor);
  p.has_more = has_more;
  p.requests = 1;
  return p;
}

class PullerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = ledger::Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
    options_.interval_ms = 7000;
    options_.backoff_base_ms = 1000;
    options_.backoff_cap_ms = 8000;
    options_.requests_per_second = 0;
  }

  std::unique_ptr<Puller> MakePuller(uint64_t seed = 42) {
    return std::make_unique<Puller>(adapter_, *ledger_, clock_, stop_, options_, seed);
  }

  std::string Cursor() {
    auto c = ledger_->LoadCursor(kName);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : "<error>";
  }
  ledger::Totals Counts() {
    auto r = ledger::CountAll(*ledger_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ledger::Totals{};
  }
  std::vector<ledger::SyncRun> Runs() {
    auto r = ledger::ListRuns(*ledger_, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<ledger::SyncRun>{};
  }
  bool HasTicket(const std::string& id) {
    auto r = ledger::FindTickets(*ledger_, id);
    EXPECT_TRUE(r.ok());
    return r.ok() && r->size() == 1;
  }

  testing::TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  FakeClock clock_{kNowMs};
  StopSignal stop_;
  ScriptedAdapter adapter_;
  PullerOptions options_;
};

TEST_F(PullerTest, DrainsPagesInOrderPassingEachCursorOn) {
  adapter_.Queue(MakePage({"A1", "A2"}, "c1", true));
  adapters::Page second = MakePage({"B1"}, "c2", true);
  second.rejects.push_back({"B9", "field gxsj: missing", "{\"gdbh\":\"B9\"}"});
  adapter_.Queue(std::move(second));
  adapter_.Queue(MakePage({"C1", "C2"}, "c3", false));
  auto puller = MakePuller();

  ledger::SyncRun run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "ok") << run.error_code << ": " << run.error;
  EXPECT_EQ(adapter_.cursors(), (std::vector<std::string>{"", "c1", "c2"}));
  EXPECT_EQ(adapter_.left(), 0u);
  EXPECT_EQ(Cursor(), "c3");
  EXPECT_EQ(run.pages, 3);
  EXPECT_EQ(run.fetched, 6);
  EXPECT_EQ(run.inserted, 5);
  EXPECT_EQ(run.rejected, 1);
  for (const char* id : {"A1", "A2", "B1", "C1", "C2"}) EXPECT_TRUE(HasTicket(id)) << id;
  EXPECT_EQ(Counts().rejects, 1);
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, run.id);
  EXPECT_EQ(runs[0].outcome, "ok");
  EXPECT_EQ(runs[0].pages, 3);
  EXPECT_EQ(runs[0].inserted, 5);

  // The next run starts from the saved cursor.
  adapter_.Queue(MakePage({}, "c3", false));
  clock_.Advance(7000);
  run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "ok");
  ASSERT_EQ(adapter_.cursors().size(), 4u);
  EXPECT_EQ(adapter_.cursors()[3], "c3");
}

TEST_F(PullerTest, FailingPullMidRunKeepsCommittedPagesAndTheirCursor) {
  adapter_.Queue(MakePage({"A1"}, "c1", true));
  adapter_.Queue(MakePage({"B1"}, "c2", true));
  adapter_.QueueError(Status::Unavailable("HTTP 503 from the platform"));
  auto puller = MakePuller();

  ledger::SyncRun run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "failed");
  EXPECT_EQ(run.error_code, "Unavailable");
  EXPECT_NE(run.error.find("HTTP 503"), std::string::npos) << run.error;
  EXPECT_EQ(adapter_.cursors(), (std::vector<std::string>{"", "c1", "c2"}));
  EXPECT_TRUE(HasTicket("A1"));
  EXPECT_TRUE(HasTicket("B1"));
  EXPECT_EQ(Cursor(), "c2");
  EXPECT_EQ(run.pages, 2);
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].outcome, "failed");
  EXPECT_EQ(runs[0].error_code, "Unavailable");
  EXPECT_EQ(runs[0].pages, 2);
  auto health = ledger::AdapterStatuses(*ledger_, {});
  ASSERT_TRUE(health.ok());
  ASSERT_EQ(health->size(), 1u);
  EXPECT_EQ(health->front().failures_in_a_row, 1);

  // The retry resumes after the last committed page.
  adapter_.Queue(MakePage({"C1"}, "c3", false));
  run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "ok");
  EXPECT_EQ(adapter_.cursors().back(), "c2");
  EXPECT_EQ(Cursor(), "c3");
}

TEST_F(PullerTest, UnreadablePageGoesToRejectsAndMovesNoCursor) {
  adapter_.Queue(MakePage({"A1"}, "c1", true));
  adapter_.QueueError(Status::Rejected("body is not JSON"),
                      Reject{"page after c1", "body is not JSON", "<html>502 Bad Gateway</html>"});
  auto puller = MakePuller();

  ledger::SyncRun run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "failed");
  EXPECT_EQ(run.error_code, "Rejected");
  EXPECT_EQ(run.rejected, 1);
  EXPECT_EQ(Cursor(), "c1");
  auto rejects = ledger::ListRejects(*ledger_, std::string(kName), 10);
  ASSERT_TRUE(rejects.ok());
  ASSERT_EQ(rejects->size(), 1u);
  EXPECT_EQ(rejects->front().source_id, "page after c1");
  EXPECT_EQ(rejects->front().reason, "body is not JSON");
  EXPECT_EQ(rejects->front().raw, "<html>502 Bad Gateway</html>");
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].rejected, 1);
  EXPECT_EQ(runs[0].outcome, "failed");
}

TEST_F(PullerTest, IdleRunsWriteNoTransactionAndShareOneRow) {
  adapter_.Queue(MakePage({}, "", false));
  adapter_.Queue(MakePage({}, "", false));
  auto puller = MakePuller();
  ledger::SyncRun first = puller->RunOnce();
  EXPECT_EQ(first.outcome, "ok");
  clock_.Advance(7000);
  ledger::SyncRun second = puller->RunOnce();
  EXPECT_EQ(second.outcome, "ok");
  EXPECT_EQ(adapter_.cursors(), (std::vector<std::string>{"", ""}));

  // No CommitPage ran: it would have saved the (empty) cursor.
  auto cursors = ledger_->impl()->db.QueryText("SELECT count(*) FROM cursors");
  ASSERT_TRUE(cursors.ok());
  EXPECT_EQ(*cursors, "0");
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].idle_runs, 1);
  EXPECT_EQ(runs[0].outcome, "ok");
  EXPECT_EQ(runs[0].fetched, 0);
  EXPECT_EQ(runs[0].finished_ms, kNowMs + 7000);
  EXPECT_EQ(Counts().runs, 1);
}

TEST_F(PullerTest, EmptyPageWithANewCursorSavesIt) {
  adapter_.Queue(MakePage({}, "c9", false));
  auto puller = MakePuller();
  ledger::SyncRun run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "ok");
  EXPECT_EQ(Cursor(), "c9");
  EXPECT_EQ(Counts().tickets, 0);
}

TEST_F(PullerTest, FailedCommitMovesNoCursorAndDropsThePrefetchedPage) {
  auto other = sql::Db::Open(dir_.File("ledger.db"), SQLITE_OPEN_READWRITE);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(ledger_->impl()->db.Exec("PRAGMA busy_timeout = 0").ok());
  adapter_.Queue(MakePage({"A1"}, "c1", true));
  adapter_.Queue(MakePage({"B1"}, "c2", false));
  auto puller = MakePuller();

  ledger::SyncRun run = puller->RunOnce();
  ASSERT_TRUE(other->Exec("ROLLBACK").ok());
  EXPECT_EQ(run.outcome, "failed");
  EXPECT_EQ(run.error_code, "Unavailable");
  EXPECT_NE(run.error.find("ledger"), std::string::npos) << run.error;
  EXPECT_EQ(adapter_.cursors(), (std::vector<std::string>{"", "c1"}));
  EXPECT_EQ(Cursor(), "");
  EXPECT_EQ(Counts().tickets, 0);
  EXPECT_FALSE(HasTicket("B1"));
}

TEST_F(PullerTest, OkRunWaitsTheInterval) {
  adapter_.Queue(MakePage({}, "", false));
  auto puller = MakePuller();
  ledger::SyncRun run = puller->RunOnce();
  ASSERT_EQ(run.outcome, "ok");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(puller->NextDelayMs(run, 0), 7000);
}

TEST_F(PullerTest, FailuresBackOffWithFullJitterUpToTheCap) {
  auto puller = MakePuller(7);
  int64_t previous_ceiling = 0;
  for (int n = 1; n <= 6; ++n) {
    SCOPED_TRACE("failures in a row: " + std::to_string(n));
    adapter_.QueueError(Status::Unavailable("connection refused"));
    ledger::SyncRun run = puller->RunOnce();
    ASSERT_EQ(run.outcome, "failed");
    const int64_t ceiling = std::min<int64_t>(8000, int64_t{1000} << (n - 1));
    std::set<int64_t> seen;
    int64_t max_seen = 0;
    for (int i = 0; i < 400; ++i) {
      const int64_t d = puller->NextDelayMs(run, 0);
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling);
      seen.insert(d);
      max_seen = std::max(max_seen, d);
    }
    EXPECT_GT(seen.size(), 100u) << "no jitter";
    EXPECT_GT(max_seen, ceiling * 3 / 4) << "the delay does not reach its ceiling";
    if (ceiling > previous_ceiling) {
      EXPECT_GT(max_seen, previous_ceiling) << "the delay does not grow";
    }
    previous_ceiling = ceiling;
  }
  // A success resets the backoff.
  adapter_.Queue(MakePage({}, "", false));
  ledger::SyncRun ok = puller->RunOnce();
  ASSERT_EQ(ok.outcome, "ok");
  EXPECT_EQ(puller->NextDelayMs(ok, 0), 7000);
  adapter_.QueueError(Status::Unavailable("connection refused"));
  ledger::SyncRun failed = puller->RunOnce();
  for (int i = 0; i < 200; ++i) EXPECT_LE(puller->NextDelayMs(failed, 0), 1000);
}

TEST_F(PullerTest, SameSeedGivesTheSameDelays) {
  auto a = MakePuller(99);
  auto b = MakePuller(99);
  ledger::SyncRun failed;
  failed.outcome = "failed";
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a->NextDelayMs(failed, 0), b->NextDelayMs(failed, 0));
}

TEST_F(PullerTest, RetryAfterRaisesTheDelay) {
  adapter_.QueueError(Status::Unavailable("HTTP 429").set_retry_after_ms(60'000));
  auto puller = MakePuller();
  ledger::SyncRun run = puller->RunOnce();
  ASSERT_EQ(run.outcome, "failed");
  for (int i = 0; i < 100; ++i) EXPECT_GE(puller->NextDelayMs(run, 60'000), 60'000);
  // A Retry-After below the jittered value is a floor, not a replacement.
  std::set<int64_t> seen;
  for (int i = 0; i < 200; ++i) {
    const int64_t d = puller->NextDelayMs(run, 300);
    EXPECT_GE(d, 300);
    EXPECT_LE(d, 1000);
    seen.insert(d);
  }
  EXPECT_GT(seen.size(), 50u);
}

TEST_F(PullerTest, StoppedBeforeTheRunPullsNothing) {
  stop_.Stop();
  adapter_.Queue(MakePage({"A1"}, "c1", false));
  auto puller = MakePuller();
  ledger::SyncRun run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "interrupted");
  EXPECT_TRUE(adapter_.cursors().empty());
  EXPECT_EQ(Counts().tickets, 0);
  EXPECT_EQ(Cursor(), "");
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].outcome, "interrupted");
}

TEST_F(PullerTest, StopDuringAPullCommitsThatPageAndFetchesNoMore) {
  adapter_.Queue(MakePage({"A1"}, "c1", true), [this] { stop_.Stop(); });
  adapter_.Queue(MakePage({"B1"}, "c2", false));
  auto puller = MakePuller();
  ledger::SyncRun run = puller->RunOnce();
  EXPECT_EQ(run.outcome, "interrupted");
  EXPECT_EQ(adapter_.cursors(), (std::vector<std::string>{""}));
  EXPECT_TRUE(HasTicket("A1"));
  EXPECT_EQ(Cursor(), "c1");
  EXPECT_EQ(run.pages, 1);
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].outcome, "interrupted");
  EXPECT_EQ(runs[0].pages, 1);
}

}  // namespace
}  // namespace hs::sync
