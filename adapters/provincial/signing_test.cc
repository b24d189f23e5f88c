// Tests of the provincial request signature (platforms/provincial.md, "Authentication"). Expected
// digests were computed independently with `printf '%s' '…' | md5sum`.

#include "adapters/provincial/signing.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace hs::provincial {
namespace {

TEST(ProvincialSigningTest, MatchesAnIndependentlyComputedVector) {
  // printf '%s' '4306001686535200000secret' | md5sum
  EXPECT_EQ(Signature("430600", "1686535200000", "secret"), "83a8aff4d382695998e9618f97de2dec");
}

TEST(ProvincialSigningTest, HashesTheUtf8BytesOfTheSecret) {
  // printf '%s' '4306001686535500001s3cr3t-岳阳' | md5sum
  EXPECT_EQ(Signature("430600", "1686535500001", "s3cr3t-岳阳"),
            "9013b3da5e983358b0f65c4009ce8b2a");
}

TEST(ProvincialSigningTest, EmptyPartsGiveTheMd5OfNothing) {
  EXPECT_EQ(Signature("", "", ""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(ProvincialSigningTest, IsAConcatenationWithoutSeparators) {
  EXPECT_EQ(Signature("430600", "1686535200000", "secret"),
            Signature("4306001686535200000", "", "secret"));
}

TEST(ProvincialSigningTest, IsLowerCaseHexAndChangesWithEveryPart) {
  const std::string base = Signature("430600", "1686535200000", "secret");
  ASSERT_EQ(base.size(), 32u);
  EXPECT_EQ(base.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(base, Signature("430601", "1686535200000", "secret"));
  EXPECT_NE(base, Signature("430600", "1686535200001", "secret"));
  EXPECT_NE(base, Signature("430600", "1686535200000", "Secret"));
}

TEST(ProvincialSigningTest, AcceptsSkewUpToFiveMinutesEitherWay) {
  const int64_t now = 1'686'535'200'000;
  EXPECT_TRUE(WithinSkew(now, now));
  EXPECT_TRUE(WithinSkew(now - 300'000, now));
  EXPECT_TRUE(WithinSkew(now + 300'000, now));
  EXPECT_FALSE(WithinSkew(now - 300'001, now));
  EXPECT_FALSE(WithinSkew(now + 300'001, now));
  EXPECT_EQ(kMaxSkewMs, 300'000);
}

TEST(ProvincialSigningTest, SkewOfExtremeValuesDoesNotOverflow) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_FALSE(WithinSkew(kMin, kMax));
  EXPECT_FALSE(WithinSkew(kMax, kMin));
  EXPECT_FALSE(WithinSkew(kMin, 0));
  EXPECT_TRUE(WithinSkew(kMax, kMax - 300'000));
  EXPECT_TRUE(WithinSkew(kMin + 300'000, kMin));
  EXPECT_FALSE(WithinSkew(kMin + 300'001, kMin));
}

}  // namespace
}  // namespace hs::provincial
