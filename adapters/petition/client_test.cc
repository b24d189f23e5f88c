// The petition adapter against a scripted transport: the token and its refresh, the paging rules
// of the contract (window end in the past, restart when total moves, next window from the largest
// updatedAt read), error mapping, pushes and Lookup.
#include "adapters/petition/client.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>

#include "daemon/config/config.h"
#include "daemon/core/json.h"
#include "daemon/log/log.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::petition {
namespace {

using testing::Has;

constexpr int64_t kNowMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.

std::string Row(const std::string& no, int64_t updated_at, const std::string& source_no = "") {
  return R"({"petitionNo":")" + no +
         R"(","registeredAt":1686500000000,"form":"ONLINE","petitioner":{"name":"李某","mobile":"13800000001","idCard":null,"address":null,"persons":1},)"
         R"("title":"工厂废气污染","content":"信访人反映附近工厂夜间排放刺鼻废气。","incidentAddress":null,)"
         R"("categoryCode":"XF1101","responsibleOrg":{"code":"430602","name":"岳阳楼区"},"dueAt":1691684000000,)"
         R"("status":"IN_PROGRESS","replyContent":null,"repliedAt":null,"satisfaction":null,)"
         R"("sourceSystem":)" +
         (source_no.empty() ? "null" : "\"12345\"") + R"(,"sourceNo":)" +
         (source_no.empty() ? "null" : "\"" + source_no + "\"") + R"(,"updatedAt":)" +
         std::to_string(updated_at) + "}";
}

std::string Page(const std::vector<std::string>& rows, int64_t total, int64_t page_no = 1) {
  std::string list;
  for (const auto& r : rows) list += (list.empty() ? "" : ",") + r;
  return R"({"success":true,"total":)" + std::to_string(total) + R"(,"pageNo":)" +
         std::to_string(page_no) + R"(,"rows":[)" + list + "]}";
}

std::string ErrorBody(const std::string& code) {
  return R"({"success":false,"errorCode":")" + code + R"(","message":"x"})";
}

class PetitionClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<adapters::Adapter> Make(int page_size = 2) {
    Options o;
    o.base_url = "http://127.0.0.1:9";
    o.client_id = "yy-sync";
    o.client_secret = "s3cret";
    o.page_size = page_size;
    return CreateWithOptions(std::move(o), {&transport_, &clock_, log::Get("adapter.test")});
  }
  void Token(int64_t expires_in = 7200, const std::string& token = "tok1") {
    transport_.Respond(200, R"({"success":true,"accessToken":")" + token + R"(","expiresIn":)" +
                                std::to_string(expires_in) + "}");
  }
  adapters::Page PullOk(adapters::Adapter& a, const std::string& cursor) {
    Reject r;
    auto page = a.Pull(cursor, r);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? std::move(page).value() : adapters::Page{};
  }
  // A field of the i-th request's JSON body.
  int64_t BodyInt(size_t i, const char* key) {
    rapidjson::Document doc;
    EXPECT_TRUE(json::Parse(transport_.sent().at(i).body, doc).ok());
    return doc.IsObject() && doc.HasMember(key) && doc[key].IsInt64() ? doc[key].GetInt64() : -1;
  }
  std::string HeaderOf(size_t i, const std::string& name) {
    for (const auto& [k, v] : transport_.sent().at(i).headers) {
      if (k == name) return v;
    }
    return "";
  }
  adapters::PushItem Item(const std::string& action, const std::string& ref = "") {
    adapters::PushItem item;
    item.id = 7;
    item.action = action;
    item.target_ref = ref;
    item.idempotency_key = "hs-7-create";
    item.payload =
        action == "create"
            ? R"({"form":"HOTLINE","sourceSystem":"12345","sourceNo":"YY2306130001","title":"t","content":"c","categoryCode":"XF1101"})"
            : R"({"at":1686585600000,"action":"办结","text":"","sourceNo":"YY2306130001"})";
    return item;
  }

  testing::FakeTransport transport_;
  FakeClock clock_{kNowMs};
};

TEST_F(PetitionClientTest, FetchesATokenOnceAndQueriesAWindowEndingInThePast) {
  auto a = Make();
  Token();
  transport_.Respond(200, Page({Row("XF-1", kNowMs - 9000)}, 1));
  adapters::Page page = PullOk(*a, "");
  ASSERT_EQ(page.tickets.size(), 1u);
  EXPECT_FALSE(page.has_more);
  EXPECT_EQ(page.requests, 2);
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_EQ(transport_.sent()[0].url, "http://127.0.0.1:9/xf/oauth/token");
  EXPECT_TRUE(Has(transport_.sent()[0].body, R"("clientId":"yy-sync")"));
  EXPECT_EQ(transport_.sent()[1].url, "http://127.0.0.1:9/xf/api/petitions/query");
  EXPECT_EQ(HeaderOf(1, "Authorization"), "Bearer tok1");
  EXPECT_EQ(BodyInt(1, "updatedFrom"), 0);
  EXPECT_EQ(BodyInt(1, "updatedTo"), kNowMs - 5000);
  EXPECT_EQ(BodyInt(1, "pageNo"), 1);
  EXPECT_EQ(BodyInt(1, "pageSize"), 2);
  EXPECT_EQ(page.tickets[0].version, kNowMs - 9000);
  EXPECT_FALSE(page.tickets[0].raw.empty());
  // The next window starts at the largest updatedAt read; the token is reused.
  clock_.Advance(60'000);
  transport_.Respond(200, Page({}, 0));
  PullOk(*a, page.next_cursor);
  ASSERT_EQ(transport_.sent().size(), 3u);
  EXPECT_EQ(BodyInt(2, "updatedFrom"), kNowMs - 9000);
  EXPECT_EQ(BodyInt(2, "updatedTo"), kNowMs + 55'000);
}

TEST_F(PetitionClientTest, RefreshesTheTokenBeforeItDies) {
  auto a = Make();
  Token(600);
  transport_.Respond(200, Page({}, 0));
  std::string cursor = PullOk(*a, "").next_cursor;
  clock_.Advance(550'000);  // Within the last tenth of the token's life.
  Token(600, "tok2");
  transport_.Respond(200, Page({}, 0));
  PullOk(*a, cursor);
  ASSERT_EQ(transport_.sent().size(), 4u);
  EXPECT_EQ(HeaderOf(3, "Authorization"), "Bearer tok2");
}

TEST_F(PetitionClientTest, TokenExpiredFetchesANewTokenAndRepeatsOnce) {
  auto a = Make();
  Token();
  transport_.Respond(401, ErrorBody("TOKEN_EXPIRED"));
  Token(7200, "tok2");
  transport_.Respond(200, Page({Row("XF-1", kNowMs - 9000)}, 1));
  adapters::Page page = PullOk(*a, "");
  EXPECT_EQ(page.tickets.size(), 1u);
  EXPECT_EQ(page.requests, 4);
  EXPECT_EQ(HeaderOf(3, "Authorization"), "Bearer tok2");

  transport_.Respond(401, ErrorBody("TOKEN_EXPIRED"));
  Token(7200, "tok3");
  transport_.Respond(401, ErrorBody("TOKEN_EXPIRED"));
  Reject r;
  auto again = a->Pull("", r);
  ASSERT_FALSE(again.ok());  // Query 401, new token, query 401: no third try.
  EXPECT_EQ(again.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(transport_.sent().size(), 7u);
}

TEST_F(PetitionClientTest, InvalidClientTellsTheOperatorWhatToCheck) {
  auto a = Make();
  transport_.Respond(401, ErrorBody("INVALID_CLIENT"));
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(Has(page.status().message(), "client_id"));
  EXPECT_EQ(transport_.sent().size(), 1u);
}

// Each page starts at the previous page's last updatedAt (so a row that moves inside the window
// shifts no other row past the reader); more than a page at one instant is read by page number,
// again from its first page when its total changes; the next window starts at the largest read.
TEST_F(PetitionClientTest, PagesFollowUpdatedAtAndAnInstantLargerThanAPageGoesByNumber) {
  auto a = Make();
  Token();
  const int64_t to = kNowMs - 5000;
  transport_.Respond(200, Page({Row("XF-1", kNowMs - 20'000), Row("XF-2", kNowMs - 19'000)}, 5));
  adapters::Page p1 = PullOk(*a, "");
  EXPECT_TRUE(p1.has_more);
  EXPECT_EQ(BodyInt(1, "updatedFrom"), 0);
  transport_.Respond(200, Page({Row("XF-2", kNowMs - 19'000), Row("XF-3", kNowMs - 18'000)}, 4));
  adapters::Page p2 = PullOk(*a, p1.next_cursor);
  EXPECT_EQ(BodyInt(2, "updatedFrom"), kNowMs - 19'000);  // Where page 1 ended…
  EXPECT_EQ(BodyInt(2, "pageNo"), 1);                     // …not page 2.
  EXPECT_EQ(BodyInt(2, "updatedTo"), to);
  // Two rows at one instant fill a page: that instant is read by number.
  transport_.Respond(200, Page({Row("XF-3", kNowMs - 18'000), Row("XF-4", kNowMs - 18'000)}, 4));
  adapters::Page p3 = PullOk(*a, p2.next_cursor);
  EXPECT_EQ(BodyInt(3, "updatedFrom"), kNowMs - 18'000);
  transport_.Respond(200, Page({Row("XF-3", kNowMs - 18'000), Row("XF-4", kNowMs - 18'000)}, 3));
  adapters::Page p4 = PullOk(*a, p3.next_cursor);
  EXPECT_EQ(BodyInt(4, "updatedFrom"), kNowMs - 18'000);
  EXPECT_EQ(BodyInt(4, "updatedTo"), kNowMs - 18'000);
  EXPECT_EQ(BodyInt(4, "pageNo"), 1);
  transport_.Respond(200, Page({Row("XF-5", kNowMs - 18'000)}, 2, 2));
  adapters::Page p5 = PullOk(*a, p4.next_cursor);  // A row left the instant: total 3 → 2.
  EXPECT_EQ(BodyInt(5, "pageNo"), 2);
  EXPECT_TRUE(p5.has_more);
  transport_.Respond(200, Page({Row("XF-4", kNowMs - 18'000), Row("XF-5", kNowMs - 18'000)}, 2));
  adapters::Page p6 = PullOk(*a, p5.next_cursor);
  EXPECT_EQ(BodyInt(6, "pageNo"), 1);  // Read again from its first page.
  transport_.Respond(200, Page({}, 2, 2));
  adapters::Page p7 = PullOk(*a, p6.next_cursor);
  EXPECT_EQ(BodyInt(7, "pageNo"), 2);
  EXPECT_TRUE(p7.has_more);  // The instant is done, the window is not.
  transport_.Respond(200, Page({Row("XF-6", kNowMs - 16'000)}, 1));
  adapters::Page p8 = PullOk(*a, p7.next_cursor);
  EXPECT_EQ(BodyInt(8, "updatedFrom"), kNowMs - 17'999);
  EXPECT_EQ(BodyInt(8, "updatedTo"), to);
  EXPECT_EQ(BodyInt(8, "pageNo"), 1);
  EXPECT_FALSE(p8.has_more);
  clock_.Advance(30'000);
  transport_.Respond(200, Page({}, 0));
  PullOk(*a, p8.next_cursor);
  EXPECT_EQ(BodyInt(9, "updatedFrom"), kNowMs - 16'000);  // Rows at that instant read again.
  EXPECT_EQ(BodyInt(9, "pageNo"), 1);
}

// A full page the adapter rejected row by row shows no updatedAt to go on from: the window is read
// on by page number, as the contract describes, and read again when its total changes.
TEST_F(PetitionClientTest, AFullPageOfRejectedRowsGoesOnByPageNumber) {
  auto a = Make();
  Token();
  transport_.Respond(200, Page({R"({"petitionNo":1})", R"({"petitionNo":2})"}, 4));
  adapters::Page p1 = PullOk(*a, "");
  EXPECT_EQ(p1.rejects.size(), 2u);
  EXPECT_TRUE(p1.has_more);
  transport_.Respond(200, Page({Row("XF-3", kNowMs - 18'000)}, 3, 2));
  adapters::Page p2 = PullOk(*a, p1.next_cursor);
  EXPECT_EQ(BodyInt(2, "updatedFrom"), 0);
  EXPECT_EQ(BodyInt(2, "pageNo"), 2);
  EXPECT_TRUE(p2.has_more);  // Total 4 → 3: read again.
  transport_.Respond(200, Page({Row("XF-3", kNowMs - 18'000)}, 1));
  adapters::Page p3 = PullOk(*a, p2.next_cursor);
  EXPECT_EQ(BodyInt(3, "pageNo"), 1);
  EXPECT_FALSE(p3.has_more);
}

TEST_F(PetitionClientTest, OneBadRecordIsRejectedAndThePageGoesOn) {
  auto a = Make(3);
  Token();
  std::string bad = Row("XF-BAD", kNowMs - 9000);
  bad.replace(bad.find("\"XF1101\""), 8, "\"XF0000\"");
  transport_.Respond(
      200, Page({Row("XF-1", kNowMs - 9000), bad,
                 R"({"petitionNo":"XF-HUGE","updatedAt":123456789012345678901234567890})"},
                3));
  adapters::Page page = PullOk(*a, "");
  ASSERT_EQ(page.tickets.size(), 1u);
  ASSERT_EQ(page.rejects.size(), 2u);
  EXPECT_EQ(page.rejects[0].source_id, "XF-BAD");
  EXPECT_TRUE(Has(page.rejects[0].reason, "categoryCode"));
  EXPECT_EQ(page.rejects[0].raw, bad);
  EXPECT_EQ(page.rejects[1].source_id, "XF-HUGE");
}

TEST_F(PetitionClientTest, MapsErrorsToStatusCodes) {
  auto a = Make();
  Token();
  Reject r;
  transport_.Respond(429, ErrorBody("RATE_LIMITED"), {{"retry-after", "7"}});
  auto s = a->Pull("", r);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().retry_after_ms(), 7000);
  transport_.Respond(503, ErrorBody("MAINTENANCE"), {{"retry-after", "120"}});
  s = a->Pull("", r);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().retry_after_ms(), 120'000);
  EXPECT_TRUE(Has(s.status().message(), "maintenance"));
  transport_.Respond(503, ErrorBody("MAINTENANCE"));
  s = a->Pull("", r);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().retry_after_ms(), 0);
  transport_.Respond(502, "<html><body>502 Bad Gateway</body></html>");
  EXPECT_EQ(a->Pull("", r).status().code(), StatusCode::kUnavailable);
  transport_.Respond(504, "<html>Gateway Timeout</html>");
  EXPECT_EQ(a->Pull("", r).status().code(), StatusCode::kUnavailable);
  transport_.Respond(
      400,
      R"({"success":false,"errorCode":"INVALID_ARGUMENT","message":"pageSize: must be 1..200"})");
  s = a->Pull("", r);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(s.status().message(), "pageSize"));
  transport_.Fail(Status::Unavailable("connection reset"));
  EXPECT_EQ(a->Pull("", r).status().code(), StatusCode::kUnavailable);
}

TEST_F(PetitionClientTest, ABodyThatIsNotJsonIsRejectedWithThePage) {
  auto a = Make();
  Token();
  transport_.Respond(200, "<html>maintenance</html>");
  Reject r;
  auto page = a->Pull("", r);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kRejected);
  EXPECT_EQ(r.raw, "<html>maintenance</html>");
  EXPECT_TRUE(Has(r.source_id, "/xf/api/petitions/query"));
  transport_.Respond(200, R"({"success":false,"total":0,"rows":[]})");
  EXPECT_EQ(a->Pull("", r).status().code(), StatusCode::kRejected);
}

// JSON that is not the page's object used to abort in RapidJSON's MemberEnd (found by
// fuzz/petition_fuzz.cc); now the page is rejected whole like any unreadable body.
TEST_F(PetitionClientTest, ABodyThatIsJsonButNotAnObjectIsRejectedWithThePage) {
  auto a = Make();
  Token();
  for (const char* body : {"1e-400", "[]", "null"}) {
    transport_.Respond(200, body);
    Reject r;
    auto page = a->Pull("", r);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.status().code(), StatusCode::kRejected) << body;
    EXPECT_EQ(r.raw, body);
  }
}

TEST_F(PetitionClientTest, PushCreateSendsTheKeyAndThePayloadAsIs) {
  auto a = Make();
  Token();
  transport_.Respond(201, R"({"success":true,"petitionNo":"XF-430600-2023-000042"})");
  adapters::PushItem item = Item("create");
  auto r = a->Push(item);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, adapters::PushResult::Outcome::kDone);
  EXPECT_EQ(r->remote_id, "XF-430600-2023-000042");
  EXPECT_EQ(transport_.sent()[1].url, "http://127.0.0.1:9/xf/api/petitions");
  EXPECT_EQ(transport_.sent()[1].body, item.payload);
  EXPECT_EQ(HeaderOf(1, "Idempotency-Key"), "hs-7-create");
  transport_.Respond(200, R"({"success":true,"petitionNo":"XF-430600-2023-000042"})");  // Replay.
  EXPECT_EQ(a->Push(item)->remote_id, "XF-430600-2023-000042");
  EXPECT_EQ(a->IdempotencyRetentionMs(), 30LL * 86'400'000);
}

TEST_F(PetitionClientTest, PushProgressGoesToThePetition) {
  auto a = Make();
  Token();
  transport_.Respond(201, R"({"success":true,"petitionNo":"XF-430600-2023-000042"})");
  auto r = a->Push(Item("progress", "XF-430600-2023-000042"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->remote_id, "XF-430600-2023-000042");
  EXPECT_EQ(transport_.sent()[1].url,
            "http://127.0.0.1:9/xf/api/petitions/XF-430600-2023-000042/progress");
  EXPECT_EQ(a->Push(Item("progress", "../x")).status().code(), StatusCode::kRejected);
  EXPECT_EQ(a->Push(Item("delete")).status().code(), StatusCode::kRejected);
}

TEST_F(PetitionClientTest, PushFailuresSayWhetherTheOutcomeIsUnknown) {
  auto a = Make();
  Token();
  transport_.Respond(409, ErrorBody("DUPLICATE_REQUEST"));
  auto r = a->Push(Item("create"));
  EXPECT_EQ(r.status().code(), StatusCode::kRejected);
  EXPECT_TRUE(Has(r.status().message(), "bug"));
  EXPECT_FALSE(r.status().outcome_unknown());
  transport_.Respond(404, ErrorBody("NOT_FOUND"));
  EXPECT_EQ(a->Push(Item("progress", "XF-9")).status().code(), StatusCode::kNotFound);
  transport_.Respond(413, ErrorBody("PAYLOAD_TOO_LARGE"));
  EXPECT_EQ(a->Push(Item("create")).status().code(), StatusCode::kRejected);
  transport_.Respond(429, ErrorBody("RATE_LIMITED"), {{"retry-after", "2"}});
  r = a->Push(Item("create"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().retry_after_ms(), 2000);
  EXPECT_FALSE(r.status().outcome_unknown());
  transport_.Respond(503, ErrorBody("MAINTENANCE"));
  EXPECT_FALSE(a->Push(Item("create")).status().outcome_unknown());
  transport_.Fail(Status::Unavailable("operation timed out"));
  r = a->Push(Item("create"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(r.status().outcome_unknown());
  transport_.Respond(502, "<html>Bad Gateway</html>");
  EXPECT_TRUE(a->Push(Item("create")).status().outcome_unknown());
  transport_.Respond(504, "<html>Gateway Timeout</html>");
  EXPECT_TRUE(a->Push(Item("create")).status().outcome_unknown());
  transport_.Respond(400, ErrorBody("INVALID_ARGUMENT"));
  EXPECT_EQ(a->Push(Item("create")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PetitionClientTest, PushRefreshesAnExpiredTokenOnce) {
  auto a = Make();
  Token();
  transport_.Respond(401, ErrorBody("TOKEN_EXPIRED"));
  Token(7200, "tok2");
  transport_.Respond(201, R"({"success":true,"petitionNo":"XF-1"})");
  auto r = a->Push(Item("create"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(HeaderOf(3, "Idempotency-Key"), "hs-7-create");
  EXPECT_EQ(HeaderOf(3, "Authorization"), "Bearer tok2");
}

TEST_F(PetitionClientTest, LookupFindsACreatedPetitionBySourceNo) {
  auto a = Make();
  Token();
  adapters::PushItem item = Item("create");
  item.first_attempt_ms = kNowMs - 3'600'000;
  transport_.Respond(200, Page({Row("XF-1", kNowMs - 9000), Row("XF-2", kNowMs - 8000, "YY0")}, 3));
  transport_.Respond(200, Page({Row("XF-3", kNowMs - 7000, "YY2306130001")}, 3, 2));
  auto found = a->Lookup(item);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, "XF-3");
  EXPECT_EQ(BodyInt(1, "updatedFrom"), kNowMs - 3'660'000);
  EXPECT_EQ(BodyInt(1, "updatedTo"), kNowMs - 5000);
  transport_.Respond(200, Page({Row("XF-1", kNowMs - 9000)}, 1));
  auto absent = a->Lookup(item);
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, "");
  auto progress = a->Lookup(Item("progress", "XF-9"));
  EXPECT_EQ(progress.status().code(), StatusCode::kRejected);
  EXPECT_TRUE(Has(progress.status().message(), "XF-9"));
  EXPECT_TRUE(Has(progress.status().message(), "outbox retry"));
}

TEST_F(PetitionClientTest, HealthIsATokenAndAOneRowQuery) {
  auto a = Make();
  Token();
  transport_.Respond(200, Page({Row("XF-1", kNowMs - 9000)}, 1));
  EXPECT_TRUE(a->CheckHealth().ok());
  EXPECT_EQ(BodyInt(1, "pageSize"), 1);
}

TEST_F(PetitionClientTest, AnUnreadableCursorStartsOver) {
  auto a = Make();
  Token();
  transport_.Respond(200, Page({}, 0));
  PullOk(*a, "{\"from\":\"x\"}");
  EXPECT_EQ(BodyInt(1, "updatedFrom"), 0);

  // A saved cursor that is JSON but not an object asserted in RapidJSON's MemberEnd.
  for (const char* cursor : {"1", "[]", "null"}) {
    transport_.Respond(200, Page({}, 0));
    PullOk(*a, cursor);
    EXPECT_EQ(BodyInt(transport_.sent().size() - 1, "updatedFrom"), 0) << cursor;
  }
}

}  // namespace
}  // namespace hs::petition

namespace hs::petition {
namespace {

// [adapters.petition] read from a configuration file, with the secret beside it.
class PetitionOptionsTest : public ::testing::Test {
 protected:
  Result<Options> Read(const std::string& body) {
    {
      std::ofstream(dir_.File("secret")) << "s3cret\n";
      std::ofstream(dir_.File("cats.toml"))
          << "[codes]\nXF9001 = { name = \"测试\", sqfl = \"其他类\" }\n";
      std::ofstream(dir_.File("hs.toml"))
          << "[ledger]\npath = \"" << dir_.File("l.db") << "\"\n[adapters.petition]\n"
          << body;
    }
    auto cfg = config::Load(dir_.File("hs.toml"));
    if (!cfg.ok()) return cfg.status();
    config::Section s = cfg->AdapterSection("petition");
    HS_ASSIGN_OR_RETURN(Options o, ReadOptions(s));
    HS_RETURN_IF_ERROR(s.Finish());
    return o;
  }
  testing::TempDir dir_;
};

TEST_F(PetitionOptionsTest, ReadsTheSectionWithDefaults) {
  auto o = Read(
      "base_url = \"https://xf.example.gov.cn/\"\nclient_id = \"yy-sync\"\n"
      "client_secret_file = \"secret\"\n");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->client_secret, "s3cret");
  EXPECT_EQ(o->page_size, 200);
  EXPECT_EQ(o->window_lag_ms, 5000);
  EXPECT_EQ(o->lookback_ms, 0);
  EXPECT_EQ(o->categories.size(), 10u);
  auto custom = Read(
      "base_url = \"http://127.0.0.1:8080\"\nclient_id = \"c\"\n"
      "client_secret_file = \"secret\"\ncategories_file = \"cats.toml\"\n"
      "page_size = 50\nwindow_lag = \"10s\"\n");
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  EXPECT_NE(custom->categories.Find("XF9001"), nullptr);
  EXPECT_EQ(custom->page_size, 50);
}

TEST_F(PetitionOptionsTest, RefusesBadValues) {
  const std::string base = "client_id = \"c\"\nclient_secret_file = \"secret\"\n";
  EXPECT_TRUE(
      Has(Read(base + "base_url = \"http://xf.example.gov.cn\"\n").status().message(), "base_url"));
  EXPECT_TRUE(
      Has(Read(base + "base_url = \"https://xf.example.gov.cn/xf\"\n").status().message(), "/xf"));
  EXPECT_FALSE(Read(base + "base_url = \"https://x\"\npage_size = 201\n").ok());
  EXPECT_FALSE(Read(base + "base_url = \"https://x\"\nwindow_lag = \"1s\"\n").ok());
  EXPECT_FALSE(Read(base + "base_url = \"https://x\"\ncategories_file = \"none.toml\"\n").ok());
  EXPECT_FALSE(Read(base + "base_url = \"https://x\"\nsecret = \"inline\"\n").ok());
}

}  // namespace
}  // namespace hs::petition
