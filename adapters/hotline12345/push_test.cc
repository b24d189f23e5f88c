// The hotline adapter's Push (platforms/hotline-12345.md, POST /gongdan and POST
// /gongdan/{gdbh}/lzjl): against a scripted transport for the request's shape, its signature and
// the mapping of every answer to a PushResult or a Status (with retry_after_ms and
// outcome_unknown as adapters/adapter.h says), then against the simulator over real HTTP for the
// idempotency on wbbh. Personal data is synthetic.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/hotline12345/client.h"
#include "adapters/hotline12345/signing.h"
#include "adapters/hotline12345/sim.h"
#include "daemon/core/clock.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "tests/fakes/fake_transport.h"

namespace hs::hotline12345 {
namespace {

constexpr int64_t kNowMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.
constexpr const char* kSecret = "s3cret";

// A create body as the pusher queues it: key order, spacing and escapes must reach the wire as is.
constexpr const char* kCreateBody =
    R"({"wbbh":"XF-430600-2023-000123", "qdly":"信访平台推送","sqr":"张某","lxdh":"13800000000",)"
    R"("sqlx":"投诉","sqfl":"住房与城乡建设类","sqbt":"小区路灯不亮",)"
    R"("sqnr":"信访人反映：小区道路两侧路灯长期不亮，夜间出行很不安全，请相关部门尽快维修。\u3000",)"
    R"("cbdw":"市住建局"})";

constexpr const char* kNoteBody =
    R"({"dz":"备注","sm":"信访平台：已受理，转市住建局办理","wbbh":"XF-P-000123-1"})";

adapters::PushItem CreateItem(std::string payload = kCreateBody) {
  adapters::PushItem item;
  item.id = 7;
  item.action = "create";
  item.idempotency_key = "XF-430600-2023-000123";
  item.payload = std::move(payload);
  return item;
}

adapters::PushItem NoteItem(std::string target_ref, std::string payload = kNoteBody) {
  adapters::PushItem item;
  item.id = 8;
  item.action = "note";
  item.target_ref = std::move(target_ref);
  item.idempotency_key = "XF-P-000123-1";
  item.payload = std::move(payload);
  return item;
}

// The value of the first header named `name` (exact case, as the client sends it), or "".
std::string HeaderOf(const HttpRequest& req, const std::string& name) {
  for (const auto& [k, v] : req.headers) {
    if (k == name) return v;
  }
  return "";
}

int HeaderCount(const HttpRequest& req, const std::string& name) {
  int n = 0;
  for (const auto& [k, v] : req.headers) n += k == name;
  return n;
}

// The signature the platform expects for `req` sent to `path` (the path as sent, with /api/v2).
std::string ExpectedSign(const HttpRequest& req, const std::string& path) {
  return Sign(kSecret, StringToSign(req.method, path, "", HeaderOf(req, "X-Timestamp"),
                                    HeaderOf(req, "X-Nonce"), req.body));
}

class HotlinePushTest : public ::testing::Test {
 protected:
  std::unique_ptr<adapters::Adapter> Make(
      const std::string& base_url = "http://127.0.0.1:9/api/v2") {
    Options o;
    o.base_url = base_url;
    o.app_key = "yy-sync";
    o.app_secret = kSecret;
    return CreateWithOptions(o, {&transport_, &clock_, log::Get("adapter.test")});
  }

  // Pushes `item` once against one scripted answer; returns the result.
  Result<adapters::PushResult> PushWith(const adapters::PushItem& item, int http_status,
                                        const std::string& body, HttpHeaders headers = {}) {
    auto a = Make();
    transport_.Respond(http_status, body, std::move(headers));
    auto r = a->Push(item);
    EXPECT_EQ(transport_.sent().size(), 1u);
    return r;
  }

  testing::FakeTransport transport_;
  FakeClock clock_{kNowMs};
};

// ---------------------------------------------------------------------------------------------
// create: the request

TEST_F(HotlinePushTest, CreatePostsThePayloadVerbatimWithSignedHeaders) {
  auto r = PushWith(CreateItem(), 200, R"({"code":0,"msg":"成功","data":{"gdbh":"YY2306130001"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kDone);
  EXPECT_EQ(r->remote_id, "YY2306130001");

  const HttpRequest& req = transport_.sent().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://127.0.0.1:9/api/v2/gongdan");
  EXPECT_EQ(req.body, kCreateBody);  // Byte for byte.
  EXPECT_EQ(HeaderOf(req, "X-App-Key"), "yy-sync");
  EXPECT_EQ(HeaderOf(req, "X-Timestamp"), "1686585600");
  EXPECT_GE(HeaderOf(req, "X-Nonce").size(), 16u);
  EXPECT_EQ(HeaderOf(req, "Content-Type"), "application/json");
  for (const char* h : {"X-App-Key", "X-Timestamp", "X-Nonce", "X-Sign", "Content-Type"}) {
    EXPECT_EQ(HeaderCount(req, h), 1) << h;
  }
  const std::string sign = HeaderOf(req, "X-Sign");
  EXPECT_EQ(sign, ExpectedSign(req, "/api/v2/gongdan"));
  EXPECT_EQ(sign.size(), 64u);
  EXPECT_EQ(sign.find_first_not_of("0123456789abcdef"), std::string::npos) << sign;
  // The signature covers the body and the path prefix: not the bare path, nor an empty body.
  EXPECT_NE(sign, ExpectedSign(req, "/gongdan"));
  EXPECT_NE(sign,
            Sign(kSecret, StringToSign("POST", "/api/v2/gongdan", "", HeaderOf(req, "X-Timestamp"),
                                       HeaderOf(req, "X-Nonce"), "")));
}

TEST_F(HotlinePushTest, CreateSignsWithThePathPrefixOfAnyBaseUrl) {
  auto a = Make("https://12345.example.gov.cn/gateway/api/v2/");  // Trailing '/' is dropped.
  transport_.Respond(200, R"({"code":0,"msg":"成功","data":{"gdbh":"YY2306130002"}})");
  auto r = a->Push(CreateItem());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const HttpRequest& req = transport_.sent().at(0);
  EXPECT_EQ(req.url, "https://12345.example.gov.cn/gateway/api/v2/gongdan");
  EXPECT_EQ(HeaderOf(req, "X-Sign"), ExpectedSign(req, "/gateway/api/v2/gongdan"));
}

TEST_F(HotlinePushTest, RetryOfTheSameItemSendsTheSameBytesWithANewNonce) {
  auto a = Make();
  transport_.Respond(503, "busy");
  transport_.Respond(200, R"({"code":0,"msg":"成功","data":{"gdbh":"YY2306130003"}})");
  adapters::PushItem item = CreateItem();
  EXPECT_FALSE(a->Push(item).ok());
  clock_.Advance(2'000);
  auto r = a->Push(item);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(transport_.sent().size(), 2u);
  const HttpRequest& first = transport_.sent()[0];
  const HttpRequest& second = transport_.sent()[1];
  EXPECT_EQ(first.body, second.body);
  EXPECT_EQ(first.url, second.url);
  EXPECT_NE(HeaderOf(first, "X-Nonce"), HeaderOf(second, "X-Nonce"));
  EXPECT_EQ(HeaderOf(second, "X-Timestamp"), "1686585602");
  EXPECT_EQ(HeaderOf(second, "X-Sign"), ExpectedSign(second, "/api/v2/gongdan"));
}

// ---------------------------------------------------------------------------------------------
// create: the answers

TEST_F(HotlinePushTest, CreateDuplicateWbbhIsDoneWithTheFirstGdbh) {
  auto r = PushWith(CreateItem(), 200,
                    R"({"code":40901,"msg":"外部编号重复","data":{"gdbh":"YY2306010042"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kDone);
  EXPECT_EQ(r->remote_id, "YY2306010042");
}

TEST_F(HotlinePushTest, CreateInvalidBodyIsInvalidArgument) {
  auto r = PushWith(CreateItem(), 200,
                    R"({"code":42201,"msg":"参数错误：sqnr 长度须为 20 到 4000 字","data":null})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_FALSE(r.status().outcome_unknown());
  EXPECT_NE(r.status().message().find("sqnr"), std::string::npos) << r.status().message();
}

TEST_F(HotlinePushTest, CreateAuthFailuresAreUnauthenticated) {
  for (const char* body : {R"({"code":40101,"msg":"时间戳超出允许范围","data":null})",
                           R"({"code":40103,"msg":"签名错误","data":null})",
                           R"({"code":40104,"msg":"应用标识无效","data":null})"}) {
    auto a = Make();
    transport_.Respond(200, body);
    auto r = a->Push(CreateItem());
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated)
        << body << " " << r.status().ToString();
    EXPECT_FALSE(r.status().outcome_unknown()) << body;
  }
  EXPECT_EQ(transport_.sent().size(), 3u);
}

TEST_F(HotlinePushTest, CreateNonceReusedIsRetriedWithoutBeingAReplay) {
  auto r = PushWith(CreateItem(), 200, R"({"code":40102,"msg":"随机数重复","data":null})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_FALSE(r.status().outcome_unknown());
}

TEST_F(HotlinePushTest, RateLimitedIsUnavailableAfterRetryAfterAndNotUnknown) {
  auto r = PushWith(CreateItem(), 429, "rate limited\n", {{"retry-after", "7"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_EQ(r.status().retry_after_ms(), 7'000);
  EXPECT_FALSE(r.status().outcome_unknown());
}

TEST_F(HotlinePushTest, RateLimitedWithoutRetryAfterStillAsksForAPause) {
  auto r = PushWith(CreateItem(), 429, "rate limited\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_GT(r.status().retry_after_ms(), 0);
  EXPECT_FALSE(r.status().outcome_unknown());
}

TEST_F(HotlinePushTest, ServiceUnavailableIsRetriedAndNotUnknown) {
  auto r = PushWith(CreateItem(), 503, "<html>503 Service Unavailable</html>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_FALSE(r.status().outcome_unknown());
}

TEST_F(HotlinePushTest, ProxyBadGatewayAndTimeoutAreUnknownOutcomes) {
  for (int http : {502, 504}) {
    auto a = Make();
    transport_.Respond(http, "<html>gateway</html>");
    auto r = a->Push(CreateItem());
    ASSERT_FALSE(r.ok()) << http;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << http << " " << r.status().ToString();
    EXPECT_TRUE(r.status().outcome_unknown()) << http;
  }
}

TEST_F(HotlinePushTest, TransportErrorIsAnUnknownOutcome) {
  auto a = Make();
  transport_.Fail(Status::Unavailable("timed out after sending the request"));
  auto r = a->Push(CreateItem());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(r.status().outcome_unknown());
  EXPECT_EQ(transport_.sent().size(), 1u);
}

TEST_F(HotlinePushTest, UnreadableAnswerIsAnUnknownOutcome) {
  for (const char* body : {"<html>ok</html>", "", R"({"code":0,"msg":"成功","data":{"gdbh":"YY23)",
                           "[0]", R"({"msg":"成功","data":{"gdbh":"YY2306130001"}})",
                           R"({"code":"0","msg":"成功","data":{"gdbh":"YY2306130001"}})"}) {
    auto a = Make();
    transport_.Respond(200, body);
    auto r = a->Push(CreateItem());
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << body << " " << r.status().ToString();
    EXPECT_TRUE(r.status().outcome_unknown()) << body;
  }
}

TEST_F(HotlinePushTest, CreateSuccessWithoutGdbhIsAnUnknownOutcome) {
  for (const char* body :
       {R"({"code":0,"msg":"成功"})", R"({"code":0,"msg":"成功","data":null})",
        R"({"code":0,"msg":"成功","data":{}})", R"({"code":0,"msg":"成功","data":{"gdbh":12345}})",
        R"({"code":0,"msg":"成功","data":"YY2306130001"})",
        R"({"code":40901,"msg":"外部编号重复","data":null})"}) {
    auto a = Make();
    transport_.Respond(200, body);
    auto r = a->Push(CreateItem());
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << body << " " << r.status().ToString();
    EXPECT_TRUE(r.status().outcome_unknown()) << body;
  }
}

// ---------------------------------------------------------------------------------------------
// note

TEST_F(HotlinePushTest, NotePostsToTheOrdersLogAndIsDoneWithTheTarget) {
  auto r = PushWith(NoteItem("YY2306120001"), 200,
                    R"({"code":0,"msg":"成功","data":{"gdbh":"YY2306120001"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kDone);
  EXPECT_EQ(r->remote_id, "YY2306120001");
  const HttpRequest& req = transport_.sent().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://127.0.0.1:9/api/v2/gongdan/YY2306120001/lzjl");
  EXPECT_EQ(req.body, kNoteBody);
  EXPECT_EQ(HeaderOf(req, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(req, "X-App-Key"), "yy-sync");
  EXPECT_EQ(HeaderOf(req, "X-Sign"), ExpectedSign(req, "/api/v2/gongdan/YY2306120001/lzjl"));
}

TEST_F(HotlinePushTest, NoteTargetIsPercentEncodedInTheUrlAndTheSignature) {
  const std::string target = "YY 23/06?#%工单";
  const std::string encoded = "YY%2023%2F06%3F%23%25%E5%B7%A5%E5%8D%95";
  ASSERT_EQ(PercentEncode(target), encoded);
  auto r = PushWith(NoteItem(target), 200, R"({"code":0,"msg":"成功","data":null})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->remote_id, target);  // The record's id, not its encoding.
  const HttpRequest& req = transport_.sent().at(0);
  EXPECT_EQ(req.url, "http://127.0.0.1:9/api/v2/gongdan/" + encoded + "/lzjl");
  EXPECT_EQ(HeaderOf(req, "X-Sign"), ExpectedSign(req, "/api/v2/gongdan/" + encoded + "/lzjl"));
}

TEST_F(HotlinePushTest, NoteToAnUnknownOrderIsNotFound) {
  auto r =
      PushWith(NoteItem("YY0000000000"), 200, R"({"code":40400,"msg":"工单不存在","data":null})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_FALSE(r.status().outcome_unknown());
}

TEST_F(HotlinePushTest, NoteInvalidBodyIsInvalidArgument) {
  auto r = PushWith(NoteItem("YY2306120001"), 200,
                    R"({"code":42201,"msg":"参数错误：dz 须为 备注","data":null})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
}

TEST_F(HotlinePushTest, NoteFailuresCarryRetryHintsAsCreateDoes) {
  {
    auto r = PushWith(NoteItem("YY2306120001"), 429, "", {{"retry-after", "3"}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(r.status().retry_after_ms(), 3'000);
    EXPECT_FALSE(r.status().outcome_unknown());
  }
  {
    auto a = Make();
    transport_.Respond(504, "");
    auto r = a->Push(NoteItem("YY2306120001"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(r.status().outcome_unknown());
  }
  {
    auto a = Make();
    transport_.Fail(Status::Unavailable("connection reset"));
    auto r = a->Push(NoteItem("YY2306120001"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(r.status().outcome_unknown());
  }
}

// ---------------------------------------------------------------------------------------------
// refused before sending

TEST_F(HotlinePushTest, UnknownActionIsInvalidArgumentAndSendsNothing) {
  auto a = Make();
  for (const char* action : {"", "close", "Create", "note "}) {
    adapters::PushItem item = CreateItem();
    item.action = action;
    item.target_ref = "YY2306120001";
    auto r = a->Push(item);
    ASSERT_FALSE(r.ok()) << "'" << action << "'";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  }
  EXPECT_TRUE(transport_.sent().empty());
}

TEST_F(HotlinePushTest, NoteWithoutTargetIsInvalidArgumentAndSendsNothing) {
  auto a = Make();
  auto r = a->Push(NoteItem(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_FALSE(r.status().outcome_unknown());
  EXPECT_TRUE(transport_.sent().empty());
}

// ---------------------------------------------------------------------------------------------
// Against the simulator over HTTP (CurlTransport on loopback).

class HotlinePushSimTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { CurlTransport::GlobalInit(); }

  void SetUp() override {
    SimOptions o;
    o.orders = 40;
    o.speed = 0;  // Frozen simulated time: the world does not move under the test.
    o.rps = 0;
    o.app_secret = "sim-secret";
    sim_ = std::make_unique<HotlineSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    Options a;
    a.base_url = sim_->base_url();
    a.app_key = o.app_key;
    a.app_secret = o.app_secret;
    adapter_ = CreateWithOptions(a, {&transport_, &clock_, log::Get("adapter.test")});
  }

  // The simulator's records carrying wbbh == `wbbh` at top level, as (gdbh, JSON).
  std::vector<std::pair<std::string, std::string>> OrdersWithWbbh(const std::string& wbbh) {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& [gdbh, json] : sim_->Snapshot()) {
      rapidjson::Document d;
      d.Parse(json.c_str(), json.size());
      if (d.IsObject() && d.HasMember("wbbh") && d["wbbh"].IsString() &&
          wbbh == d["wbbh"].GetString()) {
        out.emplace_back(gdbh, json);
      }
    }
    return out;
  }

  // The lzjl entries of order `gdbh` whose wbbh is `wbbh`; -1 when the order is not held.
  int NotesWithWbbh(const std::string& gdbh, const std::string& wbbh, std::string* sm = nullptr) {
    for (auto& [id, json] : sim_->Snapshot()) {
      if (id != gdbh) continue;
      rapidjson::Document d;
      d.Parse(json.c_str(), json.size());
      if (!d.IsObject() || !d.HasMember("lzjl") || !d["lzjl"].IsArray()) return -1;
      int n = 0;
      for (const auto& e : d["lzjl"].GetArray()) {
        if (e.IsObject() && e.HasMember("wbbh") && e["wbbh"].IsString() &&
            wbbh == e["wbbh"].GetString()) {
          ++n;
          if (sm != nullptr && e.HasMember("sm") && e["sm"].IsString()) *sm = e["sm"].GetString();
        }
      }
      return n;
    }
    return -1;
  }

  FakeClock clock_{kNowMs};  // The simulator's default sim_start.
  static CurlOptions Quick() {
    CurlOptions c;
    c.connect_timeout_ms = 2'000;
    c.total_timeout_ms = 10'000;
    return c;
  }

  CurlTransport transport_{Quick()};
  std::unique_ptr<HotlineSim> sim_;
  std::unique_ptr<adapters::Adapter> adapter_;
};

TEST_F(HotlinePushSimTest, CreatingTwiceWithTheSameWbbhGivesTheSameOrderOnce) {
  ASSERT_TRUE(OrdersWithWbbh("XF-430600-2023-000123").empty());
  const size_t before = sim_->order_count();
  auto first = adapter_->Push(CreateItem());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->outcome, adapters::PushResult::Outcome::kDone);
  EXPECT_FALSE(first->remote_id.empty());

  clock_.Advance(1'000);
  auto again = adapter_->Push(CreateItem());  // The platform answers 40901 with the first gdbh.
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, adapters::PushResult::Outcome::kDone);
  EXPECT_EQ(again->remote_id, first->remote_id);

  EXPECT_EQ(sim_->order_count(), before + 1);
  auto held = OrdersWithWbbh("XF-430600-2023-000123");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].first, first->remote_id);
  rapidjson::Document d;
  d.Parse(held[0].second.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["sqr"].GetString(), "张某");
  EXPECT_STREQ(d["lxdh"].GetString(), "13800000000");
  EXPECT_STREQ(d["qdly"].GetString(), "信访平台推送");
  EXPECT_EQ(sim_->Stats().auth_failures, 0);
}

TEST_F(HotlinePushSimTest, ACreateTheSimulatorRefusesIsInvalidArgument) {
  const size_t before = sim_->order_count();
  auto r = adapter_->Push(
      CreateItem(R"({"wbbh":"XF-430600-2023-000124","qdly":"电话","sqr":"张某",)"
                 R"("sqnr":"信访人反映：小区道路两侧路灯长期不亮，请尽快维修处理。"})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("qdly"), std::string::npos) << r.status().message();
  EXPECT_EQ(sim_->order_count(), before);
}

TEST_F(HotlinePushSimTest, ANoteSentTwiceIsLoggedOnce) {
  auto created = adapter_->Push(CreateItem());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::string gdbh = created->remote_id;
  ASSERT_EQ(NotesWithWbbh(gdbh, "XF-P-000123-1"), 0);

  for (int i = 0; i < 2; ++i) {
    clock_.Advance(1'000);
    auto r = adapter_->Push(NoteItem(gdbh));
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kDone);
    EXPECT_EQ(r->remote_id, gdbh);
  }
  std::string sm;
  EXPECT_EQ(NotesWithWbbh(gdbh, "XF-P-000123-1", &sm), 1);
  EXPECT_EQ(sm, "信访平台：已受理，转市住建局办理");

  // Another note (another wbbh) on a generated order is appended too.
  const std::string other = sim_->Snapshot().front().first;
  auto r = adapter_->Push(
      NoteItem(other, R"({"dz":"备注","sm":"进展：已联系张某","wbbh":"XF-P-000123-2"})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(NotesWithWbbh(other, "XF-P-000123-2"), 1);
  EXPECT_EQ(sim_->Stats().auth_failures, 0);
}

TEST_F(HotlinePushSimTest, ANoteToAnUnknownOrderIsNotFound) {
  auto r = adapter_->Push(NoteItem("YY0000000000"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_FALSE(r.status().outcome_unknown());
  EXPECT_EQ(sim_->Stats().auth_failures, 0);
}

}  // namespace
}  // namespace hs::hotline12345
