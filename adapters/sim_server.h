// The HTTP plumbing the simulated platforms share (hotline12345, petition, provincial): a
// cpp-httplib server bound to an address, listening on its own thread and stopped promptly (idle
// keep-alive connections are shut, responses being written finish), with a wait for injected
// latency that Stop() interrupts; and the small helpers the simulators' handlers have in common.
// Platform behaviour (routes, bodies, authentication, worlds) stays with each simulator.
//
// Thread-safety: Start/Stop from one thread (the owner's); Wait may be called from handler
// threads; port() and BaseUrl() after Start returned.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "daemon/core/status.h"

namespace hs::sim {

class SimServer {
 public:
  SimServer() = default;
  ~SimServer();  // Stops the server.
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // The server, for registering handlers and settings before Start().
  httplib::Server& http() { return server_; }

  // Binds `bind`:`port` (port 0: any free port) and serves on a thread of its own; returns once the
  // accept loop runs. Errors: Internal when already started, Unavailable when the address cannot
  // be bound (port() is then -1).
  Status Start(const std::string& bind, int port);
  // Wakes every Wait, stops the server, shuts the read side of its accepted connections so that
  // idle keep-alive workers return at once, and joins. Does nothing when not started or stopping.
  void Stop();
  bool started() const { return started_; }
  int port() const { return port_; }
  // http://HOST:PORT followed by `path_suffix`, HOST being the bind address (0.0.0.0 or empty:
  // 127.0.0.1; ::, ::1; IPv6 in brackets).
  std::string BaseUrl(std::string_view path_suffix) const;

  // Sleeps `ms` (injected latency or a stall); false when the server is stopping.
  bool Wait(int64_t ms);

 private:
  httplib::Server server_;
  std::string bind_;
  std::thread thread_;
  std::atomic<bool> listen_done_{false};
  int port_ = -1;
  bool started_ = false;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

// A token bucket holding up to one second of requests.
class TokenBucket {
 public:
  // Takes a token at `now_ms`; false when none is left.
  bool Take(int64_t now_ms, double rps);

 private:
  double tokens_ = 0;
  int64_t last_ms_ = -1;
};

// True with probability `rate` (never when rate <= 0), drawn from `rng`.
inline bool Draw(std::mt19937_64& rng, double rate) {
  return rate > 0 && static_cast<double>(rng() >> 11) * 0x1.0p-53 < rate;
}

// A whole decimal integer, or nullopt.
std::optional<int64_t> ParseInt(std::string_view s);

bool ConstantTimeEquals(std::string_view a, std::string_view b);

// A provider that fails at once: the headers (with `content_type`) go out, then the connection is
// closed.
void ResetConnection(httplib::Response& res, const char* content_type);

}  // namespace hs::sim
