// `hotline-sync match-eval` end to end (issue 4): the shipped fixture goes through the daemon's
// ledger and matcher and is scored; a pair naming an unknown message is an error; with the shared
// TipDM corpus present, the dev pairs score at least what this release measured (README figures).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

namespace {

struct Output {
  int code = -1;
  std::string text;
};

Output RunCli(const std::string& args) {
  Output o;
  FILE* p = popen((std::string(HS_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) o.text.append(buf, n);
  const int status = pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

const std::string kFixtures = std::string(HS_SOURCE_DIR) + "/tests/fixtures/match/";

double Metric(const std::string& text, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(name + "=([0-9.]+)"))) return -1;
  return std::stod(m[1]);
}

TEST(MatchEvalTest, TheFixtureIsScoredThroughTheLedger) {
  const Output o = RunCli("match-eval --corpus " + kFixtures + "messages.csv --pairs " + kFixtures +
                          "pairs.tsv");
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("10 messages, 8 complainants"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("labelled \\ predicted"), std::string::npos) << o.text;
  // The last line is the one the held-back run reads.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      o.text, m, std::regex("\nsame_f1=[0-9]\\.[0-9]{3} related_f1=[0-9]\\.[0-9]{3}\n$")))
      << o.text;
  EXPECT_EQ(Metric(o.text, "same_f1"), 1.0) << o.text;
  EXPECT_EQ(Metric(o.text, "related_f1"), 1.0) << o.text;
}

TEST(MatchEvalTest, APairNamingAnUnknownMessageIsAnError) {
  const std::string pairs = ::testing::TempDir() + "/bad-pairs.tsv";
  FILE* f = fopen(pairs.c_str(), "w");
  fputs("a\tb\tlabel\n1\t99\tsame\n", f);
  fclose(f);
  const Output o = RunCli("match-eval --corpus " + kFixtures + "messages.csv --pairs " + pairs);
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.text.find("not in the corpus"), std::string::npos) << o.text;
}

TEST(MatchEvalTest, TheSharedDevPairsScoreAtLeastTheMeasuredFigures) {
  const std::string dir = std::string(HS_SHARED_DATA_DIR) + "/teddycup2020/";
  if (!std::filesystem::exists(dir + "pairs-dev.tsv")) {
    GTEST_SKIP() << dir << " is not here (a fresh clone has no shared data)";
  }
  const Output o =
      RunCli("match-eval --corpus " + dir + "messages.csv --pairs " + dir + "pairs-dev.tsv");
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_GE(Metric(o.text, "same_f1"), 0.88) << o.text;
  EXPECT_GE(Metric(o.text, "related_f1"), 0.85) << o.text;
  // Cases stay one matter each: before the cohesion rule and the long-letter fix a chain of
  // pairwise matches made one case of 195 unrelated messages; now the largest is a real hot spot
  // of 51 (伊景园滨河苑 parking spaces sold with flats).
  std::smatch largest;
  ASSERT_TRUE(std::regex_search(o.text, largest, std::regex("the largest ([0-9]+)"))) << o.text;
  EXPECT_LE(std::stoi(largest[1]), 60) << o.text;
}

}  // namespace
