#include "daemon/ops/match_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>

#include "daemon/config/config.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/mask.h"
#include "daemon/core/time_util.h"
#include "daemon/crypto/crypto.h"
#include "daemon/ledger/cases.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/match/corpus.h"
#include "daemon/match/normalize.h"
#include "daemon/match/service.h"
#include "daemon/ops/cli_util.h"
#include "daemon/ops/table.h"

namespace hs::ops {
namespace {

std::string RelationLabel(std::string_view relation) {
  return relation == "same" ? "一诉多投 (same)" : "多人同诉 (related)";
}

std::string Percent(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", v * 100);
  return buf;
}

std::string Ref(const ledger::TicketSummary& t) { return t.source + " " + t.external_id; }

// Wraps text to lines of at most `columns` display columns.
std::vector<std::string> Wrap(std::string_view text, size_t columns) {
  std::vector<std::string> lines;
  std::string line;
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
    const std::string_view ch = text.substr(i, n);
    i += n;
    if (ch == "\n" || ch == "\r" || ch == "\t") {
      if (ch == "\n" && !line.empty()) {
        lines.push_back(std::move(line));
        line.clear();
        width = 0;
      }
      continue;
    }
    const size_t w = DisplayWidth(ch);
    if (width + w > columns) {
      lines.push_back(std::move(line));
      line.clear();
      width = 0;
    }
    line += ch;
    width += w;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

void SideBySide(
    const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& rows,
    size_t column) {
  for (const auto& [label, texts] : rows) {
    const std::vector<std::string> left = Wrap(texts.first, column);
    const std::vector<std::string> right = Wrap(texts.second, column);
    const size_t n = std::max<size_t>({left.size(), right.size(), 1});
    for (size_t i = 0; i < n; ++i) {
      const std::string head = i == 0 ? label : "";
      std::string l = i < left.size() ? left[i] : "";
      std::cout << head << std::string(10 - std::min<size_t>(10, DisplayWidth(head)), ' ') << l
                << std::string(column + 2 - std::min(column + 2, DisplayWidth(l)), ' ') << "│ "
                << (i < right.size() ? right[i] : "") << "\n";
    }
  }
}

void PrintEvidence(const ledger::DecisionView& d) {
  std::cout << "\n证据 (evidence)  decision #" << d.id << ": " << RelationLabel(d.relation)
            << ", confidence " << Percent(d.confidence) << ", " << d.state << " by " << d.decided_by
            << "\n  " << d.evidence << "\n";
}

void PrintPair(const ledger::DecisionView& d) {
  auto text = [](const ledger::TicketSummary& t) {
    return std::vector<std::string>{Ref(t),
                                    TimeOrDash(t.accepted_at),
                                    t.category.empty() ? "-" : t.category,
                                    t.unit.empty() ? "-" : t.unit,
                                    MaskText(t.title),
                                    MaskText(t.content)};
  };
  const std::vector<std::string> a = text(d.a), b = text(d.b);
  const char* labels[] = {"工单", "受理时间", "诉求分类", "承办单位", "标题", "内容"};
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> rows;
  for (size_t i = 0; i < a.size(); ++i) rows.push_back({labels[i], {a[i], b[i]}});
  SideBySide(rows, 44);
  PrintEvidence(d);
}

Result<int64_t> ResolveTicket(ledger::Ledger& ledger, const std::string& ref) {
  HS_ASSIGN_OR_RETURN(std::vector<ledger::TicketRecord> found, ledger::FindTickets(ledger, ref));
  if (found.empty()) {
    return Status::NotFound("no ticket \"" + MaskText(ref) +
                            "\"; give a ledger id or a platform number");
  }
  if (found.size() > 1) {
    std::string which;
    for (const auto& r : found) which += " " + std::to_string(r.id) + " (" + r.source + ")";
    return Status::InvalidArgument("\"" + MaskText(ref) +
                                   "\" names several tickets; give a ledger id:" + which);
  }
  return found.front().id;
}

// "d34" names a decision; "c12" or "12" a case.
bool ParseDecisionRef(const std::string& s, int64_t* id) {
  if (s.size() < 2 || s.size() > 19 || (s[0] != 'd' && s[0] != 'D') ||
      s.find_first_not_of("0123456789", 1) != std::string::npos) {
    return false;
  }
  *id = std::stoll(s.substr(1));
  return true;
}

Result<int64_t> ParseCaseRef(const std::string& s) {
  std::string digits = !s.empty() && (s[0] == 'c' || s[0] == 'C') ? s.substr(1) : s;
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("\"" + s + "\" is not a case (c12) or decision (d34) number");
  }
  return std::stoll(digits);
}

struct DupesArgs {
  LedgerArgs ledger;
  int limit = 30;
  std::string what, second;
};

int DupesList(DupesArgs& a) {
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  auto rows = ledger::PendingDecisions(**ledger, a.limit);
  if (!rows.ok()) return Fail(rows.status());
  if (rows->empty()) {
    std::cout << "No match waits for review.\n";
    return kExitOk;
  }
  std::cout << "Waiting for review, most confident first. `dupes show dN` shows the two side by "
               "side; `dupes merge dN` or `dupes reject dN` decides.\n";
  Table t({"决定", "置信度", "关系", "工单 A", "标题 A", "工单 B", "标题 B", "相隔"});
  for (const auto& d : *rows) {
    const int64_t gap = std::llabs(d.a.accepted_at.value_or(0) - d.b.accepted_at.value_or(0));
    t.AddRow({"d" + std::to_string(d.id), Percent(d.confidence), RelationLabel(d.relation),
              Ref(d.a), Truncate(MaskText(d.a.title), 28), Ref(d.b),
              Truncate(MaskText(d.b.title), 28), FormatDurationMillis(gap * 1000)});
  }
  t.Print(std::cout);
  return kExitOk;
}

int DupesShow(DupesArgs& a) {
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  int64_t id = 0;
  if (ParseDecisionRef(a.what, &id)) {
    auto d = ledger::GetDecision(**ledger, id);
    if (!d.ok()) return Fail(d.status());
    PrintPair(*d);
    return kExitOk;
  }
  auto case_id = ParseCaseRef(a.what);
  if (!case_id.ok()) return Fail(case_id.status());
  auto c = ledger::GetCase(**ledger, *case_id);
  if (!c.ok()) return Fail(c.status());
  std::cout << "案件 (case) c" << c->id << ": " << c->members.size() << " tickets, since "
            << FormatShanghaiTime(c->created_at) << "\n";
  Table t({"工单", "受理时间", "分类", "承办单位", "状态", "标题", "如何加入"});
  for (size_t i = 0; i < c->members.size(); ++i) {
    const auto& m = c->members[i];
    t.AddRow({Ref(m), TimeOrDash(m.accepted_at), m.category, m.unit,
              std::string(StateLabel(m.state)), Truncate(MaskText(m.title), 36), c->via[i]});
  }
  t.Print(std::cout);
  for (const auto& d : c->decisions) {
    std::cout << "\n";
    PrintPair(d);
  }
  return kExitOk;
}

int DupesDecide(DupesArgs& a, std::string_view action) {
  auto ledger = OpenForWriting(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  const int64_t now_s = NowMs() / 1000;
  int64_t id = 0;
  Status s;
  if (action == "reject") {
    if (!ParseDecisionRef(a.what, &id)) {
      return Fail(Status::InvalidArgument("reject takes a decision number such as d34"));
    }
    s = ledger::RejectDecision(**ledger, id, Actor(), now_s);
  } else if (action == "merge" && a.second.empty()) {
    if (!ParseDecisionRef(a.what, &id)) {
      return Fail(Status::InvalidArgument(
          "merge takes a decision number (d34) or two tickets (ledger ids or platform numbers)"));
    }
    s = ledger::ConfirmDecision(**ledger, id, Actor(), now_s);
  } else if (action == "merge") {
    auto x = ResolveTicket(**ledger, a.what);
    if (!x.ok()) return Fail(x.status());
    auto y = ResolveTicket(**ledger, a.second);
    if (!y.ok()) return Fail(y.status());
    s = ledger::MergeTickets(**ledger, *x, *y, Actor(), now_s);
  } else {
    auto case_id = ParseCaseRef(a.what);
    if (!case_id.ok()) return Fail(case_id.status());
    auto t = ResolveTicket(**ledger, a.second);
    if (!t.ok()) return Fail(t.status());
    s = ledger::SplitTicket(**ledger, *case_id, *t, Actor(), now_s);
  }
  if (!s.ok()) return Fail(s);
  std::cout << "Done (" << action << ", audited as " << Actor() << ").\n";
  return kExitOk;
}

// ---- match-eval ----

struct EvalArgs {
  std::string corpus, pairs, config, vocabulary, window = "all", features;
  int page = 200;
  bool errors = false;
};

struct Scores {
  double precision = 0, recall = 0, f1 = 0;
};

Scores Score(const std::map<std::string, std::map<std::string, int>>& confusion,
             const std::string& label) {
  int tp = 0, fp = 0, fn = 0;
  for (const auto& [truth, row] : confusion) {
    for (const auto& [predicted, n] : row) {
      if (truth == label && predicted == label) tp += n;
      if (truth != label && predicted == label) fp += n;
      if (truth == label && predicted != label) fn += n;
    }
  }
  Scores s;
  s.precision = tp + fp == 0 ? 0 : static_cast<double>(tp) / (tp + fp);
  s.recall = tp + fn == 0 ? 0 : static_cast<double>(tp) / (tp + fn);
  s.f1 = s.precision + s.recall == 0 ? 0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  return s;
}

std::string Fixed3(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

int MatchEval(EvalArgs& a) {
  auto corpus_text = match::ReadFileText(a.corpus);
  if (!corpus_text.ok()) return Fail(corpus_text.status());
  auto messages = match::ReadMessages(*corpus_text);
  if (!messages.ok()) return Fail(messages.status().WithContext(a.corpus));
  auto pairs_text = match::ReadFileText(a.pairs);
  if (!pairs_text.ok()) return Fail(pairs_text.status());
  auto pairs = match::ReadPairs(*pairs_text);
  if (!pairs.ok()) return Fail(pairs.status().WithContext(a.pairs));

  // The daemon's settings: the configuration's [match], or the defaults.
  config::Config cfg;
  if (!a.config.empty()) {
    auto loaded = config::Load(a.config);
    if (!loaded.ok()) return Fail(loaded.status());
    cfg = *loaded;
  }
  auto vocabulary =
      match::LoadVocabulary(a.vocabulary.empty() ? cfg.match_vocabulary_file : a.vocabulary);
  if (!vocabulary.ok()) return Fail(vocabulary.status());
  match::ServiceOptions options;
  options.match.ask = cfg.match_ask;
  options.apply_same = cfg.match_apply_same;
  options.apply_related = cfg.match_apply_related;
  options.cohesion = cfg.match_cohesion;
  options.hmac_key = crypto::RandomHex(32);  // A throw-away ledger, a throw-away key.
  if (a.window == "all") {
    options.match.window_s = int64_t{1} << 40;
  } else {
    auto ms = ParseDurationMillis(a.window);
    if (!ms.ok()) return Fail(ms.status().WithContext("--window"));
    options.match.window_s = *ms / 1000;
  }

  std::error_code ec;
  const std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) {
    return Fail(Status::InvalidArgument("no directory for the evaluation's throw-away ledger (" +
                                        ec.message() + "); set TMPDIR to a writable directory"));
  }
  const auto dir = tmp / ("hotline-sync-eval-" + crypto::RandomHex(6));
  std::filesystem::create_directories(dir, ec);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir};
  auto ledger = ledger::Ledger::Open((dir / "eval.db").string(), {});
  if (!ledger.ok()) return Fail(ledger.status());
  match::MatchService service(std::move(vocabulary).value(), options);
  (*ledger)->SetMatchHook(&service);

  // Every message in time order, as a platform's pages would bring them; 留言用户 stands for the
  // phone number, so each user becomes one made-up mobile number.
  std::vector<size_t> order(messages->size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return (*messages)[x].at < (*messages)[y].at; });
  std::map<std::string, std::string> phone_of;
  std::vector<Ticket> page;
  ledger::SyncRun run;
  run.source = "corpus";
  const int64_t started = NowMs();
  for (size_t k = 0; k < order.size(); ++k) {
    const match::Message& m = (*messages)[order[k]];
    auto [it, fresh] = phone_of.emplace(m.user, "");
    if (fresh)
      it->second = "139" + std::string(8 - std::to_string(phone_of.size()).size(), '0') +
                   std::to_string(phone_of.size());
    Ticket t;
    t.external_id = m.id;
    t.title = m.title;
    t.content = m.text;
    t.phone = it->second;
    t.accepted_at = m.at;
    t.updated_at = m.at;
    t.version = 1;
    t.state = std::string(state::kPending);
    t.channel = "市长信箱";
    t.raw = m.id;
    page.push_back(std::move(t));
    if (page.size() == static_cast<size_t>(a.page) || k + 1 == order.size()) {
      auto stats = (*ledger)->CommitPage("corpus", page, {}, std::to_string(k), run, NowMs());
      if (!stats.ok()) return Fail(stats.status());
      page.clear();
    }
  }
  const int64_t elapsed_ms = std::max<int64_t>(1, NowMs() - started);

  // Predicted: same case and a shared complainant key = same; same case otherwise = related.
  auto* im = (*ledger)->impl();
  auto st = sql::Stmt::Prepare(im->db, R"(
WITH x AS (SELECT id FROM tickets WHERE source = 'corpus' AND external_id = ?1),
     y AS (SELECT id FROM tickets WHERE source = 'corpus' AND external_id = ?2)
SELECT (SELECT count(*) FROM x), (SELECT count(*) FROM y),
       EXISTS (SELECT 1 FROM case_members m JOIN case_members n ON n.case_id = m.case_id
               WHERE m.ticket_id = (SELECT id FROM x) AND n.ticket_id = (SELECT id FROM y)),
       EXISTS (SELECT 1 FROM match_keys k JOIN match_keys l ON l.key = k.key
               WHERE k.ticket_id = (SELECT id FROM x) AND l.ticket_id = (SELECT id FROM y)),
       EXISTS (SELECT 1 FROM match_decisions d
               WHERE d.state = 'pending' AND ((d.a_id = (SELECT id FROM x) AND d.b_id = (SELECT id FROM y))
                                          OR (d.b_id = (SELECT id FROM x) AND d.a_id = (SELECT id FROM y)))),
       (SELECT max(d.confidence) FROM match_decisions d
        WHERE (d.a_id = (SELECT id FROM x) AND d.b_id = (SELECT id FROM y))
           OR (d.b_id = (SELECT id FROM x) AND d.a_id = (SELECT id FROM y))),
       (SELECT id FROM x), (SELECT id FROM y))");
  if (!st.ok()) return Fail(st.status());
  std::map<std::string, std::map<std::string, int>> confusion;
  int waiting = 0;
  std::ofstream features;
  if (!a.features.empty()) {
    features.open(a.features, std::ios::binary | std::ios::trunc);
    features << "a\tb\tlabel\tpredicted\tconfidence\tidentity\ttitle_jaccard\ttext_jaccard\t"
                "title_containment\ttext_containment\tcross\tcross_min\tgap_days\tshared_place\t"
                "place_conflict\n";
  }
  Table wrong({"a", "b", "labelled", "predicted", "direct decision"});
  for (const auto& p : *pairs) {
    st->Bind(1, p.a).Bind(2, p.b);
    auto row = st->Step();
    if (!row.ok()) return Fail(row.status());
    if (st->Int(0) != 1 || st->Int(1) != 1) {
      return Fail(Status::InvalidArgument("pair " + p.a + " " + p.b +
                                          ": a message number not in the corpus"));
    }
    const std::string predicted = st->Int(2) == 0 ? "different" : st->Int(3) ? "same" : "related";
    waiting += st->Int(4) != 0;
    if (features.is_open()) {
      if (const auto c = service.Compare(st->Int(6), st->Int(7))) {
        const match::Evidence& e = c->evidence;
        features << p.a << '\t' << p.b << '\t' << p.label << '\t' << predicted << '\t'
                 << c->confidence << '\t' << e.identity << '\t' << e.title_jaccard << '\t'
                 << e.text_jaccard << '\t' << e.title_containment << '\t' << e.text_containment
                 << '\t' << e.cross << '\t' << e.cross_min << '\t' << e.gap_days << '\t'
                 << e.shared_place << '\t' << e.place_conflict << '\n';
      }
    }
    ++confusion[p.label][predicted];
    if (predicted != p.label) {
      wrong.AddRow({p.a, p.b, p.label, predicted,
                    st->IsNull(5)
                        ? std::string(predicted == "different" ? "none" : "none (via case)")
                        : Fixed3(st->Double(5))});
    }
    st->Reset();
  }

  // How the cases came out: a chain of related decisions shows as one very large case.
  auto sizes = sql::Stmt::Prepare(im->db, R"(
SELECT count(*), coalesce(sum(n), 0), coalesce(max(n), 0), coalesce(sum(n > 10), 0)
FROM (SELECT count(*) AS n FROM case_members GROUP BY case_id))");
  if (!sizes.ok()) return Fail(sizes.status());
  if (auto row = sizes->Step(); !row.ok()) return Fail(row.status());
  const auto counts = service.counts();
  std::cout << "match-eval: " << messages->size() << " messages, " << phone_of.size()
            << " complainants, in time order through the ledger and matcher (" << elapsed_ms
            << " ms, " << messages->size() * 1000 / static_cast<size_t>(elapsed_ms)
            << " messages/s); window " << a.window << "; " << counts.applied << " matches applied, "
            << counts.pending << " waiting for review; " << sizes->Int(0) << " cases hold "
            << sizes->Int(1) << " messages, the largest " << sizes->Int(2) << ", " << sizes->Int(3)
            << " hold more than 10\n";
  std::cout << "\nConfusion (rows: labelled, columns: predicted)\n";
  const std::vector<std::string> labels = {"same", "related", "different"};
  Table c({"labelled \\ predicted", "same", "related", "different", "pairs"});
  for (const std::string& truth : labels) {
    int total = 0;
    std::vector<std::string> row = {truth};
    for (const std::string& predicted : labels) {
      const int n = confusion[truth][predicted];
      total += n;
      row.push_back(std::to_string(n));
    }
    row.push_back(std::to_string(total));
    c.AddRow(row);
  }
  c.Print(std::cout);
  std::cout << "\n";
  Table s({"relation", "precision", "recall", "F1"});
  const Scores same = Score(confusion, "same"), related = Score(confusion, "related");
  s.AddRow({"same", Fixed3(same.precision), Fixed3(same.recall), Fixed3(same.f1)});
  s.AddRow({"related", Fixed3(related.precision), Fixed3(related.recall), Fixed3(related.f1)});
  s.Print(std::cout);
  if (a.errors) {
    std::cout
        << "\nMisjudged pairs (direct decision: the matcher's confidence for the pair itself)\n";
    wrong.Print(std::cout);
  }
  std::cout << "\n(" << waiting << " of the " << pairs->size()
            << " pairs wait for an operator's review and count as not matched)\n";
  std::cout << "same_f1=" << Fixed3(same.f1) << " related_f1=" << Fixed3(related.f1) << "\n";
  return kExitOk;
}

// ---- match-vocab ----

struct VocabArgs {
  LedgerArgs ledger;
  std::string corpus, out;
  int64_t min_df = 10;
};

int MatchVocab(VocabArgs& a) {
  std::vector<std::string> texts;
  if (!a.corpus.empty()) {
    auto text = match::ReadFileText(a.corpus);
    if (!text.ok()) return Fail(text.status());
    auto messages = match::ReadMessages(*text);
    if (!messages.ok()) return Fail(messages.status().WithContext(a.corpus));
    for (const auto& m : *messages) texts.push_back(match::NormalizeText(m.title + "\n" + m.text));
  } else {
    auto ledger = OpenForReading(a.ledger);
    if (!ledger.ok()) return Fail(ledger.status());
    auto* im = (*ledger)->impl();
    std::lock_guard lock(im->mu);
    auto st = sql::Stmt::Prepare(im->db, "SELECT title || char(10) || content FROM tickets");
    if (!st.ok()) return Fail(st.status());
    auto rows = sql::ReadRows(*st, [](sql::Stmt& s) { return match::NormalizeText(s.Text(0)); });
    if (!rows.ok()) return Fail(rows.status());
    texts = std::move(rows).value();
  }
  if (texts.empty()) return Fail(Status::InvalidArgument("no texts to count"));
  const std::string tsv = match::Vocabulary::Build(texts, a.min_df).Write();
  if (a.out.empty()) {
    std::cout << tsv;
  } else {
    std::ofstream f(a.out, std::ios::binary | std::ios::trunc);
    f << tsv;
    if (!f.flush()) return Fail(Status::Unavailable(a.out + ": cannot be written"));
    std::cerr << "wrote " << a.out << " from " << texts.size()
              << " texts; point [match] vocabulary at it\n";
  }
  return kExitOk;
}

}  // namespace

void PrintMatchStatus(ledger::Ledger& ledger) {
  auto m = ledger::SummariseMatching(ledger);
  if (!m.ok() || m->applied + m->pending + m->confirmed + m->rejected == 0) return;
  std::cout << "\nRepeat complaints (一诉多投 / 多人同诉): " << m->cases << " cases holding "
            << m->tickets_in_cases << " tickets; " << m->pending
            << " matches wait for review (`hotline-sync dupes list`); operators confirmed "
            << m->confirmed << " and rejected " << m->rejected << "\n";
}

void PrintCaseOf(ledger::Ledger& ledger, int64_t ticket_id) {
  auto case_id = ledger::CaseOf(ledger, ticket_id);
  if (!case_id.ok() || !*case_id) return;
  auto c = ledger::GetCase(ledger, **case_id);
  if (!c.ok()) return;
  std::cout << "\n案件 (case) c" << c->id << ": one matter with " << c->members.size() - 1
            << " other ticket(s); `hotline-sync dupes show c" << c->id << "` for the evidence\n";
  Table t({"工单", "受理时间", "状态", "标题"});
  for (const auto& m : c->members) {
    if (m.id == ticket_id) continue;
    t.AddRow({Ref(m), TimeOrDash(m.accepted_at), std::string(StateLabel(m.state)),
              Truncate(MaskText(m.title), 50)});
  }
  t.Print(std::cout);
}

std::function<int()> AddMatchCommands(CLI::App& app) {
  auto da = std::make_shared<DupesArgs>();
  auto* dupes = app.add_subcommand("dupes", "repeat complaints: review, merge, split, reject");
  dupes->require_subcommand(1);
  auto* list = dupes->add_subcommand("list", "matches waiting for review, most confident first");
  AddLedgerOptions(list, da->ledger);
  list->add_option("--limit,-n", da->limit, "how many")->check(CLI::Range(1, 100000));
  auto* show = dupes->add_subcommand("show", "a case (c12) or a decision (d34), side by side");
  show->add_option("CASE", da->what, "c12 or d34")->required();
  AddLedgerOptions(show, da->ledger);
  auto* merge = dupes->add_subcommand(
      "merge", "confirm a decision (d34), or put two tickets in one case (audited, final)");
  merge->add_option("WHAT", da->what, "d34, or a ticket")->required();
  merge->add_option("TICKET", da->second, "the other ticket");
  AddLedgerOptions(merge, da->ledger);
  auto* split = dupes->add_subcommand("split", "take a ticket out of a case (audited, final)");
  split->add_option("CASE", da->what, "c12")->required();
  split->add_option("TICKET", da->second, "ledger id or platform number")->required();
  AddLedgerOptions(split, da->ledger);
  auto* reject = dupes->add_subcommand("reject", "reject a waiting decision (audited, final)");
  reject->add_option("DECISION", da->what, "d34")->required();
  AddLedgerOptions(reject, da->ledger);

  auto ea = std::make_shared<EvalArgs>();
  auto* eval = app.add_subcommand(
      "match-eval", "score matching on a labelled message corpus (precision, recall, F1)");
  eval->add_option("--corpus", ea->corpus, "messages CSV (留言编号, 留言用户, 留言主题, …)")
      ->required();
  eval->add_option("--pairs", ea->pairs, "labelled pairs TSV (a, b, label)")->required();
  eval->add_option("--config,-c", ea->config, "take [match] from this configuration");
  eval->add_option("--vocabulary", ea->vocabulary, "vocabulary TSV (default: the configured one)");
  eval->add_option("--window", ea->window,
                   "matching window, e.g. 30d; \"all\" (default) = the whole corpus")
      ->capture_default_str();
  eval->add_flag("--errors", ea->errors, "list the misjudged pairs");
  eval->add_option("--features", ea->features,
                   "write each labelled pair's evidence here (TSV), for tuning the models");

  auto va = std::make_shared<VocabArgs>();
  auto* vocab = app.add_subcommand(
      "match-vocab", "count how common each bigram is, from a corpus or the ledger's tickets");
  vocab->add_option("--corpus", va->corpus, "messages CSV instead of the ledger");
  AddLedgerOptions(vocab, va->ledger);
  vocab->add_option("--min-df", va->min_df, "keep bigrams in at least this many texts")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  vocab->add_option("--out,-o", va->out, "write here (default: standard output)");

  return [=]() -> int {
    if (*list) return DupesList(*da);
    if (*show) return DupesShow(*da);
    if (*merge) return DupesDecide(*da, "merge");
    if (*split) return DupesDecide(*da, "split");
    if (*reject) return DupesDecide(*da, "reject");
    if (*eval) return MatchEval(*ea);
    if (*vocab) return MatchVocab(*va);
    return -1;
  };
}

}  // namespace hs::ops
