// The simulated smart-petition platform (智慧信访平台): serves platforms/petition.md exactly —
// bearer tokens that die at issue + expiresIn, page-number queries computed at each request (so
// readers see rows drift), Idempotency-Key on create and progress (replay, 409, 30-day retention),
// the nightly 01:00-01:30 maintenance, 10 requests/s with 429, 512 KiB bodies — over a generated
// set of petitions that move through simulated time. Fault switches add latency, 503s, resets and
// HTML 502 pages; `churn` touches petitions on every request to force page drift.
//
// Thread-safety: Start/Stop from one thread; handlers run on the server's threads and serialise on
// an internal mutex. The other methods may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/petition/sim_world.h"
#include "daemon/core/clock.h"
#include "daemon/core/status.h"

namespace hs::petition {

struct PetitionSimFaults {
  int64_t latency_ms = 0;    // Added to every response.
  double error_rate = 0;     // Share of requests answered HTTP 503 (JSON, SERVICE_UNAVAILABLE).
  double reset_rate = 0;     // Share of requests whose connection is closed before any body.
  double html_502_rate = 0;  // Share of requests answered by the "proxy" with an HTML 502 page.
};

struct PetitionSimOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port; see PetitionSim::port().
  std::string client_id = "yy-sync";
  std::string client_secret = "sim-secret";
  uint64_t seed = 1;
  int count = 1000;  // Petitions in the generated world.
  // Simulated time: at Start() the simulated clock reads sim_start (Unix seconds) and then runs
  // `speed` simulated seconds per clock second (0: frozen). Petitions are registered evenly over
  // [sim_start - days_before, sim_start + days_after]. The contract's readers end their windows at
  // their own now - 5 s. A simulated clock ahead of the reader's keeps its newest changes out of
  // the window until the reader's clock catches up; one behind it (sim_start in the past, the
  // default) lets changes land inside a window being paged, which a reader paging by number alone
  // would skip past (hotline-sync's adapter pages from the last updatedAt it read:
  // PetitionSyncTest.PullerMissesNoPetitionWhenThePlatformsClockIsBehind).
  int64_t sim_start = 1686585600;  // 2023-06-13 00:00:00 Beijing time.
  int days_before = 30;
  int days_after = 30;
  double speed = 60;
  double rps = 10;             // Requests per second per client, token requests included; 0: none.
  int64_t token_ttl_s = 7200;  // expiresIn of issued tokens, timed by the Clock.
  double transfer_share = 0.15;  // Petitions the bureau TRANSFERs to the hotline.
  // Tests: on each of the next `churn_requests` requests (0: every request), set updatedAt of
  // `churn` random petitions to the simulated now.
  int churn = 0;
  int64_t churn_requests = 0;
  PetitionSimFaults faults;
};

struct PetitionSimStats {
  int64_t requests = 0;
  int64_t token_requests = 0;
  int64_t pages = 0;
  int64_t records_served = 0;
  int64_t rate_limited = 0;  // 429s.
  int64_t maintenance = 0;   // 503 MAINTENANCE.
  int64_t unauthorized = 0;  // 401s of any code.
  int64_t replays = 0;       // 200s for a known key and body.
  int64_t conflicts = 0;     // 409 DUPLICATE_REQUEST.
  int64_t faults = 0;        // Injected 503s, resets and 502s.
  int64_t touched = 0;       // Churn touches.
};

class PetitionSim {
 public:
  // `clock` times the world, tokens and the rate limit; it must outlive the simulator.
  PetitionSim(PetitionSimOptions options, Clock& clock);
  ~PetitionSim();

  // Builds the world and starts serving. Errors: InvalidArgument for options out of range,
  // Unavailable when the address cannot be bound. REQUIRES: not started before.
  Status Start();
  // Stops serving; idle keep-alive connections are shut. Also run by the destructor.
  void Stop();
  int port() const;
  std::string base_url() const;  // http://127.0.0.1:PORT (the client adds /xf/…).
  size_t petition_count() const;

  void SetFaults(const PetitionSimFaults& faults);
  // Touches `per_request` petitions on each of the next `requests` requests (0: every request).
  void SetChurn(int per_request, int64_t requests = 0);
  PetitionSimStats Stats() const;

  // Every petition visible at the current simulated time: petitionNo → record JSON, sorted.
  std::vector<std::pair<std::string, std::string>> Snapshot();
  // How many times each Idempotency-Key took effect (a replay does not count).
  std::map<std::string, int> EffectsByKey() const;
  // The sourceNo of each petition registered through POST /xf/api/petitions, in order.
  std::vector<std::string> CreatedSourceNos() const;
  // The progress notes of a petition, in arrival order.
  std::vector<Progress> ProgressOf(const std::string& petition_no) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hs::petition
