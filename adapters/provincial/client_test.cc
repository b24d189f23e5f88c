// The provincial adapter against a scripted transport: signing, 403 advice, GBK both ways (one
// record of invalid GBK rejected alone, characters outside GBK sent as escapes), pending queue
// and revision feed paging with the cursor never ahead of what was read, 429 Retry-After, and the
// push answers mapped to outcomes and Status codes.
#include "adapters/provincial/client.h"

#include <gtest/gtest.h>

#include <fstream>

#include "adapters/provincial/signing.h"
#include "adapters/registry.h"
#include "daemon/core/gbk.h"
#include "daemon/log/log.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::provincial {
namespace {

using testing::Has;
using testing::Lacks;

constexpr int64_t kNowMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.

std::string Record(const std::string& id, int64_t revision, const std::string& state = "ACCEPTED",
                   const std::string& subject = "小区旁工地夜间施工噪音扰民") {
  return R"({"dispatchId":")" + id +
         R"(","origin":"湘易办","originNo":"XYB202306120000001","dispatchedAt":)"
         R"("2023-06-12T09:31:05+08:00","deadline":"2023-06-26T09:31:05+08:00",)"
         R"("citizen":{"name":"王某","phone":"13907301234","idNo":null},"subject":")" +
         subject + R"(","content":"来信人反映：夜间施工噪音。","area":"岳阳市平江县","state":")" +
         state + R"(","revision":)" + std::to_string(revision) + "}";
}

std::string Gbk(const std::string& utf8) {
  auto g = gbk::Utf8ToGbkJson(utf8);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? *g : "";
}

// A page body in GBK; records are UTF-8 JSON texts or, when `raw_gbk`, already bytes.
std::string Items(const std::vector<std::string>& records, std::optional<int64_t> last_revision) {
  std::string list;
  for (const auto& r : records) list += (list.empty() ? "" : ",") + r;
  std::string body = R"({"result":"OK","items":[)" + list + "]";
  if (last_revision) body += ",\"lastRevision\":" + std::to_string(*last_revision);
  return Gbk(body + "}");
}

const HttpHeaders kGbkHeaders = {{"content-type", "application/json;charset=GBK"}};

class ProvincialClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<adapters::Adapter> Make(int page_size = 2) {
    Options o;
    o.base_url = "http://127.0.0.1:9/";
    o.city_code = "430600";
    o.secret = "s3cret";
    o.page_size = page_size;
    return CreateWithOptions(o, {&transport_, &clock_, log::Get("adapter.test")});
  }
  adapters::Page PullOk(adapters::Adapter& a, const std::string& cursor) {
    Reject r;
    auto page = a.Pull(cursor, r);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? std::move(page).value() : adapters::Page{};
  }
  std::string Header(size_t i, const std::string& name) {
    for (const auto& [k, v] : transport_.sent().at(i).headers) {
      if (k == name) return v;
    }
    return "";
  }
  adapters::PushItem Item(const std::string& action, const std::string& payload) {
    adapters::PushItem item;
    item.id = 7;
    item.action = action;
    item.target_ref = "HN-2023-0612-000381";
    item.idempotency_key = "k1";
    item.payload = payload;
    return item;
  }

  testing::FakeTransport transport_;
  FakeClock clock_{kNowMs};
};

TEST_F(ProvincialClientTest, SignsEachRequestAsTheContractSays) {
  auto a = Make();
  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  transport_.Respond(200, Items({}, 0), kGbkHeaders);
  PullOk(*a, "");
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_EQ(transport_.sent()[0].url, "http://127.0.0.1:9/prov/api/dispatch?state=PENDING&limit=2");
  EXPECT_EQ(transport_.sent()[1].url,
            "http://127.0.0.1:9/prov/api/dispatch/changes?afterRevision=0&limit=2");
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(Header(i, "X-City-Code"), "430600");
    EXPECT_EQ(Header(i, "X-Timestamp"), std::to_string(kNowMs));
    EXPECT_EQ(Header(i, "X-Signature"), Signature("430600", std::to_string(kNowMs), "s3cret"));
  }
}

TEST_F(ProvincialClientTest, ForbiddenExplainsTheLikelyCauses) {
  auto a = Make();
  transport_.Respond(403, Gbk(R"({"result":"FORBIDDEN"})"), kGbkHeaders);
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(Has(page.status().message(), "5 minutes"));
  EXPECT_TRUE(Has(page.status().message(), "timedatectl"));
  EXPECT_TRUE(Has(page.status().message(), "secret"));
  EXPECT_TRUE(Has(page.status().message(), "city_code 430600"));
}

TEST_F(ProvincialClientTest, DecodesGbkAndKeepsTheDecodedRecordAsRaw) {
  auto a = Make(10);
  const std::string rare = Record("HN-1", 3, "PENDING", "𠮷字姓名无法办理社保卡€");
  const std::string body = Items({rare}, std::nullopt);
  ASSERT_TRUE(Has(body, "\\uD842\\uDFB7"));  // Outside GBK: served as escapes.
  ASSERT_TRUE(Has(body, "\\u20AC"));
  transport_.Respond(200, body, kGbkHeaders);
  transport_.Respond(200, Items({Record("HN-2", 4)}, 4), kGbkHeaders);
  adapters::Page page = PullOk(*a, "");
  ASSERT_EQ(page.tickets.size(), 2u);
  EXPECT_TRUE(page.rejects.empty());
  EXPECT_EQ(page.tickets[0].title, "𠮷字姓名无法办理社保卡€");
  EXPECT_EQ(page.tickets[0].state, state::kPending);
  EXPECT_TRUE(Has(page.tickets[0].raw, "\"dispatchId\":\"HN-1\""));
  EXPECT_TRUE(Has(page.tickets[0].raw, "岳阳市平江县"));  // UTF-8, not GBK.
  EXPECT_EQ(page.tickets[1].version, 4);
}

TEST_F(ProvincialClientTest, ARecordOfInvalidGbkIsRejectedAlone) {
  auto a = Make(10);
  // 0x81 followed by a space is no GBK character. 0x81 0x5C is one whose trail byte is a
  // backslash: just before a closing quote it must not be read as an escape.
  std::string bad = Gbk(Record("HN-BAD", 5));
  bad.replace(bad.find(Gbk("王某")), 4, "\x81 ");
  std::string tricky = Gbk(Record("HN-5C", 6));
  tricky.replace(tricky.find(Gbk("王某")), 4, "\x81\x5c");
  std::string body = Gbk(R"({"result":"OK","items":[)" + Record("HN-1", 4) + ",") + bad + "," +
                     tricky + Gbk(R"(],"lastRevision":6})");
  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  transport_.Respond(200, body, kGbkHeaders);
  adapters::Page page = PullOk(*a, "");
  ASSERT_EQ(page.tickets.size(), 2u);
  EXPECT_EQ(page.tickets[0].external_id, "HN-1");
  EXPECT_EQ(page.tickets[1].external_id, "HN-5C");
  ASSERT_EQ(page.rejects.size(), 1u);
  EXPECT_EQ(page.rejects[0].source_id, "HN-BAD");
  EXPECT_TRUE(Has(page.rejects[0].reason, "not valid GBK"));
  EXPECT_TRUE(page.rejects[0].raw == bad);  // Not printed: it holds (synthetic) personal data.
  EXPECT_TRUE(Has(page.next_cursor, "\"afterRevision\":6"));  // The reject may carry 6.
}

TEST_F(ProvincialClientTest, AMalformedRecordIsRejectedAndThePageGoesOn) {
  auto a = Make(10);
  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  transport_.Respond(200,
                     Items({Record("HN-1", 4), Record("HN-2", 5, "ARCHIVED"),
                            R"({"dispatchId":"HN-3","revision":123456789012345678901234567890})"},
                           7),
                     kGbkHeaders);
  adapters::Page page = PullOk(*a, "");
  ASSERT_EQ(page.tickets.size(), 1u);
  ASSERT_EQ(page.rejects.size(), 2u);
  EXPECT_EQ(page.rejects[0].source_id, "HN-2");
  EXPECT_TRUE(Has(page.rejects[0].reason, "field state"));
  EXPECT_EQ(page.rejects[1].source_id, "HN-3");
  for (const Reject& r : page.rejects) EXPECT_TRUE(Lacks(r.reason, "13907301234"));
}

TEST_F(ProvincialClientTest, HostileBodiesEndInAClearStatusNeverACrash) {
  auto a = Make(10);
  const std::string deep(100'000, '[');
  for (const std::string& body :
       {std::string(), std::string("null"), std::string("\xef\xbb\xbf"), deep,
        std::string(R"({"result":"OK","items":[]} trailing)"), std::string(R"({"result":"OK"})"),
        std::string(R"({"result":"OK","items":{}})"), std::string(R"({"result":"NaN","items":[]})"),
        std::string(R"({"result":"OK","result":"OK","items":[]})"), std::string("\x81")}) {
    transport_.Respond(200, body, kGbkHeaders);
    Reject r;
    auto page = a->Pull("", r);
    ASSERT_FALSE(page.ok()) << body.size();
    EXPECT_EQ(page.status().code(), StatusCode::kRejected);
    EXPECT_EQ(r.raw, body);
    EXPECT_FALSE(r.reason.empty());
  }
  // Items that are not objects, or nested too deep, are rejected one by one.
  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  transport_.Respond(200,
                     Gbk(R"({"result":"OK","items":[1,"x",null,)" + std::string(40, '[') +
                         std::string(40, ']') + "," + Record("HN-1", 9) + R"(],"lastRevision":9})"),
                     kGbkHeaders);
  adapters::Page page = PullOk(*a, "");
  EXPECT_EQ(page.tickets.size(), 1u);
  EXPECT_EQ(page.rejects.size(), 4u);
}

TEST_F(ProvincialClientTest, PagesThroughTheFeedAndReadsThePendingQueueOncePerRun) {
  auto a = Make(2);
  transport_.Respond(200, Items({Record("HN-1", 1, "PENDING")}, std::nullopt), kGbkHeaders);
  transport_.Respond(200, Items({Record("HN-2", 3), Record("HN-3", 5)}, 5), kGbkHeaders);
  adapters::Page first = PullOk(*a, "");
  EXPECT_EQ(first.tickets.size(), 3u);
  EXPECT_TRUE(first.has_more);
  EXPECT_EQ(first.requests, 2);
  EXPECT_EQ(first.next_cursor, R"({"afterRevision":5,"inRun":true})");

  transport_.Respond(200, Items({Record("HN-4", 6)}, 6), kGbkHeaders);
  adapters::Page second = PullOk(*a, first.next_cursor);
  EXPECT_EQ(transport_.sent().size(), 3u);  // No pending query in the middle of a run.
  EXPECT_TRUE(Has(transport_.sent()[2].url, "afterRevision=5&limit=2"));
  EXPECT_FALSE(second.has_more);
  EXPECT_EQ(second.next_cursor, R"({"afterRevision":6,"inRun":false})");

  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  transport_.Respond(200, Items({}, 6), kGbkHeaders);
  adapters::Page third = PullOk(*a, second.next_cursor);
  EXPECT_TRUE(Has(transport_.sent()[3].url, "state=PENDING"));
  EXPECT_TRUE(Has(transport_.sent()[4].url, "afterRevision=6"));
  EXPECT_FALSE(third.has_more);
  EXPECT_EQ(third.next_cursor, second.next_cursor);
}

TEST_F(ProvincialClientTest, NeverMovesTheCursorPastWhatThePageShowed) {
  auto a = Make(10);
  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  transport_.Respond(200, Items({Record("HN-2", 3)}, 99), kGbkHeaders);
  EXPECT_EQ(PullOk(*a, "").next_cursor, R"({"afterRevision":3,"inRun":false})");

  transport_.Respond(200, Items({}, 2), kGbkHeaders);  // Behind afterRevision: refused.
  Reject r;
  auto page = a->Pull(R"({"afterRevision":3,"inRun":true})", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kRejected);
  EXPECT_TRUE(Has(r.reason, "lastRevision"));
}

TEST_F(ProvincialClientTest, UnreadableBodiesAndCursorsAreHandled) {
  auto a = Make();
  transport_.Respond(200, "{\"result\":\"OK\",\"items\":[", kGbkHeaders);
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kRejected);
  EXPECT_EQ(r.raw, "{\"result\":\"OK\",\"items\":[");
  // An unreadable saved cursor restarts from the beginning.
  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  transport_.Respond(200, Items({}, 0), kGbkHeaders);
  PullOk(*a, "{\"afterRevision\":\"x\"}");
  EXPECT_TRUE(Has(transport_.sent().back().url, "afterRevision=0"));
}

TEST_F(ProvincialClientTest, RateLimitAndServerErrorsAreUnavailable) {
  auto a = Make();
  transport_.Respond(429, Gbk(R"({"result":"RATE_LIMITED"})"), {{"retry-after", "3"}});
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(page.status().retry_after_ms(), 3000);
  transport_.Respond(503, "busy");
  EXPECT_EQ(a->Pull("", r).status().code(), StatusCode::kUnavailable);
  transport_.Fail(Status::Unavailable("timeout"));
  EXPECT_EQ(a->Pull("", r).status().code(), StatusCode::kUnavailable);
  transport_.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  EXPECT_TRUE(a->CheckHealth().ok());
  EXPECT_TRUE(Has(transport_.sent().back().url, "state=PENDING&limit=1"));
}

TEST_F(ProvincialClientTest, AcceptSendsAnEmptyObjectAndIsDone) {
  auto a = Make();
  transport_.Respond(200, Gbk(R"({"result":"OK"})"), kGbkHeaders);
  auto r = a->Push(Item("accept", ""));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kDone);
  EXPECT_EQ(r->remote_id, "HN-2023-0612-000381");
  const HttpRequest& sent = transport_.sent().back();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "http://127.0.0.1:9/prov/api/dispatch/HN-2023-0612-000381/accept");
  EXPECT_EQ(sent.body, "{}");
  EXPECT_EQ(Header(0, "Content-Type"), "application/json;charset=GBK");
  EXPECT_FALSE(Header(0, "X-Signature").empty());
}

TEST_F(ProvincialClientTest, ResultBodyIsGbkWithEscapesOutsideGbk) {
  auto a = Make();
  transport_.Respond(200, Gbk(R"({"result":"OK"})"), kGbkHeaders);
  const std::string payload =
      R"({"handledBy":"平江县信访局","closedAt":"2023-06-14T10:00:00+08:00","contacted":true,)"
      R"("process":"已与𠮷先生电话联系","result":"退款€100","citizenOpinion":"满意"})";
  ASSERT_TRUE(a->Push(Item("result", payload)).ok());
  const std::string& body = transport_.sent().back().body;
  EXPECT_TRUE(Has(body, "\\uD842\\uDFB7"));
  EXPECT_TRUE(Has(body, "\\u20AC100"));
  EXPECT_TRUE(Has(body, Gbk("平江县信访局")));
  EXPECT_TRUE(Lacks(body, "平江县"));  // No UTF-8 left.
  auto back = gbk::GbkToUtf8(body);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(Has(*back, "\"contacted\":true"));
}

TEST_F(ProvincialClientTest, PushAnswersMapToOutcomes) {
  auto a = Make();
  const std::string result = R"({"handledBy":"x"})";
  transport_.Respond(409, Gbk(R"({"result":"ALREADY_SUBMITTED"})"), kGbkHeaders);
  auto r = a->Push(Item("result", result));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kDone);

  transport_.Respond(409, Gbk(R"({"result":"INVALID_STATE"})"), kGbkHeaders);
  r = a->Push(Item("result", result));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kRejected);
  EXPECT_TRUE(Has(r.status().message(), "INVALID_STATE"));
  EXPECT_TRUE(Has(r.status().message(), "accept it first"));

  transport_.Respond(409, Gbk(R"({"result":"INVALID_STATE"})"), kGbkHeaders);
  r = a->Push(Item("accept", "{}"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Has(r.status().message(), "RETURNED"));

  transport_.Respond(409, Gbk(R"({"result":"ALREADY_SUBMITTED"})"), kGbkHeaders);
  EXPECT_EQ(a->Push(Item("return", R"({"reason":"x"})")).status().code(), StatusCode::kRejected);

  transport_.Respond(
      422, Gbk(R"({"result":"INCOMPLETE","missing":["contacted","citizenOpinion"]})"), kGbkHeaders);
  r = a->Push(Item("result", result));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kHeld);
  EXPECT_EQ(r->detail, "contacted, citizenOpinion");

  transport_.Respond(422, Gbk(R"({"result":"INCOMPLETE","missing":["reason"]})"), kGbkHeaders);
  r = a->Push(Item("return", "{}"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->detail, "reason");

  transport_.Respond(413, "");
  EXPECT_EQ(a->Push(Item("result", result)).status().code(), StatusCode::kRejected);
  transport_.Respond(404, Gbk(R"({"result":"NOT_FOUND"})"));
  EXPECT_EQ(a->Push(Item("accept", "")).status().code(), StatusCode::kNotFound);
  transport_.Respond(403, Gbk(R"({"result":"FORBIDDEN"})"));
  EXPECT_EQ(a->Push(Item("accept", "")).status().code(), StatusCode::kUnauthenticated);
}

// An INCOMPLETE answer whose body is not the province's JSON object (a proxy's page, nothing, a
// list) is held without naming a field. Its null or array document reached RapidJSON's
// MemberEnd, which asserts (an abort in a debug build, undefined behaviour in a release build).
TEST_F(ProvincialClientTest, AnIncompleteAnswerWithoutItsObjectIsHeldNamingNoField) {
  auto a = Make();
  for (const std::string& body : {std::string(), std::string("<html>422</html>"), Gbk("[]"),
                                  Gbk(R"({"result":"INCOMPLETE"})")}) {
    transport_.Respond(422, body, kGbkHeaders);
    auto r = a->Push(Item("result", R"({"handledBy":"x"})"));
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kHeld) << body;
    EXPECT_EQ(r->detail, "(the province named no field)") << body;
  }
}

TEST_F(ProvincialClientTest, RetryableAnswersAndUnknownOutcomes) {
  auto a = Make();
  transport_.Respond(429, Gbk(R"({"result":"RATE_LIMITED"})"), {{"retry-after", "1"}});
  auto r = a->Push(Item("accept", ""));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().retry_after_ms(), 1000);
  EXPECT_FALSE(r.status().outcome_unknown());

  transport_.Respond(503, "");
  r = a->Push(Item("accept", ""));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(r.status().outcome_unknown());

  for (int code : {502, 504}) {
    transport_.Respond(code, "");
    r = a->Push(Item("result", "{}"));
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << code;
    EXPECT_TRUE(r.status().outcome_unknown()) << code;
  }
  transport_.Fail(Status::Unavailable("operation timed out after sending"));
  r = a->Push(Item("result", "{}"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(r.status().outcome_unknown());
}

TEST_F(ProvincialClientTest, RefusesItemsItCannotSend) {
  auto a = Make();
  EXPECT_EQ(a->Push(Item("close", "{}")).status().code(), StatusCode::kInvalidArgument);
  auto item = Item("accept", "{}");
  item.target_ref = "../admin";
  EXPECT_EQ(a->Push(item).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Push(Item("result", "")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Push(Item("result", "[1]")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.sent().empty());
}

// Writes a configuration with [adapters.provincial] holding `body` and a secret file beside it,
// and creates the adapter through the registry.
Result<std::unique_ptr<adapters::Adapter>> CreateFromConfig(const testing::TempDir& dir,
                                                            const std::string& body,
                                                            testing::FakeTransport& transport,
                                                            FakeClock& clock) {
  std::ofstream(dir.File("province.secret")) << "s3cret\n";
  std::ofstream(dir.File("config.toml"))
      << "[ledger]\npath = \"/var/lib/hs/ledger.db\"\n\n[adapters.provincial]\n"
      << body;
  auto cfg = config::Load(dir.File("config.toml"));
  if (!cfg.ok()) return cfg.status();
  config::Section section = cfg->AdapterSection("provincial");
  return adapters::Create("provincial", section,
                          {&transport, &clock, log::Get("adapter.provincial")});
}

TEST(ProvincialConfigTest, CreatesFromItsSectionThroughTheRegistry) {
  testing::TempDir dir;
  testing::FakeTransport transport;
  FakeClock clock(kNowMs);
  auto a = CreateFromConfig(dir,
                            "base_url = \"https://12345.hunan.gov.cn/\"\ncity_code = \"430600\"\n"
                            "secret_file = \"province.secret\"\npage_size = 50\n",
                            transport, clock);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->name(), "provincial");
  transport.Respond(200, Items({}, std::nullopt), kGbkHeaders);
  EXPECT_TRUE((*a)->CheckHealth().ok());
  const HttpRequest& sent = transport.sent().at(0);
  EXPECT_EQ(sent.url, "https://12345.hunan.gov.cn/prov/api/dispatch?state=PENDING&limit=1");
  for (const auto& [k, v] : sent.headers) {
    if (k == "X-Signature") {
      EXPECT_EQ(v, Signature("430600", std::to_string(kNowMs), "s3cret"));
    }
  }
}

TEST(ProvincialConfigTest, RefusesBadValuesNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"base_url = \"http://12345.hunan.gov.cn\"\ncity_code = \"430600\"\n"
       "secret_file = \"province.secret\"\n",
       "base_url"},
      {"base_url = \"https://x\"\ncity_code = \"4306\"\nsecret_file = \"province.secret\"\n",
       "city_code"},
      {"base_url = \"https://x\"\ncity_code = \"430600\"\nsecret_file = \"province.secret\"\n"
       "page_size = 101\n",
       "page_size"},
      {"base_url = \"https://x\"\ncity_code = \"430600\"\nsecret_file = \"missing.secret\"\n",
       "secret_file"},
      {"base_url = \"https://x\"\ncity_code = \"430600\"\nsecret_file = \"province.secret\"\n"
       "secret = \"inline\"\n",
       "secret"},
  };
  for (const auto& [body, key] : cases) {
    testing::TempDir dir;
    testing::FakeTransport transport;
    FakeClock clock(kNowMs);
    auto a = CreateFromConfig(dir, body, transport, clock);
    ASSERT_FALSE(a.ok()) << body;
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_TRUE(Has(a.status().message(), key)) << body;
  }
}

}  // namespace
}  // namespace hs::provincial
