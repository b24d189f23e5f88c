// Repeat complaints and routing together (issue 4, DESIGN.md flow 3) on a real ledger with the
// shipped rules: a transferred petition about a matter the citizen already reported to 12345 joins
// that order (a 备注 on the order, a link; no second order); a provincial dispatch always gets its
// own order.
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

TEST_F(CaseRoutingTest, ATransferredPetitionRepeatingAnOpenOrderJoinsIt) {
  Commit("hotline12345", Order("YY2023060001"));
  Ticket p = Dispatch("XF-1", "金鹗山庄3栋电梯故障多次困人",
                      "金鹗山庄3栋电梯本月故障五次困人，物业不彻底维修。");
  p.address.clear();
  p.native_state = "TRANSFERRED";
  Commit("petition", p);
  EXPECT_EQ(Outbox("XF-1"), (std::vector<std::string>{"hotline12345 create dropped ",
                                                     "hotline12345 note pending YY2023060001"}));
  EXPECT_EQ(LinkOf("XF-1", "hotline12345"), "YY2023060001");

  // Read again: nothing new is queued, and no order is ever created for it.
  p.version = 2;
  p.raw = "{ }";
  Commit("petition", p);
  EXPECT_EQ(Outbox("XF-1").size(), 2u);
}

TEST_F(CaseRoutingTest, ADispatchAlwaysGetsItsOwnOrder) {
  // Even when it repeats an open order: its accept must reach the province before any result,
  // which a joined order's closure could not guarantee.
  Commit("hotline12345", Order("YY2023060002"));
  Commit("provincial", Dispatch("SD-2", "金鹗山庄3栋电梯故障多次困人",
                                "金鹗山庄3栋电梯本月故障五次困人，物业不彻底维修。"));
  EXPECT_EQ(Outbox("SD-2"), (std::vector<std::string>{"provincial accept pending SD-2",
                                                      "hotline12345 create pending "}));
  EXPECT_EQ(LinkOf("SD-2", "hotline12345"), "");
}

}  // namespace
}  // namespace hs
