#include "daemon/ops/push_commands.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "daemon/config/config.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/mask.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/deadlines.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/outbox.h"
#include "daemon/ops/cli_util.h"
#include "daemon/ops/table.h"
#include "daemon/sync/deadline_watch.h"
#include "daemon/routing/router.h"

namespace hs::ops {
namespace {

struct OutboxArgs {
  LedgerArgs ledger;
  std::string state, target, reason;
  int limit = 50;
  int64_t id = 0;
  bool json = false;
};

std::string Age(int64_t since_ms) {
  return FormatDurationMillis(std::max<int64_t>(0, NowMs() - since_ms));
}

void WriteItem(JsonWriter& w, const ledger::OutboxItem& o, bool with_payload) {
  w.StartObject();
  Key(w, "id", o.id);
  Key(w, "ticket_id", o.ticket_id);
  Key(w, "source", o.source);
  Key(w, "external_id", o.external_id);
  Key(w, "target", o.target);
  Key(w, "action", o.action);
  Key(w, "target_ref", o.target_ref);
  Key(w, "idempotency_key", o.idem_key);
  Key(w, "state", o.state);
  Key(w, "attempts", o.attempts);
  Key(w, "next_attempt_ms", o.next_attempt_ms);
  Key(w, "outcome_unknown", int64_t{o.outcome_unknown});
  Key(w, "last_error", MaskText(o.last_error));
  Key(w, "remote_id", o.remote_id);
  Key(w, "created_ms", o.created_ms);
  Key(w, "done_ms", o.done_ms);
  if (with_payload) Key(w, "payload_masked", MaskText(o.payload));
  w.EndObject();
}

int List(OutboxArgs& a) {
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  auto items = ledger::ListOutbox(**ledger, {a.state, a.target, a.limit});
  if (!items.ok()) return Fail(items.status());
  if (a.json) {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    w.StartArray();
    for (const auto& o : *items) WriteItem(w, o, false);
    w.EndArray();
    PrintJson(b);
    return kExitOk;
  }
  if (items->empty()) {
    std::cout << (a.state.empty() ? "The outbox is empty: every push was made.\n"
                                  : "No outbox items are " + a.state + ".\n");
    return kExitOk;
  }
  Table t({"id", "state", "target", "action", "for", "queued", "tries", "next try", "note"});
  for (const auto& o : *items) {
    std::string note = MaskText(o.last_error);
    if (o.outcome_unknown) note = "outcome unknown (resend = replay); " + note;
    t.AddRow({std::to_string(o.id), o.state, o.target, o.action, o.source + " " + o.external_id,
              Age(o.created_ms) + " ago", std::to_string(o.attempts),
              o.state == "pending" ? FormatShanghaiTime(o.next_attempt_ms / 1000).substr(5) : "-",
              Truncate(note, 70)});
  }
  t.Print(std::cout);
  std::cout << "Details: `hotline-sync outbox show ID`; dead or held items: `outbox retry ID` "
               "or `outbox drop ID`.\n";
  return kExitOk;
}

int Show(OutboxArgs& a) {
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  auto o = ledger::GetOutbox(**ledger, a.id);
  if (!o.ok()) return Fail(o.status());
  if (a.json) {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    WriteItem(w, *o, true);
    PrintJson(b);
    return kExitOk;
  }
  Table t({"field", "value"});
  t.AddRow({"item", "#" + std::to_string(o->id) + " (" + o->state + ")"});
  t.AddRow({"push", o->action + " on " + o->target +
                        (o->target_ref.empty() ? "" : " record " + o->target_ref)});
  t.AddRow({"caused by", o->source + " " + o->external_id + " (ledger id " +
                             std::to_string(o->ticket_id) + ")"});
  t.AddRow({"idempotency key", o->idem_key});
  t.AddRow({"queued", FormatShanghaiTime(o->created_ms / 1000)});
  t.AddRow({"tries", std::to_string(o->attempts) +
                         (o->outcome_unknown ? " (an earlier try may have taken effect)" : "")});
  if (o->state == "pending") t.AddRow({"next try", FormatShanghaiTime(o->next_attempt_ms / 1000)});
  if (o->done_ms) t.AddRow({"finished", FormatShanghaiTime(*o->done_ms / 1000)});
  if (!o->remote_id.empty()) t.AddRow({"remote record", o->remote_id});
  if (!o->last_error.empty()) t.AddRow({"last error", MaskText(o->last_error)});
  t.Print(std::cout);
  std::cout << "payload (personal data masked):\n" << MaskText(o->payload) << "\n";
  return kExitOk;
}

int Retry(OutboxArgs& a) {
  auto ledger = OpenForWriting(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  Status s = ledger::RetryOutbox(**ledger, a.id, Actor(), NowMs());
  if (!s.ok()) return Fail(s);
  std::cout << "outbox #" << a.id << " will be sent again by the running daemon, with its key.\n";
  return kExitOk;
}

int Drop(OutboxArgs& a) {
  auto ledger = OpenForWriting(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  Status s = ledger::DropOutbox(**ledger, a.id, Actor(), a.reason, NowMs());
  if (!s.ok()) return Fail(s);
  std::cout << "outbox #" << a.id << " dropped; it will not be sent. The audit records it.\n";
  return kExitOk;
}

}  // namespace

ledger::DeadlineQuery DeadlineQueryFor(const std::string& config_path) {
  ledger::DeadlineQuery q;
  q.now_s = NowMs() / 1000;
  if (config_path.empty()) return q;
  auto cfg = config::Load(config_path);
  if (!cfg.ok()) return q;
  auto rules = routing::LoadRules(cfg->routing_file);
  if (!rules.ok()) return q;
  q = sync::DeadlineQueryOf(*cfg, *rules);
  q.now_s = NowMs() / 1000;
  return q;
}

namespace {

struct DeadlineArgs {
  LedgerArgs ledger;
  int limit = 50;
  bool json = false;
};

int Deadlines(DeadlineArgs& a) {
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  ledger::DeadlineQuery q = DeadlineQueryFor(a.ledger.config);
  q.limit = a.limit;
  auto rows = ledger::AtRiskDeadlines(**ledger, q);
  if (!rows.ok()) return Fail(rows.status());
  if (a.json) {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    w.StartArray();
    for (const auto& r : *rows) {
      w.StartObject();
      Key(w, "ticket_id", r.ticket_id);
      Key(w, "source", r.source);
      Key(w, "external_id", r.external_id);
      Key(w, "unit", r.unit);
      Key(w, "state", r.native_state);
      Key(w, "deadline", r.deadline);
      Key(w, "overdue", int64_t{r.overdue});
      w.EndObject();
    }
    w.EndArray();
    PrintJson(b);
    return kExitOk;
  }
  if (rows->empty()) {
    std::cout << "Nothing is near its deadline (provincial within "
              << FormatDurationMillis(q.provincial_lead_s * 1000) << ", hotline within "
              << FormatDurationMillis(q.hotline_lead_s * 1000) << ").\n";
    return kExitOk;
  }
  Table t({"时限", "", "平台", "编号", "承办单位", "状态", "标题"});
  for (const auto& r : *rows) {
    const int64_t gap = r.deadline - q.now_s;
    t.AddRow({FormatShanghaiTime(r.deadline),
              r.overdue ? "超期 " + FormatDurationMillis(-gap * 1000)
                        : "剩 " + FormatDurationMillis(gap * 1000),
              r.source, r.external_id, r.unit.empty() ? "-" : r.unit,
              r.native_state.empty() ? std::string(StateLabel(r.state)) : r.native_state,
              Truncate(MaskText(r.title), 40)});
  }
  t.Print(std::cout);
  if (static_cast<int>(rows->size()) == a.limit) {
    std::cout << "(the first " << a.limit << "; more with --limit)\n";
  }
  return kExitOk;
}

struct FlagArgs {
  LedgerArgs ledger;
  std::string ref, flag, note;
};

int Flag(FlagArgs& a) {
  if (a.flag != "petition" && a.flag != "quality") {
    return Fail(Status::InvalidArgument(
        "unknown flag \"" + a.flag +
        "\"; known: petition (push this order to the petition platform), quality (quality review "
        "found the handling wanting: it costs the unit in the month's assessment)"));
  }
  auto ledger = OpenForWriting(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  auto found = ledger::FindTickets(**ledger, a.ref);
  if (!found.ok()) return Fail(found.status());
  if (found->size() != 1) {
    return Fail(Status::NotFound(
        found->empty() ? "no ticket " + MaskText(a.ref)
                       : MaskText(a.ref) + " names several tickets; give the ledger id"));
  }
  ledger::TicketRecord& r = found->front();
  std::string routing_file;
  if (!a.ledger.config.empty()) {
    auto cfg = config::Load(a.ledger.config);
    if (!cfg.ok()) return Fail(cfg.status());
    routing_file = cfg->routing_file;
  }
  auto rules = routing::LoadRules(routing_file);
  if (!rules.ok()) return Fail(rules.status());
  if (r.source != rules->hotline) {
    return Fail(Status::InvalidArgument("flag " + a.flag + " applies to hotline orders; " +
                                        MaskText(a.ref) + " is a " + r.source + " record"));
  }
  ledger::Change change{r.source, r.id, &r.ticket, true, {}, 0};
  if (a.flag == "quality") {  // A mark for the assessment: nothing to push.
    auto marked = ledger::FlagAndRoute(**ledger, change, a.flag, a.note, Actor(), NowMs());
    if (!marked.ok()) return Fail(marked.status());
    std::cout << r.source << " " << r.ticket.external_id
              << " flagged quality; it costs its unit in the assessment of the month it was "
                 "dispatched (score --adjustments).\n";
    return kExitOk;
  }
  routing::CityRouter router(std::move(rules).value());
  for (const auto& e : r.events) {
    if (e.kind != "log") continue;
    r.ticket.history.push_back(
        {e.at.value_or(0), e.action, e.unit, e.note, e.result, e.external_ref});
  }
  (*ledger)->SetRouter(&router);
  auto queued = ledger::FlagAndRoute(**ledger, change, a.flag, a.note, Actor(), NowMs());
  (*ledger)->SetRouter(nullptr);
  if (!queued.ok()) return Fail(queued.status());
  std::cout << r.source << " " << r.ticket.external_id << " flagged " << a.flag << "; " << *queued
            << " push(es) queued for the running daemon.\n";
  return kExitOk;
}

}  // namespace

std::function<int()> AddPushCommands(CLI::App& app) {
  auto oa = std::make_shared<OutboxArgs>();
  auto* outbox = app.add_subcommand("outbox", "pushes waiting, held or dead: list, retry, drop");
  outbox->require_subcommand(1);
  auto* list = outbox->add_subcommand("list", "items not yet sent (or of one --state)");
  AddLedgerOptions(list, oa->ledger);
  list->add_option("--state", oa->state, "pending, held, dead, sent or dropped")
      ->check(CLI::IsMember({"pending", "held", "dead", "sent", "dropped"}));
  list->add_option("--target", oa->target, "only pushes to this adapter");
  list->add_option("--limit,-n", oa->limit, "how many of the newest")->check(CLI::Range(1, 100000));
  list->add_flag("--json", oa->json, "machine-readable output");
  auto* show = outbox->add_subcommand("show", "one item whole (personal data masked)");
  show->add_option("ID", oa->id, "item id")->required();
  AddLedgerOptions(show, oa->ledger);
  show->add_flag("--json", oa->json, "machine-readable output");
  auto* retry = outbox->add_subcommand("retry", "send a dead or held item again (audited)");
  retry->add_option("ID", oa->id, "item id")->required();
  AddLedgerOptions(retry, oa->ledger);
  auto* drop = outbox->add_subcommand("drop", "give up an item (audited)");
  drop->add_option("ID", oa->id, "item id")->required();
  drop->add_option("--reason", oa->reason, "why, for the audit");
  AddLedgerOptions(drop, oa->ledger);

  auto da = std::make_shared<DeadlineArgs>();
  auto* deadlines = app.add_subcommand(
      "deadlines", "provincial dispatches and hotline orders near or past their deadline");
  AddLedgerOptions(deadlines, da->ledger);
  deadlines->add_option("--limit,-n", da->limit, "how many, soonest first")
      ->check(CLI::Range(1, 100000));
  deadlines->add_flag("--json", da->json, "machine-readable output");

  auto fa = std::make_shared<FlagArgs>();
  auto* flag = app.add_subcommand("flag",
                                  "mark a ticket: push a hotline order to the petition "
                                  "platform, or a quality finding for the assessment (audited)");
  flag->add_option("REF", fa->ref, "ledger id or platform number")->required();
  flag->add_option("FLAG", fa->flag, "petition or quality")->required();
  flag->add_option("--note", fa->note, "why, for the audit");
  AddLedgerOptions(flag, fa->ledger);

  return [=]() -> int {
    if (*list) return List(*oa);
    if (*show) return Show(*oa);
    if (*retry) return Retry(*oa);
    if (*drop) return Drop(*oa);
    if (*deadlines) return Deadlines(*da);
    if (*flag) return Flag(*fa);
    return -1;
  };
}

void PrintPushStatus(ledger::Ledger& ledger, const std::string& config_path) {
  auto counts = ledger::CountOutbox(ledger);
  if (counts.ok() && !counts->empty()) {
    std::cout << "\nOutbox\n";
    Table t({"target", "state", "items", "oldest"});
    int64_t dead = 0;
    for (const auto& c : *counts) {
      if (c.state == "dead") dead += c.count;
      t.AddRow({c.target, c.state, std::to_string(c.count),
                c.oldest_ms ? Age(*c.oldest_ms) + " ago" : "-"});
    }
    t.Print(std::cout);
    if (dead > 0) {
      std::cout << dead << " dead letter(s): see `hotline-sync outbox list --state dead`.\n";
    }
  }
  ledger::DeadlineQuery q = DeadlineQueryFor(config_path);
  auto dl = ledger::CountDeadlines(ledger, q);
  if (dl.ok() && !dl->empty()) {
    std::cout << "\nDeadlines (`hotline-sync deadlines` lists them)\n";
    Table t({"platform", "near", "overdue"});
    for (const auto& [source, c] : *dl) {
      t.AddRow({source, std::to_string(c.near), std::to_string(c.overdue)});
    }
    t.Print(std::cout);
  }
}

}  // namespace hs::ops
