// The simulated provincial platform's HTTP side (platforms/provincial.md) on cpp-httplib: request
// authentication, rate limiting, GBK bodies and injected faults, in front of a SimWorld. Handlers
// run on httplib's worker threads and serialise on Impl::mu.
#include "adapters/provincial/sim.h"

#include <httplib.h>

#include <mutex>
#include <optional>
#include <random>

#include "adapters/provincial/signing.h"
#include "adapters/provincial/sim_world.h"
#include "adapters/sim_server.h"
#include "daemon/core/gbk.h"
#include "daemon/core/json.h"

namespace hs::provincial {
namespace {

using sim::ConstantTimeEquals;
using sim::ParseInt;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 100;
constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr const char* kGbkJson = "application/json;charset=GBK";

enum class Route { kPending, kChanges, kAccept, kResult, kReturn };

struct FaultDraw {
  int64_t latency_ms = 0;
  int error = 0;  // 0, 500 or 503.
  bool reset = false, stall = false;
};

// |sent_ms - now_ms| <= max_ms for all int64_t values (unsigned arithmetic cannot overflow here).
bool WithinWindow(int64_t sent_ms, int64_t now_ms, int64_t max_ms) {
  auto s = static_cast<uint64_t>(sent_ms), n = static_cast<uint64_t>(now_ms);
  return (sent_ms >= now_ms ? s - n : n - s) <= static_cast<uint64_t>(max_ms);
}

SimAnswer Word(int status, const char* word) {
  return {status, std::string("{\"result\":\"") + word + "\"}"};
}

}  // namespace

struct ProvincialSim::Impl {
  Impl(ProvincialSimOptions o, Clock& c) : options(std::move(o)), clock(c), rng(options.seed) {}

  ProvincialSimOptions options;
  Clock& clock;

  mutable std::mutex mu;  // Guards everything below up to `server`.
  std::unique_ptr<SimWorld> world;
  std::mt19937_64 rng;
  ProvincialSimFaults faults;
  ProvincialSimStats stats;
  sim::TokenBucket bucket;   // The city's.
  sim::TokenBucket unknown;  // Shared by every other X-City-Code.
  uint64_t errors_sent = 0;
  int64_t start_mono = 0;

  sim::SimServer server;

  void AddRoutes();
  void Serve(const httplib::Request& req, httplib::Response& res, Route route);
  bool Draw(double rate) { return sim::Draw(rng, rate); }
  bool Authenticated(const httplib::Request& req);
  SimAnswer Handle(const httplib::Request& req, Route route);
  int64_t SimNowLocked() const {
    double elapsed_ms = static_cast<double>(clock.MonotonicMillis() - start_mono);
    return options.sim_start + static_cast<int64_t>(elapsed_ms * options.speed / 1000);
  }
};

void ProvincialSim::Impl::AddRoutes() {
  auto route = [this](Route r) {
    return [this, r](const httplib::Request& req, httplib::Response& res) { Serve(req, res, r); };
  };
  httplib::Server& http = server.http();
  http.Get("/prov/api/dispatch", route(Route::kPending));
  http.Get("/prov/api/dispatch/changes", route(Route::kChanges));
  http.Post(R"(/prov/api/dispatch/([^/]+)/accept)", route(Route::kAccept));
  http.Post(R"(/prov/api/dispatch/([^/]+)/result)", route(Route::kResult));
  http.Post(R"(/prov/api/dispatch/([^/]+)/return)", route(Route::kReturn));
  http.set_payload_max_length(kMaxBodyBytes);  // Larger bodies: HTTP 413.
}

bool ProvincialSim::Impl::Authenticated(const httplib::Request& req) {
  const std::string city = req.get_header_value("X-City-Code");
  const std::string ts = req.get_header_value("X-Timestamp");
  std::optional<int64_t> sent_ms = ParseInt(ts);
  return city == options.city_code && sent_ms &&
         WithinWindow(*sent_ms, clock.NowMillis(), options.max_skew_ms) &&
         ConstantTimeEquals(req.get_header_value("X-Signature"),
                            Signature(options.city_code, ts, options.secret));
}

SimAnswer ProvincialSim::Impl::Handle(const httplib::Request& req, Route route) {
  world->AdvanceTo(SimNowLocked());
  if (route == Route::kPending || route == Route::kChanges) {
    int limit = kDefaultLimit;
    if (req.has_param("limit")) {
      std::optional<int64_t> n = ParseInt(req.get_param_value("limit"));
      if (!n || *n < 1 || *n > kMaxLimit) return Word(400, "BAD_REQUEST");
      limit = static_cast<int>(*n);
    }
    ++stats.pages;
    if (route == Route::kPending) {
      if (req.get_param_value("state") != "PENDING") return Word(400, "BAD_REQUEST");
      return world->Pending(limit, stats.records_served);
    }
    std::optional<int64_t> after = int64_t{0};
    if (req.has_param("afterRevision")) after = ParseInt(req.get_param_value("afterRevision"));
    if (!after || *after < 0) return Word(400, "BAD_REQUEST");
    return world->Changes(*after, limit, stats.records_served);
  }
  // Request bodies are GBK, decoded strictly: anything else is 400.
  Result<std::string> body = gbk::GbkToUtf8(req.body);
  if (!body.ok()) return Word(400, "BAD_REQUEST");
  rapidjson::Document doc;
  if (body->empty() && route == Route::kAccept) {
    doc.SetObject();
  } else if (!json::Parse(*body, doc).ok() || !doc.IsObject()) {
    return Word(400, "BAD_REQUEST");
  }
  const std::string id = req.matches[1].str();
  switch (route) {
    case Route::kAccept:
      return world->Accept(id);
    case Route::kResult:
      return world->SubmitResult(id, doc);
    default:
      return world->Return(id, doc);
  }
}

void ProvincialSim::Impl::Serve(const httplib::Request& req, httplib::Response& res, Route route) {
  FaultDraw fault;
  {
    std::lock_guard lock(mu);
    ++stats.requests;
    fault.latency_ms = faults.latency_ms;
    if (Draw(faults.error_rate)) fault.error = errors_sent++ % 2 == 0 ? 500 : 503;
    fault.reset = fault.error == 0 && Draw(faults.reset_rate);
    fault.stall = fault.error == 0 && !fault.reset && Draw(faults.stall_rate);
  }
  if (fault.latency_ms > 0 && !server.Wait(fault.latency_ms)) fault.error = 503;
  SimAnswer answer;
  {
    std::lock_guard lock(mu);
    const bool known_city = req.get_header_value("X-City-Code") == options.city_code;
    if (options.rps > 0 &&
        !(known_city ? bucket : unknown).Take(clock.MonotonicMillis(), options.rps)) {
      ++stats.rate_limited;
      answer = Word(429, "RATE_LIMITED");
      res.set_header("Retry-After", "1");
      fault = FaultDraw{};
    } else if (fault.error != 0) {
      ++stats.faults;
      answer = Word(fault.error, "SERVER_ERROR");
      fault = FaultDraw{};
    } else if (!Authenticated(req)) {
      ++stats.forbidden;
      answer = Word(403, "FORBIDDEN");
      fault = FaultDraw{};
    } else {
      answer = Handle(req, route);  // Takes effect before any reset or stall below.
      if (fault.reset || fault.stall) ++stats.faults;
    }
  }
  if (fault.stall && !server.Wait(faults.stall_ms)) answer = Word(503, "SERVER_ERROR");
  if (fault.reset) return sim::ResetConnection(res, kGbkJson);
  Result<std::string> gbk = gbk::Utf8ToGbkJson(answer.body);
  res.status = answer.status;
  res.set_content(gbk.ok() ? *gbk : std::string(R"({"result":"SERVER_ERROR"})"), kGbkJson);
}

// ---------------------------------------------------------------------------------------------

ProvincialSim::ProvincialSim(ProvincialSimOptions options, Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

ProvincialSim::~ProvincialSim() { Stop(); }

Status ProvincialSim::Start() {
  Impl& m = *impl_;
  if (m.server.started()) return Status::Internal("simulator already started");
  const ProvincialSimOptions& o = m.options;
  if (o.count < 0 || o.days_before < 0 || o.days_after < 0 || o.speed < 0 || o.rps < 0 ||
      o.max_skew_ms < 0 || o.reopen_share < 0 || o.reopen_share > 1 || o.review_delay_s < 0 ||
      o.foreign_area_share < 0 || o.foreign_area_share > 1 || o.deadline_days < 1 ||
      o.reopen_deadline_days < 1) {
    return Status::InvalidArgument("simulator options out of range");
  }
  {
    std::lock_guard lock(m.mu);
    m.world = std::make_unique<SimWorld>(o);
    m.faults = o.faults;
    m.start_mono = m.clock.MonotonicMillis();
    m.world->AdvanceTo(o.sim_start);
  }
  m.AddRoutes();
  return m.server.Start(o.bind, o.port);
}

void ProvincialSim::Stop() { impl_->server.Stop(); }

int ProvincialSim::port() const { return impl_->server.port(); }

std::string ProvincialSim::base_url() const { return impl_->server.BaseUrl(""); }

void ProvincialSim::SetFaults(const ProvincialSimFaults& faults) {
  std::lock_guard lock(impl_->mu);
  impl_->faults = faults;
}

ProvincialSimStats ProvincialSim::Stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

int64_t ProvincialSim::SimNow() const {
  std::lock_guard lock(impl_->mu);
  return impl_->SimNowLocked();
}

std::vector<std::pair<std::string, std::string>> ProvincialSim::Snapshot() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->world) return {};
  impl_->world->AdvanceTo(impl_->SimNowLocked());
  return impl_->world->Snapshot();
}

std::map<std::string, DispatchEffects> ProvincialSim::Effects() const {
  std::lock_guard lock(impl_->mu);
  return impl_->world ? impl_->world->Effects() : std::map<std::string, DispatchEffects>{};
}

std::vector<std::string> ProvincialSim::Results(const std::string& dispatch_id) const {
  std::lock_guard lock(impl_->mu);
  return impl_->world ? impl_->world->Results(dispatch_id) : std::vector<std::string>{};
}

}  // namespace hs::provincial
