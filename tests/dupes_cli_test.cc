// The operators' side of repeat complaints (issue 4), through the binary: `dupes list|show|merge|
// split|reject`, the case in `ticket REF` and in `status`, errors for bad references, and no phone
// number in any of it.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "daemon/ledger/cases.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/match/service.h"
#include "tests/fakes/cli_runner.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

constexpr int64_t kT0 = 1'686'531'600;
constexpr const char* kPhone = "13812345678";

Ticket Make(const std::string& id, int64_t at, const std::string& title, const std::string& phone) {
  Ticket t;
  t.external_id = id;
  t.title = title;
  t.content = title + "，" + phone + "，请尽快处理。";
  t.phone = phone;
  t.accepted_at = at;
  t.updated_at = at;
  t.version = at;
  t.state = std::string(state::kInProgress);
  t.raw = "{}";
  return t;
}

class DupesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("ledger.db");
    auto ledger = ledger::Ledger::Open(db_, {});
    ASSERT_TRUE(ledger.ok());
    auto v = match::LoadVocabulary("");
    ASSERT_TRUE(v.ok());
    match::ServiceOptions o;
    o.hmac_key = "test-key-0123456789abcdef";
    match::MatchService service(std::move(v).value(), o);
    (*ledger)->SetMatchHook(&service);
    ledger::SyncRun run;
    run.source = "hotline12345";
    ASSERT_TRUE((*ledger)
                    ->CommitPage("hotline12345",
                                 {Make("A1", kT0, "金鹗山庄3栋电梯频繁故障困人", kPhone),
                                  Make("A2", kT0 + 86'400, "再次反映金鹗山庄3栋电梯故障困人", kPhone),
                                  Make("B1", kT0, "求索路夜间施工扰民", "13900000001"),
                                  Make("B2", kT0, "咨询公积金提取材料", "13900000002")},
                                 {}, "c", run, kT0 * 1000)
                    .ok());
    (*ledger)->SetMatchHook(nullptr);
    auto* im = (*ledger)->impl();
    std::lock_guard lock(im->mu);
    auto id = [&](const char* ext) {
      auto st = sql::Stmt::Prepare(im->db, "SELECT id FROM tickets WHERE external_id = ?1");
      st->Bind(1, ext);
      EXPECT_TRUE(*st->Step());
      return st->Int(0);
    };
    auto pending = ledger::StoreDecision(im->db, {id("B1"), id("B2"), "related", 0.42, false, "{}"},
                                         kT0);
    ASSERT_TRUE(pending.ok() && *pending > 0);
    pending_ = "d" + std::to_string(*pending);
  }

  struct Output {
    int code = -1;
    std::string text;
  };
  // Runs hotline-sync with `args` (words separated by spaces) and --db.
  Output Run(const std::string& args) {
    std::vector<std::string> argv;
    std::istringstream words(args);
    for (std::string w; words >> w;) argv.push_back(w);
    argv.push_back("--db");
    argv.push_back(db_);
    const testing::CliOutput run = testing::RunCli(HS_BINARY, argv, dir_.path().string());
    Output o{run.code, run.all()};
    EXPECT_EQ(o.text.find(kPhone), std::string::npos) << args << " printed a phone number";
    EXPECT_EQ(o.text.find("12345678"), std::string::npos) << args;
    return o;
  }

  hs::testing::TempDir dir_;
  std::string db_, pending_;
};

TEST_F(DupesCliTest, ReviewMergeSplitAndReject) {
  Output list = Run("dupes list");
  ASSERT_EQ(list.code, 0) << list.text;
  EXPECT_NE(list.text.find(pending_), std::string::npos) << list.text;
  EXPECT_NE(list.text.find("多人同诉"), std::string::npos) << list.text;

  Output pair = Run("dupes show " + pending_);
  ASSERT_EQ(pair.code, 0) << pair.text;
  EXPECT_NE(pair.text.find("求索路夜间施工扰民"), std::string::npos) << pair.text;
  EXPECT_NE(pair.text.find("│"), std::string::npos) << pair.text;  // Side by side.
  EXPECT_NE(pair.text.find("证据"), std::string::npos) << pair.text;

  Output ticket = Run("ticket A1");
  ASSERT_EQ(ticket.code, 0) << ticket.text;
  EXPECT_NE(ticket.text.find("案件 (case) c"), std::string::npos) << ticket.text;
  const size_t at = ticket.text.find("案件 (case) c");
  const std::string case_ref = ticket.text.substr(at + std::string("案件 (case) ").size(), 2);

  Output shown = Run("dupes show " + case_ref);
  ASSERT_EQ(shown.code, 0) << shown.text;
  EXPECT_NE(shown.text.find("hotline12345 A2"), std::string::npos) << shown.text;
  EXPECT_NE(shown.text.find("一诉多投"), std::string::npos) << shown.text;

  EXPECT_NE(Run("status").text.find("Repeat complaints"), std::string::npos);

  EXPECT_EQ(Run("dupes reject " + pending_).code, 0);
  EXPECT_NE(Run("dupes list").text.find("No match waits"), std::string::npos);
  EXPECT_NE(Run("dupes reject " + pending_).code, 0);  // Decided already.

  EXPECT_EQ(Run("dupes split " + case_ref + " A2").code, 0);
  EXPECT_EQ(Run("ticket A1").text.find("案件 (case)"), std::string::npos);
  EXPECT_EQ(Run("dupes merge A1 A2").code, 0);
  EXPECT_NE(Run("ticket A2").text.find("案件 (case)"), std::string::npos);
}

TEST_F(DupesCliTest, BadReferencesSayWhatToGive) {
  Output o = Run("dupes show dx");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.text.find("case (c12) or decision (d34)"), std::string::npos) << o.text;
  o = Run("dupes show d999");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.text.find("dupes list"), std::string::npos) << o.text;
  o = Run("dupes merge A1 NOPE");
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.text.find("no ticket"), std::string::npos) << o.text;
  o = Run("dupes reject c1");
  EXPECT_NE(o.code, 0);
}

}  // namespace
}  // namespace hs
