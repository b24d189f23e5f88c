// Tests of the simulated petition platform: the generated world (determinism, records the mapping
// accepts), the contract over real HTTP on 127.0.0.1 (tokens, query validation, idempotency,
// maintenance, 429, 413, faults), the adapter against it, and the paging test: a Puller and a real
// ledger reading while rows drift, ending with every petition at its newest version. Time comes
// from a FakeClock; nothing sleeps to wait for state.
#include "adapters/petition/sim.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>

#include "adapters/petition/client.h"
#include "adapters/petition/mapping.h"
#include "adapters/petition/sim_world.h"
#include "daemon/core/json.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "daemon/net/curl_transport.h"
#include "daemon/sync/puller.h"
#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::petition {
namespace {

using testing::Has;

constexpr int64_t kSimStart = 1686585600;  // 2023-06-13 00:00:00 Beijing time.
constexpr int64_t kDayMs = 86'400'000;

int64_t IntOf(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : -1;
}
std::string StrOf(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

TEST(PetitionSimWorldTest, SameSeedSameWorldAndEveryRecordMaps) {
  auto a = PetitionWorld::Generate(5, 400, (kSimStart - 30 * 86400) * 1000,
                                   (kSimStart + 30 * 86400) * 1000, 0.15);
  auto b = PetitionWorld::Generate(5, 400, (kSimStart - 30 * 86400) * 1000,
                                   (kSimStart + 30 * 86400) * 1000, 0.15);
  a->AdvanceTo(kSimStart * 1000 + 20 * kDayMs);
  b->AdvanceTo(kSimStart * 1000 + 20 * kDayMs);
  ASSERT_TRUE(a->Snapshot() == b->Snapshot());
  auto categories = CategoryMap::Shipped();
  ASSERT_TRUE(categories.ok());
  std::map<std::string, int> statuses;
  int collective = 0;
  for (const auto& [no, text] : a->Snapshot()) {
    rapidjson::Document doc;
    ASSERT_TRUE(json::Parse(text, doc).ok()) << no;
    Ticket t;
    Status s = MapRecord(doc, *categories, t);
    ASSERT_TRUE(s.ok()) << no << ": " << s.ToString();
    EXPECT_LE(t.version, kSimStart * 1000 + 20 * kDayMs);
    ++statuses[t.native_state];
    collective += t.kind == "集体访";
  }
  for (const char* s :
       {"REGISTERED", "IN_PROGRESS", "REPLIED", "CLOSED", "TRANSFERRED", "NOT_ACCEPTED"}) {
    EXPECT_GT(statuses[s], 0) << s;
  }
  EXPECT_GT(collective, 0);
}

class PetitionSimTest : public ::testing::Test {
 protected:
  void StartSim(PetitionSimOptions o = {}) {
    o.speed = 1;
    if (o.count == 1000) o.count = 200;
    sim_ = std::make_unique<PetitionSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    http_ = std::make_unique<httplib::Client>("127.0.0.1", sim_->port());
  }
  static PetitionSimOptions NoLimit() {
    PetitionSimOptions o;
    o.rps = 0;
    return o;
  }

  struct Answer {
    int status = 0;
    rapidjson::Document body;
    std::string retry_after;
    std::string content_type;
  };
  Answer Post(const std::string& path, const std::string& body, httplib::Headers h = {},
              bool auth = true) {
    if (auth) h.emplace("Authorization", "Bearer " + token_);
    auto res = http_->Post(path, h, body, "application/json");
    Answer a;
    if (!res) return a;
    a.status = res->status;
    a.retry_after = res->get_header_value("Retry-After");
    a.content_type = res->get_header_value("Content-Type");
    if (!json::Parse(res->body, a.body).ok()) a.body.SetNull();
    return a;
  }
  std::string NewToken() {
    Answer a =
        Post("/xf/oauth/token", R"({"clientId":"yy-sync","clientSecret":"sim-secret"})", {}, false);
    EXPECT_EQ(a.status, 200);
    return a.body.IsObject() ? StrOf(a.body, "accessToken") : "";
  }
  Answer Query(int64_t from, int64_t to, int64_t page, int64_t size) {
    return Post("/xf/api/petitions/query", "{\"updatedFrom\":" + std::to_string(from) +
                                               ",\"updatedTo\":" + std::to_string(to) +
                                               ",\"pageNo\":" + std::to_string(page) +
                                               ",\"pageSize\":" + std::to_string(size) + "}");
  }
  static std::string CreateBody(const std::string& source_no,
                                const std::string& title = "噪音扰民") {
    return R"({"form":"HOTLINE","sourceSystem":"12345","sourceNo":")" + source_no +
           R"(","title":")" + title +
           R"(","content":"市民来电反映夜间施工噪音。","categoryCode":"XF1101","petitioner":{"name":"王某","mobile":"13800009999","persons":1}})";
  }

  FakeClock clock_{kSimStart * 1000};
  std::unique_ptr<PetitionSim> sim_;
  std::unique_ptr<httplib::Client> http_;
  std::string token_;
};

TEST_F(PetitionSimTest, TokensDieAtIssuePlusExpiresIn) {
  PetitionSimOptions o = NoLimit();
  o.sim_start = kSimStart + 7200;  // 02:00: the hours below stay clear of the maintenance window.
  StartSim(o);
  Answer bad =
      Post("/xf/oauth/token", R"({"clientId":"yy-sync","clientSecret":"nope"})", {}, false);
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(StrOf(bad.body, "errorCode"), "INVALID_CLIENT");
  Answer none = Query(0, kSimStart * 1000, 1, 1);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(StrOf(none.body, "errorCode"), "UNAUTHORIZED");
  token_ = NewToken();
  const std::string first = token_;
  EXPECT_EQ(Query(0, kSimStart * 1000, 1, 1).status, 200);
  clock_.Advance(3'600'000);
  const std::string second = NewToken();  // A new token does not revoke the first.
  EXPECT_EQ(Query(0, kSimStart * 1000, 1, 1).status, 200);
  clock_.Advance(3'600'000);  // The first is dead at issue + 7200 s.
  Answer expired = Query(0, kSimStart * 1000, 1, 1);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(StrOf(expired.body, "errorCode"), "TOKEN_EXPIRED");
  token_ = second;
  EXPECT_EQ(Query(0, kSimStart * 1000, 1, 1).status, 200);
}

TEST_F(PetitionSimTest, QueryValidatesAndOrdersByUpdatedAtThenNumber) {
  StartSim(NoLimit());
  token_ = NewToken();
  Answer big = Query(0, kSimStart * 1000, 1, 201);
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(StrOf(big.body, "errorCode"), "INVALID_ARGUMENT");
  EXPECT_EQ(StrOf(big.body, "message"), "pageSize: must be 1..200");
  Answer missing = Post("/xf/api/petitions/query", R"({"updatedFrom":0,"pageNo":1,"pageSize":5})");
  EXPECT_TRUE(Has(StrOf(missing.body, "message"), "updatedTo:"));
  Answer text = Post("/xf/api/petitions/query",
                     R"({"updatedFrom":"0","updatedTo":1,"pageNo":1,"pageSize":5})");
  EXPECT_TRUE(Has(StrOf(text.body, "message"), "updatedFrom:"));
  // Every page in order, both bounds inclusive.
  std::vector<std::pair<int64_t, std::string>> rows;
  int64_t total = -1;
  for (int page = 1;; ++page) {
    Answer a = Query(0, kSimStart * 1000, page, 37);
    ASSERT_EQ(a.status, 200);
    total = IntOf(a.body, "total");
    for (const auto& r : a.body["rows"].GetArray()) {
      rows.emplace_back(IntOf(r, "updatedAt"), StrOf(r, "petitionNo"));
    }
    if (a.body["rows"].Size() < 37) break;
  }
  EXPECT_EQ(static_cast<int64_t>(rows.size()), total);
  EXPECT_EQ(rows.size(), sim_->Snapshot().size());
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  Answer exact = Query(rows[3].first, rows[3].first, 1, 200);
  bool found = false;
  for (const auto& r : exact.body["rows"].GetArray())
    found |= StrOf(r, "petitionNo") == rows[3].second;
  EXPECT_TRUE(found);
  Answer past = Query(0, kSimStart * 1000, 1000, 200);
  EXPECT_EQ(past.body["rows"].Size(), 0u);
}

TEST_F(PetitionSimTest, CreateIsOncePerKeyAndDedupesByKeyOnly) {
  StartSim(NoLimit());
  token_ = NewToken();
  httplib::Headers k1{{"Idempotency-Key", "hs-1"}};
  EXPECT_EQ(Post("/xf/api/petitions", CreateBody("YY1"), {}).status, 400);       // No key.
  EXPECT_EQ(Post("/xf/api/petitions", R"({"form":"LETTER"})", k1).status, 400);  // Key not used up.
  Answer created = Post("/xf/api/petitions", CreateBody("YY1"), k1);
  ASSERT_EQ(created.status, 201);
  const std::string no = StrOf(created.body, "petitionNo");
  // The same JSON value with other key order and spacing is a replay.
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(CreateBody("YY1"), doc).ok());
  std::string reordered = "{ \"categoryCode\" : \"XF1101\", ";
  for (const auto& m : doc.GetObject()) {
    if (std::string(m.name.GetString()) != "categoryCode") {
      reordered += "\"" + std::string(m.name.GetString()) + "\": " + json::Write(m.value) + ", ";
    }
  }
  reordered = reordered.substr(0, reordered.size() - 2) + " }";
  Answer replay = Post("/xf/api/petitions", reordered, k1);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(StrOf(replay.body, "petitionNo"), no);
  Answer other = Post("/xf/api/petitions", CreateBody("YY1", "别的标题"), k1);
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(StrOf(other.body, "errorCode"), "DUPLICATE_REQUEST");
  Answer cross = Post("/xf/api/petitions/" + no + "/progress",
                      R"({"at":1,"action":"签收","text":"","sourceNo":"YY1"})", k1);
  EXPECT_EQ(cross.status, 409);
  // A new key for the same sourceNo registers a second petition: deduplication is the sender's.
  Answer second = Post("/xf/api/petitions", CreateBody("YY1"), {{"Idempotency-Key", "hs-2"}});
  EXPECT_EQ(second.status, 201);
  EXPECT_NE(StrOf(second.body, "petitionNo"), no);
  EXPECT_EQ(sim_->CreatedSourceNos(), (std::vector<std::string>{"YY1", "YY1"}));
  EXPECT_EQ(sim_->EffectsByKey(), (std::map<std::string, int>{{"hs-1", 1}, {"hs-2", 1}}));
  Answer long_key =
      Post("/xf/api/petitions", CreateBody("YY3"), {{"Idempotency-Key", std::string(65, 'k')}});
  EXPECT_EQ(long_key.status, 400);
  // After 30 days the key is forgotten.
  clock_.Advance(31 * kDayMs);
  token_ = NewToken();
  EXPECT_EQ(Post("/xf/api/petitions", CreateBody("YY1", "别的标题"), k1).status, 201);
}

TEST_F(PetitionSimTest, ProgressChangesUpdatedAtOnly) {
  StartSim(NoLimit());
  token_ = NewToken();
  auto before = sim_->Snapshot();
  const std::string no = before.front().first;
  clock_.Advance(1000);
  const std::string body = R"({"at":1686585600000,"action":"办结","text":"","sourceNo":"YY9"})";
  Answer a = Post("/xf/api/petitions/" + no + "/progress", body, {{"Idempotency-Key", "p-1"}});
  EXPECT_EQ(a.status, 201);
  EXPECT_EQ(
      Post("/xf/api/petitions/" + no + "/progress", body, {{"Idempotency-Key", "p-1"}}).status,
      200);
  ASSERT_EQ(sim_->ProgressOf(no).size(), 1u);
  EXPECT_EQ(sim_->ProgressOf(no)[0].action, "办结");
  rapidjson::Document old_doc, new_doc;
  ASSERT_TRUE(json::Parse(before.front().second, old_doc).ok());
  ASSERT_TRUE(json::Parse(sim_->Snapshot().front().second, new_doc).ok());
  EXPECT_EQ(IntOf(new_doc, "updatedAt"), kSimStart * 1000 + 1000);
  EXPECT_EQ(StrOf(new_doc, "status"), StrOf(old_doc, "status"));
  EXPECT_EQ(Post("/xf/api/petitions/XF-NONE/progress", body, {{"Idempotency-Key", "p-2"}}).status,
            404);
  EXPECT_EQ(Post("/xf/api/petitions/" + no + "/progress", R"({"at":1,"action":"办结","text":""})",
                 {{"Idempotency-Key", "p-3"}})
                .status,
            400);
  httplib::Result got = http_->Get("/xf/api/petitions/" + no,
                                   httplib::Headers{{"Authorization", "Bearer " + token_}});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_TRUE(Has(got->body, "\"success\":true,\"petitionNo\":\"" + no + "\""));
}

TEST_F(PetitionSimTest, NightlyMaintenanceRateLimitAndSizeLimit) {
  PetitionSimOptions o;
  o.rps = 10;
  StartSim(o);
  token_ = NewToken();
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 12; ++i) {
    Answer a = Query(0, kSimStart * 1000, 1, 1);
    if (a.status == 429) {
      ++limited;
      retry_after = a.retry_after;
      EXPECT_EQ(StrOf(a.body, "errorCode"), "RATE_LIMITED");
    }
  }
  EXPECT_EQ(limited, 3);  // The token request counted too.
  EXPECT_EQ(retry_after, "1");
  clock_.Advance(1000);
  Answer huge = Post("/xf/api/petitions", std::string(600 * 1024, ' '), {{"Idempotency-Key", "k"}});
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(StrOf(huge.body, "errorCode"), "PAYLOAD_TOO_LARGE");
  clock_.Advance(3'600'000 + 60'000);  // 01:01 Beijing time.
  Answer m1 = Query(0, kSimStart * 1000, 1, 1);
  Answer m2 = Query(0, kSimStart * 1000, 1, 1);
  EXPECT_EQ(m1.status, 503);
  EXPECT_EQ(StrOf(m1.body, "errorCode"), "MAINTENANCE");
  EXPECT_EQ(m1.retry_after, "1739");  // Until 01:30 from 01:01:01.
  EXPECT_EQ(m2.status, 503);
  EXPECT_EQ(m2.retry_after, "");
  clock_.Advance(30 * 60'000);  // 01:31.
  EXPECT_EQ(Query(0, kSimStart * 1000, 1, 1).status, 200);
}

TEST_F(PetitionSimTest, InjectsProxyPagesAndResets) {
  StartSim(NoLimit());
  token_ = NewToken();
  sim_->SetFaults({.html_502_rate = 1});
  auto res = http_->Post("/xf/api/petitions/query", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_TRUE(Has(res->get_header_value("Content-Type"), "text/html"));
  sim_->SetFaults({.reset_rate = 1});
  EXPECT_EQ(Query(0, 1, 1, 1).status, 0);  // No answer.
  sim_->SetFaults({});
  EXPECT_GE(sim_->Stats().faults, 2);
}

// A transport that moves the shared clock one second per request, so that the simulated platform
// and the reader see time pass deterministically while pages are read.
class TickingTransport final : public HttpTransport {
 public:
  TickingTransport(HttpTransport& inner, FakeClock& clock) : inner_(inner), clock_(clock) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    clock_.Advance(1000);
    return inner_.Send(request);
  }

 private:
  HttpTransport& inner_;
  FakeClock& clock_;
};

class PetitionSyncTest : public PetitionSimTest {
 protected:
  void SetUp() override { CurlTransport::GlobalInit(); }
  void PullWhileRowsDrift(int64_t adapter_ahead_ms);
  std::unique_ptr<adapters::Adapter> MakeAdapter(HttpTransport& transport, int page_size,
                                                 Clock& clock) {
    Options o;
    o.base_url = sim_->base_url();
    o.client_id = "yy-sync";
    o.client_secret = "sim-secret";
    o.page_size = page_size;
    return CreateWithOptions(std::move(o), {&transport, &clock, log::Get("adapter.petition")});
  }
  std::unique_ptr<adapters::Adapter> MakeAdapter(HttpTransport& transport, int page_size) {
    return MakeAdapter(transport, page_size, clock_);
  }
  CurlTransport curl_{CurlOptions{}};
};

// Pulls 300 petitions in pages of 20 while 3 petitions are updated at every request, with the
// adapter's clock `adapter_ahead_ms` ahead of the platform's, then checks that the ledger holds
// each at its newest version.
void PetitionSyncTest::PullWhileRowsDrift(int64_t adapter_ahead_ms) {
  PetitionSimOptions o = NoLimit();
  o.count = 300;
  o.churn = 3;
  o.churn_requests = 60;
  StartSim(o);
  testing::TempDir dir;
  auto l = ledger::Ledger::Open(dir.File("ledger.db"), {});
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  std::unique_ptr<ledger::Ledger> ledger = std::move(l).value();
  TickingTransport ticking(curl_, clock_);
  FakeClock adapter_clock{clock_.NowMillis() + adapter_ahead_ms};
  auto adapter = MakeAdapter(ticking, 20, adapter_ahead_ms == 0 ? clock_ : adapter_clock);
  sync::StopSignal stop;
  sync::PullerOptions po;
  po.requests_per_second = 0;
  sync::Puller puller(*adapter, *ledger, adapter_ahead_ms == 0 ? clock_ : adapter_clock, stop, po,
                      42);
  int64_t pages = 0;
  for (int run = 0; run < 200 && sim_->Stats().touched < 180; ++run) {
    ledger::SyncRun r = puller.RunOnce();
    ASSERT_EQ(r.outcome, "ok") << r.error;
    pages += r.pages;
  }
  EXPECT_EQ(sim_->Stats().touched, 180);    // Churn is over.
  clock_.Advance(10'000);                   // Past the window lag of every change.
  ledger::SyncRun last = puller.RunOnce();  // The final drain.
  ASSERT_EQ(last.outcome, "ok") << last.error;
  pages += last.pages;
  EXPECT_GT(pages, 150 / 20);  // Restarts re-read pages.

  std::map<std::string, std::pair<int64_t, std::string>> want;  // updatedAt ms, status.
  for (const auto& [no, text] : sim_->Snapshot()) {
    rapidjson::Document doc;
    ASSERT_TRUE(json::Parse(text, doc).ok());
    want[no] = {IntOf(doc, "updatedAt"), StrOf(doc, "status")};
  }
  auto db = sql::Db::Open(dir.File("ledger.db"), SQLITE_OPEN_READONLY);
  ASSERT_TRUE(db.ok());
  auto st = sql::Stmt::Prepare(*db, "SELECT external_id, state, raw FROM tickets");
  ASSERT_TRUE(st.ok());
  std::map<std::string, std::pair<int64_t, std::string>> got;
  while (*st->Step()) {
    rapidjson::Document raw;
    ASSERT_TRUE(json::Parse(st->Text(2), raw).ok());
    got[st->Text(0)] = {IntOf(raw, "updatedAt"), StrOf(raw, "status")};
    EXPECT_EQ(st->Text(1), CanonicalState(StrOf(raw, "status"))) << st->Text(0);
  }
  ASSERT_EQ(got.size(), want.size());
  int mismatched = 0;
  for (const auto& [no, w] : want) {
    if (got[no] != w) ++mismatched;
    EXPECT_EQ(got[no], w) << no;
    if (mismatched > 5) break;
  }
}

TEST_F(PetitionSyncTest, PullerReadsEveryPetitionAtItsNewestVersionWhileRowsDrift) {
  PullWhileRowsDrift(0);
}

// The contract has readers end each window 5 s before *their* now, so that a petition updated while
// they page leaves the window (its total changes and the window is read again). With the platform's
// clock an hour behind, an update lands inside the window instead and moves to its end: page-number
// paging then skipped the row that moved up into a page already read (the soak found one such
// petition missing). Each page now starts where the previous one ended (its last updatedAt).
TEST_F(PetitionSyncTest, PullerMissesNoPetitionWhenThePlatformsClockIsBehind) {
  PullWhileRowsDrift(3'600'000);
}

TEST_F(PetitionSyncTest, AdapterPushesOnceAndLooksUp) {
  StartSim(NoLimit());
  auto adapter = MakeAdapter(curl_, 50);
  adapters::PushItem item;
  item.action = "create";
  item.idempotency_key = "hs-41-create";
  item.payload = CreateBody("YY2306130041");
  auto first = adapter->Push(item);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = adapter->Push(item);  // A retry after an unknown outcome: a replay.
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->remote_id, first->remote_id);
  EXPECT_EQ(sim_->EffectsByKey(), (std::map<std::string, int>{{"hs-41-create", 1}}));
  adapters::PushItem progress;
  progress.action = "progress";
  progress.target_ref = first->remote_id;
  progress.idempotency_key = "hs-42-progress";
  progress.payload =
      R"({"at":1686585600000,"action":"签收","text":"已签收","sourceNo":"YY2306130041"})";
  ASSERT_TRUE(adapter->Push(progress).ok());
  EXPECT_EQ(sim_->ProgressOf(first->remote_id).size(), 1u);
  adapters::PushItem other = item;
  other.payload = CreateBody("YY2306130041", "改过的标题");
  EXPECT_EQ(adapter->Push(other).status().code(), StatusCode::kRejected);
  clock_.Advance(10'000);
  item.first_attempt_ms = kSimStart * 1000;
  auto found = adapter->Lookup(item);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, first->remote_id);
  item.payload = CreateBody("YY-NEVER-SENT");
  auto absent = adapter->Lookup(item);
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, "");
  EXPECT_TRUE(adapter->CheckHealth().ok());
}

TEST_F(PetitionSyncTest, AdapterRidesOutTokenExpiry) {
  PetitionSimOptions o = NoLimit();
  o.token_ttl_s = 60;
  StartSim(o);
  auto adapter = MakeAdapter(curl_, 200);
  Reject r;
  ASSERT_TRUE(adapter->Pull("", r).ok());
  clock_.Advance(120'000);
  ASSERT_TRUE(adapter->Pull("", r).ok());
  EXPECT_EQ(sim_->Stats().token_requests, 2);
  EXPECT_EQ(sim_->Stats().unauthorized, 0);  // Refreshed before it died.
}

}  // namespace
}  // namespace hs::petition
