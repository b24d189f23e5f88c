#include "tests/fakes/raw_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace hs::testing {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_in Loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A TCP socket bound to 127.0.0.1 at a free port; returns the port in `port`.
int BoundSocket(int flags, int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0) Fail("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = Loopback(0);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    Fail("bind 127.0.0.1");
  }
  *port = ntohs(a.sin_port);
  return fd;
}

std::string UrlFor(int port, std::string_view path) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

bool StartsWithNoCase(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  }
  return true;
}

// The Content-Length a request head declares, 0 when none.
size_t ContentLength(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    if (StartsWithNoCase(line, "content-length:")) {
      std::string_view v = line.substr(15);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      size_t n = 0;
      std::from_chars(v.data(), v.data() + v.size(), n);
      return n;
    }
    pos = end + 2;
  }
  return 0;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Head(int status, const Headers& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  return out + "\r\n";
}

std::string JsonHead(int64_t content_length) {
  return Head(200, {{"Content-Type", "application/json"},
                    {"Content-Length", std::to_string(content_length)},
                    {"Connection", "close"}});
}

std::string ChunkedHead() {
  return Head(200, {{"Content-Type", "application/json"},
                    {"Transfer-Encoding", "chunked"},
                    {"Connection", "close"}});
}

std::string Chunk(size_t n) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", n);
  return size + std::string(n, ' ') + "\r\n";
}

// The request with its Connection and Keep-Alive headers replaced by "Connection: close".
std::string CloseAfter(const std::string& request) {
  const size_t head_end = request.find("\r\n\r\n");
  if (head_end == std::string::npos) return request;
  std::string out;
  size_t pos = 0;
  while (pos < head_end + 2) {
    size_t end = request.find("\r\n", pos);
    std::string_view line(request.data() + pos, end - pos);
    if (!StartsWithNoCase(line, "connection:") && !StartsWithNoCase(line, "keep-alive:") &&
        !StartsWithNoCase(line, "proxy-connection:")) {
      out.append(line);
      out += "\r\n";
    }
    pos = end + 2;
  }
  out += "Connection: close\r\n\r\n";
  out.append(request, head_end + 4);
  return out;
}

}  // namespace

// --- RawConn -------------------------------------------------------------------------------------

RawConn::RawConn(int fd, int wake_fd) : fd_(fd), wake_fd_(wake_fd) {}

RawConn::~RawConn() { Close(); }

RawConn::Ready RawConn::WaitFor(short events, int64_t timeout_ms) {
  if (fd_ < 0) return Ready::kError;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int wait_ms = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    pollfd p[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
    int n = poll(p, 2, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Ready::kError;
    if (p[1].revents != 0) return Ready::kStopping;
    if (n == 0) {
      if (timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline) return Ready::kTimeout;
      continue;
    }
    if ((p[0].revents & events) != 0) {
      return (events & POLLIN) != 0 ? Ready::kReadable : Ready::kWritable;
    }
    if ((p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return Ready::kError;
  }
}

bool RawConn::Fill(int64_t timeout_ms) {
  if (peer_closed_) return false;
  if (WaitFor(POLLIN, timeout_ms) != Ready::kReadable) return false;
  char buf[16384];
  ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n > 0) {
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  peer_closed_ = true;  // EOF, or a reset.
  return false;
}

std::optional<std::string> RawConn::ReadRequest() {
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(-1)) return std::nullopt;
  }
  head_end += 4;
  const size_t total = head_end + ContentLength(std::string_view(buffer_).substr(0, head_end));
  while (buffer_.size() < total) {
    if (!Fill(-1)) return std::nullopt;
  }
  std::string request = buffer_.substr(0, total);
  buffer_.erase(0, total);
  return request;
}

std::optional<std::string> RawConn::ReadUntilClosed() {
  while (Fill(-1)) {
  }
  if (!peer_closed_) return std::nullopt;  // Stopping.
  return std::move(buffer_);
}

bool RawConn::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (WaitFor(POLLOUT, -1) != Ready::kWritable) return false;
      continue;
    }
    return false;  // EPIPE, ECONNRESET: the peer is gone.
  }
  return true;
}

bool RawConn::Pause(int64_t ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return true;
    Ready r = WaitFor(POLLIN, left);
    if (r == Ready::kTimeout) return true;
    if (r != Ready::kReadable) return false;
    if (!Fill(0)) return false;  // The peer closed (anything it sent is kept in buffer_).
  }
}

bool RawConn::WaitPeerClosed(int64_t ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!peer_closed_) {
    int64_t left = -1;
    if (ms >= 0) {
      left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                   std::chrono::steady_clock::now())
                 .count();
      if (left <= 0) return false;
    }
    Ready r = WaitFor(POLLIN, left);
    if (r == Ready::kError) return true;
    if (r != Ready::kReadable) return false;  // Timeout or stopping.
    Fill(0);
    buffer_.clear();  // Whatever the peer still sends is of no interest.
  }
  return true;
}

void RawConn::Close() {
  if (fd_ < 0) return;
  shutdown(fd_, SHUT_WR);
  // Waiting for the peer's FIN before closing: a close with unread bytes would send a RST, and
  // the behaviour asked for an orderly end.
  WaitPeerClosed(2000);
  close(fd_);
  fd_ = -1;
}

void RawConn::Reset() {
  if (fd_ < 0) return;
  linger l{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd_);
  fd_ = -1;
}

// --- RawServer -----------------------------------------------------------------------------------

RawServer::RawServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
  listen_fd_ = BoundSocket(0, &port_);
  if (listen(listen_fd_, 16) != 0) {
    close(listen_fd_);
    Fail("listen");
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    close(listen_fd_);
    Fail("eventfd");
  }
  thread_ = std::thread([this] { Serve(); });
}

RawServer::~RawServer() { Stop(); }

void RawServer::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  // The eventfd stays readable from now on: every wait of the behaviour and the accept loop end.
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  thread_.join();
  close(listen_fd_);
  close(wake_fd_);
  listen_fd_ = wake_fd_ = -1;
}

std::string RawServer::Url(std::string_view path) const { return UrlFor(port_, path); }

void RawServer::Serve() {
  for (;;) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = poll(p, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || p[1].revents != 0) return;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connections_.fetch_add(1);
    RawConn conn(fd, wake_fd_);
    behaviour_(conn);
  }
}

// --- Behaviours ----------------------------------------------------------------------------------

Behaviour Respond(int status, const Headers& headers, std::string body) {
  Headers all = headers;
  all.emplace_back("Content-Length", std::to_string(body.size()));
  all.emplace_back("Connection", "close");
  std::string bytes = Head(status, all) + body;
  return [bytes](RawConn& c) {
    if (c.ReadRequest()) c.Send(bytes);
  };
}

Behaviour SlowBody(int64_t content_length, int64_t every_ms) {
  return [=](RawConn& c) {
    if (!c.ReadRequest() || !c.Send(JsonHead(content_length))) return;
    for (int64_t i = 0; i < content_length; ++i) {
      if (!c.Pause(every_ms) || !c.Send(" ")) return;
    }
  };
}

Behaviour StallMidBody(int64_t content_length) {
  return [=](RawConn& c) {
    if (!c.ReadRequest()) return;
    if (!c.Send(JsonHead(content_length) + std::string(content_length / 2, ' '))) return;
    c.WaitPeerClosed();
  };
}

Behaviour TruncatedBody(int64_t content_length) {
  return [=](RawConn& c) {
    if (c.ReadRequest()) c.Send(JsonHead(content_length) + std::string(content_length / 2, ' '));
  };
}

Behaviour ResetAfterRequest() {
  return [](RawConn& c) {
    if (c.ReadRequest()) c.Reset();
  };
}

Behaviour TruncatedChunked(int chunks) {
  return [=](RawConn& c) {
    if (!c.ReadRequest()) return;
    std::string bytes = ChunkedHead();
    for (int i = 0; i < chunks; ++i) bytes += Chunk(100);
    c.Send(bytes);  // No "0\r\n\r\n": the orderly close comes before the body's end.
  };
}

Behaviour DeclaredTooLarge(int64_t content_length) {
  return [=](RawConn& c) {
    if (!c.ReadRequest() || !c.Send(JsonHead(content_length))) return;
    const std::string piece(16384, ' ');
    for (int64_t sent = 0; sent < content_length; sent += static_cast<int64_t>(piece.size())) {
      if (!c.Send(std::string_view(piece).substr(
              0, static_cast<size_t>(std::min<int64_t>(content_length - sent, 16384))))) {
        return;
      }
    }
  };
}

Behaviour ChunkedGrowing(int64_t total_bytes) {
  return [=](RawConn& c) {
    if (!c.ReadRequest() || !c.Send(ChunkedHead())) return;
    const std::string chunk = Chunk(4096);
    for (int64_t sent = 0; sent < total_bytes; sent += 4096) {
      if (!c.Send(chunk)) return;
    }
    c.Send("0\r\n\r\n");
  };
}

// --- StalledListener -----------------------------------------------------------------------------

StalledListener::StalledListener() {
  listen_fd_ = BoundSocket(0, &port_);
  // A backlog of 0 lets one finished handshake wait in the accept queue; while it waits, the
  // kernel drops every new SYN (it does not answer RST: the client retries until its timeout).
  if (listen(listen_fd_, 0) != 0) {
    close(listen_fd_);
    Fail("listen");
  }
  const sockaddr_in to = Loopback(port_);
  for (int i = 0; i < 8 && !stalls_; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) Fail("socket");
    int rc = connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    if (rc != 0 && errno != EINPROGRESS) {
      close(fd);
      Fail("connect to the stalled listener");
    }
    pollfd p{fd, POLLOUT, 0};
    // On loopback a handshake the kernel answers completes within microseconds; 200 ms without
    // an answer means the SYN was dropped.
    if (rc == 0 || poll(&p, 1, 200) == 1) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        close(fd);
        errno = err;
        Fail("connect to the stalled listener");
      }
      fillers_.push_back(fd);  // Completed: it takes a place in the accept queue.
    } else {
      stalls_ = true;  // The probe hangs: the queue is full.
      close(fd);
    }
  }
}

StalledListener::~StalledListener() {
  for (int fd : fillers_) close(fd);
  close(listen_fd_);
}

std::string StalledListener::Url(std::string_view path) const { return UrlFor(port_, path); }

// --- RefusingPort --------------------------------------------------------------------------------

RefusingPort::RefusingPort() { fd_ = BoundSocket(0, &port_); }

RefusingPort::~RefusingPort() { close(fd_); }

std::string RefusingPort::Url(std::string_view path) const { return UrlFor(port_, path); }

// --- FaultProxy ----------------------------------------------------------------------------------

FaultProxy::FaultProxy(std::string upstream_host, int upstream_port)
    : upstream_host_(std::move(upstream_host)), upstream_port_(upstream_port) {
  server_ = std::make_unique<RawServer>([this](RawConn& c) { Handle(c); });
}

FaultProxy::~FaultProxy() { server_->Stop(); }

void FaultProxy::FailRequest(int nth, Fault fault) {
  std::lock_guard lock(mu_);
  plan_[nth] = fault;
}

int FaultProxy::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

int FaultProxy::faults_injected() const {
  std::lock_guard lock(mu_);
  return faults_;
}

void FaultProxy::Handle(RawConn& client) {
  std::optional<std::string> request = client.ReadRequest();
  if (!request) return;
  Fault fault = Fault::kNone;
  {
    std::lock_guard lock(mu_);
    auto it = plan_.find(++requests_);
    if (it != plan_.end()) fault = it->second;
    if (fault != Fault::kNone) ++faults_;
  }

  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  if (inet_pton(AF_INET, upstream_host_.c_str(), &to.sin_addr) != 1 ||
      connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    client.Reset();  // The upstream is down: the client sees a reset, as through a real proxy.
    return;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);  // Every wait below is interruptible.
  RawConn upstream(fd, client.wake_fd());
  if (!upstream.Send(CloseAfter(*request))) return;
  std::optional<std::string> response = upstream.ReadUntilClosed();
  if (!response) return;

  size_t head = response->find("\r\n\r\n");
  head = head == std::string::npos ? response->size() : head + 4;
  const std::string_view half =
      std::string_view(*response).substr(0, head + (response->size() - head) / 2);
  switch (fault) {
    case Fault::kNone:
      client.Send(*response);
      return;
    case Fault::kTruncateMidBody:
      client.Send(half);
      return;  // The orderly close follows.
    case Fault::kResetAfterRequest:
      client.Reset();
      return;
    case Fault::kStallMidBody:
      if (client.Send(half)) client.WaitPeerClosed();
      return;
  }
}

}  // namespace hs::testing
