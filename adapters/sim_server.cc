#include "adapters/sim_server.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace hs::sim {
namespace {

// The local port of a socket, or -1.
int LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// Shuts the read side of every connection accepted on `port` (connected sockets whose local port
// it is), so that workers waiting on idle keep-alive connections see EOF and return at once, while
// responses being written still complete. httplib does not hand out its accepted sockets.
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

SimServer::~SimServer() { Stop(); }

Status SimServer::Start(const std::string& bind, int port) {
  if (started_) return Status::Internal("simulator already started");
  bind_ = bind;
  port_ = port == 0 ? server_.bind_to_any_port(bind) : server_.bind_to_port(bind, port) ? port : -1;
  if (port_ < 0) return Status::Unavailable("cannot bind " + bind + ":" + std::to_string(port));
  thread_ = std::thread([this] {
    server_.listen_after_bind();
    listen_done_ = true;
  });
  // Stop() can stop the server only once its accept loop runs.
  while (!server_.is_running() && !listen_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  started_ = true;
  return Status::Ok();
}

void SimServer::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_.stop();
  ShutdownReads(port_);
  if (thread_.joinable()) thread_.join();
}

std::string SimServer::BaseUrl(std::string_view path_suffix) const {
  std::string host = bind_;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port_) + std::string(path_suffix);
}

bool SimServer::Wait(int64_t ms) {
  std::unique_lock lock(stop_mu_);
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

bool TokenBucket::Take(int64_t now_ms, double rps) {
  const double capacity = std::max(rps, 1.0);
  tokens_ =
      last_ms_ < 0 ? capacity : std::min(capacity, tokens_ + (now_ms - last_ms_) * rps / 1000);
  last_ms_ = now_ms;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

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

void ResetConnection(httplib::Response& res, const char* content_type) {
  res.set_content_provider(64, content_type,
                           [](size_t, size_t, httplib::DataSink&) { return false; });
}

}  // namespace hs::sim
