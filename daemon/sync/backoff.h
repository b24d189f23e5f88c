// Retry timing shared by the pull and push loops: full-jitter exponential backoff (AWS,
// "Exponential Backoff and Jitter") and a request pacer. Used by one loop thread each.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "daemon/core/clock.h"
#include "daemon/sync/stop_signal.h"

namespace hs::sync {

// The wait after the n-th failure in a row (n ≥ 1): uniform(0, min(cap, base·2^(n-1))), but never
// less than the server's Retry-After.
inline int64_t FullJitterMs(std::mt19937_64& rng, int failures, int64_t base_ms, int64_t cap_ms,
                            int64_t retry_after_ms) {
  const int shift = std::clamp(failures - 1, 0, 20);
  const int64_t ceiling = std::min(cap_ms, base_ms << shift);
  const int64_t jittered = std::uniform_int_distribution<int64_t>(0, ceiling)(rng);
  return std::max(jittered, retry_after_ms);
}

// Spaces requests at least 1/rps apart (0: no pacing), waiting on the stop signal.
class Pacer {
 public:
  Pacer(Clock& clock, StopSignal& stop, double requests_per_second)
      : clock_(clock), stop_(stop), rps_(requests_per_second) {}
  void Wait() {
    if (rps_ <= 0) return;
    const auto gap = static_cast<int64_t>(1000.0 / rps_);
    const int64_t now = clock_.MonotonicMillis();
    if (last_ >= 0 && now - last_ < gap) stop_.WaitFor(gap - (now - last_));
    last_ = clock_.MonotonicMillis();
  }

 private:
  Clock& clock_;
  StopSignal& stop_;
  double rps_;
  int64_t last_ = -1;
};

}  // namespace hs::sync
