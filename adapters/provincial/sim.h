// The simulated provincial platform (platforms/provincial.md), quirks included: MD5-signed
// requests with a ±300000 ms window, GBK bodies both ways (characters outside GBK served as
// \uXXXX escapes, requests decoded strictly), the pending queue, the per-city revision feed,
// accept / result / return with the contract's 409 and 422 answers, the province's review of
// submitted results (CLOSED, or REOPENED with a new deadline), 429 past the rate and 413 past
// 1 MiB. The world is a generated city's dispatches that arrive as simulated time passes. Fault
// switches add latency, 500/503s, connection resets and stalls after the request took effect.
//
// Thread-safety: Start/Stop from one thread; the server's handlers run on its own threads and
// serialise on an internal mutex. The other methods may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/core/clock.h"
#include "daemon/core/result.h"

namespace hs::provincial {

struct ProvincialSimFaults {
  int64_t latency_ms = 0;  // Added to every response.
  double error_rate = 0;   // Share of requests answered 500 or 503 (in turn) before any effect.
  double reset_rate = 0;   // Share of requests whose connection is closed AFTER they took effect.
  double stall_rate = 0;   // Share of requests answered only after stall_ms (after the effect):
  int64_t stall_ms = 0;    // a client whose timeout is shorter sees a timeout.
};

struct ProvincialSimOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port; see ProvincialSim::port().
  std::string city_code = "430600";
  std::string secret = "sim-secret";
  uint64_t seed = 1;
  int count = 500;  // Dispatches in the generated world.
  // Simulated time: at Start() the simulated clock reads sim_start (Unix seconds) and then runs
  // `speed` simulated seconds per clock second (0: frozen). Dispatches are forwarded evenly over
  // [sim_start - days_before, sim_start + days_after]; those forwarded by now exist.
  int64_t sim_start = 1686585600;  // 2023-06-13 00:00:00 Beijing time.
  int days_before = 10;
  int days_after = 20;
  double speed = 3600;
  int deadline_days = 14;            // 10 working days after dispatch, about 14 calendar days.
  int reopen_deadline_days = 7;      // The new deadline after a result was refused (重办).
  double rps = 5;                    // Requests per second per city before 429; 0 = no limit.
  int64_t max_skew_ms = 300'000;     // X-Timestamp tolerance either way; exactly this passes.
  double reopen_share = 0.1;         // Share of submitted results the province refuses.
  int64_t review_delay_s = 86'400;   // Simulated seconds from a result to the province's review.
  double foreign_area_share = 0.03;  // Share of dispatches about another city (to be returned).
  double null_citizen_share = 0.2;   // Share of dispatches with null citizen fields.
  ProvincialSimFaults faults;
};

struct ProvincialSimStats {
  int64_t requests = 0;
  int64_t pages = 0;
  int64_t records_served = 0;
  int64_t rate_limited = 0;  // 429s sent.
  int64_t forbidden = 0;     // 403s sent.
  int64_t faults = 0;        // Injected 5xx, resets and stalls.
};

// What the city's pushes did to one dispatch, for tests.
struct DispatchEffects {
  int accepts = 0;            // Accepts that changed the state (PENDING → ACCEPTED).
  int results = 0;            // Results stored (at most one per reopen cycle).
  int already_submitted = 0;  // Result submissions refused with 409 ALREADY_SUBMITTED.
  int returns = 0;            // Returns that changed the state.
  int reopens = 0;            // Results the province refused (→ REOPENED).
};

class ProvincialSim {
 public:
  // `clock` times the world, the rate limit and the signature checks; it must outlive the sim.
  ProvincialSim(ProvincialSimOptions options, Clock& clock);
  ~ProvincialSim();

  // Builds the world and starts serving. Errors: InvalidArgument for options out of range,
  // Unavailable when the address cannot be bound. REQUIRES: not started before. Stop() (also run
  // by the destructor) returns promptly; requests waiting out latency or stalls are answered 503.
  Status Start();
  void Stop();
  int port() const;
  std::string base_url() const;  // http://127.0.0.1:PORT (the client adds /prov/api/…).

  void SetFaults(const ProvincialSimFaults& faults);
  ProvincialSimStats Stats() const;
  // The current simulated time (Unix seconds).
  int64_t SimNow() const;
  // Every dispatch that exists at the current simulated time as (dispatchId, record JSON in
  // UTF-8), sorted by dispatchId.
  std::vector<std::pair<std::string, std::string>> Snapshot();
  // Per dispatch touched by a push: what the pushes did.
  std::map<std::string, DispatchEffects> Effects() const;
  // The result bodies stored for a dispatch, oldest first: UTF-8 JSON as decoded and parsed
  // (a \u20AC escape reads back as €).
  std::vector<std::string> Results(const std::string& dispatch_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hs::provincial
