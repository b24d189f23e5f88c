// The simulated petition platform's HTTP side (platforms/petition.md) on cpp-httplib: tokens, rate
// limit, nightly maintenance, idempotency keys and injected faults, in front of a PetitionWorld.
// Handlers run on httplib's worker threads and serialise on Impl::mu.
#include "adapters/petition/sim.h"

#include <httplib.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>

#include "adapters/sim_server.h"
#include "daemon/core/json.h"
#include "daemon/core/time_util.h"

namespace hs::petition {
namespace {

constexpr size_t kMaxBodyBytes = 512 * 1024;
constexpr size_t kHardBodyBytes = 4 << 20;  // httplib's own 413 beyond this.
constexpr int kMaxPageSize = 200;
constexpr int64_t kKeyRetentionMs = 30LL * 86'400'000;
constexpr int64_t kMaintenanceStartS = 3600;  // 01:00 Beijing time, seconds into the day.
constexpr int64_t kMaintenanceEndS = 5400;    // 01:30.
constexpr const char* kJson = "application/json; charset=utf-8";

enum class Route { kToken, kQuery, kGet, kCreate, kProgress };

struct Reply {
  int status = 200;
  std::string body;
  int64_t retry_after_s = 0;  // Sent as Retry-After when > 0.
};

Reply Error(int status, std::string_view code, std::string_view message) {
  Reply r;
  r.status = status;
  r.body = "{\"success\":false,\"errorCode\":";
  json::AppendQuoted(r.body, code);
  r.body += ",\"message\":";
  json::AppendQuoted(r.body, message);
  r.body += "}";
  return r;
}

Reply Invalid(std::string_view message) { return Error(400, "INVALID_ARGUMENT", message); }

Reply PetitionNoReply(int status, std::string_view no) {
  Reply r;
  r.status = status;
  r.body = "{\"success\":true,\"petitionNo\":";
  json::AppendQuoted(r.body, no);
  r.body += "}";
  return r;
}

// A key that took effect: which call, with which body, and its answer.
struct KeyRecord {
  std::string call;  // "create", or "progress:" + petitionNo.
  rapidjson::Document body;
  std::string petition_no;
  int64_t at_ms = 0;  // Simulated time.
};

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

constexpr const char* kHtml502 =
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
    "Gateway</h1></center><hr><center>nginx</center></body></html>\n";

}  // namespace

struct PetitionSim::Impl {
  Impl(PetitionSimOptions o, Clock& c)
      : options(std::move(o)), clock(c), rng(options.seed ^ 0x7846u) {}

  PetitionSimOptions options;
  Clock& clock;

  mutable std::mutex mu;  // Guards everything below up to `server`.
  std::unique_ptr<PetitionWorld> world;
  std::mt19937_64 rng;
  PetitionSimFaults faults;
  PetitionSimStats stats;
  sim::TokenBucket bucket;
  std::unordered_map<std::string, int64_t> tokens;  // Token → dead at (Clock ms).
  std::unordered_map<std::string, KeyRecord> keys;
  std::map<std::string, int> effects;
  std::vector<std::string> created_source_nos;
  int churn = 0;
  int64_t churn_left = 0;  // 0 with churn > 0: unlimited.
  bool churn_limited = false;
  int64_t start_mono = 0;

  sim::SimServer server;

  void AddRoutes();
  void Serve(const httplib::Request& req, httplib::Response& res, Route route);
  bool Draw(double rate) { return sim::Draw(rng, rate); }
  std::optional<Reply> Maintenance();
  void Churn();
  std::optional<Reply> Authenticate(const httplib::Request& req);
  Reply Dispatch(const httplib::Request& req, Route route);
  Reply Token(const httplib::Request& req);
  Reply Query(const httplib::Request& req);
  Reply Get(const httplib::Request& req);
  Reply Idempotent(const httplib::Request& req, const std::string& call,
                   const std::function<Result<std::string>(const rapidjson::Document&)>& effect);
  Reply Create(const httplib::Request& req);
  Reply AddProgress(const httplib::Request& req);
  int64_t SimNowMs() const {
    const double elapsed = static_cast<double>(clock.MonotonicMillis() - start_mono);
    return options.sim_start * 1000 + static_cast<int64_t>(elapsed * options.speed);
  }
};

void PetitionSim::Impl::AddRoutes() {
  auto route = [this](Route r) {
    return [this, r](const httplib::Request& req, httplib::Response& res) { Serve(req, res, r); };
  };
  httplib::Server& http = server.http();
  http.Post("/xf/oauth/token", route(Route::kToken));
  http.Post("/xf/api/petitions/query", route(Route::kQuery));
  http.Get(R"(/xf/api/petitions/([^/]+))", route(Route::kGet));
  http.Post("/xf/api/petitions", route(Route::kCreate));
  http.Post(R"(/xf/api/petitions/([^/]+)/progress)", route(Route::kProgress));
  http.set_payload_max_length(kHardBodyBytes);
}

void PetitionSim::Impl::Serve(const httplib::Request& req, httplib::Response& res, Route route) {
  int64_t latency = 0;
  {
    std::lock_guard lock(mu);
    ++stats.requests;
    latency = faults.latency_ms;
  }
  bool stopped = latency > 0 && !server.Wait(latency);
  std::unique_lock lock(mu);
  Reply reply;
  if (options.rps > 0 && !bucket.Take(clock.MonotonicMillis(), options.rps)) {
    ++stats.rate_limited;
    reply = Error(429, "RATE_LIMITED", "too many requests");
    reply.retry_after_s = 1;
  } else if (auto m = Maintenance()) {
    reply = *m;
  } else if (stopped || Draw(faults.error_rate)) {
    ++stats.faults;
    reply = Error(503, "SERVICE_UNAVAILABLE", "service unavailable");
  } else if (Draw(faults.reset_rate)) {
    ++stats.faults;
    return sim::ResetConnection(res, kJson);
  } else if (Draw(faults.html_502_rate)) {
    ++stats.faults;
    res.status = 502;
    res.set_content(kHtml502, "text/html");
    return;
  } else {
    world->AdvanceTo(SimNowMs());
    Churn();
    if (req.body.size() > kMaxBodyBytes) {
      reply = Error(413, "PAYLOAD_TOO_LARGE", "body is over 512 KiB");
    } else if (route == Route::kToken) {
      reply = Token(req);
    } else if (auto denied = Authenticate(req)) {
      reply = *denied;
    } else {
      reply = Dispatch(req, route);
    }
  }
  lock.unlock();
  res.status = reply.status;
  if (reply.retry_after_s > 0) res.set_header("Retry-After", std::to_string(reply.retry_after_s));
  res.body = std::move(reply.body);
  res.set_header("Content-Type", kJson);
}

// 503 MAINTENANCE between 01:00 and 01:30 Beijing time; every other answer says when it ends, in
// the clock's seconds (simulated seconds divided by the speed: a reader waits in real time).
std::optional<Reply> PetitionSim::Impl::Maintenance() {
  const int64_t now_s = SimNowMs() / 1000;
  const int64_t of_day = ((now_s + kShanghaiOffsetSeconds) % 86400 + 86400) % 86400;
  if (of_day < kMaintenanceStartS || of_day >= kMaintenanceEndS) return std::nullopt;
  Reply r = Error(503, "MAINTENANCE", "nightly maintenance 01:00-01:30");
  if (stats.maintenance++ % 2 == 0) {
    const double left = static_cast<double>(kMaintenanceEndS - of_day);
    r.retry_after_s = std::max<int64_t>(
        1, static_cast<int64_t>(std::ceil(options.speed > 1 ? left / options.speed : left)));
  }
  return r;
}

void PetitionSim::Impl::Churn() {
  if (churn <= 0) return;
  if (churn_limited && churn_left <= 0) return;
  if (churn_limited) --churn_left;
  world->Touch(churn, rng);
  stats.touched += churn;
}

std::optional<Reply> PetitionSim::Impl::Authenticate(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  std::optional<Reply> denied;
  if (!auth.starts_with("Bearer ") || auth.size() == 7) {
    denied = Error(401, "UNAUTHORIZED", "missing or malformed Authorization header");
  } else {
    auto it = tokens.find(auth.substr(7));
    const int64_t now = clock.NowMillis();
    if (it == tokens.end() || now >= it->second) {
      if (it != tokens.end()) tokens.erase(it);
      denied = Error(401, "TOKEN_EXPIRED", "token expired or revoked");
    }
  }
  if (denied) ++stats.unauthorized;
  return denied;
}

Reply PetitionSim::Impl::Dispatch(const httplib::Request& req, Route route) {
  switch (route) {
    case Route::kQuery:
      return Query(req);
    case Route::kGet:
      return Get(req);
    case Route::kCreate:
      return Create(req);
    case Route::kProgress:
      return AddProgress(req);
    case Route::kToken:
      break;
  }
  return Error(500, "INTERNAL", "internal error");
}

Reply PetitionSim::Impl::Token(const httplib::Request& req) {
  ++stats.token_requests;
  rapidjson::Document doc;
  if (!json::Parse(req.body, doc).ok() || !doc.IsObject())
    return Invalid("body: must be a JSON object");
  for (const char* key : {"clientId", "clientSecret"}) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsString()) {
      return Invalid(std::string(key) + ": is required");
    }
  }
  if (doc["clientId"].GetString() != options.client_id ||
      doc["clientSecret"].GetString() != options.client_secret) {
    ++stats.unauthorized;
    return Error(401, "INVALID_CLIENT", "invalid client credentials");
  }
  const int64_t now = clock.NowMillis();
  std::erase_if(tokens, [now](const auto& kv) { return now >= kv.second; });
  char token[40];
  std::snprintf(token, sizeof token, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  tokens[token] = now + options.token_ttl_s * 1000;
  Reply r;
  r.body = std::string("{\"success\":true,\"accessToken\":\"") + token +
           "\",\"expiresIn\":" + std::to_string(options.token_ttl_s) + "}";
  return r;
}

Reply PetitionSim::Impl::Query(const httplib::Request& req) {
  rapidjson::Document doc;
  if (!json::Parse(req.body, doc).ok() || !doc.IsObject())
    return Invalid("body: must be a JSON object");
  int64_t v[4] = {};
  const char* names[4] = {"updatedFrom", "updatedTo", "pageNo", "pageSize"};
  for (int i = 0; i < 4; ++i) {
    auto it = doc.FindMember(names[i]);
    if (it == doc.MemberEnd()) return Invalid(std::string(names[i]) + ": is required");
    if (!it->value.IsInt64()) return Invalid(std::string(names[i]) + ": must be an integer");
    v[i] = it->value.GetInt64();
  }
  if (v[2] < 1 || v[2] > 1'000'000'000) return Invalid("pageNo: must be 1 or more");
  if (v[3] < 1 || v[3] > kMaxPageSize) return Invalid("pageSize: must be 1..200");
  QueryPage page = world->Query(v[0], v[1], v[2], static_cast<int>(v[3]));
  ++stats.pages;
  stats.records_served += page.count;
  Reply r;
  r.body = "{\"success\":true,\"total\":" + std::to_string(page.total) +
           ",\"pageNo\":" + std::to_string(v[2]) + ",\"rows\":[" + page.rows + "]}";
  return r;
}

Reply PetitionSim::Impl::Get(const httplib::Request& req) {
  std::string record = world->Record(req.matches[1].str());
  if (record.empty()) return Error(404, "NOT_FOUND", "no such petition");
  Reply r;
  r.body = "{\"success\":true," + record.substr(1);
  return r;
}

// Runs `effect` once per Idempotency-Key: a replay (same call, same JSON value, within 30 days)
// answers 200 with the first petitionNo; another call or body under the key is 409. A refused
// request does not use up its key.
Reply PetitionSim::Impl::Idempotent(
    const httplib::Request& req, const std::string& call,
    const std::function<Result<std::string>(const rapidjson::Document&)>& effect) {
  if (!req.has_header("Idempotency-Key")) return Invalid("Idempotency-Key: is required");
  const std::string key = req.get_header_value("Idempotency-Key");
  if (!ValidKey(key)) return Invalid("Idempotency-Key: must be 1 to 64 printable ASCII characters");
  rapidjson::Document body;
  if (!json::Parse(req.body, body).ok()) return Invalid("body: is not valid JSON");
  const int64_t now = world->now_ms();
  auto it = keys.find(key);
  if (it != keys.end() && now - it->second.at_ms > kKeyRetentionMs) {
    keys.erase(it);
    it = keys.end();
  }
  if (it != keys.end()) {
    if (it->second.call == call && it->second.body == body) {
      ++stats.replays;
      return PetitionNoReply(200, it->second.petition_no);
    }
    ++stats.conflicts;
    return Error(409, "DUPLICATE_REQUEST",
                 "Idempotency-Key was already used with another body or for another call");
  }
  Result<std::string> done = effect(body);
  if (!done.ok()) {
    if (done.status().code() == StatusCode::kNotFound)
      return Error(404, "NOT_FOUND", "no such petition");
    return Invalid(done.status().message());
  }
  KeyRecord& record = keys[key];
  record.call = call;
  record.body.CopyFrom(body, record.body.GetAllocator());
  record.petition_no = *done;
  record.at_ms = now;
  ++effects[key];
  return PetitionNoReply(201, *done);
}

Reply PetitionSim::Impl::Create(const httplib::Request& req) {
  return Idempotent(req, "create", [this](const rapidjson::Document& body) -> Result<std::string> {
    HS_ASSIGN_OR_RETURN(std::string no, world->Create(body));
    created_source_nos.push_back(body["sourceNo"].GetString());
    return no;
  });
}

Reply PetitionSim::Impl::AddProgress(const httplib::Request& req) {
  const std::string no = req.matches[1].str();
  return Idempotent(req, "progress:" + no,
                    [this, &no](const rapidjson::Document& body) -> Result<std::string> {
                      if (!body.IsObject())
                        return Status::InvalidArgument("body: must be a JSON object");
                      Progress p;
                      auto at = body.FindMember("at");
                      if (at == body.MemberEnd()) return Status::InvalidArgument("at: is required");
                      if (!at->value.IsInt64())
                        return Status::InvalidArgument("at: must be an integer");
                      p.at = at->value.GetInt64();
                      for (const char* key : {"action", "text", "sourceNo"}) {
                        auto it = body.FindMember(key);
                        if (it == body.MemberEnd())
                          return Status::InvalidArgument(std::string(key) + ": is required");
                        if (!it->value.IsString() || it->value.GetStringLength() > 64 * 1024) {
                          return Status::InvalidArgument(std::string(key) + ": must be a string");
                        }
                        std::string value(it->value.GetString(), it->value.GetStringLength());
                        if (value.empty() && std::string_view(key) != "text") {
                          return Status::InvalidArgument(std::string(key) + ": must not be empty");
                        }
                        (std::string_view(key) == "action" ? p.action
                         : std::string_view(key) == "text" ? p.text
                                                           : p.source_no) = std::move(value);
                      }
                      HS_RETURN_IF_ERROR(world->AddProgress(no, std::move(p)));
                      return no;
                    });
}

// ---------------------------------------------------------------------------------------------

PetitionSim::PetitionSim(PetitionSimOptions options, Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

PetitionSim::~PetitionSim() { Stop(); }

Status PetitionSim::Start() {
  Impl& m = *impl_;
  if (m.server.started()) return Status::Internal("simulator already started");
  const PetitionSimOptions& o = m.options;
  if (o.count < 0 || o.days_before < 0 || o.days_after < 0 || o.speed < 0 || o.rps < 0 ||
      o.token_ttl_s < 1 || o.transfer_share < 0 || o.transfer_share > 1 || o.churn < 0 ||
      o.churn_requests < 0) {
    return Status::InvalidArgument("simulator options out of range");
  }
  {
    std::lock_guard lock(m.mu);
    m.world = PetitionWorld::Generate(
        o.seed, o.count, (o.sim_start - int64_t{o.days_before} * 86400) * 1000,
        (o.sim_start + int64_t{o.days_after} * 86400) * 1000, o.transfer_share);
    m.faults = o.faults;
    m.churn = o.churn;
    m.churn_left = o.churn_requests;
    m.churn_limited = o.churn_requests > 0;
    m.start_mono = m.clock.MonotonicMillis();
    m.world->AdvanceTo(o.sim_start * 1000);
  }
  m.AddRoutes();
  return m.server.Start(o.bind, o.port);
}

void PetitionSim::Stop() { impl_->server.Stop(); }

int PetitionSim::port() const { return impl_->server.port(); }

std::string PetitionSim::base_url() const { return impl_->server.BaseUrl(""); }

size_t PetitionSim::petition_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->world ? impl_->world->total_petitions() : 0;
}

void PetitionSim::SetFaults(const PetitionSimFaults& faults) {
  std::lock_guard lock(impl_->mu);
  impl_->faults = faults;
}

void PetitionSim::SetChurn(int per_request, int64_t requests) {
  std::lock_guard lock(impl_->mu);
  impl_->churn = std::max(per_request, 0);
  impl_->churn_left = std::max<int64_t>(requests, 0);
  impl_->churn_limited = requests > 0;
}

PetitionSimStats PetitionSim::Stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

std::vector<std::pair<std::string, std::string>> PetitionSim::Snapshot() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->world) return {};
  impl_->world->AdvanceTo(impl_->SimNowMs());
  return impl_->world->Snapshot();
}

std::map<std::string, int> PetitionSim::EffectsByKey() const {
  std::lock_guard lock(impl_->mu);
  return impl_->effects;
}

std::vector<std::string> PetitionSim::CreatedSourceNos() const {
  std::lock_guard lock(impl_->mu);
  return impl_->created_source_nos;
}

std::vector<Progress> PetitionSim::ProgressOf(const std::string& petition_no) const {
  std::lock_guard lock(impl_->mu);
  return impl_->world ? impl_->world->ProgressOf(petition_no) : std::vector<Progress>();
}

}  // namespace hs::petition
