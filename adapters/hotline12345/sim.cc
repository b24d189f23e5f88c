// The simulated 12345 platform's HTTP side (platforms/hotline-12345.md) on cpp-httplib: request
// authentication, rate limiting, paging cursors, business codes and injected faults, in front of a
// SimWorld. Handlers run on httplib's worker threads and serialise on Impl::mu.
#include "adapters/hotline12345/sim.h"

#include <httplib.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "adapters/hotline12345/signing.h"
#include "adapters/hotline12345/sim_world.h"
#include "adapters/sim_server.h"
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"

namespace hs::hotline12345 {
namespace {

using sim::ConstantTimeEquals;
using sim::ParseInt;
using sim::TokenBucket;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 500;
constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr int64_t kNonceWindowMs = 600'000;
constexpr size_t kMinNonceLength = 16;
constexpr const char* kJson = "application/json; charset=utf-8";

// A business answer: HTTP 200 with {"code", "msg", "data"}; data is JSON text.
struct Reply {
  int code = 0;
  std::string msg = "成功";
  std::string data = "null";
};

Reply Fail(int code, std::string msg, std::string data = "null") {
  return Reply{code, std::move(msg), std::move(data)};
}

Reply Invalid(const std::string& what) { return Fail(42201, "参数错误：" + what); }

std::string Envelope(const Reply& r) {
  std::string out;
  out.reserve(r.data.size() + r.msg.size() + 48);
  out += "{\"code\":" + std::to_string(r.code) + ",\"msg\":";
  json::AppendQuoted(out, r.msg);
  out += ",\"data\":";
  out += r.data;
  out += '}';
  return out;
}

std::string GdbhData(std::string_view gdbh) {
  std::string out = "{\"gdbh\":";
  json::AppendQuoted(out, gdbh);
  return out + "}";
}

// Nonces seen within the last 10 minutes of monotonic time.
class NonceCache {
 public:
  // Records `nonce`; false when it was already seen within the window.
  bool Insert(const std::string& nonce, int64_t now_ms) {
    while (!order_.empty() && now_ms - order_.front().first >= kNonceWindowMs) {
      seen_.erase(order_.front().second);
      order_.pop_front();
    }
    if (!seen_.insert(nonce).second) return false;
    order_.emplace_back(now_ms, nonce);
    return true;
  }

 private:
  std::unordered_set<std::string> seen_;
  std::deque<std::pair<int64_t, std::string>> order_;
};

// A paging run's position, kept for cursor_ttl_ms.
struct CursorState {
  std::optional<int64_t> since;
  PagePosition last;
  int64_t issued_ms = 0;
};

enum class Route { kList, kGet, kCreate, kNote };

// The fault decisions for one request.
struct FaultDraw {
  int64_t latency_ms = 0;
  bool error = false, reset = false, truncate = false, malformed = false;
};

// One extra record with one defect, of six kinds in turn (see SimFaults::malformed_rate).
std::string MalformedRecord(uint64_t serial, int64_t now) {
  std::string t = "\"" + FormatShanghaiTime(now) + "\"";
  char gdbh[32];
  std::snprintf(gdbh, sizeof gdbh, "\"YYX%09llu\"", static_cast<unsigned long long>(serial));
  std::vector<std::pair<std::string, std::string>> f = {
      {"gdbh", gdbh},
      {"slsj", t},
      {"qdly", "\"电话\""},
      {"sqr", "\"匿名\""},
      {"lxdh", "\"\""},
      {"sqlx", "\"投诉\""},
      {"sqfl", "\"城市管理类\""},
      {"sqbt", "\"路灯不亮\""},
      {"sqnr", "\"市民来电反映：小区门口路灯不亮，请相关部门尽快维修处理。\""},
      {"fsdz", "\"岳阳市岳阳楼区\""},
      {"cbdw", "\"岳阳楼区\""},
      {"cbdwbm", "\"430600-001\""},
      {"blsx", t},
      {"gdzt", "\"办理中\""},
      {"fgcs", "0"},
      {"rddb", "false"},
      {"sq", "false"},
      {"lzjl", "[{\"sj\":" + t + ",\"dz\":\"派单\",\"dw\":\"岳阳楼区\",\"sm\":\"\"}]"},
      {"gxsj", t}};
  auto set = [&](const char* key, std::string value) {
    for (auto& [k, v] : f) {
      if (k == key) v = std::move(value);
    }
  };
  switch (serial % 6) {
    case 0:
      set("slsj", std::to_string(now));
      break;  // A number where a time string belongs.
    case 1:
      f.erase(f.begin());
      break;  // No gdbh.
    case 2:
      set("slsj", "\"2023-02-30 09:15:00\"");
      break;
    case 3:
      set("gdzt", "\"已撤销\"");
      break;
    case 4:
      set("sqnr", "\"市民来电反映：\\u0000路灯不亮，请相关部门尽快维修处理。\"");
      break;
    default:
      set("fgcs", "123456789012345678901234567890");
      break;
  }
  std::string out = "{";
  for (const auto& [k, v] : f) out += (out.size() > 1 ? ",\"" : "\"") + k + "\":" + v;
  return out + "}";
}

// A page's data: {"list": […], "next_cursor": …, "has_more": …}, with `bad` (when not empty) an
// extra record at the front or the end of the list.
std::string PageData(const WorldPage& page, const std::string& next, const std::string& bad,
                     bool bad_first) {
  std::string data;
  data.reserve(page.list.size() + bad.size() + 128);
  data += "{\"list\":[";
  if (!bad.empty() && bad_first) data += bad + (page.count > 0 ? "," : "");
  data += page.list;
  if (!bad.empty() && !bad_first) data += (page.count > 0 ? "," : "") + bad;
  data += "],\"next_cursor\":";
  json::AppendQuoted(data, next);
  data += std::string(",\"has_more\":") + (page.has_more ? "true" : "false") + "}";
  return data;
}

void ServiceUnavailable(httplib::Response& res) {
  res.status = 503;
  res.set_content("service unavailable\n", "text/plain");
}

// Declares the whole length of `body`, sends half of it, then closes the connection.
void SendHalf(httplib::Response& res, std::string body) {
  auto shared = std::make_shared<std::string>(std::move(body));
  res.set_content_provider(shared->size(), kJson,
                           [shared](size_t offset, size_t, httplib::DataSink& sink) {
                             if (offset == 0) sink.write(shared->data(), shared->size() / 2);
                             return false;
                           });
}

}  // namespace

// The simulator behind HotlineSim, which owns it. Handlers run on httplib's threads and hold `mu`
// while they touch the world, cursors, nonces, buckets, faults and stats; Start and Stop run on the
// owner's thread.
struct HotlineSim::Impl {
  Impl(SimOptions o, Clock& c) : options(std::move(o)), clock(c), rng(options.seed ^ 0x5157u) {}

  SimOptions options;
  Clock& clock;

  mutable std::mutex mu;  // Guards everything below up to `server`.
  std::unique_ptr<SimWorld> world;
  std::mt19937_64 rng;
  SimFaults faults;
  SimStats stats;
  NonceCache nonces;
  std::unordered_map<std::string, TokenBucket> buckets;
  std::unordered_map<std::string, CursorState> cursors;
  std::deque<std::pair<int64_t, std::string>> cursor_order;
  uint64_t cursor_serial = 0;
  uint64_t malformed_serial = 0;
  int64_t start_mono = 0;

  sim::SimServer server;

  Status LoadWorld();
  void AddRoutes();
  void Serve(const httplib::Request& req, httplib::Response& res, Route route);
  bool TakeToken(const httplib::Request& req);
  FaultDraw DrawFaults();
  bool Draw(double rate) { return sim::Draw(rng, rate); }
  Reply Authenticate(const httplib::Request& req);
  Reply Dispatch(const httplib::Request& req, Route route, bool malformed);
  Reply List(const httplib::Request& req, bool malformed);
  Reply Get(const httplib::Request& req);
  Reply Create(const httplib::Request& req);
  Reply AppendNote(const httplib::Request& req);
  Reply CheckCursor(const std::string& token, const std::optional<int64_t>& since);
  std::string IssueCursor(const std::optional<int64_t>& since, const PagePosition& last);
  int64_t SimNow() const {
    double elapsed_ms = static_cast<double>(clock.MonotonicMillis() - start_mono);
    return options.sim_start + static_cast<int64_t>(elapsed_ms * options.speed / 1000);
  }
};

Status HotlineSim::Impl::LoadWorld() {
  const SimOptions& o = options;
  if (o.orders < 0 || o.days_before < 0 || o.days_after < 0 || o.speed < 0 || o.rps < 0 ||
      o.cursor_ttl_ms <= 0 || o.max_skew_s < 0) {
    return Status::InvalidArgument("simulator options out of range");
  }
  if (o.orders_file.empty()) {
    world = SimWorld::Generate(o.seed, o.orders, o.sim_start - int64_t{o.days_before} * 86400,
                               o.sim_start + int64_t{o.days_after} * 86400);
    return Status::Ok();
  }
  std::ifstream in(o.orders_file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::InvalidArgument("orders file " + o.orders_file + " cannot be read");
  world = SimWorld::FromJsonLines(text.str(), o.seed);
  return Status::Ok();
}

void HotlineSim::Impl::AddRoutes() {
  auto route = [this](Route r) {
    return [this, r](const httplib::Request& req, httplib::Response& res) { Serve(req, res, r); };
  };
  httplib::Server& http = server.http();
  http.Get("/api/v2/gongdan", route(Route::kList));
  http.Get(R"(/api/v2/gongdan/([^/]+))", route(Route::kGet));
  http.Post("/api/v2/gongdan", route(Route::kCreate));
  http.Post(R"(/api/v2/gongdan/([^/]+)/lzjl)", route(Route::kNote));
  http.set_payload_max_length(kMaxBodyBytes);  // Larger bodies: HTTP 413.
}

FaultDraw HotlineSim::Impl::DrawFaults() {
  FaultDraw d;
  d.latency_ms = faults.latency_ms;
  d.error = Draw(faults.error_rate);
  d.reset = !d.error && Draw(faults.reset_rate);
  d.truncate = !d.error && !d.reset && Draw(faults.truncate_rate);
  d.malformed = Draw(faults.malformed_rate);
  return d;
}

void HotlineSim::Impl::Serve(const httplib::Request& req, httplib::Response& res, Route route) {
  FaultDraw fault;
  {
    std::lock_guard lock(mu);
    ++stats.requests;
    fault = DrawFaults();
  }
  if (fault.latency_ms > 0 && !server.Wait(fault.latency_ms)) fault.error = true;
  std::unique_lock lock(mu);
  if (!TakeToken(req)) {
    ++stats.rate_limited;
    res.status = 429;
    res.set_header("Retry-After", "1");
    res.set_content("rate limited\n", "text/plain");
    return;
  }
  if (fault.error || fault.reset) {
    ++stats.faults;
    return fault.error ? ServiceUnavailable(res) : sim::ResetConnection(res, kJson);
  }
  Reply reply = Authenticate(req);
  if (reply.code == 0) reply = Dispatch(req, route, fault.malformed);
  if (fault.truncate) ++stats.faults;
  lock.unlock();
  std::string body = Envelope(reply);
  if (fault.truncate) return SendHalf(res, std::move(body));
  res.body = std::move(body);
  res.set_header("Content-Type", kJson);
}

// One bucket for the app key and one shared by every unknown key, so that junk keys cannot grow
// the map. REQUIRES: mu held.
bool HotlineSim::Impl::TakeToken(const httplib::Request& req) {
  if (options.rps <= 0) return true;
  std::string key = req.get_header_value("X-App-Key") == options.app_key ? options.app_key : "";
  return buckets[key].Take(clock.MonotonicMillis(), options.rps);
}

Reply HotlineSim::Impl::Authenticate(const httplib::Request& req) {
  Reply r;
  const std::string ts = req.get_header_value("X-Timestamp");
  const std::string nonce = req.get_header_value("X-Nonce");
  std::optional<int64_t> seconds = ParseInt(ts);
  const int64_t now_s = clock.NowMillis() / 1000;
  if (req.get_header_value("X-App-Key") != options.app_key) {
    r = Fail(40104, "应用标识无效");
  } else if (!seconds || *seconds < now_s - options.max_skew_s ||
             *seconds > now_s + options.max_skew_s) {
    r = Fail(40101, "时间戳超出允许范围");
  } else if (nonce.size() < kMinNonceLength) {
    r = Fail(40102, "随机数无效");
  } else {
    QueryParams params(req.params.begin(), req.params.end());
    std::string path = req.target.substr(0, req.target.find('?'));
    std::string expected =
        Sign(options.app_secret,
             StringToSign(req.method, path, CanonicalQuery(params), ts, nonce, req.body));
    if (!ConstantTimeEquals(req.get_header_value("X-Sign"), expected)) {
      r = Fail(40103, "签名错误");
    } else if (!nonces.Insert(nonce, clock.MonotonicMillis())) {
      r = Fail(40102, "随机数重复");
    }
  }
  if (r.code != 0) ++stats.auth_failures;
  return r;
}

Reply HotlineSim::Impl::Dispatch(const httplib::Request& req, Route route, bool malformed) {
  world->AdvanceTo(SimNow());
  switch (route) {
    case Route::kList:
      return List(req, malformed);
    case Route::kGet:
      return Get(req);
    case Route::kCreate:
      return Create(req);
    case Route::kNote:
      return AppendNote(req);
  }
  return Fail(50000, "内部错误");
}

Reply HotlineSim::Impl::CheckCursor(const std::string& token, const std::optional<int64_t>& since) {
  auto it = cursors.find(token);
  if (it != cursors.end() && it->second.since != since) return Invalid("cursor 与 since 不一致");
  if (it == cursors.end() ||
      clock.MonotonicMillis() - it->second.issued_ms >= options.cursor_ttl_ms) {
    ++stats.cursor_expired;
    return Fail(40010, "游标已失效");
  }
  return Reply{};
}

std::string HotlineSim::Impl::IssueCursor(const std::optional<int64_t>& since,
                                          const PagePosition& last) {
  const int64_t now = clock.MonotonicMillis();
  while (!cursor_order.empty() && now - cursor_order.front().first >= options.cursor_ttl_ms) {
    cursors.erase(cursor_order.front().second);
    cursor_order.pop_front();
  }
  char token[40];
  std::snprintf(token, sizeof token, "%016llx%08llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(++cursor_serial));
  cursors[token] = CursorState{since, last, now};
  cursor_order.emplace_back(now, token);
  return token;
}

Reply HotlineSim::Impl::List(const httplib::Request& req, bool malformed) {
  std::optional<int64_t> since;
  if (req.has_param("since")) {
    Result<int64_t> t = ParseShanghaiTime(req.get_param_value("since"));
    if (!t.ok()) return Invalid("since 须为 yyyy-MM-dd HH:mm:ss");
    since = *t;
  }
  int limit = kDefaultLimit;
  if (req.has_param("limit")) {
    std::optional<int64_t> n = ParseInt(req.get_param_value("limit"));
    if (!n || *n < 1 || *n > kMaxLimit) return Invalid("limit 须为 1 到 500 的整数");
    limit = static_cast<int>(*n);
  }
  const CursorState* cursor = nullptr;
  if (req.has_param("cursor")) {
    std::string token = req.get_param_value("cursor");
    Reply check = CheckCursor(token, since);
    if (check.code != 0) return check;
    cursor = &cursors[token];
  }
  WorldPage page = world->ReadPage(since, cursor ? &cursor->last : nullptr, limit);
  std::string next = page.has_more ? IssueCursor(since, page.last) : "";
  ++stats.pages;
  stats.records_served += page.count;
  std::string bad;
  if (malformed) {
    ++stats.faults;
    bad = MalformedRecord(malformed_serial++, world->now());
  }
  return Reply{0, "成功", PageData(page, next, bad, rng() % 2 == 0)};
}

Reply HotlineSim::Impl::Get(const httplib::Request& req) {
  const std::string* record = world->Find(req.matches[1].str());
  if (record == nullptr) return Fail(40400, "工单不存在");
  return Reply{0, "成功", *record};
}

Reply HotlineSim::Impl::Create(const httplib::Request& req) {
  rapidjson::Document doc;
  if (!json::Parse(req.body, doc).ok()) return Invalid("body 不是有效的 JSON");
  CreateOutcome out = world->Create(doc);
  if (!out.status.ok()) return Fail(42201, out.status.message());
  if (out.duplicate) return Fail(40901, "外部编号重复", GdbhData(out.gdbh));
  return Reply{0, "成功", GdbhData(out.gdbh)};
}

Reply HotlineSim::Impl::AppendNote(const httplib::Request& req) {
  rapidjson::Document doc;
  if (!json::Parse(req.body, doc).ok() || !doc.IsObject()) return Invalid("body 须为 JSON 对象");
  auto text = [&](const char* key, size_t max_bytes) -> std::optional<std::string> {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsString()) return std::nullopt;
    std::string s(it->value.GetString(), it->value.GetStringLength());
    if (s.size() > max_bytes || s.find('\0') != std::string::npos) return std::nullopt;
    return s;
  };
  std::optional<std::string> dz = text("dz", 16), sm = text("sm", 16000), wbbh = text("wbbh", 64);
  if (!dz || *dz != "备注") return Invalid("dz 须为 备注");
  if (!sm) return Invalid("sm 须为不超过 16000 字节的字符串");
  if (!wbbh || wbbh->empty()) return Invalid("wbbh 不能为空");
  std::string gdbh = req.matches[1].str();
  Result<NoteOutcome> r = world->AppendNote(gdbh, *sm, *wbbh);
  if (r.ok()) return Reply{0, "成功", GdbhData(gdbh)};
  if (r.status().code() == StatusCode::kNotFound) return Fail(40400, "工单不存在");
  return Fail(42201, r.status().message());
}

// ---------------------------------------------------------------------------------------------

HotlineSim::HotlineSim(SimOptions options, Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

HotlineSim::~HotlineSim() { Stop(); }

Status HotlineSim::Start() {
  Impl& m = *impl_;
  if (m.server.started()) return Status::Internal("simulator already started");
  {
    std::lock_guard lock(m.mu);
    HS_RETURN_IF_ERROR(m.LoadWorld());
    m.faults = m.options.faults;
    m.start_mono = m.clock.MonotonicMillis();
    m.world->AdvanceTo(m.options.sim_start);
  }
  m.AddRoutes();
  return m.server.Start(m.options.bind, m.options.port);
}

void HotlineSim::Stop() { impl_->server.Stop(); }

int HotlineSim::port() const { return impl_->server.port(); }

std::string HotlineSim::base_url() const { return impl_->server.BaseUrl("/api/v2"); }

size_t HotlineSim::order_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->world ? impl_->world->total_orders() : 0;
}

void HotlineSim::SetFaults(const SimFaults& faults) {
  std::lock_guard lock(impl_->mu);
  impl_->faults = faults;
}

SimStats HotlineSim::Stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

std::vector<std::pair<std::string, std::string>> HotlineSim::Snapshot() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->world) return {};
  impl_->world->AdvanceTo(impl_->SimNow());
  return impl_->world->Snapshot();
}

int RunSimCommand(const SimOptions& options) {
  sigset_t signals, old;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, &old);  // Before any thread starts: they inherit it.
  int rc = 0;
  {
    SystemClock clock;
    HotlineSim sim(options, clock);
    Status st = sim.Start();
    if (!st.ok()) {
      std::fprintf(stderr, "hotline12345 simulator: %s\n", st.ToString().c_str());
      rc = 1;
    } else {
      std::printf("hotline12345 simulator listening on %s (%zu orders, seed %llu)\n",
                  sim.base_url().c_str(), sim.order_count(),
                  static_cast<unsigned long long>(options.seed));
      std::fflush(stdout);
      int sig = 0;
      sigwait(&signals, &sig);
      sim.Stop();
    }
  }
  timespec zero{};
  while (sigtimedwait(&signals, nullptr, &zero) > 0) {
  }  // Drops a second signal that came while stopping.
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return rc;
}

}  // namespace hs::hotline12345
