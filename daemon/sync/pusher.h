// Pusher: drains one target's outbox (DESIGN.md flow 3, RELIABILITY.md "Delivery"). Items go in
// due order, each ticket's in the order queued; each is sent with the key fixed when it was queued.
// A success is marked sent durably (synchronous=FULL) before the next item; a crash before the mark
// resends with the same key, which the platform takes as a replay. Transient failures back off the
// item and the whole target with full jitter (or Retry-After), so that a target that is down is
// probed at a falling rate instead of being hammered, and a target that comes back is drained at
// the paced rate. An item whose outcome is unknown past the platform's key retention is looked up
// before it is sent again. After max_attempts an item becomes a dead letter.
//
// Thread-safety: one Pusher runs on one thread, with its own adapter instance; Stop via the shared
// StopSignal.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>

#include "adapters/adapter.h"
#include "daemon/core/clock.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/outbox.h"
#include "daemon/sync/backoff.h"
#include "daemon/sync/heartbeat.h"
#include "daemon/sync/stop_signal.h"

namespace hs::sync {

struct PusherOptions {
  int max_attempts = 15;
  int64_t backoff_base_ms = 1000;
  int64_t backoff_cap_ms = 300'000;
  double requests_per_second = 5;
  int batch = 50;               // Items read per pass.
  int64_t idle_poll_ms = 1000;  // How often an empty outbox is looked at again.
  // Fault injection for tests: called after the platform accepted an item and before it is marked
  // sent; returning true simulates a crash there (the pusher stops without marking).
  std::function<bool(const ledger::OutboxItem&)> crash_after_send;
};

struct PushPass {
  int sent = 0, held = 0, retried = 0, dead = 0;
  Status target_error;  // Set when the target itself failed (network, 5xx, 429, credentials).
};

class Pusher {
 public:
  // The references outlive the Pusher; `adapter` is used by this Pusher only.
  Pusher(adapters::Adapter& adapter, ledger::Ledger& ledger, Clock& clock, StopSignal& stop,
         PusherOptions options, uint64_t seed);

  // Sends the items due now, up to one batch; stops early when the target fails.
  PushPass DrainOnce();

  // DrainOnce until stop, waiting for due items or backing off the target. Shows its progress on
  // `pulse` (per item and around each wait) when given.
  void Loop(Pulse* pulse = nullptr);

 private:
  // Sends one item and records the outcome. Returns false when the pass must stop.
  bool PushOne(const ledger::OutboxItem& item, PushPass& pass);
  // Records a failed try (retry later, or a dead letter). Returns true when the failure is the
  // target's own (network, 5xx, 429, credentials): then the pass must stop and back off.
  bool Fail(const ledger::OutboxItem& item, const Status& s, PushPass& pass);

  adapters::Adapter& adapter_;
  ledger::Ledger& ledger_;
  Clock& clock_;
  StopSignal& stop_;
  PusherOptions options_;
  std::mt19937_64 rng_;
  Pacer pacer_;
  std::shared_ptr<spdlog::logger> log_;
  int target_failures_ = 0;
  int64_t retry_after_ms_ = 0;
  bool crashed_ = false;
  Pulse* pulse_ = nullptr;
};

}  // namespace hs::sync
