// The provincial simulator over real HTTP on loopback: the signature window (exactly 300000 ms
// passes, 300001 fails), the pending queue and revision feed, the result / return / accept rules,
// the province's review (REOPENED, then a new result), GBK both ways, 413 and 429; and the adapter
// against it, faults included.
#include "adapters/provincial/sim.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>

#include "adapters/provincial/client.h"
#include "adapters/provincial/mapping.h"
#include "adapters/provincial/signing.h"
#include "adapters/provincial/sim_world.h"
#include "daemon/core/gbk.h"
#include "daemon/core/json.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "tests/fakes/test_util.h"

namespace hs::provincial {
namespace {

using testing::Has;

constexpr int64_t kNowMs = 1700000000'000;  // The machine's clock; the world has its own time.
constexpr const char* kFullResult =
    R"({"handledBy":"平江县信访局","closedAt":"2023-06-14T10:00:00+08:00","contacted":false,)"
    R"("process":"电话无人接听，已上门未遇，留言告知","result":"已督促施工方停止夜间施工",)"
    R"("citizenOpinion":"未能联系，无法征询"})";

struct Reply {
  int status = 0;
  std::string raw;   // As sent: GBK.
  std::string text;  // Decoded to UTF-8.
  std::string content_type;
  std::string retry_after;
  rapidjson::Document doc;
  std::string Word() const {
    return doc.IsObject() && doc.HasMember("result") && doc["result"].IsString()
               ? doc["result"].GetString()
               : "";
  }
};

class ProvincialSimTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { CurlTransport::GlobalInit(); }

  void Start(ProvincialSimOptions o = {}) {
    o.rps = rps_;
    sim_ = std::make_unique<ProvincialSim>(o, clock_);
    Status s = sim_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static ProvincialSimOptions Small() {
    ProvincialSimOptions o;
    o.count = 60;  // 20 exist at sim_start.
    o.speed = 0;   // Frozen: nothing arrives or is reviewed unless a test says so.
    o.reopen_share = 0;
    return o;
  }

  // Sends a request signed at `ts_ms` (default: now). POST bodies are UTF-8 JSON converted to
  // GBK unless `raw_body`.
  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             std::optional<int64_t> ts_ms = std::nullopt, bool raw_body = false,
             const std::string& secret = "sim-secret", const std::string& city = "430600") {
    HttpRequest req;
    req.method = method;
    req.url = sim_->base_url() + path;
    const std::string ts = std::to_string(ts_ms.value_or(clock_.NowMillis()));
    req.headers = {{"X-City-Code", city},
                   {"X-Timestamp", ts},
                   {"X-Signature", Signature(city, ts, secret)},
                   {"Content-Type", "application/json;charset=GBK"}};
    if (raw_body) {
      req.body = body;
    } else if (!body.empty()) {
      auto gbk = gbk::Utf8ToGbkJson(body);
      EXPECT_TRUE(gbk.ok());
      req.body = gbk.ok() ? *gbk : "";
    }
    Reply r;
    auto resp = transport_.Send(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    if (!resp.ok()) return r;
    r.status = resp->status;
    r.raw = resp->body;
    r.content_type = std::string(resp->Header("content-type"));
    r.retry_after = std::string(resp->Header("retry-after"));
    auto text = gbk::GbkToUtf8(resp->body);
    EXPECT_TRUE(text.ok()) << path;
    if (text.ok()) r.text = *text;
    if (!json::Parse(r.text, r.doc).ok()) r.doc.SetNull();
    return r;
  }
  Reply Changes(int64_t after, int limit = 100) {
    return Call("GET", "/prov/api/dispatch/changes?afterRevision=" + std::to_string(after) +
                           "&limit=" + std::to_string(limit));
  }
  Reply Post(const std::string& id, const std::string& action, const std::string& body) {
    return Call("POST", "/prov/api/dispatch/" + id + "/" + action, body);
  }
  // The first pending dispatch's id.
  std::string FirstPending() {
    Reply r = Call("GET", "/prov/api/dispatch?state=PENDING&limit=1");
    EXPECT_EQ(r.status, 200);
    return r.doc.IsObject() && r.doc["items"].Size() == 1
               ? r.doc["items"][0]["dispatchId"].GetString()
               : "";
  }
  // The record of `id` in the feed from revision 0.
  std::pair<std::string, int64_t> StateOf(const std::string& id) {
    Reply r = Changes(0);
    for (const auto& item : r.doc["items"].GetArray()) {
      if (id == item["dispatchId"].GetString()) {
        return {item["state"].GetString(), item["revision"].GetInt64()};
      }
    }
    return {"", 0};
  }

  double rps_ = 0;
  FakeClock clock_{kNowMs};
  CurlTransport transport_{CurlOptions{}};
  std::unique_ptr<ProvincialSim> sim_;
};

TEST(ProvincialSimWorldTest, GenerationIsDeterministicAndMatchesTheContractsShapes) {
  ProvincialSimOptions o;
  o.count = 1000;
  SimWorld a(o), b(o);
  o.seed = 2;
  SimWorld c(o);
  for (SimWorld* w : {&a, &b, &c}) w->AdvanceTo(o.sim_start + o.days_after * 86400);  // All.
  EXPECT_TRUE(a.Snapshot() == b.Snapshot());
  EXPECT_FALSE(a.Snapshot() == c.Snapshot());
  int foreign = 0;
  std::map<std::string, int> origins;
  for (const auto& [id, text] : a.Snapshot()) {
    rapidjson::Document d;
    ASSERT_TRUE(json::Parse(text, d).ok()) << id;
    Ticket t;
    ASSERT_TRUE(MapRecord(d, t).ok()) << id;  // Every generated record maps.
    foreign += !t.address.starts_with("岳阳市");
    ++origins[t.channel];
    if (!t.id_number.empty()) {  // GB 11643 check digit.
      static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
      int sum = 0;
      for (int i = 0; i < 17; ++i) sum += (t.id_number[i] - '0') * kWeights[i];
      EXPECT_EQ(t.id_number[17], "10X98765432"[sum % 11]) << id;
    }
  }
  EXPECT_GT(foreign, 0);
  EXPECT_GT(origins[std::string(kOriginXiangYiBan)], origins[std::string(kOriginGovernor)]);
  EXPECT_EQ(origins.size(), 4u);
}

TEST_F(ProvincialSimTest, SignatureWindowIsExactlyFiveMinutes) {
  Start(Small());
  const std::string path = "/prov/api/dispatch?state=PENDING&limit=1";
  for (int64_t skew : {-300'000, 300'000, 0}) {
    Reply r = Call("GET", path, "", kNowMs + skew);
    EXPECT_EQ(r.status, 200) << skew;
    EXPECT_EQ(r.content_type, "application/json;charset=GBK");
  }
  for (int64_t skew : {-300'001, 300'001}) {
    Reply r = Call("GET", path, "", kNowMs + skew);
    EXPECT_EQ(r.status, 403) << skew;
    EXPECT_EQ(r.Word(), "FORBIDDEN");
  }
  EXPECT_EQ(Call("GET", path, "", std::nullopt, false, "wrong-secret").status, 403);
  EXPECT_EQ(Call("GET", path, "", std::nullopt, false, "sim-secret", "430100").status, 403);
  EXPECT_EQ(sim_->Stats().forbidden, 4);
}

TEST_F(ProvincialSimTest, PendingQueueIsOldestFirst) {
  Start(Small());
  Reply r = Call("GET", "/prov/api/dispatch?state=PENDING&limit=100");
  ASSERT_EQ(r.status, 200);
  const auto& items = r.doc["items"];
  ASSERT_EQ(items.Size(), sim_->Snapshot().size());
  ASSERT_GE(items.Size(), 10u);
  for (rapidjson::SizeType i = 0; i < items.Size(); ++i) {
    EXPECT_STREQ(items[i]["state"].GetString(), "PENDING");
    if (i == 0) continue;
    auto key = [](const rapidjson::Value& v) {
      return std::make_pair(*ParseIsoTime(v["dispatchedAt"].GetString()),
                            std::string(v["dispatchId"].GetString()));
    };
    EXPECT_LT(key(items[i - 1]), key(items[i]));
  }
  EXPECT_EQ(Call("GET", "/prov/api/dispatch?state=PENDING&limit=3").doc["items"].Size(), 3u);
  EXPECT_EQ(Call("GET", "/prov/api/dispatch?state=PENDING&limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/prov/api/dispatch?state=PENDING&limit=101").status, 400);
  EXPECT_EQ(Call("GET", "/prov/api/dispatch?state=CLOSED").status, 400);
}

TEST_F(ProvincialSimTest, RevisionFeedShowsEachDispatchOnceAtItsLatestRevision) {
  Start(Small());
  Reply all = Changes(0);
  ASSERT_EQ(all.status, 200);
  const size_t n = all.doc["items"].Size();
  ASSERT_EQ(n, sim_->Snapshot().size());
  int64_t last = all.doc["lastRevision"].GetInt64();
  EXPECT_EQ(last, all.doc["items"][static_cast<rapidjson::SizeType>(n - 1)]["revision"].GetInt64());

  // Paging by lastRevision reads the same dispatches.
  std::vector<std::string> paged;
  for (int64_t after = 0;;) {
    Reply page = Changes(after, 7);
    for (const auto& item : page.doc["items"].GetArray())
      paged.push_back(item["dispatchId"].GetString());
    int64_t m = page.doc["lastRevision"].GetInt64();
    if (page.doc["items"].Size() == 0) {
      EXPECT_EQ(m, after);  // None: m = n.
      break;
    }
    EXPECT_GT(m, after);
    after = m;
  }
  EXPECT_EQ(paged.size(), n);

  // A change by the city raises the city's counter; the dispatch moves to the end, once.
  const std::string id = FirstPending();
  ASSERT_EQ(Post(id, "accept", "{}").status, 200);
  Reply after = Changes(last);
  ASSERT_EQ(after.doc["items"].Size(), 1u);
  EXPECT_EQ(after.doc["items"][0]["dispatchId"].GetString(), id);
  EXPECT_EQ(after.doc["items"][0]["revision"].GetInt64(), last + 1);
  EXPECT_STREQ(after.doc["items"][0]["state"].GetString(), "ACCEPTED");
  Reply again = Changes(0);
  EXPECT_EQ(again.doc["items"].Size(), n);
  std::set<std::string> ids;
  for (const auto& item : again.doc["items"].GetArray()) ids.insert(item["dispatchId"].GetString());
  EXPECT_EQ(ids.size(), n);
  EXPECT_EQ(Changes(last + 1).doc["lastRevision"].GetInt64(), last + 1);
}

TEST_F(ProvincialSimTest, ResultRules) {
  Start(Small());
  const std::string id = FirstPending();
  EXPECT_EQ(Post(id, "result", kFullResult).Word(), "INVALID_STATE");  // PENDING.
  ASSERT_EQ(Post(id, "accept", "").status, 200);
  ASSERT_EQ(Post(id, "accept", "{}").status, 200);  // A harmless repeat.

  Reply incomplete = Post(id, "result", R"({"handledBy":" ","contacted":"no","process":"x"})");
  EXPECT_EQ(incomplete.status, 422);
  EXPECT_EQ(incomplete.text,
            R"({"result":"INCOMPLETE","missing":["handledBy","closedAt","contacted","result",)"
            R"("citizenOpinion"]})");

  Reply ok = Post(id, "result", kFullResult);  // contacted: false is an answer.
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Word(), "OK");
  EXPECT_EQ(StateOf(id).first, "RESULT_SUBMITTED");
  Reply same = Post(id, "result", kFullResult);
  EXPECT_EQ(same.status, 409);
  EXPECT_EQ(same.Word(), "ALREADY_SUBMITTED");
  std::string other = kFullResult;
  other.replace(other.find("已督促"), 3, "已责令");
  EXPECT_EQ(Post(id, "result", other).Word(), "ALREADY_SUBMITTED");
  EXPECT_EQ(Post(id, "accept", "{}").status, 200);  // Harmless also once a result is in.
  EXPECT_EQ(Post(id, "return", R"({"reason":"x"})").Word(), "INVALID_STATE");

  auto results = sim_->Results(id);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(Has(results[0], "已督促施工方停止夜间施工"));
  DispatchEffects e = sim_->Effects().at(id);
  EXPECT_EQ(e.accepts, 1);
  EXPECT_EQ(e.results, 1);
  EXPECT_EQ(e.already_submitted, 2);
  EXPECT_EQ(Post("HN-NO-SUCH", "accept", "{}").status, 404);
}

TEST_F(ProvincialSimTest, ReviewClosesOrReopensAndAReopenedDispatchTakesANewResult) {
  ProvincialSimOptions o = Small();
  o.reopen_share = 1;  // The province refuses every first result...
  o.review_delay_s = 3600;
  o.speed = 3600;  // One simulated hour per clock second.
  Start(o);
  const std::string id = FirstPending();
  ASSERT_EQ(Post(id, "accept", "{}").status, 200);
  ASSERT_EQ(Post(id, "result", kFullResult).status, 200);
  auto before = StateOf(id);
  EXPECT_EQ(before.first, "RESULT_SUBMITTED");
  clock_.Advance(1000);
  auto reopened = StateOf(id);
  EXPECT_EQ(reopened.first, "REOPENED");
  EXPECT_GT(reopened.second, before.second);
  for (const auto& [sid, record] : sim_->Snapshot()) {
    if (sid != id) continue;
    rapidjson::Document d;
    ASSERT_TRUE(json::Parse(record, d).ok());
    EXPECT_EQ(*ParseIsoTime(d["deadline"].GetString()), sim_->SimNow() + 7 * 86400);
  }
  EXPECT_EQ(Post(id, "return", R"({"reason":"x"})").Word(), "INVALID_STATE");
  std::string second = kFullResult;
  second.replace(second.find("已督促"), 3, "已责令");
  ASSERT_EQ(Post(id, "result", second).status, 200);  // No new accept needed.
  EXPECT_EQ(Post(id, "result", second).Word(), "ALREADY_SUBMITTED");
  auto results = sim_->Results(id);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(Has(results[1], "已责令"));
  DispatchEffects e = sim_->Effects().at(id);
  EXPECT_EQ(e.results, 2);
  EXPECT_EQ(e.reopens, 1);
}

TEST_F(ProvincialSimTest, ReviewClosesWhenTheResultIsKept) {
  ProvincialSimOptions o = Small();
  o.review_delay_s = 3600;
  o.speed = 3600;
  Start(o);
  const std::string id = FirstPending();
  ASSERT_EQ(Post(id, "accept", "{}").status, 200);
  ASSERT_EQ(Post(id, "result", kFullResult).status, 200);
  clock_.Advance(1000);
  EXPECT_EQ(StateOf(id).first, "CLOSED");
  EXPECT_EQ(Post(id, "result", kFullResult).Word(), "ALREADY_SUBMITTED");
  EXPECT_EQ(Post(id, "accept", "{}").status, 200);
}

TEST_F(ProvincialSimTest, ReturnRules) {
  Start(Small());
  const std::string id = FirstPending();
  Reply no_reason = Post(id, "return", "{}");
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(no_reason.text, R"({"result":"INCOMPLETE","missing":["reason"]})");
  EXPECT_EQ(Post(id, "return", R"({"reason":"　 "})").status, 422);  // Blank.
  EXPECT_EQ(Post(id, "return", R"({"reason":"诉求地点在长沙市开福区，非本市辖区"})").status, 200);
  EXPECT_EQ(Post(id, "return", R"({"reason":"重复提交"})").status, 200);  // Harmless.
  EXPECT_EQ(StateOf(id).first, "RETURNED");
  EXPECT_EQ(Post(id, "accept", "{}").Word(), "INVALID_STATE");
  EXPECT_EQ(Post(id, "result", kFullResult).Word(), "INVALID_STATE");
  EXPECT_EQ(sim_->Effects().at(id).returns, 1);

  const std::string accepted = FirstPending();
  ASSERT_EQ(Post(accepted, "accept", "{}").status, 200);
  EXPECT_EQ(Post(accepted, "return", R"({"reason":"非本单位职责"})").status, 200);
}

TEST_F(ProvincialSimTest, GbkBothWays) {
  ProvincialSimOptions o = Small();
  o.count = 300;
  Start(o);
  Reply all = Changes(0);
  ASSERT_EQ(all.status, 200);
  // Bodies hold synthetic personal data: checked without printing them.
  auto holds = [](const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  };
  EXPECT_TRUE(holds(all.raw, "\\uD842\\uDFB7"));  // 𠮷 is outside GBK: served escaped.
  EXPECT_TRUE(holds(all.raw, "\\u20AC"));         // € too.
  EXPECT_FALSE(holds(all.raw, "岳阳市"));         // Not UTF-8...
  EXPECT_TRUE(holds(all.raw, *gbk::Utf8ToGbkJson("岳阳市")));  // ...but GBK.
  EXPECT_TRUE(holds(json::Write(all.doc), "𠮷"));
  EXPECT_TRUE(holds(json::Write(all.doc), "€"));

  const std::string id = FirstPending();
  ASSERT_EQ(Post(id, "accept", "{}").status, 200);
  std::string utf8_euro = kFullResult;
  utf8_euro.replace(utf8_euro.rfind("\"}"), 1, "€\"");  // Raw UTF-8 € before a quote.
  EXPECT_EQ(
      Call("POST", "/prov/api/dispatch/" + id + "/result", utf8_euro, std::nullopt, true).status,
      400);
  EXPECT_EQ(
      Call("POST", "/prov/api/dispatch/" + id + "/result", "{\"a\":\"\x81 \"}", std::nullopt, true)
          .status,
      400);
  std::string euro = kFullResult;
  euro.replace(euro.find("已督促"), 3, "罚款€100并已督促");
  ASSERT_EQ(Post(id, "result", euro).status, 200);  // Sent as \u20AC.
  EXPECT_TRUE(Has(sim_->Results(id).at(0), "罚款€100"));
}

TEST_F(ProvincialSimTest, BodiesOverOneMebibyteAre413) {
  Start(Small());
  const std::string id = FirstPending();
  std::string huge = R"({"reason":")" + std::string(1 << 20, 'a') + "\"}";
  EXPECT_EQ(Call("POST", "/prov/api/dispatch/" + id + "/return", huge, std::nullopt, true).status,
            413);
}

TEST_F(ProvincialSimTest, RateLimitedPastFiveRequestsASecond) {
  rps_ = 5;
  Start(Small());
  const std::string path = "/prov/api/dispatch?state=PENDING&limit=1";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Call("GET", path).status, 200) << i;
  Reply limited = Call("GET", path);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Word(), "RATE_LIMITED");
  EXPECT_EQ(limited.retry_after, "1");
  clock_.Advance(1000);
  EXPECT_EQ(Call("GET", path).status, 200);
  EXPECT_EQ(sim_->Stats().rate_limited, 1);
}

class ProvincialSimAdapterTest : public ProvincialSimTest {
 protected:
  std::unique_ptr<adapters::Adapter> Adapter(HttpTransport& transport) {
    Options o;
    o.base_url = sim_->base_url();
    o.city_code = "430600";
    o.secret = "sim-secret";
    o.page_size = 10;
    return CreateWithOptions(o, {&transport, &clock_, log::Get("adapter.provincial")});
  }
  adapters::PushItem Item(const std::string& id, const std::string& action,
                          const std::string& payload) {
    adapters::PushItem item;
    item.action = action;
    item.target_ref = id;
    item.idempotency_key = "k-" + id + "-" + action;
    item.payload = payload;
    return item;
  }
};

TEST_F(ProvincialSimAdapterTest, PullsEveryDispatchAndPushesTheContractsOutcomes) {
  Start(Small());
  auto a = Adapter(transport_);
  std::set<std::string> seen;
  std::string cursor;
  for (int i = 0; i < 20; ++i) {
    Reject r;
    auto page = a->Pull(cursor, r);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_TRUE(page->rejects.empty());
    for (const Ticket& t : page->tickets) seen.insert(t.external_id);
    cursor = page->next_cursor;
    if (!page->has_more) break;
  }
  EXPECT_EQ(seen.size(), sim_->Snapshot().size());

  const std::string id = FirstPending();
  auto done = a->Push(Item(id, "accept", ""));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->remote_id, id);
  auto held = a->Push(Item(id, "result", R"({"handledBy":"平江县","contacted":true})"));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->outcome, adapters::PushResult::Outcome::kHeld);
  EXPECT_EQ(held->detail, "closedAt, process, result, citizenOpinion");
  ASSERT_TRUE(a->Push(Item(id, "result", kFullResult)).ok());
  auto replay = a->Push(Item(id, "result", kFullResult));  // ALREADY_SUBMITTED counts as done.
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->outcome, adapters::PushResult::Outcome::kDone);
  auto refused = a->Push(Item(id, "return", R"({"reason":"x"})"));
  EXPECT_EQ(refused.status().code(), StatusCode::kRejected);
  EXPECT_EQ(sim_->Effects().at(id).results, 1);
  EXPECT_TRUE(a->CheckHealth().ok());
}

TEST_F(ProvincialSimAdapterTest, FaultsAfterTheEffectGiveAnUnknownOutcome) {
  Start(Small());
  auto a = Adapter(transport_);
  const std::string id = FirstPending();
  ProvincialSimFaults f;
  f.reset_rate = 1;
  sim_->SetFaults(f);
  auto reset = a->Push(Item(id, "accept", "{}"));
  EXPECT_EQ(reset.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(reset.status().outcome_unknown());
  EXPECT_EQ(sim_->Effects().at(id).accepts, 1);  // It took effect.

  CurlOptions quick;
  quick.total_timeout_ms = 300;
  CurlTransport impatient(quick);
  auto b = Adapter(impatient);
  f = {};
  f.stall_rate = 1;
  f.stall_ms = 5000;
  sim_->SetFaults(f);
  auto stalled = b->Push(Item(id, "result", kFullResult));
  EXPECT_EQ(stalled.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(stalled.status().outcome_unknown());
  f = {};
  f.error_rate = 1;
  sim_->SetFaults(f);
  Reject r;
  EXPECT_EQ(a->Pull("", r).status().code(), StatusCode::kUnavailable);
  sim_->SetFaults({});
  auto replay = a->Push(Item(id, "result", kFullResult));  // The retry is a replay: done.
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_EQ(sim_->Effects().at(id).results, 1);
}

}  // namespace
}  // namespace hs::provincial
