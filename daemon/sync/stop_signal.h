// StopSignal: a flag that stops the sync loops, with an interruptible wait. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace hs::sync {

class StopSignal {
 public:
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopped_.store(true);
    }
    cv_.notify_all();
  }
  bool stopped() const { return stopped_.load(); }
  // The flag itself, for code that polls it (the HTTP transport's progress callback).
  const std::atomic<bool>* flag() const { return &stopped_; }

  // Waits up to `ms` milliseconds of real time. Returns true when stopped.
  bool WaitFor(int64_t ms) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopped_.load(); });
    return stopped_.load();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopped_{false};
};

}  // namespace hs::sync
