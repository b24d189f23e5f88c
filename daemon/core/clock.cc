#include "daemon/core/clock.h"

namespace hs {

UnixMillis SystemClock::NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SystemClock::MonotonicMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

UnixMillis FakeClock::NowMillis() {
  std::lock_guard lock(mu_);
  return now_;
}

int64_t FakeClock::MonotonicMillis() {
  std::lock_guard lock(mu_);
  return mono_;
}

void FakeClock::Advance(int64_t ms) {
  std::lock_guard lock(mu_);
  now_ += ms;
  mono_ += ms;
}

void FakeClock::Set(UnixMillis now) {
  std::lock_guard lock(mu_);
  if (now > now_) mono_ += now - now_;
  now_ = now;
}

}  // namespace hs
