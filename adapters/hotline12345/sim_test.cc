// Tests of the simulated 12345 platform: the generated world (determinism, lives that follow the
// contract's state machine, paging index) and the HTTP simulator on 127.0.0.1 (authentication,
// paging and cursors, limits, create and notes, orders files, faults). Time comes from a FakeClock;
// nothing sleeps to wait for state.
#include "adapters/hotline12345/sim.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "adapters/hotline12345/mapping.h"
#include "adapters/hotline12345/signing.h"
#include "adapters/hotline12345/sim_world.h"
#include "daemon/core/clock.h"
#include "daemon/core/json.h"
#include "daemon/core/ticket.h"
#include "daemon/core/time_util.h"
#include "tests/fakes/temp_dir.h"

namespace hs::hotline12345 {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kSimStart = 1686585600;  // 2023-06-13 00:00:00 Beijing time.

// ---------------------------------------------------------------------------------------------
// Checking records against the contract.

std::string Str(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t Time(const rapidjson::Value& v, const char* key) {
  Result<int64_t> t = ParseShanghaiTime(Str(v, key));
  return t.ok() ? *t : -1;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool ValidIdNumber(const std::string& id) {
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  if (id.size() != 18 || id.compare(0, 4, "4306") != 0) return false;
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
    sum += (id[i] - '0') * kWeights[i];
  }
  return id[17] == "10X98765432"[sum % 11];
}

// The state after `dz` from `state`, or "" when the contract does not allow the move.
std::string Move(const std::string& state, const std::string& dz) {
  static const std::map<std::pair<std::string, std::string>, std::string> kMoves = {
      {{"", "派单"}, "待签收"},
      {{"待签收", "签收"}, "办理中"},
      {{"待签收", "退单"}, "已退单"},
      {{"已退单", "转派"}, "待签收"},
      {{"办理中", "申请延期"}, "延期审核中"},
      {{"延期审核中", "延期通过"}, "办理中"},
      {{"延期审核中", "延期驳回"}, "办理中"},
      {{"办理中", "办结"}, "已办结"},
      {{"已办结", "回访"}, "已回访"},
      {{"已回访", "返工"}, "办理中"},
      {{"已回访", "归档"}, "已归档"}};
  if (dz == "备注" && !state.empty()) return state;
  auto it = kMoves.find({state, dz});
  return it == kMoves.end() ? "" : it->second;
}

// Checks the transfer log of a record: moves, times, revisit results, and the fields that follow
// from it. Returns the first problem, or "".
std::string CheckLog(const rapidjson::Value& r) {
  const rapidjson::Value& log = r["lzjl"];
  if (!log.IsArray() || log.Empty()) return "lzjl empty";
  std::string state, prev_dw, last_jg, last_dw;
  int64_t prev = 0, last_revisit = -1, last_close = -1;
  int reworks = 0;
  bool approved = false;
  for (const rapidjson::Value& e : log.GetArray()) {
    std::string dz = Str(e, "dz"), dw = Str(e, "dw");
    std::string next = Move(state, dz);
    if (next.empty()) return "move " + dz + " from '" + state + "'";
    if (Time(e, "sj") < prev) return "lzjl times go back at " + dz;
    if (dz == "转派" && dw == prev_dw) return "转派 to the same unit";
    if ((dz == "回访") != e.HasMember("jg")) return "jg on a non-回访 entry or missing on 回访";
    if (dz == "回访") {
      std::string jg = Str(e, "jg");
      if (jg != "满意" && jg != "基本满意" && jg != "不满意" && jg != "未联系上") return "bad jg";
      last_jg = jg;
      last_revisit = Time(e, "sj");
    }
    if (dz == "办结") last_close = Time(e, "sj");
    reworks += dz == "返工";
    approved |= dz == "延期通过";
    if (dw.empty()) return "empty dw";
    state = next;
    prev = Time(e, "sj");
    prev_dw = last_dw = dw;
  }
  if (state != Str(r, "gdzt")) return "gdzt " + Str(r, "gdzt") + " but log ends in " + state;
  if (prev != Time(r, "gxsj")) return "gxsj is not the last entry's time";
  if (Time(log[0], "sj") != Time(r, "slsj")) return "派单 not at slsj";
  if (reworks != r["fgcs"].GetInt()) return "fgcs is not the number of 返工";
  if (last_dw != Str(r, "cbdw")) return "cbdw is not the last entry's dw";
  if (Str(r, "hfjg") != last_jg || (last_revisit >= 0 && Time(r, "hfsj") != last_revisit)) {
    return "hfjg/hfsj do not match the last 回访";
  }
  if (r.HasMember("bjsj") != (last_close >= 0) || r.HasMember("bjnr") != (last_close >= 0) ||
      (last_close >= 0 && Time(r, "bjsj") != last_close)) {
    return "bjsj/bjnr do not match the last 办结";
  }
  if (r.HasMember("yqsx") != approved) return "yqsx without 延期通过 or the reverse";
  return "";
}

// Checks one record's fields. Returns the first problem, or "".
std::string CheckRecord(const std::string& text) {
  rapidjson::Document r;
  Status parsed = json::Parse(text, r);
  if (!parsed.ok()) return parsed.message();
  Ticket t;
  Status mapped = MapRecord(r, t);
  if (!mapped.ok()) return "mapping: " + mapped.message();
  static const std::regex kGdbh("YY[0-9]{10}");
  std::string gdbh = Str(r, "gdbh"), slsj = Str(r, "slsj");
  if (!std::regex_match(gdbh, kGdbh)) return "gdbh " + gdbh;
  if (gdbh.substr(2, 6) != slsj.substr(2, 2) + slsj.substr(5, 2) + slsj.substr(8, 2)) {
    return "gdbh date is not slsj's";
  }
  int64_t days = (Time(r, "blsx") - Time(r, "slsj")) / kDay;
  if (days != 3 && days != 5 && days != 10) return "blsx not 3, 5 or 10 days after slsj";
  size_t n = CodePoints(Str(r, "sqnr"));
  if (n < 20 || n > 4000) return "sqnr length " + std::to_string(n);
  if (r.HasMember("zjhm") && !ValidIdNumber(Str(r, "zjhm"))) return "zjhm check digit";
  std::string qdly = Str(r, "qdly");
  if (r.HasMember("wbbh") != (qdly == "省平台转办" || qdly == "信访平台推送"))
    return "wbbh vs qdly";
  return CheckLog(r);
}

std::unique_ptr<SimWorld> World(uint64_t seed, int orders) {
  return SimWorld::Generate(seed, orders, kSimStart - 12 * kDay, kSimStart + 18 * kDay);
}

// ---------------------------------------------------------------------------------------------
// The world.

TEST(SimWorldTest, SameSeedGivesTheSameWorld) {
  auto a = World(7, 600), b = World(7, 600), c = World(8, 600);
  a->AdvanceTo(kSimStart);
  b->AdvanceTo(kSimStart);
  c->AdvanceTo(kSimStart);
  EXPECT_GT(a->visible_orders(), 200u);
  EXPECT_LT(a->visible_orders(), 400u);
  // EXPECT_TRUE, not EXPECT_EQ: a failure must not print records, which hold (made-up) PII.
  EXPECT_TRUE(a->Snapshot() == b->Snapshot());
  EXPECT_FALSE(a->Snapshot() == c->Snapshot());
}

TEST(SimWorldTest, EveryLifeFollowsTheContract) {
  auto w = World(3, 3000);
  for (int64_t at : {kSimStart - 11 * kDay, kSimStart, kSimStart + 60 * kDay}) {
    w->AdvanceTo(at);
    int problems = 0;
    for (const auto& [gdbh, record] : w->Snapshot()) {
      std::string problem = CheckRecord(record);
      if (!problem.empty() && ++problems <= 5)
        ADD_FAILURE() << gdbh << ": " << problem;  // Not the record: it holds (made-up) PII.
    }
    EXPECT_EQ(problems, 0) << "at " << FormatShanghaiTime(at);
  }
  EXPECT_EQ(w->visible_orders(), 3000u);
}

TEST(SimWorldTest, MixResemblesTheBulletin) {
  auto w = World(5, 4000);
  w->AdvanceTo(kSimStart + 90 * kDay);
  std::map<std::string, int> count;
  for (const auto& [gdbh, text] : w->Snapshot()) {
    rapidjson::Document r;
    r.Parse(text.c_str());
    ++count["cbdw:" + Str(r, "cbdw")];
    ++count["sqfl:" + Str(r, "sqfl")];
    ++count["hfjg:" + Str(r, "hfjg")];
    ++count["sqlx:" + Str(r, "sqlx")];
    count["zjhm"] += r.HasMember("zjhm");
    count["yqsx"] += r.HasMember("yqsx");
    count["fgcs"] += r["fgcs"].GetInt() > 0;
    count["returned"] += text.find("\"退单\"") != std::string::npos;
    count["archived"] += Str(r, "gdzt") == "已归档";
  }
  EXPECT_NEAR(count["cbdw:岳阳楼区"] / 4000.0, 0.16, 0.03);
  EXPECT_GT(count["cbdw:市信访局"], 10);
  EXPECT_NEAR(count["sqfl:人力资源和社会保障类"] / 4000.0, 0.258, 0.04);
  EXPECT_NEAR(count["zjhm"] / 4000.0, 0.15, 0.03);
  EXPECT_NEAR(count["hfjg:满意"] / 4000.0, 0.80, 0.06);
  for (const char* kind : {"求助", "咨询", "建议", "举报", "表扬"}) {
    EXPECT_GT(count["sqlx:投诉"], count[std::string("sqlx:") + kind]) << kind;
    EXPECT_GT(count[std::string("sqlx:") + kind], 0) << kind;
  }
  EXPECT_LT(count["sqlx:表扬"], 200);
  EXPECT_GT(count["yqsx"], 50);
  EXPECT_GT(count["fgcs"], 20);
  EXPECT_GT(count["returned"], 50);
  EXPECT_EQ(count["archived"], 4000);
}

// People write in their own words: most titles are not shared by other orders, and the bodies
// of two orders seldom are the same text, as the duplicate review queue of a city expects.
TEST(SimWorldTest, TextsVaryAsPeoplesDo) {
  auto w = World(5, 2000);
  w->AdvanceTo(kSimStart + 90 * kDay);
  std::map<std::string, int> titles, bodies;
  for (const auto& [gdbh, text] : w->Snapshot()) {
    rapidjson::Document r;
    r.Parse(text.c_str());
    ++titles[Str(r, "sqbt")];
    ++bodies[Str(r, "sqnr")];
  }
  auto alone = [](const std::map<std::string, int>& m) {
    int n = 0;
    for (const auto& [text, count] : m) n += count == 1;
    return n;
  };
  // Measured: 1,349 titles, 1,245 of them alone, 1,962 bodies alone (with one wording per template
  // and lists of 10 to 24 names: 481, 295 and 1,711).
  EXPECT_GT(titles.size(), 1200u);
  EXPECT_GT(alone(titles), 1100);
  EXPECT_GT(alone(bodies), 1900);
}

// Reads every page from `since` with the world frozen, as (gdbh, gxsj) in order.
std::vector<std::pair<std::string, std::string>> ReadAll(SimWorld& w, std::optional<int64_t> since,
                                                         int limit) {
  std::vector<std::pair<std::string, std::string>> out;
  std::optional<PagePosition> after;
  for (;;) {
    WorldPage page = w.ReadPage(since, after ? &*after : nullptr, limit);
    rapidjson::Document d;
    d.Parse(("[" + page.list + "]").c_str());
    for (const auto& r : d.GetArray()) out.emplace_back(Str(r, "gdbh"), Str(r, "gxsj"));
    if (!page.has_more) return out;
    after = page.last;
  }
}

TEST(SimWorldTest, PagesCoverEveryOrderOnceInOrder) {
  auto w = World(11, 2500);
  w->AdvanceTo(kSimStart);
  auto all = ReadAll(*w, std::nullopt, 97);
  EXPECT_EQ(all.size(), w->visible_orders());
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second, a.first) < std::tie(b.second, b.first);
  }));
  std::set<std::string> unique;
  for (const auto& [gdbh, gxsj] : all) unique.insert(gdbh);
  EXPECT_EQ(unique.size(), all.size());
  const std::string since = all[all.size() / 2].second;
  auto later = ReadAll(*w, *ParseShanghaiTime(since), 500);
  auto first_later =
      std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.second >= since; });
  EXPECT_EQ(later, std::vector(first_later, all.end()));
}

TEST(SimWorldTest, AnOrderThatChangesWhilePagedComesAgain) {
  auto w = World(13, 2000);
  w->AdvanceTo(kSimStart);
  const int64_t since = kSimStart - kDay;  // Orders changed lately are still being handled.
  WorldPage first = w->ReadPage(since, nullptr, 50);
  std::set<std::string> seen;
  rapidjson::Document d;
  d.Parse(("[" + first.list + "]").c_str());
  for (const auto& r : d.GetArray()) seen.insert(Str(r, "gdbh"));
  w->AdvanceTo(kSimStart + 20 * kDay);  // Every order read so far has moved on since.
  PagePosition after = first.last;
  int again = 0;
  for (bool more = first.has_more; more;) {
    WorldPage page = w->ReadPage(since, &after, 500);
    d.Parse(("[" + page.list + "]").c_str());
    for (const auto& r : d.GetArray()) again += seen.count(Str(r, "gdbh"));
    more = page.has_more;
    after = page.last;
  }
  EXPECT_GT(again, 0);
}

// Pages of 500 through the whole world, without parsing them; the number of pages.
int ReadEveryPage(SimWorld& w) {
  std::optional<PagePosition> after;
  for (int pages = 1;; ++pages) {
    WorldPage page = w.ReadPage(std::nullopt, after ? &*after : nullptr, 500);
    if (!page.has_more) return pages;
    after = page.last;
  }
}

TEST(SimWorldTest, GenerationAndPagingAreFast) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  Clock::time_point t0 = Clock::now();
  auto w = World(17, 10000);
  w->AdvanceTo(kSimStart);
  Clock::time_point t1 = Clock::now();
  int pages = ReadEveryPage(*w);  // Serialises every record once.
  Clock::time_point t2 = Clock::now();
  ReadEveryPage(*w);
  Clock::time_point t3 = Clock::now();
  std::printf("10000 orders: generated in %.0f ms; pages of 500: %.2f ms cold, %.3f ms warm\n",
              ms(t1 - t0), ms(t2 - t1) / pages, ms(t3 - t2) / pages);
  EXPECT_LT(ms(t1 - t0), 5000);  // Loose: sanitizer builds on a busy machine.
}

// ---------------------------------------------------------------------------------------------
// The HTTP simulator.

struct Answer {
  int status = 0;  // HTTP status; 0 when the request failed.
  int code = -1;   // The envelope's code.
  std::string msg, body, retry_after;
  rapidjson::Document data;
};

struct Call {
  std::string key = "yy-sync";
  std::string secret = "sim-secret";
  int64_t skew_s = 0;
  std::string nonce = "";      // "" = a fresh one.
  std::string timestamp = "";  // "" = the clock's, plus skew_s.
  bool bad_sign = false;
};

class SimServerTest : public ::testing::Test {
 protected:
  SimServerTest() : clock_(1'750'000'000'000) {}

  void StartSim(SimOptions o = Options()) {
    sim_ = std::make_unique<HotlineSim>(o, clock_);
    ASSERT_TRUE(sim_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", sim_->port());
  }

  static SimOptions Options() {
    SimOptions o;
    o.orders = 400;
    o.speed = 0;
    o.rps = 0;
    return o;
  }

  Answer Send(const std::string& method, const std::string& path, QueryParams q = {},
              const std::string& body = "", const Call& c = {}) {
    std::string canonical = CanonicalQuery(q);
    std::string full = "/api/v2" + path;
    std::string ts =
        c.timestamp.empty() ? std::to_string(clock_.NowMillis() / 1000 + c.skew_s) : c.timestamp;
    char fresh[32];
    std::snprintf(fresh, sizeof fresh, "test-nonce-%08d", ++nonces_);
    std::string nonce = c.nonce.empty() ? fresh : c.nonce;
    std::string sign = Sign(c.secret, StringToSign(method, full, canonical, ts, nonce, body));
    if (c.bad_sign) sign[0] = sign[0] == '0' ? '1' : '0';
    httplib::Headers h = {
        {"X-App-Key", c.key}, {"X-Timestamp", ts}, {"X-Nonce", nonce}, {"X-Sign", sign}};
    std::string target = full + (canonical.empty() ? "" : "?" + canonical);
    httplib::Result res = method == "GET" ? client_->Get(target, h)
                                          : client_->Post(target, h, body, "application/json");
    Answer a;
    if (!res) return a;
    a.status = res->status;
    a.body = res->body;
    a.retry_after = res->get_header_value("Retry-After");
    rapidjson::Document env;
    env.Parse(res->body.c_str());
    if (env.IsObject() && env.HasMember("code")) {
      a.code = env["code"].GetInt();
      a.msg = env["msg"].GetString();
      a.data.CopyFrom(env["data"], a.data.GetAllocator());
    }
    return a;
  }

  Answer List(QueryParams q, const Call& c = {}) {
    return Send("GET", "/gongdan", std::move(q), "", c);
  }

  // Every gdbh from paging with `limit`, in order.
  std::vector<std::string> PageAll(int limit) {
    std::vector<std::string> out;
    std::string cursor;
    for (;;) {
      QueryParams q{{"limit", std::to_string(limit)}};
      if (!cursor.empty()) q.emplace_back("cursor", cursor);
      Answer a = List(q);
      EXPECT_EQ(a.code, 0) << a.msg;
      if (a.code != 0) return out;
      for (const auto& r : a.data["list"].GetArray()) out.push_back(r["gdbh"].GetString());
      cursor = a.data["next_cursor"].GetString();
      EXPECT_EQ(a.data["has_more"].GetBool(), !cursor.empty());
      if (cursor.empty()) return out;
    }
  }

  FakeClock clock_;
  std::unique_ptr<HotlineSim> sim_;
  std::unique_ptr<httplib::Client> client_;
  int nonces_ = 0;
};

TEST_F(SimServerTest, SignatureChecks) {
  StartSim();
  EXPECT_EQ(List({{"limit", "1"}}).code, 0);
  EXPECT_EQ(List({{"limit", "1"}}, {.bad_sign = true}).code, 40103);
  EXPECT_EQ(List({{"limit", "1"}}, {.secret = "wrong"}).code, 40103);
  EXPECT_EQ(List({{"limit", "1"}}, {.skew_s = 301}).code, 40101);
  EXPECT_EQ(List({{"limit", "1"}}, {.skew_s = -301}).code, 40101);
  EXPECT_EQ(List({{"limit", "1"}}, {.skew_s = 300}).code, 0);
  EXPECT_EQ(List({{"limit", "1"}}, {.skew_s = -300}).code, 0);
  EXPECT_EQ(List({{"limit", "1"}}, {.timestamp = "-9223372036854775808"}).code, 40101);
  EXPECT_EQ(List({{"limit", "1"}}, {.timestamp = "1750000000.5"}).code, 40101);
  EXPECT_EQ(List({{"limit", "1"}}, {.key = "someone-else"}).code, 40104);
  EXPECT_EQ(List({{"limit", "1"}}, {.nonce = "short"}).code, 40102);
  Call once{.nonce = "nonce-used-only-once"};
  EXPECT_EQ(List({{"limit", "1"}}, once).code, 0);
  EXPECT_EQ(List({{"limit", "1"}}, once).code, 40102);
  clock_.Advance(600'000);  // Ten minutes later the nonce may come again.
  EXPECT_EQ(List({{"limit", "1"}}, once).code, 0);
  EXPECT_EQ(sim_->Stats().auth_failures, 9);
}

TEST_F(SimServerTest, QueryValuesAreSignedDecoded) {
  StartSim();
  Answer a = List({{"since", "2023-06-10 08:00:00"}, {"limit", "3"}});
  EXPECT_EQ(a.code, 0) << a.msg;
  for (const auto& r : a.data["list"].GetArray()) EXPECT_GE(Str(r, "gxsj"), "2023-06-10 08:00:00");
}

TEST_F(SimServerTest, PagingReturnsEveryOrderOnceWhenTimeIsFrozen) {
  SimOptions o = Options();
  o.orders = 1500;
  StartSim(o);
  std::vector<std::string> got = PageAll(500);
  std::set<std::string> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), got.size());
  std::set<std::string> expected;
  for (const auto& [gdbh, record] : sim_->Snapshot()) expected.insert(gdbh);
  EXPECT_EQ(unique, expected);
  EXPECT_EQ(sim_->Stats().records_served, static_cast<int64_t>(got.size()));
}

TEST_F(SimServerTest, CursorsExpire) {
  StartSim();
  Answer first = List({{"limit", "10"}});
  std::string cursor = first.data["next_cursor"].GetString();
  ASSERT_FALSE(cursor.empty());
  clock_.Advance(600'000 - 1);
  EXPECT_EQ(List({{"limit", "10"}, {"cursor", cursor}}).code, 0);
  clock_.Advance(2);
  Answer late = List({{"limit", "10"}, {"cursor", cursor}});
  EXPECT_EQ(late.code, 40010);
  EXPECT_EQ(late.msg, "游标已失效");
  EXPECT_EQ(List({{"cursor", "no-such-cursor"}}).code, 40010);
  EXPECT_EQ(sim_->Stats().cursor_expired, 2);
}

TEST_F(SimServerTest, RefusesBadParameters) {
  StartSim();
  EXPECT_EQ(List({{"limit", "501"}}).code, 42201);
  EXPECT_EQ(List({{"limit", "0"}}).code, 42201);
  EXPECT_EQ(List({{"limit", "ten"}}).code, 42201);
  EXPECT_EQ(List({{"limit", "500"}}).code, 0);
  EXPECT_EQ(List({{"since", "2023-02-30 00:00:00"}}).code, 42201);
  Answer first = List({{"since", "2023-06-01 00:00:00"}, {"limit", "5"}});
  std::string cursor = first.data["next_cursor"].GetString();
  Answer other = List({{"since", "2023-06-02 00:00:00"}, {"cursor", cursor}});
  EXPECT_EQ(other.code, 42201);
  EXPECT_NE(other.msg.find("since"), std::string::npos);
  EXPECT_EQ(List({{"cursor", cursor}}).code, 42201);
  EXPECT_EQ(List({{"since", "2023-06-01 00:00:00"}, {"cursor", cursor}}).code, 0);
  EXPECT_EQ(Send("GET", "/gongdan/YY0000000000").code, 40400);
}

TEST_F(SimServerTest, RateLimited) {
  SimOptions o = Options();
  o.rps = 3;
  StartSim(o);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(List({{"limit", "1"}}).status, 200);
  Answer limited = List({{"limit", "1"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.retry_after, "1");
  clock_.Advance(1000);
  EXPECT_EQ(List({{"limit", "1"}}).code, 0);
  EXPECT_EQ(sim_->Stats().rate_limited, 1);
}

constexpr const char* kPushed =
    R"({"wbbh":"XF-430600-2023-009001","qdly":"信访平台推送","sqr":"王先生","lxdh":"13800000000",)"
    R"("sqlx":"投诉","sqfl":"住房与城乡建设类","sqbt":"小区电梯故障",)"
    R"("sqnr":"信访人反映：小区电梯频繁故障，多次困人，物业维修不及时，请相关部门督促整改。",)"
    R"("cbdw":"市住建局","extra":"ignored"})";

TEST_F(SimServerTest, CreatesPushedOrdersOnce) {
  StartSim();
  Answer created = Send("POST", "/gongdan", {}, kPushed);
  ASSERT_EQ(created.code, 0) << created.msg;
  std::string gdbh = created.data["gdbh"].GetString();
  EXPECT_TRUE(gdbh.starts_with("YY230613"));
  Answer again = Send("POST", "/gongdan", {}, kPushed);
  EXPECT_EQ(again.code, 40901);
  EXPECT_EQ(again.msg, "外部编号重复");
  EXPECT_EQ(std::string(again.data["gdbh"].GetString()), gdbh);

  Answer record = Send("GET", "/gongdan/" + gdbh);
  ASSERT_EQ(record.code, 0);
  EXPECT_EQ(Str(record.data, "wbbh"), "XF-430600-2023-009001");
  EXPECT_EQ(Str(record.data, "cbdw"), "市住建局");
  EXPECT_EQ(Str(record.data, "gdzt"), "待签收");
  EXPECT_EQ(Str(record.data["lzjl"][0], "dz"), "派单");
  EXPECT_EQ(CheckLog(record.data), "");
  std::vector<std::string> all = PageAll(500);
  EXPECT_EQ(std::count(all.begin(), all.end(), gdbh), 1);
}

TEST_F(SimServerTest, RefusesBadCreateBodiesNamingTheField) {
  StartSim();
  auto create = [&](const std::string& body) { return Send("POST", "/gongdan", {}, body); };
  const std::string text =
      R"("sqnr":"群众反映：道路两侧路灯长期不亮，夜间出行很不安全，请尽快维修。")";
  EXPECT_NE(create(R"({"qdly":"省平台转办",)" + text + "}").msg.find("wbbh"), std::string::npos);
  EXPECT_NE(create(R"({"wbbh":"HN-1","qdly":"电话",)" + text + "}").msg.find("qdly"),
            std::string::npos);
  EXPECT_NE(create(R"({"wbbh":"HN-1","qdly":"省平台转办","sqnr":"太短"})").msg.find("sqnr"),
            std::string::npos);
  EXPECT_NE(
      create(R"({"wbbh":"HN-1","qdly":"省平台转办","rddb":"yes",)" + text + "}").msg.find("rddb"),
      std::string::npos);
  EXPECT_NE(
      create(R"({"wbbh":"HN-1","qdly":"省平台转办","blsx":"2023-13-01 00:00:00",)" + text + "}")
          .msg.find("blsx"),
      std::string::npos);
  EXPECT_EQ(create("not json").code, 42201);
  EXPECT_EQ(create(R"({"wbbh":"HN-1","qdly":"省平台转办",)" + text + "}").code, 0);
}

TEST_F(SimServerTest, NotesAreIdempotentOnWbbh) {
  StartSim();
  std::string gdbh = sim_->Snapshot().front().first;
  const std::string note = R"({"dz":"备注","sm":"信访平台：已受理","wbbh":"XF-P-1"})";
  EXPECT_EQ(Send("POST", "/gongdan/" + gdbh + "/lzjl", {}, note).code, 0);
  EXPECT_EQ(Send("POST", "/gongdan/" + gdbh + "/lzjl", {}, note).code, 0);
  Answer record = Send("GET", "/gongdan/" + gdbh);
  int notes = 0;
  for (const auto& e : record.data["lzjl"].GetArray()) notes += Str(e, "wbbh") == "XF-P-1";
  EXPECT_EQ(notes, 1);
  EXPECT_EQ(CheckLog(record.data), "");
  EXPECT_EQ(Send("POST", "/gongdan/YY0000000000/lzjl", {}, note).code, 40400);
  EXPECT_EQ(
      Send("POST", "/gongdan/" + gdbh + "/lzjl", {}, R"({"dz":"办结","sm":"","wbbh":"x"})").code,
      42201);
}

TEST_F(SimServerTest, OrdersMoveWithSimulatedTime) {
  SimOptions o = Options();
  o.speed = 3600;  // An hour a second.
  StartSim(o);
  auto before = sim_->Snapshot();
  clock_.Advance(48'000);  // Two simulated days.
  auto after = sim_->Snapshot();
  EXPECT_GT(after.size(), before.size());
  int changed = 0;
  std::map<std::string, std::string> old(before.begin(), before.end());
  for (const auto& [gdbh, record] : after) changed += old.count(gdbh) && old[gdbh] != record;
  EXPECT_GT(changed, 0);
}

TEST_F(SimServerTest, ServesAnOrdersFileRaw) {
  testing::TempDir dir;
  const std::string late = R"({"gdbh":"YY2306120002","gxsj":"2023-06-12 10:00:00","sqnr":"😀"})";
  const std::string early = R"({"gdbh":"YY2306120001",  "gxsj":"2023-06-12 09:00:00"})";
  const std::string hostile = R"({"gdbh":12,"gxsj":"2023-02-30 00:00:00","x":"\u0000"})";
  std::ofstream(dir.File("orders.jsonl")) << late << "\n\n" << early << "\r\n" << hostile << "\n";
  SimOptions o = Options();
  o.orders_file = dir.File("orders.jsonl");
  StartSim(o);
  EXPECT_EQ(sim_->order_count(), 3u);
  Answer a = List({});
  EXPECT_NE(a.body.find("\"list\":[" + hostile + "," + early + "," + late + "]"), std::string::npos)
      << a.body;
  Answer since = List({{"since", "2023-06-12 09:30:00"}});
  EXPECT_NE(since.body.find("\"list\":[" + late + "]"), std::string::npos) << since.body;
  EXPECT_EQ(Send("GET", "/gongdan/YY2306120001").body.find(early) != std::string::npos, true);
}

TEST_F(SimServerTest, ServesALineThatIsNotJsonAsIs) {
  testing::TempDir dir;
  std::ofstream(dir.File("orders.jsonl")) << "this is {not json\n";
  SimOptions o = Options();
  o.orders_file = dir.File("orders.jsonl");
  StartSim(o);
  Answer a = List({});
  EXPECT_NE(a.body.find("\"list\":[this is {not json]"), std::string::npos) << a.body;
}

TEST_F(SimServerTest, InjectsFaults) {
  StartSim();
  sim_->SetFaults({.error_rate = 1});
  EXPECT_EQ(List({}).status, 503);
  sim_->SetFaults({.reset_rate = 1});
  EXPECT_EQ(List({}).status, 0);
  sim_->SetFaults({.truncate_rate = 1});
  EXPECT_EQ(List({}).status, 0);
  sim_->SetFaults({.malformed_rate = 1});
  Answer a = List({{"limit", "20"}});
  ASSERT_EQ(a.code, 0);
  int bad = 0;
  for (const auto& r : a.data["list"].GetArray()) {
    Ticket t;
    bad += !MapRecord(r, t).ok();
  }
  EXPECT_EQ(a.data["list"].Size(), 21u);
  EXPECT_EQ(bad, 1);
  sim_->SetFaults({});
  EXPECT_EQ(List({}).code, 0);
  EXPECT_EQ(sim_->Stats().faults, 4);
}

TEST_F(SimServerTest, StopsPromptlyWithAnIdleClientConnected) {
  StartSim();
  client_->set_keep_alive(true);
  EXPECT_EQ(List({{"limit", "1"}}).code, 0);  // The connection stays open, idle.
  auto start = std::chrono::steady_clock::now();
  sim_->Stop();
  // Without shutting idle connections Stop() waits for httplib's 5 s keep-alive timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
  EXPECT_EQ(List({{"limit", "1"}}).status, 0);
}

}  // namespace
}  // namespace hs::hotline12345
