// Tests of the 12345 request signature (platforms/hotline-12345.md, "Authentication"). Expected
// digests were computed independently with `openssl dgst -sha256 [-hmac KEY]`.

#include "adapters/hotline12345/signing.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::hotline12345 {
namespace {

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigningTest, PercentEncodeKeepsUnreservedCharacters) {
  const std::string kUnreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(PercentEncode(kUnreserved), kUnreserved);
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(SigningTest, PercentEncodeEscapesEverythingElseInUpperCase) {
  EXPECT_EQ(PercentEncode(" "), "%20");
  EXPECT_EQ(PercentEncode("+"), "%2B");
  EXPECT_EQ(PercentEncode("*"), "%2A");
  EXPECT_EQ(PercentEncode("/?#[]@!$&'()*,;=:%"),
            "%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D%3A%25");
  EXPECT_EQ(PercentEncode("\xff\xfe"), "%FF%FE");
  EXPECT_EQ(PercentEncode(std::string("a\0b", 3)), "a%00b");
  EXPECT_EQ(PercentEncode("2023-06-12 10:00:00"), "2023-06-12%2010%3A00%3A00");
}

TEST(SigningTest, PercentEncodeWritesChineseAsUtf8Bytes) {
  // python3 -c "import urllib.parse; print(urllib.parse.quote('投诉 a+b/c~d', safe='-._~'))"
  EXPECT_EQ(PercentEncode("投诉 a+b/c~d"), "%E6%8A%95%E8%AF%89%20a%2Bb%2Fc~d");
  EXPECT_EQ(PercentEncode("中文"), "%E4%B8%AD%E6%96%87");
  EXPECT_EQ(PercentEncode("１"), "%EF%BC%91");
}

TEST(SigningTest, CanonicalQueryOfNothingIsEmpty) { EXPECT_EQ(CanonicalQuery({}), ""); }

TEST(SigningTest, CanonicalQuerySortsByName) {
  QueryParams params = {{"since", "2023-06-12 10:00:00"}, {"limit", "100"}, {"cursor", "c/1+2"}};
  EXPECT_EQ(CanonicalQuery(params), "cursor=c%2F1%2B2&limit=100&since=2023-06-12%2010%3A00%3A00");
}

TEST(SigningTest, CanonicalQuerySortsRepeatedNamesByValue) {
  EXPECT_EQ(CanonicalQuery({{"a", "2"}, {"b", ""}, {"a", "1"}}), "a=1&a=2&b=");
}

TEST(SigningTest, CanonicalQueryEncodesNamesAndValues) {
  EXPECT_EQ(CanonicalQuery({{"单位", "市住建局"}, {"x y", "a&b=c"}}),
            "x%20y=a%26b%3Dc&%E5%8D%95%E4%BD%8D=%E5%B8%82%E4%BD%8F%E5%BB%BA%E5%B1%80");
}

TEST(SigningTest, StringToSignHasSixLinesAndTheEmptyBodyHash) {
  std::string s = StringToSign("GET", "/api/v2/gongdan", "limit=100", "1686535200",
                               "abcdef0123456789abcdef", "");
  EXPECT_EQ(s,
            std::string("GET\n/api/v2/gongdan\nlimit=100\n1686535200\nabcdef0123456789abcdef\n") +
                kEmptySha256);
}

TEST(SigningTest, StringToSignWithEmptyQueryKeepsItsLine) {
  std::string s = StringToSign("GET", "/api/v2/gongdan/YY2306120001", "", "1686535200",
                               "nonce-0123456789ab", "");
  EXPECT_EQ(s,
            std::string("GET\n/api/v2/gongdan/YY2306120001\n\n1686535200\nnonce-0123456789ab\n") +
                kEmptySha256);
}

TEST(SigningTest, StringToSignHashesTheBody) {
  // printf '{"wbbh":"XF-1"}' | openssl dgst -sha256
  std::string s = StringToSign("POST", "/api/v2/gongdan", "", "1686535200", "nonce-0123456789ab",
                               R"({"wbbh":"XF-1"})");
  EXPECT_EQ(s.substr(s.rfind('\n') + 1),
            "8c0c65009510391e13f459abf18b28a073104b03663050f8f166f4e8c7c559bc");
}

TEST(SigningTest, SignMatchesTheRfcStyleVector) {
  // printf 'The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -hmac key
  EXPECT_EQ(Sign("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(SigningTest, SignsAPagedPullAsTheContractSays) {
  std::string query = CanonicalQuery({{"since", "2023-06-12 10:00:00"}, {"limit", "100"}});
  std::string sts =
      StringToSign("GET", "/api/v2/gongdan", query, "1686535200", "abcdef0123456789abcdef", "");
  // printf 'GET\n/api/v2/gongdan\nlimit=100&since=2023-06-12%%2010%%3A00%%3A00\n1686535200\n
  //   abcdef0123456789abcdef\ne3b0…b855' | openssl dgst -sha256 -hmac test-secret
  EXPECT_EQ(Sign("test-secret", sts),
            "26ad033256beba2338e1a080b7e684db5ecd466536eb0b9f4771039c9f66571a");
}

TEST(SigningTest, SignsAPostWithABody) {
  std::string sts = StringToSign("POST", "/api/v2/gongdan", "", "1686535200", "nonce-0123456789ab",
                                 R"({"wbbh":"XF-1"})");
  EXPECT_EQ(Sign("s3cr3t", sts),
            "f6f07a7aca6c37cb8ba36ac17aed90fcfe2abc5f892ac050b6ee24ca7b433f52");
}

TEST(SigningTest, SignatureIsLowerCaseHexAndChangesWithEveryPart) {
  const std::string base =
      Sign("k", StringToSign("GET", "/api/v2/gongdan", "limit=1", "1", "n0123456789abcdef", ""));
  ASSERT_EQ(base.size(), 64u);
  EXPECT_EQ(base.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(base, Sign("K", StringToSign("GET", "/api/v2/gongdan", "limit=1", "1",
                                         "n0123456789abcdef", "")));
  EXPECT_NE(base, Sign("k", StringToSign("POST", "/api/v2/gongdan", "limit=1", "1",
                                         "n0123456789abcdef", "")));
  EXPECT_NE(base, Sign("k", StringToSign("GET", "/api/v2/gongdan/", "limit=1", "1",
                                         "n0123456789abcdef", "")));
  EXPECT_NE(base, Sign("k", StringToSign("GET", "/api/v2/gongdan", "limit=2", "1",
                                         "n0123456789abcdef", "")));
  EXPECT_NE(base, Sign("k", StringToSign("GET", "/api/v2/gongdan", "limit=1", "2",
                                         "n0123456789abcdef", "")));
  EXPECT_NE(base, Sign("k", StringToSign("GET", "/api/v2/gongdan", "limit=1", "1",
                                         "n0123456789abcdeF", "")));
  EXPECT_NE(base, Sign("k", StringToSign("GET", "/api/v2/gongdan", "limit=1", "1",
                                         "n0123456789abcdef", " ")));
}

}  // namespace
}  // namespace hs::hotline12345
