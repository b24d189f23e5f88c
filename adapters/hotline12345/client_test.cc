// The hotline adapter against a scripted transport: signing, business codes, paging and cursor
// rules, and hostile bodies (RELIABILITY.md fault suite item 9), each ending in a clear status and
// a reject with its reason, never a crash.
#include "adapters/hotline12345/client.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>

#include "adapters/hotline12345/signing.h"
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"
#include "daemon/log/log.h"
#include "tests/fakes/fake_transport.h"

namespace hs::hotline12345 {
namespace {

constexpr int64_t kNowMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.

std::string Record(const std::string& gdbh, const std::string& gxsj,
                   const std::string& extra = "") {
  return R"({"gdbh":")" + gdbh +
         R"(","slsj":"2023-06-12 09:00:00","qdly":"电话","sqr":"张先生",)"
         R"("lxdh":"13812345678","sqlx":"投诉","sqfl":"城市管理类","sqbt":"噪音扰民",)"
         R"("sqnr":"市民来电反映：小区附近夜间施工噪音很大，请相关部门尽快处理。","cbdw":"岳阳楼区",)"
         R"("blsx":"2023-06-15 09:00:00","gdzt":"办理中","fgcs":0,"rddb":false,"sq":false,)"
         R"("lzjl":[{"sj":"2023-06-12 09:00:00","dz":"派单","dw":"岳阳楼区","sm":""}],"gxsj":")" +
         gxsj + "\"" + extra + "}";
}

std::string Page(const std::vector<std::string>& records, bool has_more, const std::string& next) {
  std::string list;
  for (const auto& r : records) list += (list.empty() ? "" : ",") + r;
  return R"({"code":0,"msg":"成功","data":{"list":[)" + list + R"(],"next_cursor":")" + next +
         R"(","has_more":)" + (has_more ? "true" : "false") + "}}";
}

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<adapters::Adapter> Make(int64_t lookback_ms = 60'000) {
    Options o;
    o.base_url = "http://127.0.0.1:9/api/v2";
    o.app_key = "yy-sync";
    o.app_secret = "s3cret";
    o.page_size = 2;
    o.lookback_ms = lookback_ms;
    return CreateWithOptions(o, {&transport_, &clock_, log::Get("adapter.test")});
  }
  // Pulls with `cursor` and returns the page; fails the test on error.
  adapters::Page PullOk(adapters::Adapter& a, const std::string& cursor) {
    Reject r;
    auto page = a.Pull(cursor, r);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? std::move(page).value() : adapters::Page{};
  }
  // The query parameter `name` of the i-th request sent, or "" when absent.
  std::string QueryParam(size_t i, const std::string& name) {
    const std::string& url = transport_.sent().at(i).url;
    size_t q = url.find('?');
    std::string query = q == std::string::npos ? "" : url.substr(q + 1);
    for (size_t start = 0; start <= query.size();) {
      size_t amp = query.find('&', start);
      std::string kv =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (kv.starts_with(name + "=")) return kv.substr(name.size() + 1);
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    return "";
  }

  testing::FakeTransport transport_;
  FakeClock clock_{kNowMs};
};

TEST_F(ClientTest, SignsEachRequestAsTheContractSays) {
  auto a = Make();
  transport_.Respond(200, Page({}, false, ""));
  PullOk(*a, "");
  const HttpRequest& req = transport_.sent().at(0);
  std::map<std::string, std::string> h(req.headers.begin(), req.headers.end());
  EXPECT_EQ(h["X-App-Key"], "yy-sync");
  EXPECT_EQ(h["X-Timestamp"], "1686585600");
  EXPECT_GE(h["X-Nonce"].size(), 16u);
  std::string query = req.url.substr(req.url.find('?') + 1);
  EXPECT_EQ(query, "limit=2");
  EXPECT_EQ(h["X-Sign"], Sign("s3cret", StringToSign("GET", "/api/v2/gongdan", query,
                                                     h["X-Timestamp"], h["X-Nonce"], "")));
}

TEST_F(ClientTest, EveryTryHasANewNonce) {
  auto a = Make();
  transport_.Respond(200, Page({}, false, ""));
  transport_.Respond(200, Page({}, false, ""));
  PullOk(*a, "");
  PullOk(*a, "");
  auto nonce = [&](size_t i) {
    for (const auto& [k, v] : transport_.sent().at(i).headers)
      if (k == "X-Nonce") return v;
    return std::string();
  };
  EXPECT_NE(nonce(0), nonce(1));
}

TEST_F(ClientTest, PagesWithTheCursorThenMovesSinceToTheNewestChangeLessTheLookback) {
  auto a = Make(60'000);
  transport_.Respond(
      200, Page({Record("YY1", "2023-06-12 10:00:00"), Record("YY2", "2023-06-12 10:05:00")}, true,
                "c1"));
  transport_.Respond(200, Page({Record("YY3", "2023-06-12 11:00:00")}, false, ""));
  transport_.Respond(200, Page({}, false, ""));
  adapters::Page p1 = PullOk(*a, "");
  ASSERT_EQ(p1.tickets.size(), 2u);
  EXPECT_TRUE(p1.has_more);
  adapters::Page p2 = PullOk(*a, p1.next_cursor);
  EXPECT_EQ(QueryParam(1, "cursor"), "c1");
  EXPECT_EQ(QueryParam(1, "since"), "");  // Same since as the first page: none.
  EXPECT_FALSE(p2.has_more);
  PullOk(*a, p2.next_cursor);
  EXPECT_EQ(QueryParam(2, "since"), "2023-06-12%2010%3A59%3A00");
  EXPECT_EQ(QueryParam(2, "cursor"), "");
}

TEST_F(ClientTest, ExpiredCursorRestartsFromTheSavedSince) {
  auto a = Make();
  transport_.Respond(200, Page({Record("YY1", "2023-06-12 10:00:00")}, true, "c1"));
  transport_.Respond(200, R"({"code":40010,"msg":"游标已失效","data":null})");
  transport_.Respond(200, Page({Record("YY1", "2023-06-12 10:00:00")}, false, ""));
  adapters::Page p1 = PullOk(*a, "");
  adapters::Page p2 = PullOk(*a, p1.next_cursor);
  ASSERT_EQ(transport_.sent().size(), 3u);
  EXPECT_EQ(QueryParam(1, "cursor"), "c1");
  EXPECT_EQ(QueryParam(2, "cursor"), "");
  EXPECT_EQ(p2.tickets.size(), 1u);
}

TEST_F(ClientTest, StaleSavedCursorIsNotSentAtAll) {
  auto a = Make();
  transport_.Respond(200, Page({Record("YY1", "2023-06-12 10:00:00")}, true, "c1"));
  transport_.Respond(200, Page({}, false, ""));
  adapters::Page p1 = PullOk(*a, "");
  clock_.Advance(11 * 60'000);
  PullOk(*a, p1.next_cursor);
  EXPECT_EQ(QueryParam(1, "cursor"), "");
}

TEST_F(ClientTest, FutureTimesDoNotPushSincePastThisMachinesClock) {
  auto a = Make(0);
  transport_.Respond(200, Page({Record("YY9", "2099-01-01 00:00:00")}, false, ""));
  transport_.Respond(200, Page({}, false, ""));
  adapters::Page p = PullOk(*a, "");
  ASSERT_EQ(p.tickets.size(), 1u);
  PullOk(*a, p.next_cursor);
  EXPECT_EQ(QueryParam(1, "since"), "2023-06-13%2000%3A00%3A00");
}

struct CodeCase {
  int http;
  std::string body;
  StatusCode want;
  std::string mentions;
};

class ClientCodeTest : public ClientTest, public ::testing::WithParamInterface<CodeCase> {};

TEST_P(ClientCodeTest, MapsAnswersToStatusCodes) {
  const CodeCase& c = GetParam();
  auto a = Make();
  transport_.Respond(c.http, c.body, {{"retry-after", "7"}});
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), c.want) << page.status().ToString();
  EXPECT_NE(page.status().message().find(c.mentions), std::string::npos) << page.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Codes, ClientCodeTest,
    ::testing::Values(CodeCase{200, R"({"code":40101,"msg":"时间戳超出范围","data":null})",
                               StatusCode::kUnauthenticated, "NTP"},
                      CodeCase{200, R"({"code":40102,"msg":"nonce重复","data":null})",
                               StatusCode::kUnavailable, "nonce"},
                      CodeCase{200, R"({"code":40103,"msg":"签名错误","data":null})",
                               StatusCode::kUnauthenticated, "app_secret_file"},
                      CodeCase{200, R"({"code":40104,"msg":"未知应用","data":null})",
                               StatusCode::kUnauthenticated, "app_key"},
                      CodeCase{200, R"({"code":42201,"msg":"limit超出范围","data":null})",
                               StatusCode::kInvalidArgument, "42201"},
                      CodeCase{200, R"({"code":50001,"msg":"系统繁忙","data":null})",
                               StatusCode::kUnavailable, "50001"},
                      CodeCase{503, "Service Unavailable", StatusCode::kUnavailable, "503"},
                      CodeCase{404, "not found", StatusCode::kRejected, "base_url"}));

TEST_F(ClientTest, RateLimitCarriesRetryAfter) {
  auto a = Make();
  transport_.Respond(429, "", {{"retry-after", "7"}});
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(page.status().retry_after_ms(), 7000);
}

TEST_F(ClientTest, TransportErrorsPassThrough) {
  auto a = Make();
  transport_.Fail(Status::Unavailable("Connection reset by peer"));
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnavailable);
}

// A malformed record among good ones: the good ones are kept, the bad one is rejected with its
// exact bytes and a reason naming the field, and the page goes on.
TEST_F(ClientTest, OneBadRecordRejectsOnlyItself) {
  auto a = Make();
  std::vector<std::string> bad = {
      R"({"gdbh":"YYBAD1","gxsj":"2023-06-12 10:00:00"})",  // missing fields
      Record("YYBAD2", "2023-06-12 10:00:00",
             R"(,"fgcs2":123456789012345678901234567890)"),                    // huge number
      Record("YYBAD3", "2023-06-12 10:00:00", R"(,"gdbh":"dup")"),             // duplicate key
      Record("YYBAD4", "2023-06-12 10:00:00", ",\"x\":\"\xD6\xD0\xCE\xC4\""),  // GBK bytes
      Record("YYBAD5", "2023-06-12 10:00:00", R"(,"x":"\uDC00")"),             // lone surrogate
      Record("YYBAD6", "2023-02-30 10:00:00"),                                 // no such date
      R"("just a string")",
      std::string(100000, '[') + std::string(100000, ']'),  // deep
  };
  std::vector<std::string> records = {Record("YYOK1", "2023-06-12 10:00:00")};
  records.insert(records.end(), bad.begin(), bad.end());
  records.push_back(Record("YYOK2", "2023-06-12 10:01:00"));
  transport_.Respond(200, Page(records, false, ""));
  adapters::Page p = PullOk(*a, "");
  ASSERT_EQ(p.tickets.size(), 2u);
  EXPECT_EQ(p.tickets[0].external_id, "YYOK1");
  EXPECT_EQ(p.tickets[1].external_id, "YYOK2");
  EXPECT_EQ(p.tickets[0].raw, records.front());  // Exact bytes as received.
  ASSERT_EQ(p.rejects.size(), bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(p.rejects[i].raw, bad[i]);
    EXPECT_FALSE(p.rejects[i].reason.empty());
    EXPECT_EQ(p.rejects[i].reason.find("13812345678"), std::string::npos);
  }
  EXPECT_EQ(p.rejects[0].source_id, "YYBAD1");
  EXPECT_NE(p.rejects[0].reason.find("slsj"), std::string::npos);
  EXPECT_NE(p.rejects[1].reason.find("64-bit"), std::string::npos);
  EXPECT_NE(p.rejects[2].reason.find("duplicate"), std::string::npos);
  EXPECT_NE(p.rejects[3].reason.find("UTF-8"), std::string::npos);
  EXPECT_NE(p.rejects[4].reason.find("surrogate"), std::string::npos);
  EXPECT_NE(p.rejects[5].reason.find("gxsj"), std::string::npos);
  EXPECT_NE(p.rejects[7].reason.find("nesting"), std::string::npos);
}

// Bodies that cannot be read at all: the page is refused (Rejected) with the body kept for rejects.
TEST_F(ClientTest, UnreadableBodiesAreRejectedWholeWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {std::string(1'000'000, '['), "nesting"},
      {"{\"code\":0,\"msg\":\"\xB3\xC9\xB9\xA6\",\"data\":null}", "UTF-8"},
      {R"({"code":0,"msg":"ok","data":{"list":[],"next_cursor":"","has_more":false}} trailing)",
       "malformed"},
      {R"({"code":NaN})", "malformed"},
      {R"({"code":0,"code":0,"data":{}})", "duplicate"},
      {R"({"code":"0","msg":"ok"})", "envelope"},
      {R"([1,2,3])", "envelope"},
      {R"({"code":0,"msg":"ok","data":{"list":{},"next_cursor":"","has_more":false}})", "list"},
      {R"({"code":0,"msg":"ok","data":{"list":[],"next_cursor":"","has_more":true}})", "list"},
      {R"({"code":0,"msg":"ok","data":{"list":[],"next_cursor":"","has_more":"no"}})", "list"},
      {R"({"code":0,"msg":"ok","data":{"list":[{"gdbh":"YY1"})", "malformed"},  // truncated
  };
  for (const auto& [body, mentions] : cases) {
    auto a = Make();
    transport_.Respond(200, body);
    Reject r;
    auto t0 = std::chrono::steady_clock::now();
    auto page = a->Pull("", r);
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, std::chrono::seconds(1)) << mentions;
    ASSERT_FALSE(page.ok()) << mentions;
    EXPECT_EQ(page.status().code(), StatusCode::kRejected) << page.status().ToString();
    EXPECT_NE(r.reason.find(mentions), std::string::npos) << r.reason;
    EXPECT_EQ(r.raw, body);
  }
}

TEST_F(ClientTest, ByteOrderMarkIsTolerated) {
  auto a = Make();
  transport_.Respond(200, "\xEF\xBB\xBF" + Page({Record("YY1", "2023-06-12 10:00:00")}, false, ""));
  adapters::Page p = PullOk(*a, "");
  EXPECT_EQ(p.tickets.size(), 1u);
}

TEST_F(ClientTest, UnreadableSavedCursorStartsOver) {
  auto a = Make();
  transport_.Respond(200, Page({}, false, ""));
  PullOk(*a, "{not json");
  EXPECT_EQ(QueryParam(0, "since"), "");
}

TEST(ClientConfigTest, PlainHttpOnlyOnLoopback) {
  EXPECT_TRUE(ValidateBaseUrl("https://12345.example.gov.cn/api/v2").ok());
  EXPECT_TRUE(ValidateBaseUrl("http://127.0.0.1:8080/api/v2").ok());
  EXPECT_TRUE(ValidateBaseUrl("http://localhost:8080/api/v2").ok());
  EXPECT_FALSE(ValidateBaseUrl("http://12345.example.gov.cn/api/v2").ok());
  EXPECT_FALSE(ValidateBaseUrl("http://127.0.0.1.evil.example/api/v2").ok());
  EXPECT_TRUE(ValidateBaseUrl("http://[::1]:8080/api/v2").ok());
  EXPECT_FALSE(ValidateBaseUrl("file:///etc/passwd").ok());
  EXPECT_FALSE(ValidateBaseUrl("ftp://127.0.0.1/").ok());
  EXPECT_FALSE(ValidateBaseUrl("https://user:pw@host/").ok());
}

}  // namespace
}  // namespace hs::hotline12345
