#include "daemon/sync/deadline_watch.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/core/time_util.h"
#include "daemon/log/log.h"

namespace hs::sync {
namespace {
constexpr int kDetailedPerCheck = 20;  // More new warnings than this are summed up in one line.
}

DeadlineWatch::DeadlineWatch(ledger::Ledger& ledger, Clock& clock, Options options)
    : ledger_(&ledger), clock_(&clock), options_(std::move(options)), log_(log::Get("deadlines")) {}

int DeadlineWatch::CheckOnce() {
  if (ledger_ == nullptr) return 0;
  ledger::DeadlineQuery q = options_.query;
  q.now_s = clock_->NowMillis() / 1000;
  q.limit = 100'000;
  auto rows = ledger::AtRiskDeadlines(*ledger_, q);
  if (!rows.ok()) {
    log_->error("deadline check failed: {}", rows.status().ToString());
    return 0;
  }
  int fresh = 0, summed = 0;
  for (const ledger::DeadlineRow& r : *rows) {
    auto marked = ledger::MarkWarned(*ledger_, r, q.now_s);
    if (!marked.ok()) {
      log_->error("deadline warning not recorded: {}", marked.status().ToString());
      break;
    }
    if (!*marked) continue;
    if (++fresh > kDetailedPerCheck) {
      ++summed;
      continue;
    }
    const std::string due = FormatShanghaiTime(r.deadline);
    const std::string gap = FormatDurationMillis(std::abs(r.deadline - q.now_s) * 1000);
    if (r.overdue) {
      log_->warn("{} {} ({}, {}) is OVERDUE by {}: it was due {}", r.source, r.external_id,
                 r.unit.empty() ? "no unit yet" : r.unit, r.native_state, gap, due);
    } else {
      log_->warn("{} {} ({}, {}) is due in {}, at {}", r.source, r.external_id,
                 r.unit.empty() ? "no unit yet" : r.unit, r.native_state, gap, due);
    }
  }
  if (summed > 0) {
    log_->warn("{} more items reached a deadline warning; list them with `hotline-sync deadlines`",
               summed);
  }
  return fresh;
}

ledger::DeadlineQuery DeadlineQueryOf(const config::Config& cfg, const routing::Rules& rules) {
  ledger::DeadlineQuery q;
  q.provincial = rules.provincial;
  q.hotline = rules.hotline;
  q.provincial_lead_s = cfg.deadline_lead_provincial_ms / 1000;
  q.hotline_lead_s = cfg.deadline_lead_hotline_ms / 1000;
  return q;
}

void DeadlineWatch::Loop(StopSignal& stop, Pulse* pulse) {
  auto sleeping = [&](int64_t ms) {
    if (pulse != nullptr) pulse->Sleeping(ms);
    return ms;
  };
  // The first look after the first pulls, then every check_every_ms.
  if (ledger_ != nullptr &&
      !stop.WaitFor(sleeping(std::min<int64_t>(options_.check_every_ms, 10'000)))) {
    do {
      if (pulse != nullptr) pulse->Working();
      CheckOnce();
    } while (!stop.WaitFor(sleeping(options_.check_every_ms)));
  }
  if (pulse != nullptr) pulse->Finished();
}

}  // namespace hs::sync
