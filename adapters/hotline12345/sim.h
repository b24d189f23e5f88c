// The simulated 12345 platform: serves platforms/hotline-12345.md exactly (signature and nonce
// checks, expiring cursors, rate limit, 429s, business codes), over a generated city's ticket
// stream that moves through simulated time, or over a given set of records (--orders FILE). Fault
// switches add latency, 5xx, connection resets, truncated bodies and malformed records.
//
// Thread-safety: Start/Stop from one thread; the server's handlers run on its own threads and
// serialise on an internal mutex. SetFaults, Stats, Snapshot and order_count may be called from
// any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/result.h"

namespace hs::hotline12345 {

struct SimFaults {
  int64_t latency_ms = 0;     // Added to every response.
  double error_rate = 0;      // Share of requests answered HTTP 503.
  double reset_rate = 0;      // Share of requests whose connection is closed before any body.
  double truncate_rate = 0;   // Share of responses cut off halfway through the body.
  double malformed_rate = 0;  // Share of pages that carry one extra malformed record.
};

struct SimOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port; see HotlineSim::port().
  std::string app_key = "yy-sync";
  std::string app_secret = "sim-secret";
  uint64_t seed = 1;
  int orders = 2000;  // Orders in the generated world.
  // JSON lines with the contract's field names, served as-is: each line's raw text goes into the
  // page byte for byte, in (gxsj, gdbh) order read leniently; a line whose gxsj or gdbh cannot be
  // read sorts first with empty keys (so it is served only without `since`); blank lines are
  // skipped. A line that is not even JSON is still served raw and breaks its page's JSON: that is
  // intended, for hostile-input tests.
  std::string orders_file;
  // Simulated time: when Start() is called the simulated clock reads sim_start (Unix seconds) and
  // from then on runs `speed` simulated seconds per clock second (0: frozen at sim_start), so that
  // orders move through their states while the daemon watches. Orders are accepted (受理) evenly
  // over [sim_start - days_before, sim_start + days_after]; at sim_start the earlier half already
  // exists with its history.
  int64_t sim_start = 1686585600;  // 2023-06-13 00:00:00 Beijing time.
  int days_before = 12;
  int days_after = 18;
  double speed = 3600;
  double rps = 20;                  // Requests per second per app key before 429; 0 = no limit.
  int64_t cursor_ttl_ms = 600'000;  // Cursors expire after this (40010).
  int64_t max_skew_s = 300;         // X-Timestamp tolerance (40101).
  SimFaults faults;
};

struct SimStats {
  int64_t requests = 0;
  int64_t pages = 0;
  int64_t records_served = 0;
  int64_t rate_limited = 0;    // 429s sent.
  int64_t auth_failures = 0;   // 401xx codes sent.
  int64_t cursor_expired = 0;  // 40010s sent.
  int64_t faults = 0;          // Injected 503s, resets, truncations and malformed records.
};

class HotlineSim {
 public:
  // `clock` times the world and the signature checks; it must outlive the simulator.
  HotlineSim(SimOptions options, Clock& clock);
  ~HotlineSim();

  // Builds the world (or loads orders_file) and starts serving. Errors: InvalidArgument for options
  // out of range or an orders file that cannot be read (its lines are not checked: see
  // orders_file), Unavailable when the address cannot be bound. REQUIRES: not started before.
  // Stop() (also run by the destructor) returns promptly: idle keep-alive connections are shut,
  // responses being written finish, and requests waiting out injected latency are answered 503.
  Status Start();
  void Stop();
  int port() const;
  std::string base_url() const;  // http://127.0.0.1:PORT/api/v2
  // Orders held: generated, loaded or created, also those not yet accepted at the simulated time.
  size_t order_count() const;

  void SetFaults(const SimFaults& faults);
  SimStats Stats() const;
  // Every order as the platform holds it at the current simulated time, as JSON lines keyed by gdbh
  // (for tests to compare against the ledger), sorted by gdbh.
  std::vector<std::pair<std::string, std::string>> Snapshot();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `hotline-sync sim`: starts a simulator on a SystemClock, prints one line to stdout,
//   hotline12345 simulator listening on http://ADDR:PORT/api/v2 (N orders, seed S)
// serves until SIGTERM or SIGINT, stops and returns 0; returns 1 with a message on stderr when the
// simulator cannot start. SIGTERM and SIGINT are blocked while it runs. REQUIRES: called before
// the process starts other threads (they would not have the signals blocked).
int RunSimCommand(const SimOptions& options);

}  // namespace hs::hotline12345
