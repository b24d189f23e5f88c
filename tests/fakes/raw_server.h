// Raw-socket network faults on loopback for the fault suite (RELIABILITY.md item 8): what an HTTP
// server, a firewall or a proxy can do to a connection that a well-behaved HTTP library never does.
//
//   RawServer       a TCP server on 127.0.0.1 (any free port) whose every connection is handled by
//                   a scripted Behaviour (slow body, stall mid-body, reset after the request,
//                   truncated chunked body, oversized bodies, canned answers such as a 429);
//   StalledListener a listening socket whose accept queue is full, so that new SYNs are dropped and
//                   a client's connect hangs until its own timeout;
//   RefusingPort    a bound port with no listener: connects are refused at once (RST);
//   FaultProxy      a RawServer that forwards requests to a real server (a simulator) and spoils
//                   the Nth response: truncated mid-body, reset after the request, or stalled.
//
// Connections are served one after the other on the server's own thread (the clients under test
// send one request at a time). Every wait in a behaviour also ends when the server stops, so Stop()
// (and the destructor) returns promptly: it wakes the thread, joins it and closes every socket.
//
// Thread-safety: construct, Stop and destroy from one thread; port(), Url(), connections() and the
// FaultProxy's setters and counters from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace hs::testing {

// One accepted connection as a behaviour sees it. Every call returns early (false or nullopt) when
// the server stops or the peer goes away.
class RawConn {
 public:
  RawConn(int fd, int wake_fd);
  ~RawConn();  // Close(), unless the connection was reset or closed already.
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  // Reads one HTTP/1.1 request: its head and, when it declares a Content-Length, its body. Returns
  // the request's bytes as received; nullopt when the peer closed first or the server stops.
  std::optional<std::string> ReadRequest();
  // Reads until the peer closes its side; nullopt when the server stops or on a socket error.
  std::optional<std::string> ReadUntilClosed();
  // Writes every byte; false when the peer is gone or the server stops.
  bool Send(std::string_view bytes);
  // Waits `ms` milliseconds unless the peer closes or the server stops (false then).
  bool Pause(int64_t ms);
  // Waits for the peer to close its side, without limit (-1) or up to `ms`; true when it did.
  bool WaitPeerClosed(int64_t ms = -1);
  // An orderly close: FIN, then up to two seconds for the peer to close too, then close.
  void Close();
  // Closes with SO_LINGER {1, 0}: the peer gets a RST instead of a FIN.
  void Reset();
  // The server's stop signal, for more sockets a behaviour opens (the proxy's upstream side).
  int wake_fd() const { return wake_fd_; }

 private:
  enum class Ready { kReadable, kWritable, kTimeout, kStopping, kError };
  Ready WaitFor(short events, int64_t timeout_ms);
  // Reads what is available into buffer_; false on EOF, error or stop.
  bool Fill(int64_t timeout_ms);

  int fd_;
  int wake_fd_;
  std::string buffer_;  // Received and not yet returned.
  bool peer_closed_ = false;
};

using Behaviour = std::function<void(RawConn&)>;

class RawServer {
 public:
  // Listens on 127.0.0.1 at a free port and serves each connection with `behaviour` on a thread of
  // its own. Throws std::runtime_error when the socket cannot be set up.
  explicit RawServer(Behaviour behaviour);
  ~RawServer();  // Stop().
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  // Wakes every wait of the behaviour running, joins the thread and closes the sockets. Idempotent.
  void Stop();
  int port() const { return port_; }
  // http://127.0.0.1:PORT followed by `path`.
  std::string Url(std::string_view path = "/") const;
  // Connections accepted so far.
  int connections() const { return connections_.load(); }

 private:
  void Serve();

  Behaviour behaviour_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Canned behaviours. Each reads the request first (so that closing never RSTs by accident).

// Status line, headers and body, with a Content-Length, then an orderly close.
Behaviour Respond(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                  std::string body);
// Headers with Content-Length `content_length`, then one byte every `every_ms` until the peer
// gives up.
Behaviour SlowBody(int64_t content_length, int64_t every_ms);
// Headers with Content-Length `content_length`, half the body, then silence until the peer closes.
Behaviour StallMidBody(int64_t content_length);
// Headers with Content-Length `content_length`, half the body, then an orderly close (FIN).
Behaviour TruncatedBody(int64_t content_length);
// Reads the whole request, then resets the connection.
Behaviour ResetAfterRequest();
// Transfer-Encoding: chunked, `chunks` chunks of 100 bytes, then an orderly close without the
// terminating 0-length chunk.
Behaviour TruncatedChunked(int chunks);
// Headers with Content-Length `content_length` (meant to be over the client's cap), then the body
// as fast as the peer takes it.
Behaviour DeclaredTooLarge(int64_t content_length);
// Transfer-Encoding: chunked, 4 KiB chunks up to `total_bytes`, then the 0-length chunk: a body
// whose size is known in advance to nobody.
Behaviour ChunkedGrowing(int64_t total_bytes);

// A listening socket on 127.0.0.1 that accepts no more connections: listen(fd, 0) with its
// accept queue filled by connections this object opens itself and never accepts. The kernel then
// drops new SYNs, so a client's connect neither succeeds nor fails until its own timeout.
class StalledListener {
 public:
  StalledListener();  // Throws std::runtime_error when a socket cannot be set up.
  ~StalledListener();
  StalledListener(const StalledListener&) = delete;
  StalledListener& operator=(const StalledListener&) = delete;

  int port() const { return port_; }
  std::string Url(std::string_view path = "/") const;
  // Whether a probe connect was seen to stall (checked in the constructor): false means this
  // kernel completed every connect and the fixture cannot stall one.
  bool stalls() const { return stalls_; }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  bool stalls_ = false;
  std::vector<int> fillers_;
};

// A port on 127.0.0.1 that is bound but not listening: a connect is refused with a RST at once.
// Holding the bound socket keeps the port from being reused while the test runs.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  int port() const { return port_; }
  std::string Url(std::string_view path = "/") const;

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A forwarding proxy on 127.0.0.1 in front of `upstream_host:upstream_port` (an IPv4 literal).
// HTTP/1.1, one request per connection: the request goes upstream with "Connection: close", so the
// answer, which says the same, ends both connections. Requests are counted from 1 as they arrive;
// the ones given a fault are spoiled after the upstream answered.
class FaultProxy {
 public:
  enum class Fault {
    kNone,
    kTruncateMidBody,    // The head and half the body, then an orderly close.
    kResetAfterRequest,  // The request is forwarded, then the client's connection is reset.
    kStallMidBody,       // The head and half the body, then silence until the client gives up.
  };

  FaultProxy(std::string upstream_host, int upstream_port);
  ~FaultProxy();  // Stops.
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // The `nth` request (counted from 1 since the proxy started) gets `fault`.
  void FailRequest(int nth, Fault fault);
  // Requests seen and faults injected so far.
  int requests() const;
  int faults_injected() const;
  int port() const { return server_->port(); }
  std::string Url(std::string_view path = "/") const { return server_->Url(path); }
  void Stop() { server_->Stop(); }

 private:
  void Handle(RawConn& client);

  std::string upstream_host_;
  int upstream_port_;
  mutable std::mutex mu_;
  std::map<int, Fault> plan_;
  int requests_ = 0;
  int faults_ = 0;
  std::unique_ptr<RawServer> server_;  // Last: stopped before the rest is destroyed.
};

}  // namespace hs::testing
