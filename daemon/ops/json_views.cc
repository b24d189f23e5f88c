#include "daemon/ops/json_views.h"

#include "daemon/core/mask.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/outbox.h"

namespace hs::ops {

Status WriteStatusJson(JsonWriter& w, ledger::Ledger& ledger,
                       const std::vector<std::string>& configured_adapters,
                       const ledger::DeadlineQuery& deadlines, int64_t now_ms) {
  HS_ASSIGN_OR_RETURN(std::vector<ledger::AdapterStatus> rows,
                      ledger::AdapterStatuses(ledger, configured_adapters));
  w.StartObject();
  w.Key("adapters");
  w.StartArray();
  for (const auto& a : rows) {
    w.StartObject();
    Key(w, "adapter", a.source);
    Key(w, "last_success_ms", a.last_success_ms);
    Key(w, "lag_ms",
        a.last_success_ms ? std::optional<int64_t>(now_ms - *a.last_success_ms) : std::nullopt);
    Key(w, "tickets", a.tickets);
    Key(w, "open_tickets", a.open_tickets);
    Key(w, "rejects", a.rejects);
    Key(w, "failures_in_a_row", a.failures_in_a_row);
    Key(w, "last_failure_ms", a.last_failure_ms);
    Key(w, "last_error", MaskText(a.last_error));
    Key(w, "newest_change", a.newest_change);
    w.EndObject();
  }
  w.EndArray();
  if (auto counts = ledger::CountOutbox(ledger); counts.ok()) {
    w.Key("outbox");
    w.StartArray();
    for (const auto& c : *counts) {
      w.StartObject();
      Key(w, "target", c.target);
      Key(w, "state", c.state);
      Key(w, "items", c.count);
      Key(w, "oldest_ms", c.oldest_ms);
      w.EndObject();
    }
    w.EndArray();
  }
  if (auto counts = ledger::CountDeadlines(ledger, deadlines); counts.ok()) {
    w.Key("deadlines");
    w.StartArray();
    for (const auto& [source, c] : *counts) {
      w.StartObject();
      Key(w, "platform", source);
      Key(w, "near", c.near);
      Key(w, "overdue", c.overdue);
      w.EndObject();
    }
    w.EndArray();
  }
  if (auto m = ledger::SummariseMatching(ledger); m.ok()) {
    w.Key("matching");
    w.StartObject();
    Key(w, "cases", m->cases);
    Key(w, "tickets_in_cases", m->tickets_in_cases);
    Key(w, "applied", m->applied);
    Key(w, "pending_review", m->pending);
    Key(w, "confirmed", m->confirmed);
    Key(w, "rejected", m->rejected);
    w.EndObject();
  }
  w.EndObject();
  return Status::Ok();
}

void WriteRunJson(JsonWriter& w, const ledger::SyncRun& r) {
  w.StartObject();
  Key(w, "id", r.id);
  Key(w, "adapter", r.source);
  Key(w, "started_ms", r.started_ms);
  Key(w, "finished_ms", r.finished_ms);
  Key(w, "outcome", r.outcome);
  Key(w, "pages", r.pages);
  Key(w, "fetched", r.fetched);
  Key(w, "inserted", r.inserted);
  Key(w, "updated", r.updated);
  Key(w, "unchanged", r.unchanged);
  Key(w, "stale", r.stale);
  Key(w, "rejected", r.rejected);
  Key(w, "events", r.events);
  Key(w, "idle_runs", r.idle_runs);
  Key(w, "error_code", r.error_code);
  Key(w, "error", MaskText(r.error));
  w.EndObject();
}

namespace {

void WriteTicketSummary(JsonWriter& w, const ledger::TicketSummary& t) {
  w.StartObject();
  Key(w, "id", t.id);
  Key(w, "source", t.source);
  Key(w, "external_id", t.external_id);
  Key(w, "accepted_at", t.accepted_at ? FormatShanghaiTime(*t.accepted_at) : "");
  Key(w, "category", t.category);
  Key(w, "unit", t.unit);
  Key(w, "state", t.state);
  Key(w, "channel", t.channel);
  Key(w, "title", MaskText(t.title));
  Key(w, "content", MaskText(t.content));
  w.EndObject();
}

}  // namespace

void WriteDecisionJson(JsonWriter& w, const ledger::DecisionView& d) {
  w.StartObject();
  Key(w, "id", d.id);
  Key(w, "relation", d.relation);
  Key(w, "state", d.state);
  w.Key("confidence");
  w.Double(d.confidence);
  Key(w, "evidence", MaskText(d.evidence));
  Key(w, "decided_by", d.decided_by);
  Key(w, "created_at", d.created_at);
  w.Key("a");
  WriteTicketSummary(w, d.a);
  w.Key("b");
  WriteTicketSummary(w, d.b);
  w.EndObject();
}

void WriteScoreJson(JsonWriter& w, const score::TableScore& s, int rate_decimals) {
  w.StartObject();
  Key(w, "table", s.policy->name);
  Key(w, "month", std::to_string(s.month / 100) + "-" + (s.month % 100 < 10 ? "0" : "") +
                      std::to_string(s.month % 100));
  Key(w, "cutoff", FormatShanghaiTime(s.cutoff));
  w.Key("units");
  w.StartArray();
  const score::TablePolicy& t = *s.policy;
  for (const score::UnitRow& r : s.rows) {
    // Counts as numbers; rates, composite and names as printed.
    const score::Counts& c = r.counts;
    w.StartObject();
    Key(w, "group", r.group);
    Key(w, "registered", int64_t{r.registered});
    Key(w, "unit", r.shown);
    Key(w, "due", c.due);
    Key(w, "done", c.done);
    Key(w, "done_rate", score::FormatRate(c.done, c.due, rate_decimals));
    Key(w, "on_time", c.on_time);
    Key(w, "on_time_rate", score::FormatRate(c.on_time, c.due, rate_decimals));
    Key(w, "rework", c.rework);
    Key(w, "rework_rate", score::FormatRate(c.rework, c.due, rate_decimals));
    if (t.dissatisfied) {
      Key(w, "dissatisfied", c.dissatisfied);
      Key(w, "dissatisfied_rate", score::FormatRate(c.dissatisfied, c.revisits, rate_decimals));
    } else {
      Key(w, "satisfied", c.satisfied);
      Key(w, "satisfied_rate", score::FormatRate(c.satisfied, c.done, rate_decimals));
    }
    Key(w, "composite", score::FormatMicros(r.composite_micros, t.composite_decimals));
    Key(w, "grade", r.grade);
    if (t.dissatisfied) Key(w, "revisits_derived", std::to_string(c.revisits));
    Key(w, "revisits", r.counts.revisits);
    Key(w, "extended", r.counts.extended);
    w.EndObject();
  }
  w.EndArray();
  w.Key("no_tickets");
  w.StartArray();
  for (const std::string& u : s.empty) w.String(u.c_str());
  w.EndArray();
  w.EndObject();
}

}  // namespace hs::ops
