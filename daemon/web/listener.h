// The daemon's HTTP listener (loopback by default, [service] listen): /healthz, /readyz, /metrics
// in the Prometheus text format, and the operators' web page with the JSON it reads (status, sync
// log, repeat-complaint review, score tables) and the actions it posts (merge, split, reject,
// unmask one record), each audited.
//
// Requests from other sites are refused: every request must name this listener in Host (no DNS
// rebinding), and a POST must carry the page's per-process token in X-HS-Token with a JSON body
// (a cross-site form cannot set either). Personal data is masked except in an unmask answer.
//
// Thread-safety: Start and the destructor from one thread; requests are served on the listener's
// own threads, each using the listener's own ledger connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/ledger/deadlines.h"

namespace hs::web {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 8345;  // 0: any free port (see Listener::port()).
  std::string ledger_path;
  std::vector<std::string> adapters;  // As configured, for the status of ones never synced.
  int64_t unready_after_ms = 600'000;
  ledger::DeadlineQuery deadlines;  // Names and leads; now_s is set per request.
  std::string policy_file, routing_file;  // For the score tables ("" = shipped).
  // The sync loops past their promise ("puller.hotline12345 overdue 12s"); empty when healthy.
  std::function<std::vector<std::string>()> stalled;
};

class Listener {
 public:
  // Opens its own ledger connection, binds and serves. Errors: Unavailable when the address
  // cannot be bound; the ledger's errors.
  static Result<std::unique_ptr<Listener>> Start(ListenerOptions options);
  ~Listener();  // Stops serving and joins.
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const;

 private:
  struct Impl;
  explicit Listener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hs::web
