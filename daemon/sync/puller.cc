#include "daemon/sync/puller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include "daemon/core/time_util.h"
#include "daemon/log/log.h"
#include "daemon/metrics/metrics.h"

namespace hs::sync {
namespace {

// A bounded label for a reject's reason: the part before the first colon when it is a short
// ASCII word (the field named, e.g. "slsj"), else "other".
std::string ReasonLabel(std::string_view reason) {
  const size_t colon = reason.find(':');
  std::string_view head = reason.substr(0, colon);
  const bool word = colon != std::string_view::npos && !head.empty() && head.size() <= 32 &&
                    head.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_.[] ") == std::string_view::npos;
  return word ? std::string(head) : "other";
}

void CountRejects(const std::string& source, const std::vector<Reject>& rejects) {
  for (const Reject& r : rejects) {
    metrics::Global()
        .GetCounter("hs_rejects_total", "Records that could not be read, by adapter and reason",
                    {{"adapter", source}, {"reason", ReasonLabel(r.reason)}})
        .Add();
  }
}

void CountRun(const ledger::SyncRun& run) {
  auto& m = metrics::Global();
  m.GetCounter("hs_pull_runs_total", "Pull runs by adapter and outcome",
               {{"adapter", run.source}, {"outcome", run.outcome}})
      .Add();
  const std::pair<const char*, int64_t> results[] = {{"inserted", run.inserted},
                                                     {"updated", run.updated},
                                                     {"unchanged", run.unchanged},
                                                     {"stale", run.stale}};
  for (const auto& [result, n] : results) {
    m.GetCounter("hs_records_total", "Records pulled and committed, by adapter and result",
                 {{"adapter", run.source}, {"result", result}})
        .Add(n);
  }
}

}  // namespace

Puller::Puller(adapters::Adapter& adapter, ledger::Ledger& ledger, Clock& clock, StopSignal& stop,
               PullerOptions options, uint64_t seed)
    : adapter_(adapter),
      ledger_(ledger),
      clock_(clock),
      stop_(stop),
      options_(options),
      rng_(seed),
      pacer_(clock, stop, options.requests_per_second),
      log_(log::Get("sync." + std::string(adapter.name()))) {}

std::future<Puller::Fetched> Puller::FetchAsync(std::string cursor) {
  return std::async(std::launch::async, [this, cursor = std::move(cursor)] {
    pacer_.Wait();
    Fetched f;
    f.page = adapter_.Pull(cursor, f.page_reject);
    return f;
  });
}

ledger::SyncRun Puller::RunOnce() {
  ledger::SyncRun run;
  run.source = std::string(adapter_.name());
  run.started_ms = clock_.NowMillis();
  last_retry_after_ms_ = 0;
  auto fail = [&](const Status& s) {
    run.outcome = "failed";
    run.error_code = std::string(StatusCodeName(s.code()));
    run.error = s.message();
    last_retry_after_ms_ = s.retry_after_ms();
  };

  Result<std::string> cursor = ledger_.LoadCursor(run.source);
  if (!cursor.ok()) fail(cursor.status());
  // The next page is fetched while this one is committed: the cursor it needs is known as soon as
  // this page is read, and the page is only used after this one's commit succeeded.
  std::future<Fetched> next;
  if (cursor.ok() && !stop_.stopped()) next = FetchAsync(*cursor);
  while (next.valid()) {
    if (pulse_ != nullptr) pulse_->Working();
    Fetched fetched = next.get();
    Result<adapters::Page>& page = fetched.page;
    if (!page.ok()) {
      if (!fetched.page_reject.raw.empty() || !fetched.page_reject.reason.empty()) {
        CountRejects(run.source, {fetched.page_reject});
        Status s = ledger_.RecordRejects(run.source, {fetched.page_reject}, clock_.NowMillis());
        if (!s.ok())
          log_->error("could not store the unreadable page in rejects: {}", s.ToString());
        ++run.rejected;
      }
      fail(page.status());
      break;
    }
    if (page->has_more && !stop_.stopped()) next = FetchAsync(page->next_cursor);
    CountRejects(run.source, page->rejects);
    for (const Reject& r : page->rejects) {
      log_->warn("record {} rejected: {}", r.source_id.empty() ? "(without an id)" : r.source_id,
                 r.reason);
    }
    if (page->tickets.empty() && page->rejects.empty() && page->next_cursor == *cursor &&
        !page->has_more) {
      run.outcome = "ok";  // Nothing new: no transaction.
      ++run.pages;
      break;
    }
    auto stats = ledger_.CommitPage(run.source, page->tickets, page->rejects, page->next_cursor,
                                    run, clock_.NowMillis());
    if (!stats.ok()) {
      fail(stats.status().WithContext("ledger"));
      break;
    }
    if (stats->history_shrunk > 0) {
      log_->warn(
          "{} records came with a shorter transfer log than before; the ledger keeps its "
          "entries",
          stats->history_shrunk);
    }
    *cursor = page->next_cursor;
    if (!page->has_more) run.outcome = "ok";
  }
  if (next.valid()) next.wait();  // A prefetched page after a failure is dropped, not committed.
  if (run.outcome == "running") {
    run.outcome = "interrupted";
    run.error = "stopped before the feed was drained; continues from the saved cursor";
  }
  Status finished = ledger_.FinishRun(run, clock_.NowMillis());
  if (!finished.ok()) log_->error("could not write the sync log: {}", finished.ToString());
  CountRun(run);
  LogRun(run);
  return run;
}

void Puller::LogRun(const ledger::SyncRun& run) {
  const std::string took = FormatDurationMillis(run.finished_ms - run.started_ms);
  if (run.outcome == "failed") {
    failures_in_a_row_++;
    std::string msg = run.error_code + ": " + run.error;
    if (msg != last_error_ || failures_in_a_row_ == 1 || failures_in_a_row_ % 20 == 0) {
      log_->warn("pull failed ({} in a row), will retry: {}", failures_in_a_row_, msg);
    }
    last_error_ = msg;
    return;
  }
  if (failures_in_a_row_ > 0) log_->info("pull recovered after {} failures", failures_in_a_row_);
  failures_in_a_row_ = 0;
  last_error_.clear();
  // A run that only re-read records it had (the look-back window) is not news.
  if (run.fetched > run.unchanged) {
    log_->info(
        "pulled {} records in {} pages ({}): {} new, {} updated, {} unchanged, {} stale, "
        "{} rejected, {} events",
        run.fetched, run.pages, took, run.inserted, run.updated, run.unchanged, run.stale,
        run.rejected, run.events);
  }
}

int64_t Puller::NextDelayMs(const ledger::SyncRun& run, int64_t retry_after_ms) {
  if (run.outcome != "failed") return options_.interval_ms;
  return FullJitterMs(rng_, failures_in_a_row_, options_.backoff_base_ms, options_.backoff_cap_ms,
                      retry_after_ms);
}

void Puller::Loop(Pulse* pulse) {
  pulse_ = pulse;
  log_->info("pulling every {}", FormatDurationMillis(options_.interval_ms));
  while (!stop_.stopped()) {
    if (pulse_ != nullptr) pulse_->Working();
    ledger::SyncRun run = RunOnce();
    const int64_t delay = NextDelayMs(run, last_retry_after_ms_);
    if (pulse_ != nullptr) pulse_->Sleeping(delay);
    if (stop_.WaitFor(delay)) break;
  }
  if (pulse_ != nullptr) pulse_->Finished();
}

}  // namespace hs::sync
