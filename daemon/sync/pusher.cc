#include "daemon/sync/pusher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/core/time_util.h"
#include "daemon/log/log.h"
#include "daemon/metrics/metrics.h"

namespace hs::sync {
namespace {

adapters::PushItem ToPushItem(const ledger::OutboxItem& o) {
  adapters::PushItem p;
  p.id = o.id;
  p.action = o.action;
  p.target_ref = o.target_ref;
  p.idempotency_key = o.idem_key;
  p.payload = o.payload;
  p.first_attempt_ms = o.first_attempt_ms.value_or(0);
  return p;
}

// Failures that say nothing about the item: the target is unwell, try it again later.
bool TargetTrouble(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kUnauthenticated;
}

}  // namespace

Pusher::Pusher(adapters::Adapter& adapter, ledger::Ledger& ledger, Clock& clock, StopSignal& stop,
               PusherOptions options, uint64_t seed)
    : adapter_(adapter),
      ledger_(ledger),
      clock_(clock),
      stop_(stop),
      options_(std::move(options)),
      rng_(seed),
      pacer_(clock, stop, options_.requests_per_second),
      log_(log::Get("push." + std::string(adapter.name()))) {}

PushPass Pusher::DrainOnce() {
  PushPass pass;
  const std::string target(adapter_.name());
  auto due = ledger::DueOutbox(ledger_, target, clock_.NowMillis(), options_.batch);
  if (!due.ok()) {
    pass.target_error = due.status().WithContext("ledger");
    return pass;
  }
  for (const ledger::OutboxItem& item : *due) {
    if (stop_.stopped() || crashed_) break;
    if (pulse_ != nullptr) pulse_->Working();
    pacer_.Wait();
    if (stop_.stopped()) break;
    if (!PushOne(item, pass)) break;
  }
  const std::pair<const char*, int> results[] = {
      {"sent", pass.sent}, {"held", pass.held}, {"retried", pass.retried}, {"dead", pass.dead}};
  for (const auto& [result, n] : results) {
    if (n == 0) continue;
    metrics::Global()
        .GetCounter("hs_pushes_total", "Outbox items pushed, by target adapter and result",
                    {{"adapter", target}, {"result", result}})
        .Add(n);
  }
  return pass;
}

bool Pusher::PushOne(const ledger::OutboxItem& item, PushPass& pass) {
  if (item.action != "create" && item.target_ref.empty()) {
    Fail(item,
         Status::Rejected("no record on " + item.target +
                          " to apply this to: the ticket's create there was dropped or never "
                          "made; drop this item, or retry it after the create"),
         pass);
    return true;
  }
  const adapters::PushItem push = ToPushItem(item);
  const int64_t now = clock_.NowMillis();
  const int64_t retention = adapter_.IdempotencyRetentionMs();
  const int64_t since = item.first_attempt_ms.value_or(item.created_ms);
  // From a day before the platform forgets the key, a resend could take effect twice: ask first.
  if (item.outcome_unknown && retention > 0 && now - since > retention - 86'400'000) {
    Result<std::string> found = adapter_.Lookup(push);
    if (!found.ok()) {
      return !Fail(item, found.status().WithContext("look-up of an item whose outcome is unknown"),
                   pass);
    }
    if (!found->empty()) {
      log_->info("outbox #{}: found on {} as {} (an earlier try took effect)", item.id, item.target,
                 *found);
      Status s = ledger::MarkSent(ledger_, item, *found, clock_.NowMillis());
      if (!s.ok()) log_->error("outbox #{}: could not mark sent: {}", item.id, s.ToString());
      ++pass.sent;
      return true;
    }
  }
  Result<adapters::PushResult> r = adapter_.Push(push);
  if (!r.ok()) {
    return !Fail(item, r.status(), pass);
  }
  if (options_.crash_after_send && options_.crash_after_send(item)) {
    crashed_ = true;
    return false;
  }
  if (r->outcome == adapters::PushResult::Outcome::kHeld) {
    log_->warn("outbox #{} ({} of {} {}) held: the platform finds {} missing", item.id, item.action,
               item.source, item.external_id, r->detail);
    Status s = ledger::MarkHeld(ledger_, item.id,
                                "the platform refused it as incomplete: missing " + r->detail,
                                clock_.NowMillis());
    if (!s.ok()) log_->error("outbox #{}: could not mark held: {}", item.id, s.ToString());
    ++pass.held;
    return true;
  }
  Status s = ledger::MarkSent(ledger_, item, r->remote_id, clock_.NowMillis());
  if (!s.ok()) {
    // Resent later with the same key: a replay the platform recognises.
    log_->error("outbox #{}: pushed but could not mark sent ({}); it will be replayed", item.id,
                s.ToString());
    pass.target_error = s.WithContext("ledger");  // Back off: the ledger cannot take writes now.
    return false;
  }
  log_->info("outbox #{}: {} of {} {} pushed{}{}", item.id, item.action, item.source,
             item.external_id, r->remote_id.empty() ? "" : " as ", r->remote_id);
  ++pass.sent;
  return true;
}

bool Pusher::Fail(const ledger::OutboxItem& item, const Status& s, PushPass& pass) {
  const int attempts = static_cast<int>(item.attempts) + 1;
  const bool permanent = !TargetTrouble(s) && s.code() != StatusCode::kNotFound;
  const bool dead = permanent || attempts >= options_.max_attempts;
  const int64_t now = clock_.NowMillis();
  const int64_t next = now + FullJitterMs(rng_, attempts, options_.backoff_base_ms,
                                          options_.backoff_cap_ms, s.retry_after_ms());
  Status marked = ledger::MarkFailed(ledger_, item.id, s.ToString(),
                                     s.outcome_unknown() || item.outcome_unknown, dead, next, now);
  if (!marked.ok())
    log_->error("outbox #{}: could not record the failure: {}", item.id, marked.ToString());
  if (dead) {
    ++pass.dead;
    log_->error(
        "outbox #{} ({} of {} {}) is a dead letter after {} tries: {}; see `outbox show "
        "{}`, then `outbox retry` or `outbox drop`",
        item.id, item.action, item.source, item.external_id, attempts, s.ToString(), item.id);
  } else {
    ++pass.retried;
  }
  if (!TargetTrouble(s)) return false;
  pass.target_error = s;
  retry_after_ms_ = std::max(retry_after_ms_, s.retry_after_ms());
  return true;
}

void Pusher::Loop(Pulse* pulse) {
  pulse_ = pulse;
  log_->info("pushing to {}", adapter_.name());
  while (!stop_.stopped() && !crashed_) {
    if (pulse_ != nullptr) pulse_->Working();
    retry_after_ms_ = 0;
    PushPass pass = DrainOnce();
    int64_t wait = options_.idle_poll_ms;
    if (!pass.target_error.ok()) {
      ++target_failures_;
      if (target_failures_ == 1 || target_failures_ % 20 == 0) {
        log_->warn("{} is failing ({} in a row), backing off: {}", adapter_.name(),
                   target_failures_, pass.target_error.ToString());
      }
      wait = FullJitterMs(rng_, target_failures_, options_.backoff_base_ms, options_.backoff_cap_ms,
                          retry_after_ms_);
    } else {
      if (target_failures_ > 0 && pass.sent > 0) {
        log_->info("{} recovered after {} failures", adapter_.name(), target_failures_);
        target_failures_ = 0;
      }
      if (pass.sent + pass.held + pass.retried + pass.dead >= options_.batch) continue;
      auto next = ledger::NextDueMs(ledger_, std::string(adapter_.name()));
      if (next.ok() && next->has_value()) {
        wait = std::clamp<int64_t>(**next - clock_.NowMillis(), 0, options_.idle_poll_ms);
      }
    }
    if (pulse_ != nullptr) pulse_->Sleeping(wait);
    if (stop_.WaitFor(wait)) break;
  }
  if (pulse_ != nullptr) pulse_->Finished();
}

}  // namespace hs::sync
