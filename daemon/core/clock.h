// Clock: the only source of time. Production uses SystemClock; tests use FakeClock and advance it.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace hs {

// Milliseconds since the Unix epoch (UTC).
using UnixMillis = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time, for timestamps that leave the process (signatures, ledger rows).
  virtual UnixMillis NowMillis() = 0;
  // Monotonic time in milliseconds from an arbitrary origin, for durations and deadlines.
  virtual int64_t MonotonicMillis() = 0;
};

class SystemClock final : public Clock {
 public:
  UnixMillis NowMillis() override;
  int64_t MonotonicMillis() override;
};

// A clock that moves only when told to. Wall and monotonic time advance together.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixMillis start) : now_(start) {}
  UnixMillis NowMillis() override;
  int64_t MonotonicMillis() override;
  void Advance(int64_t ms);
  void Set(UnixMillis now);

 private:
  std::mutex mu_;
  UnixMillis now_;
  int64_t mono_ = 0;
};

}  // namespace hs
