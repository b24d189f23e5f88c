// Tests of the vocabulary, the matcher and the corpus reader (issue 4): weights favour what is
// specific; a follow-up by the same complainant is `same`, the same place and problem from another
// is `related`, the same problem at another place is not applied, not even under one title;
// boilerplate alone brings no candidate; the window bounds candidates; CSV, Excel day numbers and
// labelled pairs are read.
#include "daemon/match/matcher.h"

#include <gtest/gtest.h>

#include "daemon/match/corpus.h"
#include "daemon/match/normalize.h"
#include "daemon/match/vocabulary.h"

namespace hs::match {
namespace {

// A small reference set: boilerplate in every text, places and problems in few.
Vocabulary TestVocabulary() {
  std::vector<std::string> texts;
  const char* places[] = {"金鹗山庄", "南湖花园", "巴陵中路", "东茅岭路", "洞庭村", "岳阳一中"};
  const char* problems[] = {"电梯故障", "噪音扰民", "路灯不亮", "垃圾无人清运", "停水", "违章搭建"};
  for (int i = 0; i < 60; ++i) {
    texts.push_back(NormalizeText(std::string("市民来电反映") + places[i % 6] +
                                  problems[(i / 6) % 6] + "请相关部门尽快处理"));
  }
  return Vocabulary::Build(texts, 2);
}

MatchInput Input(int64_t id, int64_t at, const std::string& title, const std::string& content,
                 const std::string& identity = "") {
  MatchInput in;
  in.ticket_id = id;
  in.at = at;
  in.title = NormalizeText(title);
  in.content = NormalizeText(content);
  if (!identity.empty()) in.identity_keys.push_back(identity);
  return in;
}

constexpr int64_t kDay = 86'400;
constexpr int64_t kT0 = 1'686'531'600;
const std::string kAlice(64, 'a');
const std::string kBob(64, 'b');

TEST(VocabularyTest, CommonGramsWeighLessAndTheTableRoundTrips) {
  const Vocabulary v = TestVocabulary();
  EXPECT_LT(v.Weight(GramOf("反映")), v.Weight(GramOf("鹗山")));
  EXPECT_GT(v.Weight(GramOf("从未")), v.Weight(GramOf("鹗山")));  // Unseen: rarest.
  auto again = Vocabulary::Parse(v.Write());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->size(), v.size());
  EXPECT_DOUBLE_EQ(again->Weight(GramOf("反映")), v.Weight(GramOf("反映")));
}

TEST(VocabularyTest, ParseNamesTheBadLine) {
  EXPECT_FALSE(Vocabulary::Parse("反映\t3\n").ok());  // No header.
  auto bad = Vocabulary::Parse("# documents 10 min_df 2\n反映\tmany\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(Vocabulary::Parse("# documents 10 min_df 2\n三个字\t3\n").ok());
  EXPECT_FALSE(Vocabulary::Parse("# documents 10 min_df 2\n反映\t11\n").ok());  // df > N
}

class MatcherTest : public ::testing::Test {
 protected:
  Vocabulary vocabulary_ = TestVocabulary();
  Matcher matcher_{vocabulary_, MatchOptions{}};
};

// A letter of 3,000 different characters mentions about 3,000 grams: a filter of fixed size would
// be mostly ones and say it mentions nearly every gram of any title (it did: 2,048 bits).
TEST_F(MatcherTest, ALongLetterDoesNotMentionEveryTitle) {
  std::string letter;
  uint32_t x = 12345;
  for (int i = 0; i < 3000; ++i) {
    x = x * 1103515245u + 12345u;
    const uint32_t cp = 0x4E00 + (x >> 8) % 0x5000;  // CJK Unified Ideographs
    letter += static_cast<char>(0xE0 | (cp >> 12));
    letter += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    letter += static_cast<char>(0x80 | (cp & 0x3F));
  }
  const Profile long_letter = matcher_.MakeProfile(Input(1, kT0, "来信", letter, kAlice));
  EXPECT_GE(long_letter.mentions.size() * 64, size_t{12} * 2900);
  for (const char* title : {"金鹗山庄电梯故障", "南湖花园噪音扰民", "东茅岭路路灯不亮"}) {
    const Profile other = matcher_.MakeProfile(Input(2, kT0, title, title, kBob));
    const Candidate c = matcher_.Score(other, long_letter);
    EXPECT_LT(c.evidence.cross, 0.25) << title;
  }
}

TEST_F(MatcherTest, AFollowUpBySameComplainantIsSameAndApplied) {
  matcher_.Add(matcher_.MakeProfile(
      Input(1, kT0, "金鹗山庄3栋电梯故障",
            "市民来电反映金鹗山庄3栋电梯频繁故障多次困人请相关部门尽快处理", kAlice)));
  const Profile again = matcher_.MakeProfile(
      Input(2, kT0 + 3 * kDay, "再次反映金鹗山庄3栋电梯故障仍未修好",
            "市民来电反映金鹗山庄3栋电梯上周反映后仍然故障物业未维修", kAlice));
  const auto found = matcher_.Find(again);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].ticket_id, 1);
  EXPECT_TRUE(found[0].same);
  EXPECT_TRUE(found[0].evidence.identity);
  EXPECT_GE(found[0].confidence, 0.5);
}

TEST_F(MatcherTest, TheSameMatterFromAnotherComplainantIsRelated) {
  matcher_.Add(matcher_.MakeProfile(
      Input(1, kT0, "巴陵中路路灯不亮", "巴陵中路东段路灯连续一周不亮晚上行人很危险", kAlice)));
  const auto found = matcher_.Find(matcher_.MakeProfile(
      Input(2, kT0 + kDay, "巴陵中路东段路灯坏了", "巴陵中路东段路灯不亮一周了晚上很危险", kBob)));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].same);
  EXPECT_GE(found[0].confidence, 0.5);
}

TEST_F(MatcherTest, TheSameProblemAtAnotherPlaceIsNotApplied) {
  matcher_.Add(matcher_.MakeProfile(
      Input(1, kT0, "金鹗山庄电梯故障", "金鹗山庄5栋电梯频繁故障请物业维修", kAlice)));
  const auto found = matcher_.Find(matcher_.MakeProfile(
      Input(2, kT0 + kDay, "南湖花园电梯故障", "南湖花园5栋电梯频繁故障请物业维修", kBob)));
  for (const Candidate& c : found) EXPECT_LT(c.confidence, 0.5) << c.confidence;
}

// A call-taker's title names the kind of problem, not the place: two workers of two companies
// get one title, and only the companies tell them apart.
TEST_F(MatcherTest, OneTitleForTwoCompaniesIsNotOneMatter) {
  matcher_.Add(matcher_.MakeProfile(
      Input(1, kT0, "劳动合同纠纷",
            "其在君山石材有限公司工作两年，单位未签书面劳动合同，近日无故将其辞退", kAlice)));
  const auto found = matcher_.Find(matcher_.MakeProfile(
      Input(2, kT0 + kDay / 2, "劳动合同纠纷",
            "其在洞庭物流有限公司工作两年，单位未签书面劳动合同，近日无故将其辞退", kBob)));
  for (const Candidate& c : found) {
    EXPECT_TRUE(c.evidence.place_conflict);
    EXPECT_LT(c.confidence, 0.5) << c.confidence;
  }
}

TEST_F(MatcherTest, BoilerplateAloneBringsNoCandidate) {
  for (int i = 0; i < 50; ++i) {
    matcher_.Add(matcher_.MakeProfile(
        Input(i + 1, kT0, "市民来电反映", "市民来电反映请相关部门尽快处理第" + std::to_string(i))));
  }
  const auto found = matcher_.Find(matcher_.MakeProfile(
      Input(100, kT0, "洞庭村停水", "市民来电反映洞庭村停水三天请相关部门尽快处理")));
  for (const Candidate& c : found) EXPECT_LT(c.confidence, 0.5);
}

TEST_F(MatcherTest, NumbersTypedIntoTheTextDoNotMakeComplaintsAlike) {
  auto score = [&](const std::string& a, const std::string& b) {
    return matcher_
        .Score(matcher_.MakeProfile(Input(1, kT0, "求索路夜间施工", "求索路夜间施工扰民" + a)),
               matcher_.MakeProfile(Input(2, kT0, "咨询公积金提取", "公积金提取需要什么材料" + b)))
        .confidence;
  };
  EXPECT_DOUBLE_EQ(score("13900000001，430602199001011235", "13900000002，43060219900101123x"),
                   score("", ""));
}

TEST_F(MatcherTest, LeavingAPairEarlyNeverChangesADecision) {
  // Every ordered pair of a mixed set: with `ask` as the floor, a pair at or above it scores
  // exactly as without; one below is left with confidence 0.
  const char* parts[] = {"金鹗山庄", "南湖花园",   "巴陵中路",    "洞庭村",
                         "电梯故障", "噪音扰民",   "停水",        "违章搭建",
                         "三天了",   "请尽快处理", "市民来电反映"};
  std::vector<Profile> profiles;
  uint64_t rng = 12345;
  auto pick = [&] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return parts[(rng >> 33) % std::size(parts)];
  };
  for (int64_t id = 1; id <= 60; ++id) {
    const std::string title = std::string(pick()) + pick();
    std::string content = title;
    for (int k = 0; k < 4; ++k) content += pick();
    profiles.push_back(
        matcher_.MakeProfile(Input(id, kT0 + id * 3600, title, content, id % 3 ? kAlice : kBob)));
  }
  const double ask = matcher_.options().ask;
  int above = 0, below = 0;
  for (const Profile& a : profiles) {
    for (const Profile& b : profiles) {
      const Candidate exact = matcher_.Score(a, b), early = matcher_.Score(a, b, ask);
      if (exact.confidence >= ask) {
        ++above;
        EXPECT_DOUBLE_EQ(early.confidence, exact.confidence);
      } else {
        ++below;
        EXPECT_LT(early.confidence, ask);
      }
    }
  }
  EXPECT_GT(above, 0);
  EXPECT_GT(below, 0);
}

TEST_F(MatcherTest, TicketsBeyondTheWindowAreNotCandidates) {
  MatchOptions o;
  o.window_s = 30 * kDay;
  Matcher m(vocabulary_, o);
  m.Add(m.MakeProfile(Input(1, kT0, "巴陵中路路灯不亮", "巴陵中路路灯不亮", kAlice)));
  EXPECT_TRUE(m.Find(m.MakeProfile(
                         Input(2, kT0 + 31 * kDay, "巴陵中路路灯不亮", "巴陵中路路灯不亮", kAlice)))
                  .empty());
  EXPECT_EQ(m.Find(m.MakeProfile(
                       Input(3, kT0 + 29 * kDay, "巴陵中路路灯不亮", "巴陵中路路灯不亮", kAlice)))
                .size(),
            1u);
  // A ticket far newer pushes the old one out of the index.
  m.Add(m.MakeProfile(Input(4, kT0 + 90 * kDay, "洞庭村停水", "洞庭村停水")));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.Indexed(1), nullptr);
}

TEST_F(MatcherTest, ReplacingAndRemovingAProfile) {
  matcher_.Add(matcher_.MakeProfile(Input(1, kT0, "巴陵中路路灯不亮", "巴陵中路路灯不亮")));
  matcher_.Add(matcher_.MakeProfile(Input(1, kT0, "洞庭村停水", "洞庭村停水")));
  EXPECT_EQ(matcher_.size(), 1u);
  EXPECT_TRUE(
      matcher_.Find(matcher_.MakeProfile(Input(2, kT0, "巴陵中路路灯不亮", "巴陵中路路灯不亮")))
          .empty());
  matcher_.Remove(1);
  EXPECT_EQ(matcher_.size(), 0u);
}

TEST(CorpusTest, QuotedFieldsSpanLinesAndExcelDayNumbersAreRead) {
  const std::string csv =
      "\xEF\xBB\xBF留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数\n"
      "1,U1,\"标题, 带逗号\",2019/2/28 11:25:05,\"第一行\n第二行 \"\"引号\"\"\",0,0\n"
      "2,U2,标题二,43524.5,内容,0,1\n";
  auto messages = ReadMessages(csv);
  ASSERT_TRUE(messages.ok()) << messages.status().message();
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ((*messages)[0].title, "标题, 带逗号");
  EXPECT_EQ((*messages)[0].text, "第一行\n第二行 \"引号\"");
  EXPECT_EQ((*messages)[0].at, 1551324305);  // 2019-02-28 11:25:05 +08:00
  EXPECT_EQ((*messages)[1].at, 1551326400);  // 2019-02-28 12:00:00 +08:00
}

TEST(CorpusTest, BadInputIsAnErrorNamingWhere) {
  EXPECT_FALSE(ParseCsv("a,\"open\n").ok());
  auto bad_time = ReadMessages("留言编号,留言用户,留言主题,留言时间,留言详情\n1,U,t,yesterday,x\n");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.status().message().find("row 2"), std::string::npos);
  EXPECT_FALSE(ReadMessages("编号,用户\n1,U\n").ok());
  EXPECT_FALSE(ReadPairs("x\ty\tz\n").ok());
  EXPECT_FALSE(ReadPairs("a\tb\tlabel\n1\t2\tsimilar\n").ok());
  auto pairs = ReadPairs("a\tb\tlabel\n1\t2\tsame\n\n3\t4\tdifferent\n");
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(pairs->size(), 2u);
}

}  // namespace
}  // namespace hs::match
