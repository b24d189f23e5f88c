// The simulated provincial platform's HTTP side (platforms/provincial.md) on cpp-httplib: request
// authentication, rate limiting, GBK bodies and injected faults, in front of a SimWorld. Handlers
// run on httplib's worker threads and serialise on Impl::mu.
#include "adapters/provincial/sim.h"

#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "adapters/provincial/signing.h"
#include "adapters/provincial/sim_world.h"
#include "daemon/core/gbk.h"
#include "daemon/core/json.h"

namespace hs::provincial {
namespace {

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

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// A token bucket holding up to one second of requests.
class TokenBucket {
 public:
  bool Take(int64_t now_ms, double rps) {
    double capacity = std::max(rps, 1.0);
    tokens_ =
        last_ms_ < 0 ? capacity : std::min(capacity, tokens_ + (now_ms - last_ms_) * rps / 1000);
    last_ms_ = now_ms;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double tokens_ = 0;
  int64_t last_ms_ = -1;
};

// |sent_ms - now_ms| <= max_ms for all int64_t values (unsigned arithmetic cannot overflow here).
bool WithinWindow(int64_t sent_ms, int64_t now_ms, int64_t max_ms) {
  auto s = static_cast<uint64_t>(sent_ms), n = static_cast<uint64_t>(now_ms);
  return (sent_ms >= now_ms ? s - n : n - s) <= static_cast<uint64_t>(max_ms);
}

SimAnswer Word(int status, const char* word) {
  return {status, std::string("{\"result\":\"") + word + "\"}"};
}

// The local port of a socket, or -1.
int LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// Shuts the read side of every connection accepted on `port`, so that workers waiting on idle
// keep-alive connections return at once (as HotlineSim does; httplib does not hand them out).
void ShutdownReads(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    std::optional<int64_t> fd = ParseInt(entry->d_name);
    if (!fd || *fd == dirfd(dir) || LocalPort(static_cast<int>(*fd)) != port) continue;
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (getpeername(static_cast<int>(*fd), reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
      shutdown(static_cast<int>(*fd), SHUT_RD);
    }
  }
  closedir(dir);
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
  TokenBucket bucket;   // The city's.
  TokenBucket unknown;  // Shared by every other X-City-Code.
  uint64_t errors_sent = 0;
  int64_t start_mono = 0;

  httplib::Server server;
  std::thread thread;
  std::atomic<bool> listen_done{false};
  int port = -1;
  bool started = false;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;

  void AddRoutes();
  void Serve(const httplib::Request& req, httplib::Response& res, Route route);
  bool Draw(double rate) { return rate > 0 && static_cast<double>(rng() >> 11) * 0x1.0p-53 < rate; }
  bool Wait(int64_t ms);
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
  server.Get("/prov/api/dispatch", route(Route::kPending));
  server.Get("/prov/api/dispatch/changes", route(Route::kChanges));
  server.Post(R"(/prov/api/dispatch/([^/]+)/accept)", route(Route::kAccept));
  server.Post(R"(/prov/api/dispatch/([^/]+)/result)", route(Route::kResult));
  server.Post(R"(/prov/api/dispatch/([^/]+)/return)", route(Route::kReturn));
  server.set_payload_max_length(kMaxBodyBytes);  // Larger bodies: HTTP 413.
}

// Sleeps `ms`; false when the simulator is stopping.
bool ProvincialSim::Impl::Wait(int64_t ms) {
  std::unique_lock lock(stop_mu);
  return !stop_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
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
  if (fault.latency_ms > 0 && !Wait(fault.latency_ms)) fault.error = 503;
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
  if (fault.stall && !Wait(faults.stall_ms)) answer = Word(503, "SERVER_ERROR");
  if (fault.reset) {
    res.set_content_provider(64, kGbkJson,
                             [](size_t, size_t, httplib::DataSink&) { return false; });
    return;
  }
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
  if (m.started) return Status::Internal("simulator already started");
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
  m.port = o.port == 0                             ? m.server.bind_to_any_port(o.bind)
           : m.server.bind_to_port(o.bind, o.port) ? o.port
                                                   : -1;
  if (m.port < 0) {
    return Status::Unavailable("cannot bind " + o.bind + ":" + std::to_string(o.port));
  }
  m.thread = std::thread([&m] {
    m.server.listen_after_bind();
    m.listen_done = true;
  });
  while (!m.server.is_running() && !m.listen_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  m.started = true;
  return Status::Ok();
}

void ProvincialSim::Stop() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.stop_mu);
    if (!m.started || m.stopping) return;
    m.stopping = true;
  }
  m.stop_cv.notify_all();
  m.server.stop();
  ShutdownReads(m.port);
  if (m.thread.joinable()) m.thread.join();
}

int ProvincialSim::port() const { return impl_->port; }

std::string ProvincialSim::base_url() const {
  std::string host = impl_->options.bind;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

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
