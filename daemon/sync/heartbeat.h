// Heartbeat: each sync loop's promise of when it will next show progress, so that the main thread
// pings systemd's watchdog only while every loop keeps its promise. A loop that works (a page, a
// push, a deadline check) promises to be back within stall_after; a loop that sleeps on purpose
// (the pull interval, a backoff) promises to be back within its sleep plus stall_after. A loop
// blocked past its promise (a request outliving every timeout, a lock never released, a bug) is
// stalled; systemd then restarts the daemon when WatchdogSec passes without a ping.
//
// Time is the monotonic clock: a wall-clock jump neither stalls nor revives a loop.
// Thread-safety: Add before the loops start; the rest from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace hs::sync {

inline int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Pulse {
 public:
  Pulse(std::string name, int64_t stall_after_ms)
      : name_(std::move(name)), stall_after_ms_(stall_after_ms) {
    Working();
  }
  // The loop is doing work now.
  void Working() { due_ms_.store(MonotonicMillis() + stall_after_ms_); }
  // The loop is about to sleep `ms` on purpose.
  void Sleeping(int64_t ms) { due_ms_.store(MonotonicMillis() + ms + stall_after_ms_); }
  // The loop has returned: it can no longer stall.
  void Finished() { due_ms_.store(INT64_MAX); }

  const std::string& name() const { return name_; }
  // How long past its promise the loop is at `now_ms` (<= 0: on time).
  int64_t OverdueMs(int64_t now_ms) const { return now_ms - due_ms_.load(); }

 private:
  std::string name_;
  int64_t stall_after_ms_;
  std::atomic<int64_t> due_ms_{0};
};

class Heartbeat {
 public:
  explicit Heartbeat(int64_t stall_after_ms) : stall_after_ms_(stall_after_ms) {}
  // A pulse for the loop `name`; the reference stays valid for the Heartbeat's life.
  Pulse& Add(std::string name) { return pulses_.emplace_back(std::move(name), stall_after_ms_); }

  struct Stall {
    std::string loop;
    int64_t overdue_ms;
  };
  // The loops past their promise now.
  std::vector<Stall> Stalled() const {
    std::vector<Stall> out;
    const int64_t now = MonotonicMillis();
    for (const Pulse& p : pulses_) {
      if (int64_t over = p.OverdueMs(now); over > 0) out.push_back({p.name(), over});
    }
    return out;
  }

 private:
  int64_t stall_after_ms_;
  std::deque<Pulse> pulses_;
};

}  // namespace hs::sync
