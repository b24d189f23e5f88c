// Repeat complaints and routing together (issue 4, DESIGN.md flow 3) on a real ledger with the
// shipped rules: a provincial dispatch about a matter the citizen already reported to 12345 joins
// that order (accept, a 备注 on the order, a link; no second order), and the order's closure
// becomes the dispatch's result. A dispatch that matches nothing open still makes its own order.
#include <gtest/gtest.h>

#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/match/service.h"
#include "daemon/routing/router.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

constexpr int64_t kT0 = 1'686'531'600;

class CaseRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = ledger::Ledger::Open(dir_.File("ledger.db"), {});
    ASSERT_TRUE(l.ok()) << l.status().message();
    ledger_ = std::move(l).value();
    auto rules = routing::LoadRules("");
    ASSERT_TRUE(rules.ok()) << rules.status().message();
    router_ = std::make_unique<routing::CityRouter>(std::move(rules).value());
    auto v = match::LoadVocabulary("");
    ASSERT_TRUE(v.ok());
    match::ServiceOptions o;
    o.hmac_key = "test-key-0123456789abcdef";
    matcher_ = std::make_unique<match::MatchService>(std::move(v).value(), o);
    ledger_->SetMatchHook(matcher_.get());
    ledger_->SetRouter(router_.get());
  }

  void Commit(const std::string& source, const Ticket& t) {
    ledger::SyncRun run;
    run.source = source;
    auto s = ledger_->CommitPage(source, {t}, {}, "c", run, kT0 * 1000);
    ASSERT_TRUE(s.ok()) << s.status().message();
  }

  // "action state target_ref" of each outbox row of the ticket, in order.
  std::vector<std::string> Outbox(const std::string& external_id) {
    auto* im = ledger_->impl();
    auto st = sql::Stmt::Prepare(im->db, R"(
SELECT o.target || ' ' || o.action || ' ' || o.state || ' ' || o.target_ref FROM outbox o
JOIN tickets t ON t.id = o.ticket_id WHERE t.external_id = ?1 ORDER BY o.id)");
    st->Bind(1, external_id);
    return *sql::ReadRows(*st, [](sql::Stmt& s) { return s.Text(0); });
  }

  std::string LinkOf(const std::string& external_id, const std::string& target) {
    auto* im = ledger_->impl();
    auto st = sql::Stmt::Prepare(im->db, R"(
SELECT l.remote_id FROM links l JOIN tickets t ON t.id = l.ticket_id
WHERE t.external_id = ?1 AND l.target = ?2)");
    st->Bind(1, external_id).Bind(2, target);
    return *st->Step() ? st->Text(0) : "";
  }

  static Ticket Order(const std::string& gdbh) {
    Ticket t;
    t.external_id = gdbh;
    t.channel = "电话";
    t.kind = "投诉";
    t.title = "金鹗山庄3栋电梯频繁故障困人";
    t.content = "金鹗山庄3栋电梯这个月坏了五次，多次困人，物业只是重启，请督促彻底维修。";
    t.phone = "13812345678";
    t.unit = "岳阳楼区人民政府";
    t.accepted_at = kT0;
    t.updated_at = kT0;
    t.version = kT0;
    t.state = std::string(state::kInProgress);
    t.native_state = "办理中";
    t.raw = "{}";
    return t;
  }

  static Ticket Dispatch(const std::string& id, const std::string& title,
                         const std::string& content) {
    Ticket t;
    t.external_id = id;
    t.title = title;
    t.content = content;
    t.phone = "+86 138-1234-5678";
    t.address = "岳阳市岳阳楼区";
    t.accepted_at = kT0 + 86'400;
    t.updated_at = kT0 + 86'400;
    t.deadline = kT0 + 10 * 86'400;
    t.version = 1;
    t.state = std::string(state::kPending);
    t.native_state = "PENDING";
    t.raw = "{}";
    return t;
  }

  hs::testing::TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<routing::CityRouter> router_;
  std::unique_ptr<match::MatchService> matcher_;
};

TEST_F(CaseRoutingTest, ADispatchRepeatingAnOpenOrderJoinsItAndGetsItsResult) {
  Commit("hotline12345", Order("YY2023060001"));
  Commit("provincial", Dispatch("SD-1", "金鹗山庄3栋电梯故障多次困人",
                                "金鹗山庄3栋电梯本月故障五次困人，物业不彻底维修。"));
  EXPECT_EQ(Outbox("SD-1"),
            (std::vector<std::string>{"provincial accept pending SD-1",
                                      "hotline12345 create dropped ",
                                      "hotline12345 note pending YY2023060001"}));
  EXPECT_EQ(LinkOf("SD-1", "hotline12345"), "YY2023060001");

  // Read again: nothing new is queued, and no order is ever created for it.
  Ticket again = Dispatch("SD-1", "金鹗山庄3栋电梯故障多次困人",
                          "金鹗山庄3栋电梯本月故障五次困人，物业不彻底维修。");
  again.version = 2;
  again.raw = "{ }";
  Commit("provincial", again);
  EXPECT_EQ(Outbox("SD-1").size(), 3u);

  // The order closes: its closure is the dispatch's result.
  Ticket closed = Order("YY2023060001");
  closed.state = std::string(state::kClosed);
  closed.native_state = "已办结";
  closed.closed_at = kT0 + 3 * 86'400;
  closed.closure_text =
      "6月14日，承办人员电话联系诉求人，详细了解了诉求情况。已督促物业更换电梯主板。目前问题已解决。"
      "诉求人对处理结果表示满意。";
  closed.version = kT0 + 3 * 86'400;
  closed.raw = "{\"closed\":1}";
  Commit("hotline12345", closed);
  const auto pushes = Outbox("YY2023060001");
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0], "provincial result pending SD-1");
}

TEST_F(CaseRoutingTest, ADispatchWithoutAnOpenRepeatMakesItsOwnOrder) {
  Commit("hotline12345", Order("YY2023060002"));
  Commit("provincial", Dispatch("SD-2", "王家河污水直排", "王家河沿岸工厂污水直排河道发臭。"));
  EXPECT_EQ(Outbox("SD-2"), (std::vector<std::string>{"provincial accept pending SD-2",
                                                      "hotline12345 create pending "}));
  EXPECT_EQ(LinkOf("SD-2", "hotline12345"), "");
}

}  // namespace
}  // namespace hs
