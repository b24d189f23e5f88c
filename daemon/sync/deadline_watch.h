// The deadline watch (DESIGN.md flow 5): every check_every_ms, open provincial dispatches and
// hotline orders near or past their deadline are looked up, and each is warned about once per
// level (near, overdue) in the log. `hotline-sync deadlines` and `status` read the same query.
// Thread-safety: one thread runs Loop; CheckOnce is for tests and run --once.
#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "daemon/config/config.h"
#include "daemon/core/clock.h"
#include "daemon/ledger/deadlines.h"
#include "daemon/routing/rules.h"
#include "daemon/sync/heartbeat.h"
#include "daemon/sync/stop_signal.h"

namespace hs::sync {

// The deadline query of a configuration: its platforms by the routing rules' names, its leads.
ledger::DeadlineQuery DeadlineQueryOf(const config::Config& cfg, const routing::Rules& rules);

class DeadlineWatch {
 public:
  struct Options {
    ledger::DeadlineQuery query;
    int64_t check_every_ms = 60'000;
  };
  DeadlineWatch() = default;
  DeadlineWatch(ledger::Ledger& ledger, Clock& clock, Options options);

  // Looks once; returns how many new warnings were logged.
  int CheckOnce();
  void Loop(StopSignal& stop, Pulse* pulse = nullptr);

 private:
  ledger::Ledger* ledger_ = nullptr;
  Clock* clock_ = nullptr;
  Options options_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace hs::sync
