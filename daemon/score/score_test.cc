// Tests of the assessment (issue 5): facts derived from transfer logs (returns and re-dispatch,
// extensions, rework, revisits from an earlier month), counts at the cut-off, exact composites and
// the bulletin's number formats, the policy read with errors that name the key.
#include "daemon/score/scorer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "daemon/config/shipped.h"
#include "daemon/ledger/assessment.h"
#include "daemon/ledger/ledger_impl.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::score {
namespace {

using hs::testing::Has;

int64_t At(const char* text) { return *ParseShanghaiTime(text); }

HistoryEntry E(const char* at, const char* action, const char* unit, const char* result = "") {
  HistoryEntry h;
  h.at = At(at);
  h.action = action;
  h.unit = unit;
  h.result = result;
  return h;
}

Ticket Order(const std::string& id, const char* channel, const char* deadline,
             std::vector<HistoryEntry> log, const char* extended = nullptr) {
  Ticket t;
  t.external_id = id;
  t.channel = channel;
  t.title = "噪音扰民";
  t.content = "夜间施工噪音很大";
  t.unit = log.back().unit;
  t.accepted_at = log.front().at;
  t.deadline = At(deadline);
  if (extended != nullptr) t.extended_deadline = At(extended);
  t.state = "in_progress";
  t.updated_at = log.back().at;
  t.version = t.updated_at;
  t.history = std::move(log);
  t.raw = "{\"gdbh\":\"" + id + "\",\"n\":" + std::to_string(t.history.size()) + "}";
  return t;
}

class ScoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = ledger::Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
    auto policy = LoadPolicy("");
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    policy_ = *policy;
    auto units = routing::LoadUnitRegistry("");
    ASSERT_TRUE(units.ok()) << units.status().ToString();
    units_ = *units;
    june_ = *ParseShanghaiMonth("2023-06");
    std::vector<Ticket> page = {
        // On time, answered 满意.
        Order("1", "电话", "2023-06-05 00:00:00",
              {E("2023-06-02 09:00:00", "派单", "岳阳楼区"), E("2023-06-03 09:00:00", "办结", "岳阳楼区"),
               E("2023-06-04 09:00:00", "回访", "岳阳楼区", "满意")}),
        // Late, dissatisfied, reworked, closed again, satisfied.
        Order("2", "电话", "2023-06-05 00:00:00",
              {E("2023-06-02 09:00:00", "派单", "岳阳楼区"), E("2023-06-10 09:00:00", "办结", "岳阳楼区"),
               E("2023-06-11 09:00:00", "回访", "岳阳楼区", "不满意"),
               E("2023-06-11 10:00:00", "返工", "岳阳楼区"), E("2023-06-12 09:00:00", "办结", "岳阳楼区"),
               E("2023-06-13 09:00:00", "回访", "岳阳楼区", "满意")}),
        // Returned by 云溪区, re-dispatched; closed after the deadline but within the extension.
        Order("3", "信访平台推送", "2023-06-05 00:00:00",
              {E("2023-06-02 09:00:00", "派单", "云溪区"), E("2023-06-02 10:00:00", "退单", "云溪区"),
               E("2023-06-03 09:00:00", "派单", "岳阳楼区"),
               E("2023-06-04 09:00:00", "申请延期", "岳阳楼区"),
               E("2023-06-04 12:00:00", "延期通过", "岳阳楼区"),
               E("2023-06-15 09:00:00", "办结", "岳阳楼区")},
              "2023-06-20 00:00:00"),
        // Dispatched late in June, closed in July (late).
        Order("4", "电话", "2023-06-28 00:00:00",
              {E("2023-06-25 09:00:00", "派单", "岳阳楼区"), E("2023-07-02 09:00:00", "办结", "岳阳楼区")}),
        // A May order revisited in June: its answer counts in June; 未联系上 does not.
        Order("5", "电话", "2023-05-25 00:00:00",
              {E("2023-05-20 09:00:00", "派单", "岳阳楼区"), E("2023-05-22 09:00:00", "办结", "岳阳楼区"),
               E("2023-06-01 09:00:00", "回访", "岳阳楼区", "未联系上"),
               E("2023-06-02 09:00:00", "回访", "岳阳楼区", "基本满意")}),
        // A letter, under the name the mailbox uses for 市公安交警支队.
        Order("6", "市长信箱", "2023-06-10 00:00:00",
              {E("2023-06-05 09:00:00", "派单", "市公安局交警支队"),
               E("2023-06-06 09:00:00", "办结", "市公安局交警支队"),
               E("2023-06-07 09:00:00", "回访", "市公安局交警支队", "满意")}),
    };
    ledger::SyncRun run;
    run.source = "hotline12345";
    auto stats = ledger_->CommitPage("hotline12345", page, {}, "c", run, At("2023-07-03 00:00:00") * 1000);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  }

  TableScore Score(const std::string& table, int64_t cutoff) {
    auto s = ScoreTable(*ledger_, policy_, units_, table, june_, cutoff);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : TableScore{};
  }

  const UnitRow* Row(const TableScore& s, const std::string& unit) {
    for (const UnitRow& r : s.rows) {
      if (r.unit == unit) return &r;
    }
    return nullptr;
  }

  hs::testing::TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  Policy policy_;
  std::vector<routing::Unit> units_;
  MonthSpan june_;
};

TEST_F(ScoreTest, CountsFollowTheTransferLogAtTheCutOff) {
  const TableScore s = Score("hotline", june_.end - 1);
  const UnitRow* r = Row(s, "岳阳楼区");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->counts.due, 4);       // 1, 2, 3 (re-dispatched to it), 4; not May's 5.
  EXPECT_EQ(r->counts.done, 3);      // 4 closes in July.
  EXPECT_EQ(r->counts.on_time, 2);   // 1, and 3 within its extension.
  EXPECT_EQ(r->counts.rework, 1);
  EXPECT_EQ(r->counts.extended, 1);
  EXPECT_EQ(r->counts.revisits, 4);  // 满意, 不满意, 满意, and May's 基本满意.
  EXPECT_EQ(r->counts.dissatisfied, 1);
  // 40 + 0.3·75 + 0.3·50 − 0.2·25 − 0.2·25
  EXPECT_EQ(r->composite_micros, 67'500'000);
  EXPECT_EQ(r->grade, "C");
  EXPECT_EQ(Row(s, "云溪区"), nullptr);  // It returned its only order.
  EXPECT_NE(std::find(s.empty.begin(), s.empty.end(), "云溪区"), s.empty.end());

  const TableScore later = Score("hotline", At("2023-07-31 23:59:59"));
  EXPECT_EQ(Row(later, "岳阳楼区")->counts.done, 4);
  EXPECT_EQ(Row(later, "岳阳楼区")->counts.on_time, 2);  // 4 closed after its deadline.
  const TableScore earlier = Score("hotline", At("2023-06-02 09:30:00"));
  EXPECT_EQ(Row(earlier, "云溪区")->counts.due, 1);  // Returned, not yet re-dispatched.
  EXPECT_EQ(Row(earlier, "岳阳楼区")->counts.due, 2);
}

TEST_F(ScoreTest, FactsAreRefilledFromTheEventsWhenTheirDerivationIsOlder) {
  auto& db = ledger_->impl()->db;
  const std::string facts =
      "SELECT group_concat(ticket_id || n || month || unit || coalesce(closed_at, '-') || "
      "coalesce(extended_at, '-') || coalesce(reworked_at, '-') || coalesce(reassigned_at, '-'), "
      "'|') FROM (SELECT * FROM assessment_orders ORDER BY ticket_id, n)";
  const std::string revisits =
      "SELECT group_concat(ticket_id || n || unit || at || result, '|') "
      "FROM (SELECT * FROM assessment_revisits ORDER BY ticket_id, n)";
  auto before = db.QueryText(facts), before_revisits = db.QueryText(revisits);
  ASSERT_TRUE(before.ok() && before_revisits.ok());
  ASSERT_TRUE(db.Exec("DELETE FROM assessment_orders; DELETE FROM assessment_revisits; "
                      "UPDATE derived SET version = 0 WHERE name = 'assessment'").ok());
  auto refilled = ledger::RefreshAssessment(db);
  ASSERT_TRUE(refilled.ok()) << refilled.status().ToString();
  EXPECT_EQ(*refilled, 6);
  EXPECT_EQ(*db.QueryText(facts), *before);
  EXPECT_EQ(*db.QueryText(revisits), *before_revisits);
  EXPECT_EQ(*ledger::RefreshAssessment(db), 0);  // Current: nothing to do.
}

TEST_F(ScoreTest, TheMailboxCountsSatisfiedLettersUnderItsOwnName) {
  const TableScore s = Score("mailbox", june_.end - 1);
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.rows[0].unit, "市公安交警支队");
  EXPECT_EQ(s.rows[0].shown, "市公安局交警支队");
  EXPECT_EQ(s.rows[0].counts.satisfied, 1);
  EXPECT_EQ(FormatMicros(s.rows[0].composite_micros, 2), "100");
  EXPECT_EQ(s.rows[0].grade, "A");
}

TEST_F(ScoreTest, AChangedWeightChangesTheOutputWithoutARebuild) {
  auto shipped = config::ShippedFile("assessment.toml");
  ASSERT_TRUE(shipped.has_value());
  std::string text(*shipped);
  const std::string from = "weights = { done_rate = 0.3, on_time_rate = 0.3, rework_rate = -0.2";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(),
               "weights = { done_rate = 0.5, on_time_rate = 0.1, rework_rate = -0.2");
  const std::string file = dir_.File("assessment.toml");
  std::ofstream(file) << text;
  auto policy = LoadPolicy(file);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  policy_ = *policy;
  // 40 + 0.5·75 + 0.1·50 − 5 − 5
  EXPECT_EQ(Row(Score("hotline", june_.end - 1), "岳阳楼区")->composite_micros, 72'500'000);
}

TEST_F(ScoreTest, AdjustmentsDerivedFromTheLedgerAndEntered) {
  std::vector<TableScore> tables = {Score("hotline", june_.end - 1), Score("mailbox", june_.end - 1)};
  // A quality finding on order 2, and an entered bonus; another month's entry does not count.
  ASSERT_TRUE(ledger_->impl()->db.Exec(
      "INSERT INTO flags (ticket_id, flag, actor, created_at) "
      "SELECT id, 'quality', 'test', 0 FROM tickets WHERE external_id = '2'").ok());
  ledger::EnteredAdjustment bonus;
  bonus.month = 202306;
  bonus.unit = "云溪区";
  bonus.points_micros = 1'000'000;
  bonus.indicator = "创新创优";
  bonus.detail = "市民开放日";
  bonus.actor = "test";
  auto id = ledger::AddAdjustment(*ledger_, bonus, 1);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  bonus.month = 202307;
  ASSERT_TRUE(ledger::AddAdjustment(*ledger_, bonus, 2).ok());

  auto all = Adjustments(*ledger_, policy_, units_, tables, june_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> lines;
  for (const Adjustment& a : *all) {
    lines.push_back(a.unit + " " + FormatMicros(a.points_micros, 6, true) + " " + a.indicator + " " +
                    a.detail);
  }
  const std::vector<std::string> expected = {
      "云溪区 +1 创新创优 市民开放日",
      "岳阳楼区 -1 热线办理质量 " + policy_.quality_detail + " (热线编号: 2)",
      // 1 extension in 4 orders: 25%, 15 whole points over 10%.
      "岳阳楼区 -7.5 热线办理质量 工单延期率高于 10%时, 每高一个百分点扣 0.5 分",
      "岳阳楼区 -4 热线办理综合考评 热线月度考评 C 类",
  };
  EXPECT_EQ(lines, expected);

  ASSERT_TRUE(ledger::RemoveAdjustment(*ledger_, *id, "test", "entered twice", 3).ok());
  EXPECT_EQ(ledger::RemoveAdjustment(*ledger_, *id, "test", "", 4).code(), StatusCode::kNotFound);
  auto after = Adjustments(*ledger_, policy_, units_, tables, june_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 3u);
  auto audited = ledger_->impl()->db.QueryText(
      "SELECT count(*) FROM audit WHERE action IN ('adjust.add', 'adjust.remove')");
  ASSERT_TRUE(audited.ok());
  EXPECT_EQ(*audited, "3");
}

TEST_F(ScoreTest, RunningFiguresAndRankings) {
  ASSERT_TRUE(ledger_->impl()->db.Exec("UPDATE tickets SET deputy = 1, category = '城市管理类' "
                                       "WHERE external_id IN ('1', '2')").ok());
  auto f = TableFigures(*ledger_, *policy_.Table("hotline"), june_, june_.end - 1);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->all.due, 4);
  EXPECT_EQ(f->all.done, 3);
  EXPECT_EQ(f->all.on_time, 2);
  EXPECT_EQ(f->all.revisits, 4);
  EXPECT_EQ(f->satisfied_answers, 3);
  EXPECT_EQ(f->deputy.due, 2);
  EXPECT_EQ(f->deputy.revisits, 3);  // Orders 1 and 2: 满意, 不满意, 满意.
  EXPECT_EQ(f->deputy_satisfied, 2);
  const std::vector<std::pair<std::string, int64_t>> categories = {{"", 2}, {"城市管理类", 2}};
  EXPECT_EQ(f->by_category, categories);  // Most first, then by name.
  EXPECT_EQ(f->by_channel.size(), 2u);  // 电话 3, 信访平台推送 1.

  const TableScore s = Score("hotline", june_.end - 1);
  const std::vector<Ranked> ranked = Rankings(s);
  ASSERT_EQ(ranked.size(), policy_.Table("hotline")->rankings.size());
  EXPECT_EQ(ranked[0].ranking.group, "县市区");
  ASSERT_EQ(ranked[0].top.size(), 1u);
  EXPECT_EQ(ranked[0].top[0]->unit, "岳阳楼区");
  EXPECT_TRUE(ranked[1].top.empty());  // 市直单位 need 100 orders.
}

TEST(PolicyTest, AnInvalidPolicyIsRefusedWithTheKeyNamed) {
  hs::testing::TempDir dir;
  auto shipped = config::ShippedFile("assessment.toml");
  ASSERT_TRUE(shipped.has_value());
  auto refused = [&](const std::string& from, const std::string& to) {
    std::string text(*shipped);
    EXPECT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    const std::string file = dir.File("p.toml");
    std::ofstream(file) << text;
    auto p = LoadPolicy(file);
    EXPECT_FALSE(p.ok()) << to;
    return p.ok() ? std::string() : p.status().message();
  };
  EXPECT_TRUE(Has(refused("composite_decimals = 1", "composite_decimal = 1"), "composite_decimal"));
  EXPECT_TRUE(Has(refused("done_rate = 0.3, on_time_rate = 0.3, rework", "done_rat = 0.3, on_time_rate = 0.3, rework"),
                  "done_rat"));
  EXPECT_TRUE(Has(refused("{ grade = \"B\", min = 85 }", "{ grade = \"B\", min = 95 }"), "min"));
  EXPECT_TRUE(Has(refused("satisfaction = \"satisfied\"", "satisfaction = \"happy\""), "satisfaction"));
  EXPECT_TRUE(Has(refused("channels = [\"电话\", \"信访平台推送\"]", "channels = [\"电话\", \"市长信箱\"]"),
                  "市长信箱"));
  EXPECT_TRUE(Has(refused("constant = 40", "constant = \"40\""), "constant"));
  EXPECT_TRUE(Has(refused("quality_points = -1", "quality_points = -1.0000001"), "quality_points"));
}

TEST(FormatTest, PointsAreReadExactly) {
  EXPECT_EQ(*ParseMicros("-2"), -2'000'000);
  EXPECT_EQ(*ParseMicros("+1"), 1'000'000);
  EXPECT_EQ(*ParseMicros("-0.5"), -500'000);
  EXPECT_EQ(*ParseMicros("0.000001"), 1);
  for (const char* bad : {"", "-", "1.0000001", "1e3", "two", "1.5.2", "99999999"}) {
    EXPECT_FALSE(ParseMicros(bad).ok()) << bad;
  }
}

TEST(FormatTest, RatesAndCompositesAsTheBulletinPrintsThem) {
  EXPECT_EQ(FormatRate(3359, 3415, 2), "98.36%");
  EXPECT_EQ(FormatRate(1521, 1521, 2), "100%");
  EXPECT_EQ(FormatRate(0, 5, 2), "0%");
  EXPECT_EQ(FormatRate(0, 0, 2), "0%");
  EXPECT_EQ(FormatRate(497, 500, 2), "99.40%");
  EXPECT_EQ(FormatRate(2, 3, 2), "66.67%");
  EXPECT_EQ(FormatMicros(93'000'000, 1), "93");
  EXPECT_EQ(FormatMicros(94'640'000, 1), "94.6");
  EXPECT_EQ(FormatMicros(96'230'000, 2), "96.23");
  EXPECT_EQ(FormatMicros(-500'000, 1, true), "-0.5");
  EXPECT_EQ(FormatMicros(1'000'000, 1, true), "+1");
}

TEST(CompositeTest, RoundsTheExactValueOnceHalfUp) {
  auto policy = LoadPolicy("");
  ASSERT_TRUE(policy.ok());
  const TablePolicy& hotline = *policy->Table("hotline");
  // 岳阳楼区, June 2023: 94.6 (rates rounded first would give another figure for some rows).
  Counts c;
  c.due = 3415;
  c.done = 3359;
  c.on_time = 3343;
  c.rework = 138;
  c.revisits = 3360;
  c.dissatisfied = 583;
  EXPECT_EQ(FormatMicros(Composite(hotline, c), 1), "94.6");
  const TablePolicy& mailbox = *policy->Table("mailbox");
  Counts m;
  m.due = m.done = 7;
  m.on_time = 2;
  m.satisfied = 5;
  EXPECT_EQ(FormatMicros(Composite(mailbox, m), 2), "72.86");  // 市国资委
}

}  // namespace
}  // namespace hs::score
