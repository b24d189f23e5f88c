// Tests of the pusher against a scripted target and a real ledger (RELIABILITY.md, "Delivery"):
// successes are marked sent with their remote id and link; transient failures back the item off
// (full jitter, Retry-After) and end the pass; permanent ones make a dead letter at once, and so
// does the last allowed try; incomplete items are held; an unknown outcome is remembered; a crash
// between the platform's answer and the mark resends with the same key (one effect); past the key's
// retention an unknown outcome is looked up first; a ticket's pushes keep their order; and 1000
// items queued through an outage are all delivered, each once. Time is a FakeClock: DrainOnce is
// driven in a loop while the test advances it, so nothing sleeps.
#include "daemon/sync/pusher.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/outbox.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::sync {
namespace {

using ::hs::testing::Has;

constexpr int64_t kStartMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.
constexpr int64_t kT0 = 1686531600;           // 2023-06-12 09:00:00, Unix seconds.
constexpr int64_t kDayMs = 86'400'000;
constexpr char kTarget[] = "fake-target";
constexpr std::string_view kSource = "hotline12345";

// A target platform: each idempotency key takes effect once (a replay gets the first answer), and
// the test scripts failures per call. Used on the test's thread only (DrainOnce runs there).
class FakeTarget final : public adapters::Adapter {
 public:
  struct Call {
    int64_t id = 0;
    std::string action, target_ref, key, payload;
    int64_t first_attempt_ms = 0;
    int64_t at_ms = 0;
  };
  // Returns the answer for the n-th push (1-based), or nullopt to apply the item normally.
  using Script =
      std::function<std::optional<Result<adapters::PushResult>>(const adapters::PushItem&, int n)>;

  explicit FakeTarget(Clock& clock) : clock_(clock) {}

  std::string_view name() const override { return kTarget; }
  Result<adapters::Page> Pull(const std::string&, Reject&) override {
    return Status::Internal("FakeTarget is not pulled");
  }
  Status CheckHealth() override { return Status::Ok(); }

  Result<adapters::PushResult> Push(const adapters::PushItem& item) override {
    pushes.push_back(Record(item));
    if (script) {
      auto answer = script(item, static_cast<int>(pushes.size()));
      if (answer) return *answer;
    }
    return Apply(item);
  }

  Result<std::string> Lookup(const adapters::PushItem& item) override {
    lookups.push_back(Record(item));
    if (lookup_script) return lookup_script(item);
    auto it = remote_of.find(item.idempotency_key);
    return it == remote_of.end() ? std::string() : it->second;
  }

  int64_t IdempotencyRetentionMs() const override { return retention_ms; }

  // The platform takes the item: once per key, the first remote id for every replay.
  adapters::PushResult Apply(const adapters::PushItem& item) {
    adapters::PushResult r;
    auto it = remote_of.find(item.idempotency_key);
    if (it != remote_of.end()) {
      r.remote_id = it->second;
      return r;
    }
    ++effects[item.idempotency_key];
    r.remote_id = item.action == "create" ? "R-" + std::to_string(++created) : "";
    remote_of[item.idempotency_key] = r.remote_id;
    return r;
  }

  Script script;
  std::function<Result<std::string>(const adapters::PushItem&)> lookup_script;
  int64_t retention_ms = 0;
  std::vector<Call> pushes, lookups;
  std::map<std::string, int> effects;            // Key → times it took effect.
  std::map<std::string, std::string> remote_of;  // Key → remote id of its effect.
  int created = 0;

 private:
  Call Record(const adapters::PushItem& item) {
    return {item.id,      item.action,           item.target_ref,   item.idempotency_key,
            item.payload, item.first_attempt_ms, clock_.NowMillis()};
  }
  Clock& clock_;
};

// Queues, for each ticket of a page, the requests scripted for its external id.
class QueueRouter final : public ledger::Router {
 public:
  std::map<std::string, std::vector<ledger::OutboxRequest>> requests;
  Status Route(const ledger::Change& c, ledger::RouteContext&,
               std::vector<ledger::OutboxRequest>& out) override {
    auto it = requests.find(c.ticket->external_id);
    if (it != requests.end()) out = it->second;
    return Status::Ok();
  }
};

ledger::OutboxRequest Req(const std::string& ticket, std::string action,
                          std::string target_ref = "", std::string revision = "0") {
  ledger::OutboxRequest r;
  r.target = kTarget;
  r.action = std::move(action);
  r.target_ref = std::move(target_ref);
  r.revision = std::move(revision);
  r.payload = "{\"ticket\":\"" + ticket + "\",\"action\":\"" + r.action + "\"}";
  return r;
}

Ticket MakeTicket(const std::string& id) {
  Ticket t;
  t.external_id = id;
  t.state = "in_progress";
  t.unit = "岳阳楼区";
  t.complainant = "张某";
  t.updated_at = kT0;
  t.version = kT0;
  t.raw = "{\"gdbh\":\"" + id + "\"}";
  return t;
}

// Sets a logger's level for the life of the object.
class ScopedLogLevel {
 public:
  ScopedLogLevel(std::shared_ptr<spdlog::logger> logger, spdlog::level::level_enum level)
      : logger_(std::move(logger)), old_(logger_->level()) {
    logger_->set_level(level);
  }
  ~ScopedLogLevel() { logger_->set_level(old_); }
  ScopedLogLevel(const ScopedLogLevel&) = delete;
  ScopedLogLevel& operator=(const ScopedLogLevel&) = delete;

 private:
  std::shared_ptr<spdlog::logger> logger_;
  spdlog::level::level_enum old_;
};

class PusherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = ledger::Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
    ledger_->SetRouter(&router_);
    options_.max_attempts = 5;
    options_.backoff_base_ms = 100;
    options_.backoff_cap_ms = 2000;
    options_.requests_per_second = 0;
    options_.batch = 50;
    options_.idle_poll_ms = 10;
  }

  // Commits one page of these tickets; each queues what `requests` names for it.
  void Queue(const std::map<std::string, std::vector<ledger::OutboxRequest>>& requests) {
    router_.requests = requests;
    std::vector<Ticket> tickets;
    for (const auto& [id, reqs] : requests) tickets.push_back(MakeTicket(id));
    ledger::SyncRun run;
    run.source = std::string(kSource);
    auto r = ledger_->CommitPage(kSource, tickets, {}, "c", run, clock_.NowMillis());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->queued, [&] {
      int64_t n = 0;
      for (const auto& [id, reqs] : requests) n += static_cast<int64_t>(reqs.size());
      return n;
    }());
  }

  std::unique_ptr<Pusher> MakePusher(uint64_t seed = 42) {
    return std::make_unique<Pusher>(target_, *ledger_, clock_, stop_, options_, seed);
  }

  ledger::OutboxItem Item(const std::string& ticket, std::string_view action,
                          std::string_view revision = "0") {
    const std::string key = ledger::IdempotencyKey(kSource, ticket, kTarget, action, revision);
    auto id = ledger_->impl()->db.QueryText("SELECT id FROM outbox WHERE idem_key = '" + key + "'");
    EXPECT_TRUE(id.ok()) << ticket << " " << action;
    if (!id.ok()) return {};
    auto item = ledger::GetOutbox(*ledger_, std::stoll(*id));
    EXPECT_TRUE(item.ok()) << item.status().ToString();
    return item.ok() ? *item : ledger::OutboxItem{};
  }
  std::string Key(const std::string& ticket, std::string_view action) {
    return ledger::IdempotencyKey(kSource, ticket, kTarget, action, "0");
  }
  // The ticket's links as "target=remote_id", comma-separated, by target.
  std::string Links(int64_t ticket_id) {
    auto r = ledger_->impl()->db.QueryText(
        "SELECT coalesce(group_concat(target || '=' || remote_id, ','), '') FROM "
        "(SELECT target, remote_id FROM links WHERE ticket_id = " +
        std::to_string(ticket_id) + " ORDER BY target)");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "<error>";
  }
  int64_t CountState(const std::string& state) {
    auto r =
        ledger_->impl()->db.QueryText("SELECT count(*) FROM outbox WHERE state = '" + state + "'");
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::stoll(*r) : -1;
  }

  ::hs::testing::TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  QueueRouter router_;
  FakeClock clock_{kStartMs};
  StopSignal stop_;
  PusherOptions options_;
  FakeTarget target_{clock_};
};

Result<adapters::PushResult> Unavailable(std::string why = "HTTP 503") {
  return Status::Unavailable(std::move(why));
}

TEST_F(PusherTest, SuccessMarksSentRecordsTheRemoteIdAndLinks) {
  Queue({{"YY-A", {Req("YY-A", "create"), Req("YY-A", "progress", "", "log:0")}}});
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.sent, 1);
  EXPECT_EQ(pass.retried + pass.dead + pass.held, 0);
  EXPECT_TRUE(pass.target_error.ok());
  ASSERT_EQ(target_.pushes.size(), 1u);  // The progress waits for the create.
  const FakeTarget::Call& call = target_.pushes[0];
  EXPECT_EQ(call.action, "create");
  EXPECT_EQ(call.target_ref, "");
  EXPECT_EQ(call.key, Key("YY-A", "create"));
  EXPECT_EQ(call.payload, "{\"ticket\":\"YY-A\",\"action\":\"create\"}");
  EXPECT_EQ(call.first_attempt_ms, 0);

  ledger::OutboxItem create = Item("YY-A", "create");
  EXPECT_EQ(create.state, "sent");
  EXPECT_EQ(create.remote_id, "R-1");
  EXPECT_EQ(create.attempts, 1);
  EXPECT_EQ(create.done_ms, clock_.NowMillis());
  EXPECT_EQ(Links(create.ticket_id), std::string(kTarget) + "=R-1");

  // The next pass sends the progress to the record the create made.
  pass = pusher->DrainOnce();
  EXPECT_EQ(pass.sent, 1);
  ASSERT_EQ(target_.pushes.size(), 2u);
  EXPECT_EQ(target_.pushes[1].action, "progress");
  EXPECT_EQ(target_.pushes[1].target_ref, "R-1");
  EXPECT_EQ(Item("YY-A", "progress", "log:0").state, "sent");

  // Nothing left.
  pass = pusher->DrainOnce();
  EXPECT_EQ(pass.sent + pass.retried + pass.dead + pass.held, 0);
  EXPECT_EQ(target_.pushes.size(), 2u);
}

TEST_F(PusherTest, UnavailableIsRetriedLaterAndEndsThePass) {
  Queue({{"YY-A", {Req("YY-A", "create")}},
         {"YY-B", {Req("YY-B", "create")}},
         {"YY-C", {Req("YY-C", "create")}}});
  target_.script = [](const adapters::PushItem&, int) { return Unavailable(); };
  auto pusher = MakePusher();
  const int64_t now = clock_.NowMillis();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(target_.pushes.size(), 1u) << "a target that is down is not tried item after item";
  EXPECT_EQ(pass.retried, 1);
  EXPECT_EQ(pass.sent + pass.dead + pass.held, 0);
  const ledger::OutboxItem a = Item("YY-A", "create");
  EXPECT_EQ(a.state, "pending");
  EXPECT_EQ(a.attempts, 1);
  EXPECT_EQ(a.first_attempt_ms, now);
  EXPECT_GE(a.next_attempt_ms, now);
  EXPECT_LE(a.next_attempt_ms, now + options_.backoff_cap_ms);
  // First failure: full jitter over [0, base].
  EXPECT_LE(a.next_attempt_ms, now + options_.backoff_base_ms);
  EXPECT_TRUE(Has(a.last_error, "HTTP 503"));
  EXPECT_EQ(Item("YY-B", "create").attempts, 0);
  EXPECT_EQ(Item("YY-C", "create").attempts, 0);
}

// A failure of the target itself (Unavailable, Unauthenticated) stops the pass and is reported in
// target_error, so that Loop backs off the whole target instead of trying the next item at once.
TEST_F(PusherTest, TargetFailureIsReportedInThePass) {
  Queue({{"YY-A", {Req("YY-A", "create")}}, {"YY-B", {Req("YY-B", "create")}}});
  target_.script = [](const adapters::PushItem&,
                      int n) -> std::optional<Result<adapters::PushResult>> {
    if (n == 1) return Unavailable();
    return Result<adapters::PushResult>(Status::Unauthenticated("token refused"));
  };
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.target_error.code(), StatusCode::kUnavailable);
  clock_.Advance(10'000);
  pass = pusher->DrainOnce();
  EXPECT_EQ(pass.target_error.code(), StatusCode::kUnauthenticated);
}

TEST_F(PusherTest, UnauthenticatedIsRetriedNotDead) {
  Queue({{"YY-A", {Req("YY-A", "create")}}, {"YY-B", {Req("YY-B", "create")}}});
  target_.script = [](const adapters::PushItem&,
                      int) -> std::optional<Result<adapters::PushResult>> {
    return Result<adapters::PushResult>(Status::Unauthenticated("token refused"));
  };
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(target_.pushes.size(), 1u);
  EXPECT_EQ(pass.retried, 1);
  EXPECT_EQ(pass.dead, 0);
  EXPECT_EQ(Item("YY-A", "create").state, "pending");
}

TEST_F(PusherTest, RetryAfterIsHonoured) {
  Queue({{"YY-A", {Req("YY-A", "create")}}});
  target_.script = [](const adapters::PushItem&,
                      int n) -> std::optional<Result<adapters::PushResult>> {
    if (n == 1) {
      return Result<adapters::PushResult>(
          Status::Unavailable("HTTP 429").set_retry_after_ms(30'000));
    }
    return std::nullopt;
  };
  auto pusher = MakePusher();
  const int64_t now = clock_.NowMillis();
  pusher->DrainOnce();
  const ledger::OutboxItem a = Item("YY-A", "create");
  // Longer than the backoff cap: the server's word wins.
  EXPECT_GE(a.next_attempt_ms, now + 30'000);
  EXPECT_EQ(a.state, "pending");

  clock_.Advance(29'000);
  EXPECT_EQ(pusher->DrainOnce().sent, 0);
  EXPECT_EQ(target_.pushes.size(), 1u);
  clock_.Set(a.next_attempt_ms);
  EXPECT_EQ(pusher->DrainOnce().sent, 1);
  EXPECT_EQ(target_.pushes.size(), 2u);
}

TEST_F(PusherTest, RejectedIsDeadAtOnceAndThePassGoesOn) {
  Queue({{"YY-A", {Req("YY-A", "create")}}, {"YY-B", {Req("YY-B", "create")}}});
  target_.script = [](const adapters::PushItem&,
                      int n) -> std::optional<Result<adapters::PushResult>> {
    if (n == 1) return Result<adapters::PushResult>(Status::Rejected("409 INVALID_STATE"));
    return std::nullopt;
  };
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.dead, 1);
  EXPECT_EQ(pass.sent, 1);
  EXPECT_TRUE(pass.target_error.ok());
  const ledger::OutboxItem a = Item("YY-A", "create");
  EXPECT_EQ(a.state, "dead");
  EXPECT_EQ(a.attempts, 1);
  EXPECT_EQ(a.done_ms, clock_.NowMillis());
  EXPECT_TRUE(Has(a.last_error, "INVALID_STATE"));
  EXPECT_EQ(Item("YY-B", "create").state, "sent");

  // Never tried again.
  clock_.Advance(options_.backoff_cap_ms * 10);
  pusher->DrainOnce();
  EXPECT_EQ(target_.pushes.size(), 2u);
}

TEST_F(PusherTest, InvalidArgumentIsDeadAtOnce) {
  Queue({{"YY-A", {Req("YY-A", "create")}}});
  target_.script = [](const adapters::PushItem&,
                      int) -> std::optional<Result<adapters::PushResult>> {
    return Result<adapters::PushResult>(Status::InvalidArgument("42201 sqnr"));
  };
  auto pusher = MakePusher();
  EXPECT_EQ(pusher->DrainOnce().dead, 1);
  EXPECT_EQ(Item("YY-A", "create").state, "dead");
}

TEST_F(PusherTest, NotFoundIsRetriedWithoutEndingThePass) {
  Queue({{"YY-A", {Req("YY-A", "note", "YY-GONE")}}, {"YY-B", {Req("YY-B", "create")}}});
  target_.script = [](const adapters::PushItem& item,
                      int) -> std::optional<Result<adapters::PushResult>> {
    if (item.action == "note") return Result<adapters::PushResult>(Status::NotFound("40400"));
    return std::nullopt;
  };
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.retried, 1);
  EXPECT_EQ(pass.sent, 1);
  EXPECT_EQ(Item("YY-A", "note").state, "pending");
}

TEST_F(PusherTest, LastAllowedTryMakesADeadLetter) {
  options_.max_attempts = 3;
  Queue({{"YY-A", {Req("YY-A", "create")}}});
  target_.script = [](const adapters::PushItem&, int) { return Unavailable(); };
  auto pusher = MakePusher();
  std::vector<int> dead;
  for (int i = 0; i < 3; ++i) {
    PushPass pass = pusher->DrainOnce();
    dead.push_back(pass.dead);
    const ledger::OutboxItem a = Item("YY-A", "create");
    EXPECT_EQ(a.attempts, i + 1);
    clock_.Set(std::max(a.next_attempt_ms, clock_.NowMillis()) + 1);
  }
  EXPECT_EQ(dead, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(Item("YY-A", "create").state, "dead");
  EXPECT_EQ(target_.pushes.size(), 3u);
  clock_.Advance(kDayMs);
  pusher->DrainOnce();
  EXPECT_EQ(target_.pushes.size(), 3u);
}

TEST_F(PusherTest, BackoffGrowsButStaysUnderTheCap) {
  options_.max_attempts = 100;
  Queue({{"YY-A", {Req("YY-A", "create")}}});
  target_.script = [](const adapters::PushItem&, int) { return Unavailable(); };
  auto pusher = MakePusher();
  int64_t total_wait = 0;
  for (int i = 0; i < 30; ++i) {
    const int64_t now = clock_.NowMillis();
    pusher->DrainOnce();
    const int64_t next = Item("YY-A", "create").next_attempt_ms;
    ASSERT_GE(next, now);
    ASSERT_LE(next - now, options_.backoff_cap_ms);
    total_wait += next - now;
    clock_.Set(next);
  }
  EXPECT_EQ(target_.pushes.size(), 30u);
  // Mostly at the cap's half on average: far more than 30 tries at the base would wait.
  EXPECT_GT(total_wait, 30 * options_.backoff_base_ms);
}

TEST_F(PusherTest, HeldItemKeepsWhatThePlatformFoundMissing) {
  Queue({{"YY-A", {Req("YY-A", "result", "HN-1")}}});
  target_.script = [](const adapters::PushItem&,
                      int) -> std::optional<Result<adapters::PushResult>> {
    adapters::PushResult r;
    r.outcome = adapters::PushResult::Outcome::kHeld;
    r.detail = "contacted,citizenOpinion";
    return Result<adapters::PushResult>(r);
  };
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.held, 1);
  EXPECT_EQ(pass.sent, 0);
  const ledger::OutboxItem a = Item("YY-A", "result");
  EXPECT_EQ(a.state, "held");
  EXPECT_TRUE(Has(a.last_error, "contacted,citizenOpinion"));
  clock_.Advance(kDayMs);
  pusher->DrainOnce();
  EXPECT_EQ(target_.pushes.size(), 1u);
}

TEST_F(PusherTest, UnknownOutcomeIsRememberedAndTheResendIsAReplay) {
  Queue({{"YY-A", {Req("YY-A", "create")}}});
  // The first try takes effect but the answer is lost; the second fails before sending.
  target_.script = [this](const adapters::PushItem& item,
                          int n) -> std::optional<Result<adapters::PushResult>> {
    if (n == 1) {
      target_.Apply(item);
      return Result<adapters::PushResult>(Status::Unavailable("timeout").set_outcome_unknown());
    }
    if (n == 2) return Unavailable("connection refused");
    return std::nullopt;
  };
  auto pusher = MakePusher();
  const int64_t first = clock_.NowMillis();
  pusher->DrainOnce();
  ledger::OutboxItem a = Item("YY-A", "create");
  EXPECT_TRUE(a.outcome_unknown);
  clock_.Set(a.next_attempt_ms + 1);
  pusher->DrainOnce();
  a = Item("YY-A", "create");
  EXPECT_TRUE(a.outcome_unknown) << "sticky";
  EXPECT_EQ(a.attempts, 2);
  clock_.Set(a.next_attempt_ms + 1);
  EXPECT_EQ(pusher->DrainOnce().sent, 1);

  ASSERT_EQ(target_.pushes.size(), 3u);
  for (const auto& c : target_.pushes) EXPECT_EQ(c.key, Key("YY-A", "create"));
  EXPECT_EQ(target_.pushes[0].first_attempt_ms, 0);
  EXPECT_EQ(target_.pushes[2].first_attempt_ms, first);
  EXPECT_EQ(target_.effects[Key("YY-A", "create")], 1);
  EXPECT_EQ(Item("YY-A", "create").remote_id, "R-1");
  EXPECT_TRUE(target_.lookups.empty());  // No retention: replays are safe.
}

TEST_F(PusherTest, CrashAfterSendResendsWithTheSameKey) {
  Queue({{"YY-A", {Req("YY-A", "create")}}, {"YY-B", {Req("YY-B", "create")}}});
  int crashes = 0;
  options_.crash_after_send = [&](const ledger::OutboxItem&) { return ++crashes == 1; };
  {
    auto pusher = MakePusher();
    PushPass pass = pusher->DrainOnce();
    EXPECT_EQ(pass.sent, 0);
    ASSERT_EQ(target_.pushes.size(), 1u) << "the crash stops the pass";
    // Unmarked: pending as before, no link.
    const ledger::OutboxItem a = Item("YY-A", "create");
    EXPECT_EQ(a.state, "pending");
    EXPECT_EQ(a.attempts, 0);
    EXPECT_EQ(Links(a.ticket_id), "");
    // A crashed pusher sends nothing more.
    pusher->DrainOnce();
    EXPECT_EQ(target_.pushes.size(), 1u);
  }
  // The restarted daemon.
  options_.crash_after_send = nullptr;
  auto pusher = MakePusher(7);
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.sent, 2);
  ASSERT_EQ(target_.pushes.size(), 3u);
  EXPECT_EQ(target_.pushes[0].key, Key("YY-A", "create"));
  EXPECT_EQ(target_.pushes[1].key, Key("YY-A", "create"));
  EXPECT_EQ(target_.pushes[1].payload, target_.pushes[0].payload);
  EXPECT_EQ(target_.effects[Key("YY-A", "create")], 1);
  EXPECT_EQ(target_.effects[Key("YY-B", "create")], 1);
  EXPECT_EQ(Item("YY-A", "create").state, "sent");
  EXPECT_EQ(Item("YY-A", "create").remote_id, "R-1");
}

// An item whose first try had an unknown outcome, first tried at the start.
class PusherRetentionTest : public PusherTest {
 protected:
  void SetUp() override {
    PusherTest::SetUp();
    target_.retention_ms = 3 * kDayMs;
    Queue({{"YY-A", {Req("YY-A", "create")}}});
    target_.script = [this](const adapters::PushItem& item,
                            int n) -> std::optional<Result<adapters::PushResult>> {
      if (n == 1) {
        if (took_effect_) target_.Apply(item);
        return Result<adapters::PushResult>(Status::Unavailable("timeout").set_outcome_unknown());
      }
      return std::nullopt;
    };
  }
  void FirstTry(bool took_effect) {
    took_effect_ = took_effect;
    pusher_ = MakePusher();
    pusher_->DrainOnce();
    ASSERT_TRUE(Item("YY-A", "create").outcome_unknown);
    ASSERT_EQ(target_.pushes.size(), 1u);
  }
  bool took_effect_ = false;
  std::unique_ptr<Pusher> pusher_;
};

TEST_F(PusherRetentionTest, PastRetentionAFoundItemIsMarkedSentWithoutAPush) {
  FirstTry(true);
  clock_.Advance(3 * kDayMs);
  PushPass pass = pusher_->DrainOnce();
  EXPECT_EQ(pass.sent, 1);
  ASSERT_EQ(target_.lookups.size(), 1u);
  EXPECT_EQ(target_.lookups[0].key, Key("YY-A", "create"));
  EXPECT_EQ(target_.pushes.size(), 1u) << "no second push";
  const ledger::OutboxItem a = Item("YY-A", "create");
  EXPECT_EQ(a.state, "sent");
  EXPECT_EQ(a.remote_id, "R-1");
  EXPECT_EQ(Links(a.ticket_id), std::string(kTarget) + "=R-1");
  EXPECT_EQ(target_.effects[Key("YY-A", "create")], 1);
}

TEST_F(PusherRetentionTest, PastRetentionANotFoundItemIsPushed) {
  FirstTry(false);
  clock_.Advance(3 * kDayMs);
  PushPass pass = pusher_->DrainOnce();
  EXPECT_EQ(pass.sent, 1);
  EXPECT_EQ(target_.lookups.size(), 1u);
  ASSERT_EQ(target_.pushes.size(), 2u);
  EXPECT_EQ(target_.pushes[1].key, Key("YY-A", "create"));
  EXPECT_EQ(target_.effects[Key("YY-A", "create")], 1);
}

TEST_F(PusherRetentionTest, WellWithinRetentionTheResendIsAReplay) {
  FirstTry(true);
  clock_.Advance(kDayMs / 2);
  EXPECT_EQ(pusher_->DrainOnce().sent, 1);
  EXPECT_TRUE(target_.lookups.empty());
  EXPECT_EQ(target_.pushes.size(), 2u);
  EXPECT_EQ(target_.effects[Key("YY-A", "create")], 1);
}

TEST_F(PusherRetentionTest, FailedLookUpIsRetriedWithoutAPush) {
  FirstTry(true);
  target_.lookup_script = [](const adapters::PushItem&) -> Result<std::string> {
    return Status::Unavailable("HTTP 502");
  };
  clock_.Advance(3 * kDayMs);
  PushPass pass = pusher_->DrainOnce();
  EXPECT_EQ(pass.retried, 1);
  EXPECT_EQ(target_.pushes.size(), 1u);
  const ledger::OutboxItem a = Item("YY-A", "create");
  EXPECT_EQ(a.state, "pending");
  EXPECT_TRUE(a.outcome_unknown);
  EXPECT_EQ(a.attempts, 2);
}

TEST_F(PusherTest, KnownOutcomePastRetentionIsPushedWithoutLookUp) {
  target_.retention_ms = 3 * kDayMs;
  Queue({{"YY-A", {Req("YY-A", "create")}}});
  target_.script = [](const adapters::PushItem&,
                      int n) -> std::optional<Result<adapters::PushResult>> {
    if (n == 1) return Unavailable("connection refused");
    return std::nullopt;
  };
  auto pusher = MakePusher();
  pusher->DrainOnce();
  clock_.Advance(4 * kDayMs);
  EXPECT_EQ(pusher->DrainOnce().sent, 1);
  EXPECT_TRUE(target_.lookups.empty());
}

TEST_F(PusherTest, TicketOrderHoldsAcrossAFailingItem) {
  Queue({{"YY-A", {Req("YY-A", "create"), Req("YY-A", "progress", "", "log:0")}},
         {"YY-B", {Req("YY-B", "create")}}});
  // A's create is refused for now (its target record is not there yet); B's goes through.
  target_.script = [](const adapters::PushItem& item,
                      int n) -> std::optional<Result<adapters::PushResult>> {
    if (n == 1) {
      EXPECT_TRUE(Has(item.payload, "YY-A"));
      return Result<adapters::PushResult>(Status::NotFound("not yet"));
    }
    return std::nullopt;
  };
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.retried, 1);
  EXPECT_EQ(pass.sent, 1);
  ASSERT_EQ(target_.pushes.size(), 2u);
  EXPECT_TRUE(Has(target_.pushes[1].payload, "YY-B"));

  // A's progress never overtakes A's create.
  for (int i = 0; i < 5 && Item("YY-A", "create").state != "sent"; ++i) {
    clock_.Set(Item("YY-A", "create").next_attempt_ms);
    pusher->DrainOnce();
  }
  pusher->DrainOnce();
  std::vector<std::string> order;
  for (const auto& c : target_.pushes) {
    order.push_back(c.payload.substr(11, 4) + ":" + c.action + ":" + c.target_ref);
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "YY-A:create:", "YY-B:create:", "YY-A:create:", "YY-A:progress:R-2"}));
}

TEST_F(PusherTest, DeadItemHoldsBackTheRestOfItsTicket) {
  Queue({{"YY-A", {Req("YY-A", "create"), Req("YY-A", "progress", "", "log:0")}},
         {"YY-B", {Req("YY-B", "create")}}});
  target_.script = [](const adapters::PushItem& item,
                      int) -> std::optional<Result<adapters::PushResult>> {
    if (Has(item.payload, "YY-A")) return Result<adapters::PushResult>(Status::Rejected("no"));
    return std::nullopt;
  };
  auto pusher = MakePusher();
  pusher->DrainOnce();
  clock_.Advance(kDayMs);
  pusher->DrainOnce();
  EXPECT_EQ(target_.pushes.size(), 2u);
  EXPECT_EQ(Item("YY-A", "create").state, "dead");
  EXPECT_EQ(Item("YY-A", "progress", "log:0").state, "pending");
}

TEST_F(PusherTest, ItemWithoutARecordToApplyToIsDeadWithoutAPush) {
  Queue({{"YY-A", {Req("YY-A", "create"), Req("YY-A", "progress", "", "log:0")}}});
  ASSERT_TRUE(ledger::DropOutbox(*ledger_, Item("YY-A", "create").id, "operator", "made by hand",
                                 clock_.NowMillis())
                  .ok());
  auto pusher = MakePusher();
  PushPass pass = pusher->DrainOnce();
  EXPECT_EQ(pass.dead, 1);
  EXPECT_TRUE(target_.pushes.empty());
  const ledger::OutboxItem p = Item("YY-A", "progress", "log:0");
  EXPECT_EQ(p.state, "dead");
  EXPECT_TRUE(Has(p.last_error, "no record on fake-target"));
}

// What Pusher::Loop does between passes, on the fake clock: back the target off after a pass that
// reports a target error, else wait for the next due item (at most idle_poll_ms).
struct Driver {
  Driver(Pusher& p, ledger::Ledger& l, FakeClock& c, const PusherOptions& o)
      : pusher(p), ledger(l), clock(c), options(o) {}
  Pusher& pusher;
  ledger::Ledger& ledger;
  FakeClock& clock;
  const PusherOptions& options;
  std::mt19937_64 rng{99};
  int failures = 0;

  // Returns false when nothing is left to wait for.
  bool Step() {
    PushPass pass = pusher.DrainOnce();
    if (!pass.target_error.ok()) {
      ++failures;
      clock.Advance(FullJitterMs(rng, failures, options.backoff_base_ms, options.backoff_cap_ms,
                                 pass.target_error.retry_after_ms()));
      return true;
    }
    if (pass.sent > 0) failures = 0;
    if (pass.sent + pass.held + pass.retried + pass.dead >= options.batch) return true;
    auto next = ledger::NextDueMs(ledger, kTarget);
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !next->has_value()) return false;
    clock.Advance(std::clamp<int64_t>(**next - clock.NowMillis(), 0, options.idle_poll_ms));
    return true;
  }
};

constexpr int kMany = 1000;

class PusherManyItemsTest : public PusherTest {
 protected:
  void SetUp() override {
    PusherTest::SetUp();
    std::map<std::string, std::vector<ledger::OutboxRequest>> requests;
    for (int i = 0; i < kMany; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "YY%06d", i);
      requests[id] = {Req(id, "create")};
    }
    Queue(requests);
  }
  // Every item sent, each key taking effect exactly once.
  void ExpectAllDeliveredOnce() {
    EXPECT_EQ(CountState("sent"), kMany);
    EXPECT_EQ(CountState("pending") + CountState("dead") + CountState("held"), 0);
    EXPECT_EQ(target_.effects.size(), static_cast<size_t>(kMany));
    int more = 0;
    for (const auto& [key, n] : target_.effects) more += n != 1;
    EXPECT_EQ(more, 0) << "keys that took effect more than once";
  }
  ScopedLogLevel quiet_{log::Get(std::string("push.") + kTarget), spdlog::level::warn};
};

TEST_F(PusherManyItemsTest, OutageOfTheFirstCallsDeliversEveryItemOnce) {
  constexpr int kDown = 40;
  // Down for the first calls; every other one took effect before its answer was lost.
  target_.script = [this](const adapters::PushItem& item,
                          int n) -> std::optional<Result<adapters::PushResult>> {
    if (n > kDown) return std::nullopt;
    if (n % 2 == 0) {
      target_.Apply(item);
      return Result<adapters::PushResult>(Status::Unavailable("timeout").set_outcome_unknown());
    }
    return Unavailable();
  };
  auto pusher = MakePusher();
  Driver driver{*pusher, *ledger_, clock_, options_};
  int steps = 0;
  while (driver.Step()) {
    ASSERT_LT(++steps, 20'000) << "no progress";
  }
  ExpectAllDeliveredOnce();
  // Each failed call is one item's failed try, retried once.
  EXPECT_EQ(target_.pushes.size(), static_cast<size_t>(kMany + kDown));
  EXPECT_EQ(CountState("dead"), 0);
}

// A target down for a minute with 1000 queued items is probed at a falling rate — a few dozen
// calls, not one per item — and every item is delivered once when the target is back.
TEST_F(PusherManyItemsTest, OutageIsProbedAtAFallingRateNotOncePerItem) {
  options_.backoff_base_ms = 100;
  options_.backoff_cap_ms = 5000;
  const int64_t up_at = clock_.NowMillis() + 60'000;
  int down_calls = 0;
  target_.script = [&](const adapters::PushItem&,
                       int) -> std::optional<Result<adapters::PushResult>> {
    if (clock_.NowMillis() >= up_at) return std::nullopt;
    ++down_calls;
    return Unavailable();
  };
  auto pusher = MakePusher();
  Driver driver{*pusher, *ledger_, clock_, options_};
  int steps = 0;
  while (driver.Step()) {
    ASSERT_LT(++steps, 20'000) << "no progress";
    ASSERT_LE(down_calls, 100) << "one call per item while the target is down";
  }
  EXPECT_GE(down_calls, 5);
  EXPECT_LE(down_calls, 60);
  ExpectAllDeliveredOnce();
}

}  // namespace
}  // namespace hs::sync
