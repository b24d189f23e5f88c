#include "daemon/ops/commands.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "adapters/hotline12345/sim.h"
#include "adapters/petition/sim.h"
#include "adapters/provincial/sim.h"
#include "daemon/config/config.h"
#include "daemon/core/clock.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/mask.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/deadlines.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/outbox.h"
#include "daemon/ops/cli_util.h"
#include "daemon/ops/match_commands.h"
#include "daemon/ops/score_commands.h"
#include "daemon/ops/push_commands.h"
#include "daemon/ops/json_views.h"
#include "daemon/ops/table.h"
#include "daemon/sync/daemon.h"

namespace hs::ops {
namespace {

// ---- status ----

int StatusCmd(LedgerArgs& args, bool json) {
  auto ledger = OpenForReading(args);
  if (!ledger.ok()) return Fail(ledger.status());
  if (json) {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    Status s =
        WriteStatusJson(w, **ledger, args.configured_adapters, DeadlineQueryFor(args.config), NowMs());
    if (!s.ok()) return Fail(s);
    PrintJson(b);
    return kExitOk;
  }
  auto rows = ledger::AdapterStatuses(**ledger, args.configured_adapters);
  if (!rows.ok()) return Fail(rows.status());
  Table t({"adapter", "last good pull", "lag", "tickets", "open", "rejects", "failing",
           "newest change", "last error"});
  for (const auto& a : *rows) {
    t.AddRow({a.source,
              TimeOrDash(a.last_success_ms ? std::optional<int64_t>(*a.last_success_ms / 1000)
                                           : std::nullopt),
              a.last_success_ms ? FormatDurationMillis(NowMs() - *a.last_success_ms) : "-",
              std::to_string(a.tickets), std::to_string(a.open_tickets), std::to_string(a.rejects),
              a.failures_in_a_row > 0 ? std::to_string(a.failures_in_a_row) + " runs" : "no",
              TimeOrDash(a.newest_change),
              a.last_error.empty() ? "-" : Truncate(MaskText(a.last_error), 70)});
  }
  if (t.empty()) {
    std::cout << "No adapter has synced into this ledger yet.\n";
  } else {
    t.Print(std::cout);
  }
  PrintPushStatus(**ledger, args.config);
  PrintMatchStatus(**ledger);
  return kExitOk;
}

// ---- log ----

struct LogArgs {
  std::string adapter;
  std::string since;
  bool failed = false;
  int limit = 20;
  bool follow = false;
  bool json = false;
};

void PrintRuns(const std::vector<ledger::SyncRun>& runs, bool json, bool header) {
  if (json) {
    for (const auto& r : runs) {
      rapidjson::StringBuffer b;
      JsonWriter w(b);
      WriteRunJson(w, r);
      PrintJson(b);
    }
    return;
  }
  Table t({"run", "started", "adapter", "outcome", "took", "fetched", "new", "updated", "rejected",
           "events", "note"});
  for (const auto& r : runs) {
    std::string note =
        r.error.empty() ? ""
                        : MaskText(r.error_code.empty() ? r.error : r.error_code + ": " + r.error);
    if (r.idle_runs > 0) {
      note = "no changes; " + std::to_string(r.idle_runs + 1) + " runs until " +
             FormatShanghaiTime(r.finished_ms / 1000).substr(11);
    }
    t.AddRow({std::to_string(r.id), FormatShanghaiTime(r.started_ms / 1000), r.source, r.outcome,
              FormatDurationMillis(r.idle_runs > 0 ? 0 : r.finished_ms - r.started_ms),
              std::to_string(r.fetched), std::to_string(r.inserted), std::to_string(r.updated),
              std::to_string(r.rejected), std::to_string(r.events), Truncate(note, 80)});
  }
  if (header || !t.empty()) t.Print(std::cout);
  std::cout.flush();
}

int Log(LedgerArgs& args, const LogArgs& la) {
  auto ledger = OpenForReading(args);
  if (!ledger.ok()) return Fail(ledger.status());
  ledger::RunFilter f;
  f.source = la.adapter;
  f.failed_only = la.failed;
  f.limit = la.limit;
  if (!la.since.empty()) {
    auto as_time = ParseShanghaiTime(la.since);
    auto as_duration = ParseDurationMillis(la.since);
    if (as_time.ok()) {
      f.since_ms = *as_time * 1000;
    } else if (as_duration.ok()) {
      f.since_ms = NowMs() - *as_duration;
    } else {
      return Fail(
          Status::InvalidArgument("--since takes \"yyyy-MM-dd HH:mm:ss\" (Beijing time) or a "
                                  "duration such as 2h"));
    }
  }
  auto runs = ledger::ListRuns(**ledger, f);
  if (!runs.ok()) return Fail(runs.status());
  PrintRuns(*runs, la.json, true);
  if (!la.follow) return kExitOk;
  // Follow: new runs as they are written, and idle rows as they grow.
  int64_t last_id = runs->empty() ? 0 : runs->back().id;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    f.after_id = last_id;
    f.limit = 1000;
    auto more = ledger::ListRuns(**ledger, f);
    if (!more.ok()) return Fail(more.status());
    if (more->empty()) continue;
    PrintRuns(*more, la.json, false);
    last_id = more->back().id;
  }
}

// ---- ticket ----

// The same matter on the other platforms, and the pushes this ticket caused.
void PrintLinks(ledger::Ledger& ledger, int64_t ticket_id) {
  auto others = ledger::CounterpartsOf(ledger, ticket_id);
  if (others.ok() && !others->empty()) {
    std::cout << "\n关联 (the same matter on other platforms)\n";
    Table t({"platform", "number", "state", "relation", "ledger id"});
    for (size_t i = 0; i < others->size(); ++i) {
      const auto& c = (*others)[i];
      std::string relation = c.relation;
      // One line per record: its relations joined (a dispatch both pushed the order and named it).
      while (i + 1 < others->size() && (*others)[i + 1].source == c.source &&
             (*others)[i + 1].external_id == c.external_id) {
        relation += "; " + (*others)[++i].relation;
      }
      t.AddRow({c.source, c.external_id, c.native_state.empty() ? "-" : c.native_state, relation,
                c.ticket_id == 0 ? "not read yet" : std::to_string(c.ticket_id)});
    }
    t.Print(std::cout);
  }
  auto pushes = ledger::OutboxOfTicket(ledger, ticket_id);
  if (pushes.ok() && !pushes->empty()) {
    std::cout << "\n推送 (pushes this ticket caused)\n";
    Table t({"outbox", "target", "action", "state", "tries", "remote", "note"});
    for (const auto& o : *pushes) {
      t.AddRow({"#" + std::to_string(o.id), o.target, o.action, o.state, std::to_string(o.attempts),
                o.remote_id.empty() ? "-" : o.remote_id, Truncate(MaskText(o.last_error), 60)});
    }
    t.Print(std::cout);
  }
}

int TicketCmd(LedgerArgs& args, const std::string& ref, bool json) {
  auto ledger = OpenForReading(args);
  if (!ledger.ok()) return Fail(ledger.status());
  auto found = ledger::FindTickets(**ledger, ref);
  if (!found.ok()) return Fail(found.status());
  if (found->empty()) {
    return Fail(Status::NotFound("no ticket with ledger id, platform number or external number \"" +
                                 MaskText(ref) + "\""));
  }
  if (json) {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    w.StartArray();
    for (const auto& r : *found) {
      const Ticket& t = r.ticket;
      w.StartObject();
      Key(w, "id", r.id);
      Key(w, "source", r.source);
      Key(w, "external_id", t.external_id);
      Key(w, "external_ref", t.external_ref);
      Key(w, "state", t.state);
      Key(w, "channel", t.channel);
      Key(w, "kind", t.kind);
      Key(w, "category", t.category);
      Key(w, "unit", t.unit);
      Key(w, "unit_code", t.unit_code);
      Key(w, "complainant", MaskName(t.complainant));
      Key(w, "phone", MaskPhone(t.phone));
      Key(w, "id_number", MaskIdNumber(t.id_number));
      Key(w, "title", MaskText(t.title));
      Key(w, "accepted_at", t.accepted_at);
      Key(w, "deadline", t.deadline);
      Key(w, "extended_deadline", t.extended_deadline);
      Key(w, "closed_at", t.closed_at);
      Key(w, "revisit_result", t.revisit_result);
      Key(w, "rework_count", t.rework_count);
      Key(w, "updated_at", t.updated_at);
      w.Key("events");
      w.StartArray();
      for (const auto& e : r.events) {
        w.StartObject();
        Key(w, "kind", e.kind);
        Key(w, "at", e.at);
        Key(w, "action", e.action);
        Key(w, "unit", e.unit);
        Key(w, "note", MaskText(e.note));
        Key(w, "result", e.result);
        Key(w, "from_state", e.from_state);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    PrintJson(b);
    return kExitOk;
  }
  for (const auto& r : *found) {
    const Ticket& t = r.ticket;
    const char* noun = r.source == "petition"     ? "信访件 "
                       : r.source == "provincial" ? "省平台转办件 "
                                                  : "工单 ";
    std::cout << noun << t.external_id << "  (" << r.source << ", ledger id " << r.id << ")\n";
    Table f({"字段", "值"});
    f.AddRow({"状态", std::string(StateLabel(t.state)) +
                          (t.native_state.empty() || t.native_state == StateLabel(t.state)
                               ? ""
                               : " (" + t.native_state + ")")});
    f.AddRow({"渠道 / 类型 / 分类", t.channel + " / " + t.kind + " / " + t.category});
    f.AddRow({"承办单位", t.unit + (t.unit_code.empty() ? "" : " (" + t.unit_code + ")")});
    f.AddRow({"诉求人 / 电话 / 证件", (t.complainant.empty() ? "-" : MaskName(t.complainant)) +
                                          " / " + (t.phone.empty() ? "-" : MaskPhone(t.phone)) +
                                          " / " +
                                          (t.id_number.empty() ? "-" : MaskIdNumber(t.id_number))});
    f.AddRow({"标题", Truncate(MaskText(t.title), 80)});
    f.AddRow(
        {"受理 / 时限",
         TimeOrDash(t.accepted_at) + " / " + TimeOrDash(t.deadline) +
             (t.extended_deadline ? " (延期至 " + TimeOrDash(t.extended_deadline) + ")" : "")});
    f.AddRow({"办结 / 回访", TimeOrDash(t.closed_at) + " / " +
                                 (t.revisit_result.empty()
                                      ? "-"
                                      : t.revisit_result + " " + TimeOrDash(t.revisited_at))});
    f.AddRow({"返工次数", std::to_string(t.rework_count)});
    if (!t.external_ref.empty()) f.AddRow({"外部编号", t.external_ref});
    f.AddRow({"最后更新", t.updated_at > 0 ? FormatShanghaiTime(t.updated_at)
                                           : "- (revision " + std::to_string(t.version) + ")"});
    f.AddRow({"首次同步 / 最近读取",
              FormatShanghaiTime(r.first_seen) + " / " + FormatShanghaiTime(r.last_seen)});
    f.Print(std::cout);
    std::cout << "\n流转记录 (timeline)\n";
    Table tl({"time", "action", "unit", "note"});
    for (const auto& e : r.events) {
      if (e.kind == "state") {
        tl.AddRow({TimeOrDash(e.at), "→ " + std::string(StateLabel(e.action)), "",
                   "state changed from " + std::string(StateLabel(e.from_state))});
      } else {
        std::string note = MaskText(e.note);
        if (!e.result.empty()) note = "结果: " + e.result + (note.empty() ? "" : "; " + note);
        tl.AddRow({TimeOrDash(e.at), e.action, e.unit, Truncate(note, 60)});
      }
    }
    tl.Print(std::cout);
    PrintLinks(**ledger, r.id);
    PrintCaseOf(**ledger, r.id);
    std::cout << "\n";
  }
  return kExitOk;
}

// ---- rejects ----

int RejectsList(LedgerArgs& args, const std::string& adapter, int limit, bool json) {
  auto ledger = OpenForReading(args);
  if (!ledger.ok()) return Fail(ledger.status());
  auto rows = ledger::ListRejects(**ledger, adapter, limit);
  if (!rows.ok()) return Fail(rows.status());
  if (json) {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    w.StartArray();
    for (const auto& r : *rows) {
      w.StartObject();
      Key(w, "id", r.id);
      Key(w, "adapter", r.source);
      Key(w, "source_id", r.source_id);
      Key(w, "reason", MaskText(r.reason));
      Key(w, "first_seen", r.first_seen);
      Key(w, "last_seen", r.last_seen);
      Key(w, "seen_count", r.seen_count);
      Key(w, "bytes", static_cast<int64_t>(r.raw.size()));
      w.EndObject();
    }
    w.EndArray();
    PrintJson(b);
    return kExitOk;
  }
  if (rows->empty()) {
    std::cout << "No rejects: every record read so far was mapped.\n";
    return kExitOk;
  }
  Table t({"id", "adapter", "record", "last seen", "times", "reason"});
  for (const auto& r : *rows) {
    t.AddRow({std::to_string(r.id), r.source,
              r.source_id.empty() ? "-" : Truncate(MaskText(r.source_id), 40),
              FormatShanghaiTime(r.last_seen), std::to_string(r.seen_count),
              Truncate(MaskText(r.reason), 90)});
  }
  t.Print(std::cout);
  std::cout << "See one whole with `hotline-sync rejects show ID`.\n";
  return kExitOk;
}

int RejectsShow(LedgerArgs& args, int64_t id, bool json) {
  auto ledger = OpenForReading(args);
  if (!ledger.ok()) return Fail(ledger.status());
  auto r = ledger::GetReject(**ledger, id);
  if (!r.ok()) return Fail(r.status());
  // Raw bytes may be invalid UTF-8 or binary: show them masked, with invalid bytes as \xNN.
  std::string shown;
  for (unsigned char c : r->raw) {
    if (c < 0x20 && c != '\n' && c != '\t') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      shown += buf;
    } else {
      shown.push_back(static_cast<char>(c));
    }
  }
  shown = MaskText(shown);
  if (json) {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    w.StartObject();
    Key(w, "id", r->id);
    Key(w, "adapter", r->source);
    Key(w, "source_id", r->source_id);
    Key(w, "reason", MaskText(r->reason));
    Key(w, "first_seen", r->first_seen);
    Key(w, "last_seen", r->last_seen);
    Key(w, "seen_count", r->seen_count);
    Key(w, "raw_masked", shown);
    w.EndObject();
    PrintJson(b);
    return kExitOk;
  }
  std::cout << "reject " << r->id << " from " << r->source << ", record "
            << (r->source_id.empty() ? "-" : MaskText(r->source_id)) << "\n"
            << "reason:     " << MaskText(r->reason) << "\n"
            << "first seen: " << FormatShanghaiTime(r->first_seen) << ", last seen "
            << FormatShanghaiTime(r->last_seen) << ", " << r->seen_count << " times\n"
            << "raw (" << r->raw.size() << " bytes, phone and ID numbers masked):\n"
            << shown << "\n";
  return kExitOk;
}

// ---- migrate ----

int Migrate(LedgerArgs& args) {
  auto path = args.Path();
  if (!path.ok()) return Fail(path.status());
  ledger::LedgerOptions o;
  o.migrate = false;
  auto ledger = ledger::Ledger::Open(*path, o);
  if (!ledger.ok()) return Fail(ledger.status());
  auto before = (*ledger)->SchemaVersion();
  auto applied = (*ledger)->Migrate();
  if (!applied.ok()) return Fail(applied.status());
  if (applied->empty()) {
    std::cout << *path << " is at schema version " << (before.ok() ? *before : 0)
              << ", the newest this binary knows; nothing to do.\n";
  } else {
    std::cout << *path << ": applied " << applied->size() << " migration(s), now at version "
              << applied->back() << ".\n";
  }
  return kExitOk;
}

// ---- sim ----

// The simulated platforms chosen by --platforms, each with its options.
struct SimArgs {
  std::string platforms = "hotline12345,petition,provincial";
  hotline12345::SimOptions hotline;
  std::string hotline_secret_file;
  petition::PetitionSimOptions petition;
  std::string petition_secret_file;
  provincial::ProvincialSimOptions provincial;
  std::string provincial_secret_file;
};

// Serves the chosen simulators on a SystemClock until SIGTERM or SIGINT, one line each on stdout:
//   NAME simulator listening on URL (…)
int Sim(SimArgs a) {
  for (auto [file, secret] : {std::pair{&a.hotline_secret_file, &a.hotline.app_secret},
                              std::pair{&a.petition_secret_file, &a.petition.client_secret},
                              std::pair{&a.provincial_secret_file, &a.provincial.secret}}) {
    if (file->empty()) continue;
    auto s = config::ReadSecretFile(*file, ".");
    if (!s.ok()) return Fail(s.status());
    *secret = *s;
  }
  // One simulated city: every platform on the same simulated clock.
  a.petition.bind = a.hotline.bind;
  a.petition.seed = a.hotline.seed;
  a.petition.sim_start = a.hotline.sim_start;
  a.petition.speed = a.hotline.speed;
  a.provincial.bind = a.hotline.bind;
  a.provincial.seed = a.hotline.seed;
  a.provincial.sim_start = a.hotline.sim_start;
  a.provincial.speed = a.hotline.speed;
  auto wants = [&](std::string_view name) {
    return ("," + a.platforms + ",").find("," + std::string(name) + ",") != std::string::npos;
  };
  sigset_t signals, old;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, &old);  // Before any server thread starts.
  SystemClock clock;
  std::unique_ptr<hotline12345::HotlineSim> hotline;
  std::unique_ptr<petition::PetitionSim> petition;
  std::unique_ptr<provincial::ProvincialSim> provincial;
  int rc = kExitOk;
  if (wants("hotline12345")) {
    hotline = std::make_unique<hotline12345::HotlineSim>(a.hotline, clock);
    if (Status st = hotline->Start(); !st.ok()) {
      rc = Fail(st.WithContext("hotline12345 simulator"));
    } else {
      std::printf("hotline12345 simulator listening on %s (%zu orders)\n",
                  hotline->base_url().c_str(), hotline->order_count());
    }
  }
  if (rc == kExitOk && wants("petition")) {
    petition = std::make_unique<petition::PetitionSim>(a.petition, clock);
    if (Status st = petition->Start(); !st.ok()) {
      rc = Fail(st.WithContext("petition simulator"));
    } else {
      std::printf("petition simulator listening on %s (%zu petitions)\n",
                  petition->base_url().c_str(), petition->petition_count());
    }
  }
  if (rc == kExitOk && wants("provincial")) {
    provincial = std::make_unique<provincial::ProvincialSim>(a.provincial, clock);
    if (Status st = provincial->Start(); !st.ok()) {
      rc = Fail(st.WithContext("provincial simulator"));
    } else {
      std::printf("provincial simulator listening on %s (%d dispatches, city %s)\n",
                  provincial->base_url().c_str(), a.provincial.count,
                  a.provincial.city_code.c_str());
    }
  }
  std::fflush(stdout);
  if (rc == kExitOk) {
    int sig = 0;
    sigwait(&signals, &sig);
  }
  if (provincial) provincial->Stop();
  if (petition) petition->Stop();
  if (hotline) hotline->Stop();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return rc;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{
      "hotline-sync: keeps a city's 12345 hotline, petition and provincial platforms in "
      "step, in one SQLite ledger."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hotline-sync 0.1.0");

  std::string run_config;
  bool run_once = false;
  auto* run = app.add_subcommand(
      "run", "run the daemon (pull and push loops, deadline watch) until SIGTERM");
  run->add_option("--config,-c", run_config, "configuration file (TOML)")->required();
  run->add_flag("--once", run_once,
                "drain every feed and every outbox (twice: pushes make records), then exit");

  LedgerArgs migrate_args;
  auto* migrate = app.add_subcommand("migrate", "apply pending schema migrations to the ledger");
  AddLedgerOptions(migrate, migrate_args);

  LedgerArgs status_args;
  bool status_json = false;
  auto* status =
      app.add_subcommand("status", "per adapter: last good pull, tickets, rejects, errors");
  AddLedgerOptions(status, status_args);
  status->add_flag("--json", status_json, "machine-readable output");

  LedgerArgs log_args;
  LogArgs la;
  auto* log = app.add_subcommand("log", "the sync log: one line per pull run");
  AddLedgerOptions(log, log_args);
  log->add_option("--adapter", la.adapter, "only this adapter");
  log->add_option("--since", la.since,
                  "runs since a time (\"2023-06-12 10:00:00\") or for a duration (\"2h\")");
  log->add_flag("--failed", la.failed, "only failed or interrupted runs");
  log->add_option("--limit,-n", la.limit, "how many of the newest runs")
      ->check(CLI::Range(1, 100000));
  log->add_flag("--follow,-f", la.follow, "keep printing new runs");
  log->add_flag("--json", la.json, "one JSON object per line");

  LedgerArgs ticket_args;
  std::string ticket_ref;
  bool ticket_json = false;
  auto* ticket = app.add_subcommand("ticket", "one order's fields and timeline");
  ticket
      ->add_option("REF", ticket_ref, "ledger id, platform number (gdbh) or external number (wbbh)")
      ->required();
  AddLedgerOptions(ticket, ticket_args);
  ticket->add_flag("--json", ticket_json, "machine-readable output");

  LedgerArgs rejects_args;
  auto* rejects = app.add_subcommand("rejects", "records that could not be read");
  rejects->require_subcommand(1);
  std::string rejects_adapter;
  int rejects_limit = 50;
  bool rejects_json = false;
  int64_t reject_id = 0;
  auto* rejects_list = rejects->add_subcommand("list", "the newest rejects");
  AddLedgerOptions(rejects_list, rejects_args);
  rejects_list->add_option("--adapter", rejects_adapter, "only this adapter");
  rejects_list->add_option("--limit,-n", rejects_limit, "how many")->check(CLI::Range(1, 100000));
  rejects_list->add_flag("--json", rejects_json, "machine-readable output");
  auto* rejects_show = rejects->add_subcommand("show", "one reject whole (personal data masked)");
  rejects_show->add_option("ID", reject_id, "reject id from `rejects list`")->required();
  AddLedgerOptions(rejects_show, rejects_args);
  rejects_show->add_flag("--json", rejects_json, "machine-readable output");

  SimArgs sim_args;
  hotline12345::SimOptions& sim_opts = sim_args.hotline;
  auto* sim = app.add_subcommand("sim", "serve the simulated platforms (for demos and tests)");
  sim->add_option("--platforms", sim_args.platforms, "which: hotline12345, petition, provincial")
      ->capture_default_str();
  sim->add_option("--bind", sim_opts.bind, "address to listen on")->capture_default_str();
  sim->add_option("--port", sim_opts.port, "12345 platform's port (0: any free one)")
      ->capture_default_str();
  sim->add_option("--app-key", sim_opts.app_key, "accepted X-App-Key")->capture_default_str();
  sim->add_option("--app-secret-file", sim_args.hotline_secret_file,
                  "file with the 12345 signing secret (default: \"sim-secret\")");
  sim->add_option("--petition-secret-file", sim_args.petition_secret_file,
                  "file with the petition platform's client secret (default: \"sim-secret\")");
  sim->add_option("--provincial-secret-file", sim_args.provincial_secret_file,
                  "file with the provincial platform's city key (default: \"sim-secret\")");
  sim->add_option("--provincial-count", sim_args.provincial.count,
                  "dispatches in the generated world")
      ->capture_default_str();
  sim->add_option("--petition-count", sim_args.petition.count, "petitions in the generated world")
      ->capture_default_str();
  sim->add_option("--seed", sim_opts.seed, "world seed")->capture_default_str();
  sim->add_option("--count", sim_opts.orders, "orders in the generated world")
      ->capture_default_str();
  sim->add_option(
      "--orders", sim_opts.orders_file,
      "serve the records of this file (JSON lines, the contract's field names) instead");
  sim->add_option("--days-before", sim_opts.days_before, "days of orders that exist at start")
      ->capture_default_str();
  sim->add_option("--days-after", sim_opts.days_after, "days of orders still to come")
      ->capture_default_str();
  sim->add_option("--speed", sim_opts.speed, "simulated seconds per real second (0: frozen)")
      ->capture_default_str();
  sim->add_option("--rps", sim_opts.rps, "requests per second before 429 (0: no limit)")
      ->capture_default_str();
  sim->add_option("--cursor-ttl-ms", sim_opts.cursor_ttl_ms, "cursor lifetime")
      ->capture_default_str();
  sim->add_option("--latency-ms", sim_opts.faults.latency_ms, "added latency")
      ->capture_default_str();
  sim->add_option("--error-rate", sim_opts.faults.error_rate, "share of HTTP 503s")
      ->capture_default_str();
  sim->add_option("--reset-rate", sim_opts.faults.reset_rate, "share of connections closed early")
      ->capture_default_str();
  sim->add_option("--truncate-rate", sim_opts.faults.truncate_rate, "share of truncated bodies")
      ->capture_default_str();
  sim->add_option("--malformed-rate", sim_opts.faults.malformed_rate,
                  "share of pages with a malformed record")
      ->capture_default_str();

  std::function<int()> push_commands = AddPushCommands(app);
  std::function<int()> match_commands = AddMatchCommands(app);
  std::function<int()> score_commands = AddScoreCommands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  if (*run) return sync::RunDaemon(run_config, run_once);
  if (*migrate) return Migrate(migrate_args);
  if (*status) return StatusCmd(status_args, status_json);
  if (*log) return Log(log_args, la);
  if (*ticket) return TicketCmd(ticket_args, ticket_ref, ticket_json);
  if (*rejects_list) return RejectsList(rejects_args, rejects_adapter, rejects_limit, rejects_json);
  if (*rejects_show) return RejectsShow(rejects_args, reject_id, rejects_json);
  if (*sim) return Sim(sim_args);
  if (int code = push_commands(); code >= 0) return code;
  if (int code = match_commands(); code >= 0) return code;
  if (int code = score_commands(); code >= 0) return code;
  return kExitUsage;
}

}  // namespace hs::ops
