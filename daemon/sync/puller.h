// Puller: the pull loop of one adapter (DESIGN.md flow 1). Each page is committed with its cursor
// in one ledger transaction; failures back off with full jitter (base 1 s, cap 5 min) or the
// server's Retry-After; a bad record never stops a sync (the adapter sends it to rejects).
//
// Thread-safety: one Puller runs on one thread; Stop via the shared StopSignal from any thread.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <future>
#include <memory>
#include <random>
#include <string>

#include "adapters/adapter.h"
#include "daemon/core/clock.h"
#include "daemon/ledger/ledger.h"
#include "daemon/sync/backoff.h"
#include "daemon/sync/heartbeat.h"
#include "daemon/sync/stop_signal.h"

namespace hs::sync {

struct PullerOptions {
  int64_t interval_ms = 5000;      // Between runs that reached the end of the feed.
  int64_t backoff_base_ms = 1000;  // Full jitter: a failure waits uniform(0, min(cap, base·2^n)).
  int64_t backoff_cap_ms = 300'000;
  double requests_per_second = 20;  // Pace of requests to the platform; 0 = no pacing.
};

class Puller {
 public:
  // The references outlive the Puller.
  Puller(adapters::Adapter& adapter, ledger::Ledger& ledger, Clock& clock, StopSignal& stop,
         PullerOptions options, uint64_t seed);

  // One run: pulls and commits pages until the feed is drained, an error, or stop. Returns the run
  // as written to the sync log.
  ledger::SyncRun RunOnce();

  // RunOnce, then waits the interval (or the backoff after a failure); until stop. Shows its
  // progress on `pulse` (per page and around each wait) when given.
  void Loop(Pulse* pulse = nullptr);

  // How long to wait after the run just finished (exposed for tests).
  int64_t NextDelayMs(const ledger::SyncRun& run, int64_t retry_after_ms);

 private:
  // One page as the adapter returned it.
  struct Fetched {
    Result<adapters::Page> page = Status::Internal("not fetched");
    Reject page_reject;
  };
  // Pulls the page after `cursor` on another thread (the adapter is used by one thread at a time:
  // each fetch starts only after the previous one was collected).
  std::future<Fetched> FetchAsync(std::string cursor);
  void LogRun(const ledger::SyncRun& run);

  adapters::Adapter& adapter_;
  ledger::Ledger& ledger_;
  Clock& clock_;
  StopSignal& stop_;
  PullerOptions options_;
  std::mt19937_64 rng_;
  Pacer pacer_;
  std::shared_ptr<spdlog::logger> log_;
  int failures_in_a_row_ = 0;
  std::string last_error_;
  Pulse* pulse_ = nullptr;
  int64_t last_retry_after_ms_ = 0;
};

}  // namespace hs::sync
