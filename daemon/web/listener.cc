#include "daemon/web/listener.h"

#include <rapidjson/document.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "adapters/sim_server.h"
#include "daemon/core/json.h"
#include "daemon/core/mask.h"
#include "daemon/config/shipped.h"
#include "daemon/core/time_util.h"
#include "daemon/crypto/crypto.h"
#include "daemon/ledger/cases.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/outbox.h"
#include "daemon/log/log.h"
#include "daemon/metrics/metrics.h"
#include "daemon/ops/json_views.h"
#include "daemon/ops/score_commands.h"

namespace hs::web {
namespace {

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Send(httplib::Response& res, int status, std::string body, const char* type) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::move(body), type);
}

void SendJson(httplib::Response& res, const rapidjson::StringBuffer& b) {
  Send(res, 200, std::string(b.GetString(), b.GetSize()), "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  rapidjson::StringBuffer b;
  ops::JsonWriter w(b);
  w.StartObject();
  ops::Key(w, "error", MaskText(message));
  w.EndObject();
  Send(res, status, std::string(b.GetString(), b.GetSize()), "application/json; charset=utf-8");
}

int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kRejected:
      return 409;
    default:
      return 500;
  }
}

// A positive integer query parameter, or `fallback`.
int64_t IntParam(const httplib::Request& req, const char* name, int64_t fallback, int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
    return fallback;
  }
  return std::min<int64_t>(std::stoll(v), max);
}

}  // namespace

struct Listener::Impl {
  ListenerOptions options;
  std::unique_ptr<ledger::Ledger> ledger;
  std::string token = crypto::RandomHex(16);
  int64_t started_ms = NowMs();
  sim::SimServer server;
  std::shared_ptr<void> collector;
  std::shared_ptr<spdlog::logger> log = log::Get("web");

  // The Host values this listener answers to: its address and the loopback names, with its port.
  bool HostAllowed(const std::string& host) const {
    const std::string port = ":" + std::to_string(server.port());
    for (const std::string& name : {options.host, std::string("127.0.0.1"), std::string("localhost"),
                                   std::string("[::1]"), "[" + options.host + "]"}) {
      if (host == name + port) return true;
    }
    return false;
  }

  // Why the daemon is not ready: stalled loops, and adapters failing for longer than unready_after.
  std::vector<std::string> Problems(int64_t now_ms) {
    std::vector<std::string> problems = options.stalled ? options.stalled() : std::vector<std::string>{};
    auto rows = ledger::AdapterStatuses(*ledger, options.adapters);
    if (!rows.ok()) {
      problems.push_back("ledger: " + rows.status().message());
      return problems;
    }
    for (const ledger::AdapterStatus& a : *rows) {
      if (a.failures_in_a_row == 0) continue;
      const int64_t since = std::max(a.last_success_ms.value_or(0), started_ms);
      if (now_ms - since > options.unready_after_ms) {
        problems.push_back(a.source + " has failed for " + FormatDurationMillis(now_ms - since) +
                           " (" + std::to_string(a.failures_in_a_row) +
                           " runs): " + MaskText(a.last_error));
      }
    }
    return problems;
  }

  ledger::DeadlineQuery Deadlines() const {
    ledger::DeadlineQuery q = options.deadlines;
    q.now_s = NowMs() / 1000;
    return q;
  }

  void Collect(metrics::GaugeWriter& g);
  void Routes();
  // The JSON body of a POST as an object, or an error already sent.
  bool ReadBody(const httplib::Request& req, httplib::Response& res, rapidjson::Document& doc);
  std::string Actor(const rapidjson::Document& doc) const;
  // merge: the two are one matter (confirms the decision); reject: they are not (a pending
  // decision); split: the second ticket out of the case an applied decision put it in.
  Status Decide(const std::string& action, int64_t decision, const std::string& actor);
};

Status Listener::Impl::Decide(const std::string& action, int64_t decision,
                              const std::string& actor) {
  const int64_t now_s = NowMs() / 1000;
  if (action == "merge") return ledger::ConfirmDecision(*ledger, decision, actor, now_s);
  if (action == "reject") return ledger::RejectDecision(*ledger, decision, actor, now_s);
  HS_ASSIGN_OR_RETURN(ledger::DecisionView d, ledger::GetDecision(*ledger, decision));
  HS_ASSIGN_OR_RETURN(std::optional<int64_t> case_id, ledger::CaseOf(*ledger, d.b.id));
  if (!case_id) return Status::Rejected("the ticket is in no case any more");
  return ledger::SplitTicket(*ledger, *case_id, d.b.id, actor, now_s);
}

void Listener::Impl::Collect(metrics::GaugeWriter& g) {
  const int64_t now = NowMs();
  ledger->EndReads();  // A snapshot of now, not of the previous request.
  if (auto rows = ledger::AdapterStatuses(*ledger, options.adapters); rows.ok()) {
    g.Family("hs_adapter_last_good_pull_age_seconds",
             "Seconds since the adapter's last pull that reached the end of the feed");
    for (const auto& a : *rows) {
      if (a.last_success_ms) {
        g.Sample("hs_adapter_last_good_pull_age_seconds", {{"adapter", a.source}},
                 static_cast<double>(now - *a.last_success_ms) / 1000);
      }
    }
    g.Family("hs_adapter_failures_in_a_row", "Pull runs that failed since the last good one");
    for (const auto& a : *rows) {
      g.Sample("hs_adapter_failures_in_a_row", {{"adapter", a.source}},
               static_cast<double>(a.failures_in_a_row));
    }
    g.Family("hs_tickets", "Tickets in the ledger, by adapter and whether still open");
    for (const auto& a : *rows) {
      g.Sample("hs_tickets", {{"adapter", a.source}, {"open", "true"}},
               static_cast<double>(a.open_tickets));
      g.Sample("hs_tickets", {{"adapter", a.source}, {"open", "false"}},
               static_cast<double>(a.tickets - a.open_tickets));
    }
  }
  if (auto counts = ledger::CountOutbox(*ledger); counts.ok()) {
    g.Family("hs_outbox_items", "Outbox items by target adapter and state");
    for (const auto& c : *counts) {
      g.Sample("hs_outbox_items", {{"adapter", c.target}, {"state", c.state}},
               static_cast<double>(c.count));
    }
    g.Family("hs_outbox_oldest_pending_age_seconds",
             "Age of the oldest item still waiting to be pushed, by target adapter");
    for (const auto& c : *counts) {
      if (c.state == "pending" && c.oldest_ms) {
        g.Sample("hs_outbox_oldest_pending_age_seconds", {{"adapter", c.target}},
                 static_cast<double>(now - *c.oldest_ms) / 1000);
      }
    }
  }
  struct stat st {};
  g.Family("hs_ledger_wal_bytes", "Size of the ledger's write-ahead log file");
  g.Sample("hs_ledger_wal_bytes", {},
           stat((options.ledger_path + "-wal").c_str(), &st) == 0 ? static_cast<double>(st.st_size)
                                                                  : 0);
  if (auto m = ledger::SummariseMatching(*ledger); m.ok()) {
    g.Family("hs_match_review_pending", "Repeat-complaint matches waiting for an operator");
    g.Sample("hs_match_review_pending", {}, static_cast<double>(m->pending));
    g.Family("hs_match_cases", "Cases (one matter, several tickets)");
    g.Sample("hs_match_cases", {}, static_cast<double>(m->cases));
  }
  if (auto d = ledger::CountDeadlines(*ledger, Deadlines()); d.ok()) {
    g.Family("hs_deadlines_at_risk", "Open items near or past their deadline, by platform");
    for (const auto& [source, c] : *d) {
      g.Sample("hs_deadlines_at_risk", {{"platform", source}, {"level", "near"}},
               static_cast<double>(c.near));
      g.Sample("hs_deadlines_at_risk", {{"platform", source}, {"level", "overdue"}},
               static_cast<double>(c.overdue));
    }
  }
}

bool Listener::Impl::ReadBody(const httplib::Request& req, httplib::Response& res,
                              rapidjson::Document& doc) {
  // A cross-site page can send a simple form, never a custom header: the token proves the request
  // comes from our own page.
  if (!sim::ConstantTimeEquals(req.get_header_value("X-HS-Token"), token)) {
    SendError(res, 403, "missing or wrong X-HS-Token: reload the page");
    return false;
  }
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    SendError(res, 415, "send the body as application/json");
    return false;
  }
  if (req.body.size() > 64 * 1024) {
    SendError(res, 413, "body larger than 64 KiB");
    return false;
  }
  Status s = json::Parse(req.body, doc, 8);
  if (!s.ok() || !doc.IsObject()) {
    SendError(res, 400, s.ok() ? "the body must be a JSON object" : s.message());
    return false;
  }
  return true;
}

std::string Listener::Impl::Actor(const rapidjson::Document& doc) const {
  if (!doc.HasMember("operator") || !doc["operator"].IsString()) return "";
  std::string name(doc["operator"].GetString(), doc["operator"].GetStringLength());
  const bool control = std::any_of(name.begin(), name.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  if (name.empty() || name.size() > 64 || control) return "";
  return "web:" + name;
}

namespace {

// An integer member, or nullopt.
std::optional<int64_t> IntMember(const rapidjson::Document& doc, const char* key) {
  if (!doc.HasMember(key) || !doc[key].IsInt64() || doc[key].GetInt64() <= 0) return std::nullopt;
  return doc[key].GetInt64();
}

}  // namespace

void Listener::Impl::Routes() {
  httplib::Server& http = server.http();
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!HostAllowed(req.get_header_value("Host"))) {
      Send(res, 421, "unknown Host; open the page at this listener's own address\n",
           "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_post_routing_handler(
      [this](const httplib::Request&, httplib::Response&) { ledger->EndReads(); });
  http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    std::vector<std::string> stalled =
        options.stalled ? options.stalled() : std::vector<std::string>{};
    std::string body = stalled.empty() ? "ok\n" : "stalled:";
    for (const std::string& s : stalled) body += " " + s + ";";
    if (!stalled.empty()) body += "\n";
    Send(res, stalled.empty() ? 200 : 503, body, "text/plain; charset=utf-8");
  });
  http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::vector<std::string> problems = Problems(NowMs());
    std::string body = problems.empty() ? "ready\n" : "not ready:\n";
    for (const std::string& p : problems) body += "  " + p + "\n";
    Send(res, problems.empty() ? 200 : 503, body, "text/plain; charset=utf-8");
  });
  http.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    Send(res, 200, metrics::Global().Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    std::string page(config::ShippedFile("page.html").value_or(""));
    const std::string mark = "{{TOKEN}}";
    if (const size_t at = page.find(mark); at != std::string::npos) {
      page.replace(at, mark.size(), token);
    }
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "connect-src 'self'; img-src data:; frame-ancestors 'none'");
    res.set_header("X-Frame-Options", "DENY");
    Send(res, 200, std::move(page), "text/html; charset=utf-8");
  });
  http.Get("/api/status", [this](const httplib::Request&, httplib::Response& res) {
    const int64_t now = NowMs();
    std::vector<std::string> problems = Problems(now);
    rapidjson::StringBuffer b;
    ops::JsonWriter w(b);
    w.StartObject();
    ops::Key(w, "now_ms", now);
    ops::Key(w, "started_ms", started_ms);
    w.Key("ready");
    w.Bool(problems.empty());
    w.Key("problems");
    w.StartArray();
    for (const std::string& p : problems) w.String(p.c_str());
    w.EndArray();
    w.Key("status");
    Status s = ops::WriteStatusJson(w, *ledger, options.adapters, Deadlines(), now);
    if (!s.ok()) return SendError(res, 500, s.message());
    w.EndObject();
    SendJson(res, b);
  });
  http.Get("/api/log", [this](const httplib::Request& req, httplib::Response& res) {
    ledger::RunFilter f;
    f.source = req.get_param_value("adapter");
    f.failed_only = req.get_param_value("failed") == "1";
    f.limit = static_cast<int>(IntParam(req, "limit", 100, 1000));
    auto runs = ledger::ListRuns(*ledger, f);
    if (!runs.ok()) return SendError(res, 500, runs.status().message());
    rapidjson::StringBuffer b;
    ops::JsonWriter w(b);
    w.StartObject();
    w.Key("runs");
    w.StartArray();
    for (auto it = runs->rbegin(); it != runs->rend(); ++it) ops::WriteRunJson(w, *it);  // Newest first.
    w.EndArray();
    w.EndObject();
    SendJson(res, b);
  });
  http.Get("/api/dupes", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string state = req.has_param("state") ? req.get_param_value("state") : "pending";
    if (state != "pending" && state != "applied") {
      return SendError(res, 400, "state must be pending or applied");
    }
    auto decisions =
        ledger::DecisionsIn(*ledger, state, static_cast<int>(IntParam(req, "limit", 50, 500)));
    if (!decisions.ok()) return SendError(res, 500, decisions.status().message());
    rapidjson::StringBuffer b;
    ops::JsonWriter w(b);
    w.StartObject();
    w.Key("decisions");
    w.StartArray();
    for (const ledger::DecisionView& d : *decisions) ops::WriteDecisionJson(w, d);
    w.EndArray();
    w.EndObject();
    SendJson(res, b);
  });
  http.Post(R"(/api/dupes/(merge|reject|split))",
            [this](const httplib::Request& req, httplib::Response& res) {
              rapidjson::Document doc;
              if (!ReadBody(req, res, doc)) return;
              const std::string actor = Actor(doc);
              const std::optional<int64_t> id = IntMember(doc, "decision");
              if (actor.empty() || !id) {
                return SendError(res, 400,
                                 "give \"decision\" (a number) and \"operator\" (your name)");
              }
              const std::string action = req.matches[1];
              const Status s = Decide(action, *id, actor);
              if (!s.ok()) return SendError(res, HttpStatusOf(s), s.message());
              log->info("{} {} decision #{} from the web page", actor, action, *id);
              Send(res, 200, "{\"ok\":true}", "application/json; charset=utf-8");
            });
  http.Post("/api/unmask", [this](const httplib::Request& req, httplib::Response& res) {
    rapidjson::Document doc;
    if (!ReadBody(req, res, doc)) return;
    const std::string actor = Actor(doc);
    const std::optional<int64_t> id = IntMember(doc, "ticket");
    std::string reason;
    if (doc.HasMember("reason") && doc["reason"].IsString()) reason = doc["reason"].GetString();
    if (reason.size() > 500) reason.resize(500);
    if (!id) return SendError(res, 400, "give \"ticket\" (a ledger id)");
    auto p = ledger::UnmaskTicket(*ledger, *id, actor, reason, NowMs() / 1000);
    if (!p.ok()) return SendError(res, HttpStatusOf(p.status()), p.status().message());
    log->info("{} unmasked ticket {} (audited)", actor, *id);
    rapidjson::StringBuffer b;
    ops::JsonWriter w(b);
    w.StartObject();
    ops::Key(w, "complainant", p->complainant);
    ops::Key(w, "phone", p->phone);
    ops::Key(w, "id_number", p->id_number);
    ops::Key(w, "address", p->address);
    w.EndObject();
    SendJson(res, b);
  });
  http.Get("/api/score", [this](const httplib::Request& req, httplib::Response& res) {
    auto month = ParseShanghaiMonth(req.get_param_value("month"));
    if (!month.ok()) return SendError(res, 400, month.status().message());
    auto setup = ops::LoadScoreSetup(options.policy_file, options.routing_file);
    if (!setup.ok()) return SendError(res, 500, setup.status().message());
    std::string table = req.get_param_value("table");
    if (table.empty()) table = setup->policy.tables.front().name;
    auto s = score::ScoreTable(*ledger, setup->policy, setup->units, table, *month,
                               std::min(month->end - 1, NowMs() / 1000));
    if (!s.ok()) return SendError(res, HttpStatusOf(s.status()), s.status().message());
    rapidjson::StringBuffer b;
    ops::JsonWriter w(b);
    ops::WriteScoreJson(w, *s, setup->policy.rate_decimals);
    SendJson(res, b);
  });
}

Listener::Listener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Listener::~Listener() {
  impl_->server.Stop();
  impl_->collector.reset();
}

int Listener::port() const { return impl_->server.port(); }

Result<std::unique_ptr<Listener>> Listener::Start(ListenerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  ledger::LedgerOptions lo;
  lo.quick_check = false;  // The daemon checked and migrated it before starting the listener.
  lo.migrate = false;
  HS_ASSIGN_OR_RETURN(impl->ledger, ledger::Ledger::Open(impl->options.ledger_path, lo));
  impl->server.http().new_task_queue = [] { return new httplib::ThreadPool(2); };
  impl->server.http().set_payload_max_length(64 * 1024);
  impl->Routes();
  Impl* raw = impl.get();
  impl->collector =
      metrics::Global().AddCollector([raw](metrics::GaugeWriter& g) { raw->Collect(g); });
  HS_RETURN_IF_ERROR(impl->server.Start(impl->options.host, impl->options.port));
  return std::unique_ptr<Listener>(new Listener(std::move(impl)));
}

}  // namespace hs::web
