// Tests of the deadline queries (DESIGN.md flow 5) on a real ledger: which provincial dispatches
// and hotline orders are open, the extended deadline replacing the deadline, near (within the lead)
// and overdue (deadline <= now), soonest first, the limit, the per-source counts with the province
// first, and MarkWarned recording each (ticket, deadline, level) once.
#include "daemon/ledger/deadlines.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/core/ticket.h"
#include "daemon/ledger/ledger.h"
#include "tests/fakes/temp_dir.h"

namespace hs::ledger {
namespace {

constexpr int64_t kNow = 1686618000;  // 2023-06-13 09:00:00 Beijing time, Unix seconds.
constexpr int64_t kHour = 3600;
constexpr std::string_view kProvincial = "provincial";
constexpr std::string_view kHotline = "hotline12345";

// A provincial dispatch in `native` (PENDING, ACCEPTED, …) due at `deadline`.
Ticket Dispatch(const std::string& id, const std::string& native, std::optional<int64_t> deadline) {
  Ticket t;
  t.external_id = id;
  t.channel = "省长信箱";
  t.title = "噪音扰民";
  t.content = "夜间施工噪音大";
  t.address = "岳阳市平江县";
  t.complainant = "张某";
  t.phone = "13800000000";
  t.deadline = deadline;
  t.native_state = native;
  if (native == "PENDING") t.state = "pending";
  if (native == "ACCEPTED") t.state = "in_progress";
  if (native == "REOPENED") t.state = "reopened";
  if (native == "RESULT_SUBMITTED") t.state = "closed";
  if (native == "CLOSED") t.state = "archived";
  if (native == "RETURNED") t.state = "returned";
  t.updated_at = kNow - 86400;
  t.version = 1;
  t.raw = "{\"dispatchId\":\"" + id + "\",\"state\":\"" + native + "\"}";
  return t;
}

// A hotline order in canonical `state` due at `deadline`, perhaps extended.
Ticket Order(const std::string& id, const std::string& state, std::optional<int64_t> deadline,
             std::optional<int64_t> extended = std::nullopt) {
  static const std::pair<std::string_view, std::string_view> kLabels[] = {
      {"pending", "待签收"}, {"in_progress", "办理中"}, {"extension_review", "延期审核中"},
      {"closed", "已办结"},  {"revisited", "已回访"},   {"archived", "已归档"},
      {"returned", "已退单"}};
  Ticket t;
  t.external_id = id;
  t.channel = "电话";
  t.kind = "投诉";
  t.category = "城市管理类";
  t.title = "占道经营";
  t.content = "某路口长期占道经营";
  t.complainant = "李某";
  t.phone = "13900000000";
  t.unit = "岳阳楼区";
  t.unit_code = "430602";
  t.accepted_at = kNow - 3 * 86400;
  t.deadline = deadline;
  t.extended_deadline = extended;
  t.state = state;
  for (const auto& [s, label] : kLabels) {
    if (s == state) t.native_state = std::string(label);
  }
  t.updated_at = kNow - 86400;
  t.version = t.updated_at;
  t.raw = "{\"gdbh\":\"" + id + "\",\"gdzt\":\"" + t.native_state + "\"}";
  return t;
}

std::vector<std::string> Ids(const std::vector<DeadlineRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.external_id);
  return out;
}

const DeadlineRow* Find(const std::vector<DeadlineRow>& rows, std::string_view id) {
  for (const auto& r : rows) {
    if (r.external_id == id) return &r;
  }
  return nullptr;
}

class DeadlinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  void Commit(std::string_view source, const std::vector<Ticket>& tickets) {
    SyncRun run;
    run.source = std::string(source);
    run.started_ms = kNow * 1000;
    ++pages_;
    auto r = ledger_->CommitPage(source, tickets, {}, "c" + std::to_string(pages_), run,
                                 kNow * 1000 + pages_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  DeadlineQuery Query(int64_t now = kNow) {
    DeadlineQuery q;
    q.now_s = now;
    return q;
  }

  std::vector<DeadlineRow> AtRisk(const DeadlineQuery& q) {
    auto rows = AtRiskDeadlines(*ledger_, q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<DeadlineRow>{};
  }

  bool Warn(const DeadlineRow& row) {
    auto r = MarkWarned(*ledger_, row, kNow);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }

  testing::TempDir dir_;
  std::unique_ptr<Ledger> ledger_;
  int pages_ = 0;
};

TEST_F(DeadlinesTest, ProvincialDispatchesCountWhileNotAnswered) {
  const int64_t due = kNow + kHour;
  Commit(kProvincial,
         {Dispatch("HN-P-PENDING", "PENDING", due), Dispatch("HN-P-ACCEPTED", "ACCEPTED", due + 1),
          Dispatch("HN-P-REOPENED", "REOPENED", due + 2),
          Dispatch("HN-P-SUBMITTED", "RESULT_SUBMITTED", due),
          Dispatch("HN-P-CLOSED", "CLOSED", due), Dispatch("HN-P-RETURNED", "RETURNED", due),
          Dispatch("HN-P-NODEADLINE", "PENDING", std::nullopt)});
  auto rows = AtRisk(Query());
  EXPECT_EQ(Ids(rows),
            (std::vector<std::string>{"HN-P-PENDING", "HN-P-ACCEPTED", "HN-P-REOPENED"}));
  for (const auto& r : rows) {
    EXPECT_EQ(r.source, kProvincial);
    EXPECT_FALSE(r.overdue) << r.external_id;
  }
  const DeadlineRow* reopened = Find(rows, "HN-P-REOPENED");
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->native_state, "REOPENED");
  EXPECT_EQ(reopened->state, "reopened");
  EXPECT_EQ(reopened->deadline, due + 2);
  EXPECT_EQ(reopened->title, "噪音扰民");
  EXPECT_GT(reopened->ticket_id, 0);

  auto counts = CountDeadlines(*ledger_, Query());
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].first, kProvincial);
  EXPECT_EQ((*counts)[0].second.near, 3);
  EXPECT_EQ((*counts)[0].second.overdue, 0);
}

TEST_F(DeadlinesTest, HotlineOrdersCountWhileNotClosed) {
  const int64_t due = kNow - kHour;  // Overdue, so that every open one is listed.
  Commit(kHotline,
         {Order("YY-PENDING", "pending", due), Order("YY-PROGRESS", "in_progress", due + 1),
          Order("YY-EXTREVIEW", "extension_review", due + 2), Order("YY-CLOSED", "closed", due),
          Order("YY-REVISITED", "revisited", due), Order("YY-ARCHIVED", "archived", due),
          Order("YY-RETURNED", "returned", due), Order("YY-NODEADLINE", "pending", std::nullopt)});
  auto rows = AtRisk(Query());
  EXPECT_EQ(Ids(rows), (std::vector<std::string>{"YY-PENDING", "YY-PROGRESS", "YY-EXTREVIEW"}));
  for (const auto& r : rows) {
    EXPECT_EQ(r.source, kHotline);
    EXPECT_TRUE(r.overdue) << r.external_id;
    EXPECT_EQ(r.unit, "岳阳楼区");
  }
  const DeadlineRow* progress = Find(rows, "YY-PROGRESS");
  ASSERT_NE(progress, nullptr);
  EXPECT_EQ(progress->state, "in_progress");
  EXPECT_EQ(progress->native_state, "办理中");

  auto counts = CountDeadlines(*ledger_, Query());
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].first, kHotline);
  EXPECT_EQ((*counts)[0].second.near, 0);
  EXPECT_EQ((*counts)[0].second.overdue, 3);
}

TEST_F(DeadlinesTest, OtherSourcesAreNotListed) {
  Ticket petition = Order("XF-430600-2023-000001", "in_progress", kNow - kHour);
  Commit("petition", {petition});
  // A hotline-like state under the provincial name, and a provincial-like state under the
  // hotline's, are not open items of either kind.
  Ticket odd_dispatch = Dispatch("HN-ODD", "IN_PROGRESS", kNow - kHour);
  odd_dispatch.state = "in_progress";
  Commit(kProvincial, {odd_dispatch});
  EXPECT_TRUE(AtRisk(Query()).empty());
}

TEST_F(DeadlinesTest, ExtendedDeadlineReplacesTheDeadline) {
  Commit(kHotline, {
                       // Past its deadline but extended to 2 h from now: near, not overdue.
                       Order("YY-EXT-NEAR", "in_progress", kNow - kHour, kNow + 2 * kHour),
                       // Due in 1 h but extended beyond the 24 h lead: not listed.
                       Order("YY-EXT-FAR", "extension_review", kNow + kHour, kNow + 30 * kHour),
                       // Extended, and the extension ran out too: overdue by its extension.
                       Order("YY-EXT-OVER", "in_progress", kNow - 5 * kHour, kNow - kHour),
                   });
  auto rows = AtRisk(Query());
  ASSERT_EQ(Ids(rows), (std::vector<std::string>{"YY-EXT-OVER", "YY-EXT-NEAR"}));
  EXPECT_TRUE(rows[0].overdue);
  EXPECT_EQ(rows[0].deadline, kNow - kHour);
  EXPECT_FALSE(rows[1].overdue);
  EXPECT_EQ(rows[1].deadline, kNow + 2 * kHour);
}

TEST_F(DeadlinesTest, NearWithinTheLeadOverdueAtTheDeadline) {
  const DeadlineQuery q = Query();
  Commit(kProvincial, {
                          Dispatch("HN-AT-NOW", "PENDING", kNow),  // deadline == now: overdue.
                          Dispatch("HN-JUST-AFTER", "PENDING", kNow + 1),
                          Dispatch("HN-AT-LEAD", "ACCEPTED", kNow + q.provincial_lead_s),
                          Dispatch("HN-BEYOND", "ACCEPTED", kNow + q.provincial_lead_s + 1),
                          Dispatch("HN-30H", "ACCEPTED", kNow + 30 * kHour),
                      });
  Commit(kHotline, {
                       Order("YY-AT-NOW", "in_progress", kNow),
                       Order("YY-AT-LEAD", "in_progress", kNow + q.hotline_lead_s),
                       Order("YY-BEYOND", "in_progress", kNow + q.hotline_lead_s + 1),
                       // 30 h: within the province's 48 h lead but not the hotline's 24 h.
                       Order("YY-30H", "in_progress", kNow + 30 * kHour),
                   });
  auto rows = AtRisk(q);
  EXPECT_EQ(Ids(rows), (std::vector<std::string>{"HN-AT-NOW", "YY-AT-NOW", "HN-JUST-AFTER",
                                                 "YY-AT-LEAD", "HN-30H", "HN-AT-LEAD"}));
  for (const auto& r : rows) {
    EXPECT_EQ(r.overdue, r.deadline <= kNow) << r.external_id;
  }
  ASSERT_NE(Find(rows, "HN-AT-NOW"), nullptr);
  EXPECT_TRUE(Find(rows, "HN-AT-NOW")->overdue);
  ASSERT_NE(Find(rows, "HN-JUST-AFTER"), nullptr);
  EXPECT_FALSE(Find(rows, "HN-JUST-AFTER")->overdue);

  // Other lead times move the line.
  DeadlineQuery shorter = q;
  shorter.provincial_lead_s = 1;
  shorter.hotline_lead_s = 0;
  EXPECT_EQ(Ids(AtRisk(shorter)),
            (std::vector<std::string>{"HN-AT-NOW", "YY-AT-NOW", "HN-JUST-AFTER"}));

  // Later, everything listed above is overdue, and the far ones come within their lead.
  auto later = AtRisk(Query(kNow + 60 * kHour));
  EXPECT_EQ(later.size(), 9u);
  for (const auto& r : later) EXPECT_TRUE(r.overdue) << r.external_id;
}

TEST_F(DeadlinesTest, SoonestFirstAndLimited) {
  Commit(kProvincial, {Dispatch("HN-C", "ACCEPTED", kNow + 3 * kHour),
                       Dispatch("HN-A", "PENDING", kNow - 2 * kHour)});
  Commit(kHotline,
         {Order("YY-D", "in_progress", kNow + 4 * kHour), Order("YY-B", "pending", kNow + kHour),
          Order("YY-E", "pending", kNow + kHour)});
  DeadlineQuery q = Query();
  auto rows = AtRisk(q);
  // Same deadline: by ledger id (insertion order).
  EXPECT_EQ(Ids(rows), (std::vector<std::string>{"HN-A", "YY-B", "YY-E", "HN-C", "YY-D"}));
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_LE(rows[i - 1].deadline, rows[i].deadline);

  q.limit = 2;
  EXPECT_EQ(Ids(AtRisk(q)), (std::vector<std::string>{"HN-A", "YY-B"}));
  q.limit = 0;
  EXPECT_TRUE(AtRisk(q).empty());

  // The counts are not limited.
  auto counts = CountDeadlines(*ledger_, q);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].first, kProvincial);
  EXPECT_EQ((*counts)[0].second.near, 1);
  EXPECT_EQ((*counts)[0].second.overdue, 1);
  EXPECT_EQ((*counts)[1].first, kHotline);
  EXPECT_EQ((*counts)[1].second.near, 3);
  EXPECT_EQ((*counts)[1].second.overdue, 0);
}

TEST_F(DeadlinesTest, CountsPutTheProvinceFirstWhateverItsName) {
  // "aaa-hotline" sorts before "zz-province": the province still comes first.
  Commit("zz-province", {Dispatch("HN-1", "PENDING", kNow - kHour)});
  Commit("aaa-hotline", {Order("YY-1", "in_progress", kNow + kHour)});
  DeadlineQuery q = Query();
  q.provincial = "zz-province";
  q.hotline = "aaa-hotline";
  auto counts = CountDeadlines(*ledger_, q);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].first, "zz-province");
  EXPECT_EQ((*counts)[0].second.overdue, 1);
  EXPECT_EQ((*counts)[1].first, "aaa-hotline");
  EXPECT_EQ((*counts)[1].second.near, 1);
  // The default names do not see these sources.
  EXPECT_TRUE(AtRisk(Query()).empty());
  auto none = CountDeadlines(*ledger_, Query());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(DeadlinesTest, MarkWarnedOncePerTicketDeadlineAndLevel) {
  Commit(kHotline, {Order("YY-W1", "in_progress", kNow + kHour),
                    Order("YY-W2", "in_progress", kNow + 2 * kHour)});
  auto rows = AtRisk(Query());
  ASSERT_EQ(rows.size(), 2u);
  const DeadlineRow near = rows[0];
  ASSERT_FALSE(near.overdue);

  EXPECT_TRUE(Warn(near));
  EXPECT_FALSE(Warn(near));
  EXPECT_FALSE(Warn(near));
  EXPECT_TRUE(Warn(rows[1]));  // Another ticket.

  // The same ticket and deadline once overdue: a new level.
  auto later = AtRisk(Query(kNow + 2 * kHour));
  const DeadlineRow* overdue = Find(later, "YY-W1");
  ASSERT_NE(overdue, nullptr);
  ASSERT_TRUE(overdue->overdue);
  EXPECT_EQ(overdue->ticket_id, near.ticket_id);
  EXPECT_TRUE(Warn(*overdue));
  EXPECT_FALSE(Warn(*overdue));
  EXPECT_FALSE(Warn(near));

  // An extension granted: a new deadline, warned about again.
  Ticket extended = Order("YY-W1", "extension_review", kNow + kHour, kNow + 20 * kHour);
  extended.version += 10;
  extended.updated_at += 10;
  extended.raw += " ";
  Commit(kHotline, {extended});
  auto after = AtRisk(Query());
  const DeadlineRow* renewed = Find(after, "YY-W1");
  ASSERT_NE(renewed, nullptr);
  EXPECT_EQ(renewed->deadline, kNow + 20 * kHour);
  EXPECT_EQ(renewed->ticket_id, near.ticket_id);
  EXPECT_FALSE(renewed->overdue);
  EXPECT_TRUE(Warn(*renewed));
  EXPECT_FALSE(Warn(*renewed));
}

}  // namespace
}  // namespace hs::ledger
