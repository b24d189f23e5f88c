#include "daemon/match/minhash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "daemon/match/normalize.h"

namespace hs::match {
namespace {

// Complaint texts in the style of the hotline's: the same matter retold, and other matters.
const std::string kA = NormalizeText(
    "金鹗山庄3栋电梯频繁故障，多次困人，物业维修后仍反复停运，请相关部门督促物业彻底维修。");
const std::string kARetold = NormalizeText(
    "金鹗山庄3栋的电梯频繁故障，已多次困人，物业维修后依然反复停运，请督促物业彻底维修。");
const std::string kOtherPlace = NormalizeText(
    "南湖花园5栋电梯频繁故障，多次困人，物业维修后仍反复停运，请相关部门督促物业彻底维修。");
const std::string kOtherMatter =
    NormalizeText("巴陵中路与东茅岭路交叉口红绿灯故障三天，早晚高峰拥堵严重，请交警部门尽快修复。");

TEST(MinHashTest, IdenticalTextsHaveIdenticalSignaturesAndKeys) {
  MinHasher h;
  EXPECT_EQ(h.Signature(kA), h.Signature(kA));
  EXPECT_EQ(MinHasher::Similarity(h.Signature(kA), h.Signature(kA)), 1.0);
  EXPECT_EQ(h.BandKeys(h.Signature(kA)), h.BandKeys(h.Signature(kA)));
  EXPECT_EQ(h.Signature(kA).size(), 128u);
  EXPECT_EQ(h.BandKeys(h.Signature(kA)).size(), 32u);
}

TEST(MinHashTest, TheEstimateFollowsTheExactJaccardSimilarity) {
  MinHasher h({.ngram = 2, .hashes = 256, .bands = 64});
  for (const auto& [a, b] : {std::pair{kA, kARetold}, std::pair{kA, kOtherPlace},
                             std::pair{kA, kOtherMatter}, std::pair{kARetold, kOtherPlace}}) {
    const double exact = Jaccard(a, b, 2);
    const double estimate = MinHasher::Similarity(h.Signature(a), h.Signature(b));
    // Standard error sqrt(J(1-J)/256) ≤ 0.032: four of them is far beyond chance.
    EXPECT_NEAR(estimate, exact, 0.13) << "exact " << exact;
  }
  EXPECT_GT(Jaccard(kA, kARetold, 2), 0.6);
  EXPECT_LT(Jaccard(kA, kOtherMatter, 2), 0.1);
}

TEST(MinHashTest, SimilarTextsShareABandAndUnrelatedOnesDoNot) {
  MinHasher h;
  auto shared = [&](const std::string& a, const std::string& b) {
    const auto ka = h.BandKeys(h.Signature(a));
    const auto kb = h.BandKeys(h.Signature(b));
    int n = 0;
    for (size_t i = 0; i < ka.size(); ++i) n += ka[i] == kb[i];
    return n;
  };
  EXPECT_GT(shared(kA, kARetold), 0);
  EXPECT_GT(shared(kA, kOtherPlace), 0);  // Text alone cannot tell places apart: that is for the
                                          // decision, which compares the places named.
  EXPECT_EQ(shared(kA, kOtherMatter), 0);
}

TEST(MinHashTest, ShortAndEmptyTexts) {
  MinHasher h;
  EXPECT_EQ(Jaccard("", "", 2), 1.0);
  EXPECT_EQ(Jaccard("a", "", 2), 0.0);
  EXPECT_EQ(Jaccard("噪", "噪", 2), 1.0);  // Shorter than a shingle: the text is its one shingle.
  EXPECT_EQ(MinHasher::Similarity(h.Signature(""), h.Signature("")), 1.0);
  EXPECT_EQ(MinHasher::Similarity(h.Signature("噪音"), h.Signature("")), 0.0);
  EXPECT_EQ(MinHasher::Similarity({1, 2}, {1}), 0.0);
}

TEST(MinHashTest, ShinglesAreCodePointsNotBytes) {
  // Two texts that share bytes across character boundaries but no character pairs.
  EXPECT_EQ(Jaccard("电梯", "梯电", 2), 0.0);
  EXPECT_EQ(Jaccard("电梯故障", "电梯故障", 3), 1.0);
  EXPECT_NEAR(Jaccard("电梯故障", "电梯停运", 2), 1.0 / 5.0, 1e-9);  // {电梯} of 5 pairs.
}

TEST(MinHashTest, TheSeedFixesTheHashes) {
  EXPECT_EQ(MinHasher({}, 1).Signature(kA), MinHasher({}, 1).Signature(kA));
  EXPECT_NE(MinHasher({}, 1).Signature(kA), MinHasher({}, 2).Signature(kA));
}

}  // namespace
}  // namespace hs::match
