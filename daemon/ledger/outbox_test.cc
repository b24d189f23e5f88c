// Tests of the outbox on a real ledger (RELIABILITY.md, "Delivery"): pushes are queued in the
// transaction of the page whose changes call for them, once per idempotency key; DueOutbox keeps
// each ticket's pushes in order and resolves "" target refs from the links a create's MarkSent
// writes; MarkSent/MarkHeld/MarkFailed move items; operators retry and drop under state rules, and
// are audited; superseding pushes drop the older pending or held ones; NextDueMs and CountOutbox.
#include "daemon/ledger/outbox.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/routing/router.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::ledger {
namespace {

using ::hs::testing::Has;

constexpr std::string_view kSource = "hotline12345";
constexpr int64_t kT0 = 1686531600;           // 2023-06-12 09:00:00 Beijing time, Unix seconds.
constexpr int64_t kStartMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.

OutboxRequest Req(std::string target, std::string action, std::string target_ref,
                  std::string revision, std::string held_reason = "", bool supersedes = false) {
  OutboxRequest r;
  r.target = std::move(target);
  r.action = std::move(action);
  r.target_ref = std::move(target_ref);
  r.payload = "{\"r\":\"" + r.action + ":" + revision + "\"}";
  r.revision = std::move(revision);
  r.held_reason = std::move(held_reason);
  r.supersedes = supersedes;
  return r;
}

// What a Route call saw.
struct Seen {
  std::string source, external_id, previous_native_state;
  int64_t ticket_id = 0;
  bool inserted = false;
  size_t previous_history = 0;
};

// A router whose answer the test scripts per call.
class ScriptRouter final : public Router {
 public:
  using Fn = std::function<Status(const Change&, RouteContext&, std::vector<OutboxRequest>&)>;
  Fn fn;
  std::vector<Seen> seen;

  Status Route(const Change& c, RouteContext& ctx, std::vector<OutboxRequest>& out) override {
    seen.push_back({std::string(c.source), c.ticket->external_id,
                    std::string(c.previous_native_state), c.ticket_id, c.inserted,
                    c.previous_history});
    return fn ? fn(c, ctx, out) : Status::Ok();
  }
};

// A ticket whose raw bytes follow from its version, so that a new version is a change.
Ticket MakeTicket(const std::string& id, int64_t version = kT0, int history = 1,
                  std::string native_state = "办理中") {
  Ticket t;
  t.external_id = id;
  t.channel = "电话";
  t.kind = "投诉";
  t.title = "测试工单";
  t.content = "测试内容";
  t.complainant = "张某";
  t.unit = "岳阳楼区";
  t.state = "in_progress";
  t.native_state = std::move(native_state);
  t.updated_at = version;
  t.version = version;
  for (int i = 0; i < history; ++i) {
    t.history.push_back({kT0 + i, i == 0 ? "派单" : "备注", "岳阳楼区", "", "", ""});
  }
  t.raw = "{\"gdbh\":\"" + id + "\",\"gxsj\":" + std::to_string(version) +
          ",\"n\":" + std::to_string(history) + ",\"s\":\"" + t.native_state + "\"}";
  return t;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
    ledger_->SetRouter(&router_);
    run_.source = std::string(kSource);
    run_.started_ms = now_;
  }

  // Routes every ticket of the page with the requests `script` gives for its external id.
  void Script(std::function<std::vector<OutboxRequest>(const Change&)> script) {
    router_.fn = [script](const Change& c, RouteContext&, std::vector<OutboxRequest>& out) {
      for (OutboxRequest& r : script(c)) out.push_back(std::move(r));
      return Status::Ok();
    };
  }

  Result<PageStats> Commit(const std::vector<Ticket>& tickets, std::string_view source = kSource,
                           std::string_view cursor = "c1") {
    now_ += 1000;
    return ledger_->CommitPage(source, tickets, {}, cursor, run_, now_);
  }
  PageStats CommitOk(const std::vector<Ticket>& tickets, std::string_view source = kSource) {
    auto r = Commit(tickets, source);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PageStats{};
  }

  std::string Query(const std::string& sql) {
    auto r = ledger_->impl()->db.QueryText(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? *r : std::string("<error>");
  }
  int64_t Count(const std::string& table, const std::string& where = "1") {
    return std::stoll(Query("SELECT count(*) FROM " + table + " WHERE " + where));
  }
  int64_t TicketId(const std::string& external_id) {
    return std::stoll(Query("SELECT id FROM tickets WHERE external_id = '" + external_id + "'"));
  }
  // The id of the outbox item of this ticket, target, action and revision.
  int64_t ItemId(const std::string& external_id, std::string_view target, std::string_view action,
                 std::string_view revision) {
    const std::string key = IdempotencyKey(kSource, external_id, target, action, revision);
    return std::stoll(Query("SELECT id FROM outbox WHERE idem_key = '" + key + "'"));
  }

  // The ticket's links as "target=remote_id", comma-separated, by target.
  std::string Links(int64_t ticket_id) {
    return Query(
        "SELECT coalesce(group_concat(target || '=' || remote_id, ','), '') FROM "
        "(SELECT target, remote_id FROM links WHERE ticket_id = " +
        std::to_string(ticket_id) + " ORDER BY target)");
  }

  OutboxItem Get(int64_t id) {
    auto r = GetOutbox(*ledger_, id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : OutboxItem{};
  }
  std::vector<int64_t> DueIds(const std::string& target, int64_t at, int limit = 100) {
    auto r = DueOutbox(*ledger_, target, at, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<int64_t> ids;
    if (r.ok()) {
      for (const OutboxItem& o : *r) ids.push_back(o.id);
    }
    return ids;
  }
  std::optional<int64_t> NextDue(const std::string& target) {
    auto r = NextDueMs(*ledger_, target);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  // Queues, for tickets A and B, a petition create and progress of A, a create of B.
  void QueueTwoTickets() {
    Script([](const Change& c) {
      std::vector<OutboxRequest> out;
      out.push_back(Req("petition", "create", "", "0"));
      if (c.ticket->external_id == "YY-A") out.push_back(Req("petition", "progress", "", "log:0"));
      return out;
    });
    CommitOk({MakeTicket("YY-A"), MakeTicket("YY-B")});
    a1_ = ItemId("YY-A", "petition", "create", "0");
    a2_ = ItemId("YY-A", "petition", "progress", "log:0");
    b1_ = ItemId("YY-B", "petition", "create", "0");
  }

  ::hs::testing::TempDir dir_;
  std::unique_ptr<Ledger> ledger_;
  ScriptRouter router_;
  SyncRun run_;
  int64_t now_ = kStartMs;
  int64_t a1_ = 0, a2_ = 0, b1_ = 0;
};

TEST_F(OutboxTest, CommitPageQueuesTheRoutersRequests) {
  Script([](const Change&) {
    return std::vector<OutboxRequest>{Req("petition", "create", "", "0"),
                                      Req("petition", "progress", "", "log:0")};
  });
  PageStats stats = CommitOk({MakeTicket("YY2306120001")});
  EXPECT_EQ(stats.inserted, 1);
  EXPECT_EQ(stats.queued, 2);
  ASSERT_EQ(router_.seen.size(), 1u);
  EXPECT_TRUE(router_.seen[0].inserted);
  EXPECT_EQ(router_.seen[0].source, kSource);
  EXPECT_EQ(router_.seen[0].ticket_id, TicketId("YY2306120001"));

  ASSERT_EQ(Count("outbox"), 2);
  const OutboxItem create = Get(ItemId("YY2306120001", "petition", "create", "0"));
  EXPECT_EQ(create.ticket_id, TicketId("YY2306120001"));
  EXPECT_EQ(create.source, kSource);
  EXPECT_EQ(create.external_id, "YY2306120001");
  EXPECT_EQ(create.target, "petition");
  EXPECT_EQ(create.action, "create");
  EXPECT_EQ(create.target_ref, "");
  EXPECT_EQ(create.payload, "{\"r\":\"create:0\"}");
  EXPECT_EQ(create.state, "pending");
  EXPECT_EQ(create.attempts, 0);
  EXPECT_EQ(create.created_ms, now_);
  EXPECT_EQ(create.next_attempt_ms, now_);
  EXPECT_FALSE(create.first_attempt_ms.has_value());
  EXPECT_FALSE(create.done_ms.has_value());
  EXPECT_FALSE(create.outcome_unknown);
  EXPECT_EQ(create.idem_key, IdempotencyKey(kSource, "YY2306120001", "petition", "create", "0"));

  auto listed = ListOutbox(*ledger_, {});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
}

TEST_F(OutboxTest, FailingRouteLeavesNoOutboxRowNoTicketAndNoCursor) {
  router_.fn = [](const Change& c, RouteContext&, std::vector<OutboxRequest>& out) {
    out.push_back(Req("petition", "create", "", "0"));
    if (c.ticket->external_id == "YY-2") return Status::Unavailable("routing failed");
    return Status::Ok();
  };
  auto r = Commit({MakeTicket("YY-1"), MakeTicket("YY-2")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Has(r.status().message(), "YY-2"));
  EXPECT_EQ(Count("outbox"), 0);
  EXPECT_EQ(Count("tickets"), 0);
  EXPECT_EQ(Count("events"), 0);
  EXPECT_EQ(run_.pages, 0);
  auto cursor = ledger_->LoadCursor(kSource);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, "");

  // The same page commits once routing works.
  router_.fn = [](const Change&, RouteContext&, std::vector<OutboxRequest>& out) {
    out.push_back(Req("petition", "create", "", "0"));
    return Status::Ok();
  };
  PageStats stats = CommitOk({MakeTicket("YY-1"), MakeTicket("YY-2")});
  EXPECT_EQ(stats.queued, 2);
  EXPECT_EQ(Count("outbox"), 2);
}

TEST_F(OutboxTest, SamePageTwiceQueuesOnce) {
  Script([](const Change& c) {
    std::vector<OutboxRequest> out{Req("petition", "create", "", "0")};
    for (size_t i = c.previous_history; i < c.ticket->history.size(); ++i) {
      out.push_back(Req("petition", "progress", "", "log:" + std::to_string(i)));
    }
    return out;
  });
  EXPECT_EQ(CommitOk({MakeTicket("YY-1", kT0, 1)}).queued, 2);
  // Read again: unchanged, not routed.
  PageStats again = CommitOk({MakeTicket("YY-1", kT0, 1)});
  EXPECT_EQ(again.unchanged, 1);
  EXPECT_EQ(again.queued, 0);
  EXPECT_EQ(router_.seen.size(), 1u);
  // A newer version asks for the create again and one new progress: only the progress is new.
  PageStats newer = CommitOk({MakeTicket("YY-1", kT0 + 60, 2)});
  EXPECT_EQ(newer.queued, 1);
  ASSERT_EQ(router_.seen.size(), 2u);
  EXPECT_FALSE(router_.seen[1].inserted);
  EXPECT_EQ(router_.seen[1].previous_history, 1u);
  EXPECT_EQ(Count("outbox"), 3);
  EXPECT_EQ(Count("outbox", "action = 'create'"), 1);
}

TEST_F(OutboxTest, KeysAreTheSameInAnotherLedger) {
  Script(
      [](const Change&) { return std::vector<OutboxRequest>{Req("petition", "create", "", "0")}; });
  CommitOk({MakeTicket("YY-1")});
  const std::string key = Query("SELECT idem_key FROM outbox");

  ::hs::testing::TempDir other_dir;
  auto other = Ledger::Open(other_dir.File("ledger.db"), {});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  (*other)->SetRouter(&router_);
  SyncRun run;
  run.source = std::string(kSource);
  // Another ticket first, so that row ids differ.
  ASSERT_TRUE(
      (*other)
          ->CommitPage(kSource, {MakeTicket("YY-0"), MakeTicket("YY-1")}, {}, "c", run, now_ + 5000)
          .ok());
  auto k = (*other)->impl()->db.QueryText(
      "SELECT o.idem_key FROM outbox o JOIN tickets t ON t.id = o.ticket_id "
      "WHERE t.external_id = 'YY-1'");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(*k, key);
}

TEST_F(OutboxTest, IdempotencyKeyFormat) {
  const std::string key = IdempotencyKey("hotline12345", "YY2306120001", "petition", "create", "0");
  EXPECT_TRUE(std::regex_match(key, std::regex("hs1-[0-9a-f]{40}"))) << key;
  EXPECT_EQ(key.size(), 44u);
  EXPECT_EQ(key, IdempotencyKey("hotline12345", "YY2306120001", "petition", "create", "0"));
  std::set<std::string> keys = {
      key,
      IdempotencyKey("petition", "YY2306120001", "petition", "create", "0"),
      IdempotencyKey("hotline12345", "YY2306120002", "petition", "create", "0"),
      IdempotencyKey("hotline12345", "YY2306120001", "provincial", "create", "0"),
      IdempotencyKey("hotline12345", "YY2306120001", "petition", "progress", "0"),
      IdempotencyKey("hotline12345", "YY2306120001", "petition", "create", "1"),
      // The parts are delimited: moving a character from one part to the next changes the key.
      IdempotencyKey("hotline12345", "YY230612000", "1petition", "create", "0"),
      IdempotencyKey("", "", "", "", ""),
  };
  EXPECT_EQ(keys.size(), 8u);
  for (const std::string& k : keys) {
    EXPECT_TRUE(std::regex_match(k, std::regex("hs1-[0-9a-f]{40}"))) << k;
  }
}

TEST_F(OutboxTest, DueOutboxKeepsEachTicketsOrder) {
  QueueTwoTickets();
  // A's progress waits for A's create; B goes on.
  EXPECT_EQ(DueIds("petition", now_), (std::vector<int64_t>{a1_, b1_}));
  EXPECT_EQ(DueIds("petition", now_, 1), (std::vector<int64_t>{a1_}));
  EXPECT_TRUE(DueIds("hotline12345", now_).empty());
  EXPECT_TRUE(DueIds("petition", now_ - 1).empty());  // Not due yet.

  // Held: still blocks.
  ASSERT_TRUE(MarkHeld(*ledger_, a1_, "contacted", now_).ok());
  EXPECT_EQ(DueIds("petition", now_), (std::vector<int64_t>{b1_}));

  // Dead: still blocks.
  ASSERT_TRUE(RetryOutbox(*ledger_, a1_, "tester", now_).ok());
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Rejected: no", false, true, now_, now_).ok());
  EXPECT_EQ(DueIds("petition", now_), (std::vector<int64_t>{b1_}));

  // Pending but backed off: blocks, and is not due.
  ASSERT_TRUE(RetryOutbox(*ledger_, a1_, "tester", now_).ok());
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Unavailable: down", false, false, now_ + 5000, now_).ok());
  EXPECT_EQ(DueIds("petition", now_), (std::vector<int64_t>{b1_}));
  EXPECT_EQ(DueIds("petition", now_ + 5000), (std::vector<int64_t>{b1_, a1_}));

  // Sent: the next of the ticket comes.
  ASSERT_TRUE(MarkSent(*ledger_, Get(a1_), "XF-430600-2023-000001", now_ + 5000).ok());
  EXPECT_EQ(DueIds("petition", now_ + 5000), (std::vector<int64_t>{a2_, b1_}));
}

TEST_F(OutboxTest, DroppedItemNoLongerBlocksItsTicket) {
  QueueTwoTickets();
  ASSERT_TRUE(DropOutbox(*ledger_, a1_, "tester", "made by hand", now_).ok());
  EXPECT_EQ(DueIds("petition", now_), (std::vector<int64_t>{a2_, b1_}));
}

TEST_F(OutboxTest, TicketOrderHoldsAcrossTargets) {
  Script([](const Change&) {
    return std::vector<OutboxRequest>{Req("provincial", "accept", "HN-1", "0"),
                                      Req("hotline12345", "create", "", "0")};
  });
  CommitOk({MakeTicket("HN-1")}, "provincial");
  auto accept = DueOutbox(*ledger_, "provincial", now_, 10);
  ASSERT_TRUE(accept.ok());
  ASSERT_EQ(accept->size(), 1u);
  EXPECT_TRUE(DueIds("hotline12345", now_).empty());
  EXPECT_FALSE(NextDue("hotline12345").has_value());
  ASSERT_TRUE(MarkSent(*ledger_, accept->front(), "", now_).ok());
  EXPECT_EQ(DueIds("hotline12345", now_).size(), 1u);
}

TEST_F(OutboxTest, EmptyTargetRefIsResolvedFromTheCreatesLink) {
  Script([](const Change&) {
    return std::vector<OutboxRequest>{Req("petition", "create", "", "0"),
                                      Req("petition", "progress", "", "log:0"),
                                      Req("petition", "progress", "XF-EXPLICIT", "log:1")};
  });
  CommitOk({MakeTicket("YY-A")});
  const int64_t create = ItemId("YY-A", "petition", "create", "0");
  const int64_t progress = ItemId("YY-A", "petition", "progress", "log:0");
  const int64_t explicit_ref = ItemId("YY-A", "petition", "progress", "log:1");
  EXPECT_EQ(Get(progress).target_ref, "");
  EXPECT_EQ(Get(explicit_ref).target_ref, "XF-EXPLICIT");

  ASSERT_TRUE(MarkSent(*ledger_, Get(create), "XF-430600-2023-000001", now_ + 10).ok());
  EXPECT_EQ(Links(TicketId("YY-A")), "petition=XF-430600-2023-000001");
  EXPECT_EQ(Query("SELECT created_at FROM links"), std::to_string((now_ + 10) / 1000));
  EXPECT_EQ(Query("SELECT outbox_id FROM links"), std::to_string(create));

  auto due = DueOutbox(*ledger_, "petition", now_ + 10, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().id, progress);
  EXPECT_EQ(due->front().target_ref, "XF-430600-2023-000001");
  // An explicit ref is kept.
  EXPECT_EQ(Get(explicit_ref).target_ref, "XF-EXPLICIT");
  // Stored as queued; resolved when read.
  EXPECT_EQ(Query("SELECT target_ref FROM outbox WHERE id = " + std::to_string(progress)), "");
}

TEST_F(OutboxTest, MarkSentRecordsTheRemoteAndLinksOnlyCreates) {
  QueueTwoTickets();
  const int64_t at = now_ + 777;
  ASSERT_TRUE(MarkSent(*ledger_, Get(a1_), "XF-1", at).ok());
  OutboxItem sent = Get(a1_);
  EXPECT_EQ(sent.state, "sent");
  EXPECT_EQ(sent.remote_id, "XF-1");
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_EQ(sent.done_ms, at);
  EXPECT_EQ(sent.first_attempt_ms, at);
  EXPECT_EQ(sent.last_error, "");
  // The pragma MarkSent raises for its commit is put back.
  EXPECT_EQ(Query("PRAGMA synchronous"), "1");

  // Not a create: no link.
  ASSERT_TRUE(MarkSent(*ledger_, Get(a2_), "XF-1", at).ok());
  EXPECT_EQ(Count("links"), 1);
  // A create without a remote id: no link.
  ASSERT_TRUE(MarkSent(*ledger_, Get(b1_), "", at).ok());
  EXPECT_EQ(Count("links"), 1);
  EXPECT_EQ(Get(b1_).state, "sent");

  // Marking again changes nothing.
  ASSERT_TRUE(MarkSent(*ledger_, Get(a1_), "XF-2", at + 1).ok());
  EXPECT_EQ(Get(a1_).remote_id, "XF-1");
  EXPECT_EQ(Get(a1_).attempts, 1);
}

TEST_F(OutboxTest, MarkSentOnADroppedItemLeavesItDropped) {
  QueueTwoTickets();
  const OutboxItem item = Get(a1_);
  ASSERT_TRUE(DropOutbox(*ledger_, a1_, "tester", "not needed", now_).ok());
  ASSERT_TRUE(MarkSent(*ledger_, item, "XF-1", now_).ok());
  EXPECT_EQ(Get(a1_).state, "dropped");
}

TEST_F(OutboxTest, MarkFailedCountsTriesAndKeepsOutcomeUnknown) {
  QueueTwoTickets();
  const int64_t t1 = now_ + 100;
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Unavailable: HTTP 503", false, false, t1 + 1000, t1).ok());
  OutboxItem o = Get(a1_);
  EXPECT_EQ(o.state, "pending");
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(o.next_attempt_ms, t1 + 1000);
  EXPECT_EQ(o.first_attempt_ms, t1);
  EXPECT_EQ(o.last_error, "Unavailable: HTTP 503");
  EXPECT_FALSE(o.outcome_unknown);
  EXPECT_FALSE(o.done_ms.has_value());

  const int64_t t2 = t1 + 2000;
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Unavailable: timeout", true, false, t2 + 4000, t2).ok());
  o = Get(a1_);
  EXPECT_EQ(o.attempts, 2);
  EXPECT_TRUE(o.outcome_unknown);
  EXPECT_EQ(o.first_attempt_ms, t1);  // The first try stays the first.
  EXPECT_EQ(o.next_attempt_ms, t2 + 4000);

  // Sticky: a later try that surely did not reach the platform does not clear it.
  const int64_t t3 = t2 + 5000;
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Unavailable: refused", false, false, t3 + 1, t3).ok());
  o = Get(a1_);
  EXPECT_EQ(o.attempts, 3);
  EXPECT_TRUE(o.outcome_unknown);

  const int64_t t4 = t3 + 10;
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Rejected: INVALID_STATE", false, true, t4 + 1, t4).ok());
  o = Get(a1_);
  EXPECT_EQ(o.state, "dead");
  EXPECT_EQ(o.attempts, 4);
  EXPECT_EQ(o.done_ms, t4);
  EXPECT_TRUE(o.outcome_unknown);
  EXPECT_EQ(o.last_error, "Rejected: INVALID_STATE");

  // A dead item is not counted again.
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Unavailable", false, false, t4 + 2, t4 + 1).ok());
  EXPECT_EQ(Get(a1_).attempts, 4);
  EXPECT_EQ(Get(a1_).state, "dead");
}

TEST_F(OutboxTest, MarkHeldKeepsWhatIsMissing) {
  QueueTwoTickets();
  ASSERT_TRUE(MarkHeld(*ledger_, b1_, "missing contacted,citizenOpinion", now_ + 5).ok());
  OutboxItem o = Get(b1_);
  EXPECT_EQ(o.state, "held");
  EXPECT_EQ(o.last_error, "missing contacted,citizenOpinion");
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(o.first_attempt_ms, now_ + 5);
  EXPECT_EQ(DueIds("petition", now_ + 5), (std::vector<int64_t>{a1_}));
  auto held = ListOutbox(*ledger_, {"held", "", 50});
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ(held->front().id, b1_);
}

TEST_F(OutboxTest, HeldReasonQueuesTheItemHeld) {
  Script([](const Change&) {
    return std::vector<OutboxRequest>{
        Req("provincial", "result", "HN-1", "r1", "closure text lacks 处理过程(process)")};
  });
  EXPECT_EQ(CommitOk({MakeTicket("YY-A")}).queued, 1);
  auto items = ListOutbox(*ledger_, {});
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(items->front().state, "held");
  EXPECT_EQ(items->front().last_error, "closure text lacks 处理过程(process)");
  EXPECT_EQ(items->front().attempts, 0);
  EXPECT_TRUE(DueIds("provincial", now_ + 1'000'000).empty());
  EXPECT_FALSE(NextDue("provincial").has_value());
}

TEST_F(OutboxTest, RetryAppliesToDeadAndHeldAndIsAudited) {
  QueueTwoTickets();
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Unavailable: timeout", true, false, now_ + 1, now_).ok());
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Rejected: no", false, true, now_ + 2, now_ + 1).ok());
  const OutboxItem dead = Get(a1_);
  ASSERT_EQ(dead.state, "dead");

  const int64_t at = now_ + 60'000;
  ASSERT_TRUE(RetryOutbox(*ledger_, a1_, "operator-1", at).ok());
  OutboxItem o = Get(a1_);
  EXPECT_EQ(o.state, "pending");
  EXPECT_EQ(o.attempts, 0);
  EXPECT_EQ(o.next_attempt_ms, at);
  EXPECT_FALSE(o.done_ms.has_value());
  EXPECT_EQ(o.idem_key, dead.idem_key);  // A resend is still a replay.
  EXPECT_TRUE(o.outcome_unknown);
  EXPECT_EQ(DueIds("petition", at), (std::vector<int64_t>{b1_, a1_}));

  ASSERT_EQ(Count("audit"), 1);
  EXPECT_EQ(
      Query("SELECT at || '|' || actor || '|' || action || '|' || subject || '|' || detail "
            "FROM audit"),
      std::to_string(at / 1000) + "|operator-1|outbox.retry|outbox #" + std::to_string(a1_) + "|");

  // Held → pending.
  ASSERT_TRUE(MarkHeld(*ledger_, b1_, "contacted", at).ok());
  ASSERT_TRUE(RetryOutbox(*ledger_, b1_, "operator-1", at).ok());
  EXPECT_EQ(Get(b1_).state, "pending");
  EXPECT_EQ(Count("audit"), 2);
}

TEST_F(OutboxTest, RetryRefusesOtherStatesWithoutAuditing) {
  QueueTwoTickets();
  // Pending.
  Status s = RetryOutbox(*ledger_, a1_, "operator-1", now_);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(s.message(), "pending"));
  EXPECT_TRUE(Has(s.message(), "dead or held"));
  // Sent.
  ASSERT_TRUE(MarkSent(*ledger_, Get(a1_), "XF-1", now_).ok());
  EXPECT_EQ(RetryOutbox(*ledger_, a1_, "operator-1", now_).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(a1_).state, "sent");
  // Dropped.
  ASSERT_TRUE(DropOutbox(*ledger_, b1_, "operator-1", "", now_).ok());
  EXPECT_EQ(RetryOutbox(*ledger_, b1_, "operator-1", now_).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(b1_).state, "dropped");
  // Unknown.
  Status missing = RetryOutbox(*ledger_, 9999, "operator-1", now_);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_TRUE(Has(missing.message(), "#9999"));
  EXPECT_EQ(Count("audit"), 1);  // The drop only.
}

TEST_F(OutboxTest, DropAppliesToPendingHeldAndDeadAndIsAudited) {
  QueueTwoTickets();
  const int64_t at = now_ + 3000;
  ASSERT_TRUE(DropOutbox(*ledger_, a1_, "operator-2", "registered by hand", at).ok());
  OutboxItem o = Get(a1_);
  EXPECT_EQ(o.state, "dropped");
  EXPECT_EQ(o.done_ms, at);
  EXPECT_EQ(o.last_error, "dropped by an operator");
  EXPECT_EQ(Query("SELECT at || '|' || actor || '|' || action || '|' || subject || '|' || detail "
                  "FROM audit"),
            std::to_string(at / 1000) + "|operator-2|outbox.drop|outbox #" + std::to_string(a1_) +
                "|registered by hand");

  ASSERT_TRUE(MarkHeld(*ledger_, a2_, "x", at).ok());
  ASSERT_TRUE(DropOutbox(*ledger_, a2_, "operator-2", "", at).ok());
  EXPECT_EQ(Get(a2_).state, "dropped");

  ASSERT_TRUE(MarkFailed(*ledger_, b1_, "Rejected", false, true, at, at).ok());
  ASSERT_TRUE(DropOutbox(*ledger_, b1_, "operator-2", "", at).ok());
  EXPECT_EQ(Get(b1_).state, "dropped");
  EXPECT_EQ(Count("audit", "action = 'outbox.drop'"), 3);

  // Dropped or sent: refused.
  Status again = DropOutbox(*ledger_, a1_, "operator-2", "", at);
  EXPECT_EQ(again.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(again.message(), "pending, held or dead"));
  EXPECT_EQ(DropOutbox(*ledger_, 4242, "operator-2", "", at).code(), StatusCode::kNotFound);
  EXPECT_EQ(Count("audit"), 3);
}

TEST_F(OutboxTest, DropRefusesSentItems) {
  QueueTwoTickets();
  ASSERT_TRUE(MarkSent(*ledger_, Get(b1_), "XF-9", now_).ok());
  EXPECT_EQ(DropOutbox(*ledger_, b1_, "operator-2", "", now_).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(b1_).state, "sent");
  EXPECT_EQ(Count("audit"), 0);
}

TEST_F(OutboxTest, SupersedingPushDropsOlderPendingAndHeldOfTheSameKind) {
  // Each version of the order asks for a result of its own revision.
  Script([](const Change& c) {
    std::vector<OutboxRequest> out;
    const std::string rev = "r" + std::to_string(c.ticket->version - kT0);
    const bool held = c.ticket->native_state == "held";
    out.push_back(Req("provincial", "result", "HN-1", rev, held ? "missing process" : "", true));
    if (c.inserted) out.push_back(Req("provincial", "note", "HN-1", "n"));
    return out;
  });
  CommitOk({MakeTicket("YY-A", kT0 + 1, 1, "held"), MakeTicket("YY-B", kT0 + 1, 1, "held")});
  const int64_t r1 = ItemId("YY-A", "provincial", "result", "r1");
  const int64_t note = ItemId("YY-A", "provincial", "note", "n");
  const int64_t other = ItemId("YY-B", "provincial", "result", "r1");
  EXPECT_EQ(Get(r1).state, "held");

  // A new held result replaces the held one; other actions and other tickets are untouched.
  CommitOk({MakeTicket("YY-A", kT0 + 2, 1, "held")});
  const int64_t r2 = ItemId("YY-A", "provincial", "result", "r2");
  OutboxItem old = Get(r1);
  EXPECT_EQ(old.state, "dropped");
  EXPECT_EQ(old.last_error, "superseded by #" + std::to_string(r2));
  EXPECT_EQ(old.done_ms, now_);
  EXPECT_EQ(Get(r2).state, "held");
  EXPECT_EQ(Get(note).state, "pending");
  EXPECT_EQ(Get(other).state, "held");

  // The same request again (a re-read with a new version) queues nothing and drops nothing.
  Script([](const Change&) {
    return std::vector<OutboxRequest>{Req("provincial", "result", "HN-1", "r2", "x", true)};
  });
  EXPECT_EQ(CommitOk({MakeTicket("YY-A", kT0 + 3, 1, "held")}).queued, 0);
  EXPECT_EQ(Get(r2).state, "held");

  // A complete one replaces it and goes out after the note.
  Script([](const Change&) {
    return std::vector<OutboxRequest>{Req("provincial", "result", "HN-1", "r4", "", true)};
  });
  CommitOk({MakeTicket("YY-A", kT0 + 4, 1, "done")});
  const int64_t r4 = ItemId("YY-A", "provincial", "result", "r4");
  EXPECT_EQ(Get(r2).state, "dropped");
  EXPECT_EQ(Get(r4).state, "pending");
  EXPECT_EQ(DueIds("provincial", now_), (std::vector<int64_t>{note}));
  ASSERT_TRUE(MarkSent(*ledger_, Get(note), "", now_).ok());
  EXPECT_EQ(DueIds("provincial", now_), (std::vector<int64_t>{r4}));

  // A sent result is history: a later one does not touch it.
  ASSERT_TRUE(MarkSent(*ledger_, Get(r4), "", now_).ok());
  Script([](const Change&) {
    return std::vector<OutboxRequest>{Req("provincial", "result", "HN-1", "r5", "", true)};
  });
  CommitOk({MakeTicket("YY-A", kT0 + 5, 1, "done")});
  EXPECT_EQ(Get(r4).state, "sent");
}

TEST_F(OutboxTest, WithoutSupersedesOlderItemsStay) {
  Script([](const Change& c) {
    return std::vector<OutboxRequest>{
        Req("provincial", "result", "HN-1", "r" + std::to_string(c.ticket->version - kT0))};
  });
  CommitOk({MakeTicket("YY-A", kT0 + 1)});
  CommitOk({MakeTicket("YY-A", kT0 + 2)});
  EXPECT_EQ(Count("outbox", "state = 'pending'"), 2);
}

TEST_F(OutboxTest, NextDueMsFollowsWhatDueOutboxWouldReturn) {
  EXPECT_FALSE(NextDue("petition").has_value());
  QueueTwoTickets();
  const int64_t queued = now_;
  EXPECT_EQ(NextDue("petition"), queued);
  EXPECT_FALSE(NextDue("provincial").has_value());

  // B waits 5 s, A's create 9 s: A's progress, due now, is behind A's create.
  ASSERT_TRUE(MarkFailed(*ledger_, b1_, "Unavailable", false, false, queued + 5000, queued).ok());
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Unavailable", false, false, queued + 9000, queued).ok());
  EXPECT_EQ(NextDue("petition"), queued + 5000);

  // Held and dead items are never due.
  ASSERT_TRUE(MarkHeld(*ledger_, b1_, "x", queued).ok());
  EXPECT_EQ(NextDue("petition"), queued + 9000);
  ASSERT_TRUE(MarkFailed(*ledger_, a1_, "Rejected", false, true, queued, queued).ok());
  EXPECT_FALSE(NextDue("petition").has_value());
}

TEST_F(OutboxTest, CountOutboxGroupsByTargetAndState) {
  QueueTwoTickets();  // Three petition items at t1.
  const int64_t t1 = now_;
  Script([](const Change&) {
    return std::vector<OutboxRequest>{Req("provincial", "accept", "HN-1", "0"),
                                      Req("provincial", "return", "HN-1", "0")};
  });
  CommitOk({MakeTicket("HN-1")}, "provincial");
  const int64_t t2 = now_;
  ASSERT_TRUE(MarkSent(*ledger_, Get(a1_), "XF-1", t2).ok());
  ASSERT_TRUE(MarkHeld(*ledger_, a2_, "x", t2).ok());
  ASSERT_TRUE(MarkFailed(*ledger_, b1_, "Rejected", false, true, t2, t2).ok());
  const int64_t ret = std::stoll(Query("SELECT id FROM outbox WHERE action = 'return'"));
  ASSERT_TRUE(DropOutbox(*ledger_, ret, "operator", "", t2).ok());

  auto counts = CountOutbox(*ledger_);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  std::vector<std::string> got;
  for (const OutboxCount& c : *counts) {
    got.push_back(c.target + "/" + c.state + "/" + std::to_string(c.count) + "/" +
                  (c.oldest_ms ? std::to_string(*c.oldest_ms) : "-"));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "petition/dead/1/" + std::to_string(t1),
                     "petition/held/1/" + std::to_string(t1),
                     "petition/sent/1/-",
                     "provincial/pending/1/" + std::to_string(t2),
                 }));
}

TEST_F(OutboxTest, ContextLooksUpTicketsFlagsAndCounterpartsInTheTransaction) {
  struct Answers {
    std::optional<int64_t> other;
    bool flagged = false;
    bool counterpart = false;
  };
  std::vector<Answers> answers;
  router_.fn = [&](const Change& c, RouteContext& ctx, std::vector<OutboxRequest>& out) {
    Answers a;
    auto other = ctx.FindTicket(kSource, "YY-OTHER");
    auto flagged = ctx.Flagged(c.ticket_id, "petition");
    auto counterpart = ctx.HasCounterpart(c.ticket_id, "petition");
    if (!other.ok()) return other.status();
    if (!flagged.ok()) return flagged.status();
    if (!counterpart.ok()) return counterpart.status();
    a.other = *other;
    a.flagged = *flagged;
    a.counterpart = *counterpart;
    answers.push_back(a);
    if (c.inserted && c.ticket->external_id == "YY-A") {
      out.push_back(Req("petition", "create", "", "0"));
    }
    return Status::Ok();
  };
  // YY-OTHER comes first in the page: the look-up sees the page's own uncommitted rows.
  CommitOk({MakeTicket("YY-OTHER"), MakeTicket("YY-A")});
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[1].other, TicketId("YY-OTHER"));
  EXPECT_EQ(answers[0].other, TicketId("YY-OTHER"));
  EXPECT_FALSE(answers[1].flagged);
  EXPECT_FALSE(answers[1].counterpart);  // Asked before its create is queued.

  const int64_t a = TicketId("YY-A");
  ASSERT_TRUE(ledger_->impl()
                  ->db
                  .Exec("INSERT INTO flags (ticket_id, flag, actor, created_at) VALUES (" +
                        std::to_string(a) + ", 'petition', 'operator', 1)")
                  .ok());
  CommitOk({MakeTicket("YY-A", kT0 + 60, 2, "已办结")});
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_TRUE(answers[2].flagged);
  EXPECT_TRUE(answers[2].counterpart) << "the create queued (not yet sent) counts";
  ASSERT_EQ(router_.seen.size(), 3u);
  EXPECT_FALSE(router_.seen[2].inserted);
  EXPECT_EQ(router_.seen[2].previous_native_state, "办理中");
  EXPECT_EQ(router_.seen[2].previous_history, 1u);

  // A dropped create without a link is no counterpart; a sent one is, through its link.
  const int64_t create = ItemId("YY-A", "petition", "create", "0");
  ASSERT_TRUE(DropOutbox(*ledger_, create, "operator", "", now_).ok());
  CommitOk({MakeTicket("YY-A", kT0 + 120, 2, "已办结")});
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_FALSE(answers[3].counterpart);
}

TEST_F(OutboxTest, CityRouterQueuesThroughTheLedger) {
  auto rules = routing::LoadRules("");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  routing::CityRouter city(std::move(rules).value());
  ledger_->SetRouter(&city);
  Ticket t = MakeTicket("YY2306120001", kT0, 2);
  t.unit = "市信访局";
  t.category = "人力资源和社会保障类";
  PageStats stats = CommitOk({t});
  EXPECT_EQ(stats.queued, 3);  // create + two log entries.
  const int64_t create = ItemId("YY2306120001", "petition", "create", "0");
  const int64_t log1 = ItemId("YY2306120001", "petition", "progress", "log:1");
  EXPECT_EQ(DueIds("petition", now_), (std::vector<int64_t>{create}));
  ASSERT_TRUE(MarkSent(*ledger_, Get(create), "XF-430600-2023-000042", now_).ok());
  auto due = DueOutbox(*ledger_, "petition", now_, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().target_ref, "XF-430600-2023-000042");
  ASSERT_TRUE(MarkSent(*ledger_, due->front(), "", now_).ok());
  EXPECT_EQ(DueIds("petition", now_), (std::vector<int64_t>{log1}));

  // The same record read again queues nothing; a new log entry queues one progress.
  EXPECT_EQ(CommitOk({t}).queued, 0);
  Ticket newer = MakeTicket("YY2306120001", kT0 + 60, 3);
  newer.unit = "市信访局";
  newer.category = "人力资源和社会保障类";
  EXPECT_EQ(CommitOk({newer}).queued, 1);
  ledger_->SetRouter(nullptr);
  Ticket newest = MakeTicket("YY2306120001", kT0 + 120, 4);
  newest.unit = "市信访局";
  EXPECT_EQ(CommitOk({newest}).queued, 0);  // No router: nothing routed.
}

}  // namespace
}  // namespace hs::ledger
