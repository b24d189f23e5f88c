#include "daemon/ops/score_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

#include "daemon/config/config.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/assessment.h"
#include "daemon/ops/cli_util.h"
#include "daemon/ops/json_views.h"
#include "daemon/ops/table.h"
#include "daemon/score/scorer.h"

namespace hs::ops {
namespace {

struct ScoreArgs {
  LedgerArgs ledger;
  std::string month, table = "hotline", format = "table", as_of, policy;
  bool adjustments = false, summary = false;
};

struct AdjustArgs {
  LedgerArgs ledger;
  std::string month, unit, points, indicator, detail, reason, policy;
  int64_t id = 0;
};

// The policy and the unit registry: --policy, else [assessment] policy, else the shipped one;
// the registry the policy names, else the routing's.
using Setup = ScoreSetup;

Result<Setup> LoadSetup(const LedgerArgs& ledger, const std::string& policy) {
  std::string policy_file = policy, routing_file;
  if (!ledger.config.empty()) {
    HS_ASSIGN_OR_RETURN(config::Config cfg, config::Load(ledger.config));
    if (policy_file.empty()) policy_file = cfg.assessment_policy_file;
    routing_file = cfg.routing_file;
  }
  return LoadScoreSetup(policy_file, routing_file);
}

// The cells of a row in the shared TSV's column order. The revisit count is printed as the shared
// TSV's revisits_derived column gives it with `shared_columns` (see below), else always.
std::vector<std::string> Cells(const score::TableScore& s, const score::UnitRow& r, int rate_decimals,
                               bool shared_columns) {
  const score::TablePolicy& t = *s.policy;
  const score::Counts& c = r.counts;
  std::vector<std::string> cells = {
      r.shown,
      std::to_string(c.due),
      std::to_string(c.done),
      score::FormatRate(c.done, c.due, rate_decimals),
      std::to_string(c.on_time),
      score::FormatRate(c.on_time, c.due, rate_decimals),
      std::to_string(c.rework),
      score::FormatRate(c.rework, c.due, rate_decimals)};
  if (t.dissatisfied) {
    cells.push_back(std::to_string(c.dissatisfied));
    cells.push_back(score::FormatRate(c.dissatisfied, c.revisits, rate_decimals));
  } else {
    cells.push_back(std::to_string(c.satisfied));
    cells.push_back(score::FormatRate(c.satisfied, c.done, rate_decimals));
  }
  cells.push_back(score::FormatMicros(r.composite_micros, t.composite_decimals));
  cells.push_back(r.grade);
  // The revisit count behind the dissatisfied rate, as the shared TSV's revisits_derived column
  // gives it: the number the rate determines, so none when no answer was dissatisfied.
  if (t.dissatisfied) {
    cells.push_back(c.dissatisfied > 0 || !shared_columns ? std::to_string(c.revisits) : "");
  }
  return cells;
}

std::vector<std::string> Header(const score::TablePolicy& t) {
  std::vector<std::string> h = {"unit",    "due",          "done",   "done_rate",
                                "on_time", "on_time_rate", "rework", "rework_rate"};
  if (t.dissatisfied) {
    h.insert(h.end(), {"dissatisfied", "dissatisfied_rate", "composite", "grade", "revisits_derived"});
  } else {
    h.insert(h.end(), {"satisfied", "satisfied_rate", "composite", "grade"});
  }
  return h;
}

std::vector<std::string> ChineseHeader(const score::TablePolicy& t) {
  std::vector<std::string> h = {"部门名称", "应办理数", "办理数", "办结率", "按期办理数",
                                "按期办结率", "返工数", "返工率"};
  if (t.dissatisfied) {
    h.insert(h.end(), {"回访不满意数", "群众不满意率", "综合指标值", "等级评价", "回访数"});
  } else {
    h.insert(h.end(), {"回访满意数", "群众满意率", "综合指标值", "等级评价"});
  }
  return h;
}

std::string CsvCell(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// One line of TSV (a tab or line break inside a cell becomes a space) or CSV (quoted as needed).
void PrintLine(const std::vector<std::string>& cells, char sep) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) std::cout << sep;
    if (sep == ',') {
      std::cout << CsvCell(cells[i]);
    } else {
      std::string cell = cells[i];
      std::replace_if(cell.begin(), cell.end(), [](char ch) { return ch == '\t' || ch == '\n' || ch == '\r'; }, ' ');
      std::cout << cell;
    }
  }
  std::cout << "\n";
}

void PrintDelimited(const score::TableScore& s, int rate_decimals, char sep) {
  PrintLine(Header(*s.policy), sep);
  for (const score::UnitRow& r : s.rows) PrintLine(Cells(s, r, rate_decimals, true), sep);
}

std::string MonthText(int month) {
  return std::to_string(month / 100) + " 年 " + std::to_string(month % 100) + " 月";
}

void PrintTable(const score::TableScore& s, int rate_decimals) {
  const score::TablePolicy& t = *s.policy;
  std::cout << MonthText(s.month) << " " << t.title << "（截至 " << FormatShanghaiTime(s.cutoff)
            << "）\n";
  for (const score::Grade& g : t.grades) {
    Table table(ChineseHeader(t));
    for (const score::UnitRow& r : s.rows) {
      if (r.grade == g.grade) table.AddRow(Cells(s, r, rate_decimals, false));
    }
    if (table.empty()) continue;
    std::cout << "\n综合评价 " << g.grade << " 类单位\n";
    table.Print(std::cout);
  }
  std::cout << "\n" << t.item << "量为 0 的单位（" << s.empty.size()
            << " 个）";
  for (size_t i = 0; i < s.empty.size(); ++i) std::cout << (i ? "、" : "：") << s.empty[i];
  std::cout << "\n";
  std::string strangers;
  for (const score::UnitRow& r : s.rows) {
    if (!r.registered) strangers += (strangers.empty() ? "" : "、") + r.unit;
  }
  if (!strangers.empty()) {
    std::cout << "Not in the unit registry (scored under the platform's name; add them, or an "
                 "alias, to units.toml): "
              << strangers << "\n";
  }
}


// Annexes 3 and 4: deductions, then bonuses, then each unit's total.
void PrintAdjustments(const std::vector<score::Adjustment>& all, const std::string& format,
                      int month) {
  if (format == "tsv" || format == "csv") {
    const char sep = format == "tsv" ? '\t' : ',';
    PrintLine({"unit", "points", "indicator", "detail"}, sep);
    for (bool deductions : {true, false}) {
      for (const score::Adjustment& x : all) {
        if ((x.points_micros < 0) != deductions || x.points_micros == 0) continue;
        PrintLine({x.unit, score::FormatMicros(x.points_micros, 6, true), x.indicator, x.detail},
                  sep);
      }
    }
    return;
  }
  if (format == "json") {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    w.StartArray();
    for (const score::Adjustment& x : all) {
      w.StartObject();
      Key(w, "unit", x.unit);
      Key(w, "points", score::FormatMicros(x.points_micros, 6, true));
      Key(w, "indicator", x.indicator);
      Key(w, "detail", x.detail);
      Key(w, "source", x.derived ? std::string("ledger") : "entered #" + std::to_string(x.id));
      w.EndObject();
    }
    w.EndArray();
    PrintJson(b);
    return;
  }
  std::vector<std::string> order;
  std::map<std::string, int64_t> totals;
  for (bool deductions : {true, false}) {
    std::cout << (deductions ? "" : "\n") << MonthText(month)
              << (deductions ? " 12345热线和市长信箱工作考核扣分表\n" : " 12345热线和市长信箱工作考核加分表\n");
    Table t({"部门名称", "加扣分值", "指标名称", deductions ? "扣分明细" : "加分明细", "来源"});
    for (const score::Adjustment& x : all) {
      if ((x.points_micros < 0) != deductions || x.points_micros == 0) continue;
      t.AddRow({x.unit, score::FormatMicros(x.points_micros, 6, true), x.indicator, x.detail,
                x.derived ? "ledger" : "entered #" + std::to_string(x.id)});
      if (totals.emplace(x.unit, 0).second) order.push_back(x.unit);
      totals[x.unit] += x.points_micros;
    }
    if (t.empty()) {
      std::cout << "(none)\n";
    } else {
      t.Print(std::cout);
    }
  }
  std::cout << "\n各单位加扣分合计\n";
  Table t({"部门名称", "合计"});
  for (const std::string& u : order) t.AddRow({u, score::FormatMicros(totals[u], 6, true)});
  t.Print(std::cout);
}

// The bulletin's running figures and rankings, per table.
int PrintSummary(ledger::Ledger& ledger, const Setup& setup, const MonthSpan& month,
                 int64_t cutoff) {
  const int d = setup.policy.rate_decimals;
  std::cout << MonthText(month.month) << " 运行情况（截至 " << FormatShanghaiTime(cutoff) << "）\n";
  for (const score::TablePolicy& t : setup.policy.tables) {
    auto s = score::ScoreTable(ledger, setup.policy, setup.units, t.name, month, cutoff);
    if (!s.ok()) return Fail(s.status());
    auto f = score::TableFigures(ledger, t, month, cutoff);
    if (!f.ok()) return Fail(f.status());
    const score::Counts& c = f->all;
    std::cout << "\n" << t.title << "\n  " << t.item << " " << c.due << " 件，办结 " << c.done << " 件，办结率 "
              << score::FormatRate(c.done, c.due, d) << "，按期办结率 "
              << score::FormatRate(c.on_time, c.due, d) << "；回访 " << c.revisits
              << " 次，群众满意率（含基本满意）" << score::FormatRate(f->satisfied_answers, c.revisits, d)
              << "\n";
    for (auto [label, list] : {std::pair{"诉求分类", &f->by_category}, std::pair{"渠道", &f->by_channel}}) {
      std::cout << "  " << label << "：";
      for (size_t i = 0; i < list->size(); ++i) {
        const auto& [name, n] = (*list)[i];
        std::cout << (i ? "；" : "") << (name.empty() ? "（未分类）" : name) << " " << n << " 件（"
                  << score::FormatRate(n, c.due, d) << "）";
      }
      std::cout << "\n";
    }
    for (auto [label, k, satisfied] : {std::tuple{"人大代表", &f->deputy, f->deputy_satisfied},
                                       std::tuple{"涉企", &f->enterprise, f->enterprise_satisfied}}) {
      if (k->due == 0 && k->revisits == 0) continue;
      std::cout << "  " << label << t.item << " " << k->due << " 件，按期办结率 "
                << score::FormatRate(k->on_time, k->due, d) << "，回访 " << k->revisits
                << " 次：满意（含基本满意）" << satisfied << " 次，不满意 " << k->dissatisfied
                << " 次，满意率 " << score::FormatRate(satisfied, k->revisits, d) << "\n";
    }
    std::map<std::string, int> graded;
    for (const score::UnitRow& r : s->rows) ++graded[r.grade];
    std::cout << "  综合考评：";
    for (const score::Grade& g : t.grades) std::cout << g.grade << " 类 " << graded[g.grade] << " 个，";
    std::cout << t.item << "量为 0 的 " << s->empty.size() << " 个\n";
    for (const score::Ranked& r : score::Rankings(*s)) {
      std::cout << "  " << r.ranking.group;
      if (r.ranking.min_due > 0) std::cout << "（" << r.ranking.min_due << " 件以上）";
      std::cout << "综合考核分值排名前 " << r.ranking.top << " 位：";
      for (size_t i = 0; i < r.top.size(); ++i) {
        std::cout << (i ? "、" : "") << r.top[i]->shown << "（"
                  << score::FormatMicros(r.top[i]->composite_micros, t.composite_decimals) << " 分）";
      }
      std::cout << (r.top.empty() ? "（无）\n" : "\n");
    }
  }
  return kExitOk;
}

int Score(ScoreArgs& a) {
  auto month = ParseShanghaiMonth(a.month);
  if (!month.ok()) return Fail(month.status().WithContext("--month"));
  int64_t cutoff = month->end - 1;
  if (!a.as_of.empty()) {
    auto t = ParseShanghaiTime(a.as_of);
    if (!t.ok()) return Fail(t.status().WithContext("--as-of"));
    cutoff = *t;
  }
  auto setup = LoadSetup(a.ledger, a.policy);
  if (!setup.ok()) return Fail(setup.status());
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  if (a.summary) {
    if (a.format != "table") {
      return Fail(Status::InvalidArgument(
          "--summary prints for people only; for files use --format with a --table or "
          "--adjustments"));
    }
    return PrintSummary(**ledger, *setup, *month, cutoff);
  }
  if (a.adjustments) {
    std::vector<score::TableScore> tables;
    for (const score::TablePolicy& t : setup->policy.tables) {
      auto s = score::ScoreTable(**ledger, setup->policy, setup->units, t.name, *month, cutoff);
      if (!s.ok()) return Fail(s.status());
      tables.push_back(std::move(s).value());
    }
    auto all = score::Adjustments(**ledger, setup->policy, setup->units, tables, *month);
    if (!all.ok()) return Fail(all.status());
    PrintAdjustments(*all, a.format, month->month);
    return kExitOk;
  }
  auto s = score::ScoreTable(**ledger, setup->policy, setup->units, a.table, *month, cutoff);
  if (!s.ok()) return Fail(s.status());
  const int decimals = setup->policy.rate_decimals;
  if (a.format == "tsv") {
    PrintDelimited(*s, decimals, '\t');
  } else if (a.format == "csv") {
    PrintDelimited(*s, decimals, ',');
  } else if (a.format == "json") {
    rapidjson::StringBuffer b;
    JsonWriter w(b);
    WriteScoreJson(w, *s, decimals);
    PrintJson(b);
  } else {
    PrintTable(*s, decimals);
  }
  return kExitOk;
}

int AdjustAdd(AdjustArgs& a) {
  auto month = ParseShanghaiMonth(a.month);
  if (!month.ok()) return Fail(month.status().WithContext("--month"));
  auto points = score::ParseMicros(a.points);
  if (!points.ok()) return Fail(points.status().WithContext("--points"));
  auto setup = LoadSetup(a.ledger, a.policy);
  if (!setup.ok()) return Fail(setup.status());
  const routing::Unit* unit = routing::FindUnit(setup->units, a.unit);
  if (unit == nullptr) {
    return Fail(Status::NotFound("no unit " + a.unit +
                                 " in the unit registry; use its name as units.toml gives it"));
  }
  auto ledger = OpenForWriting(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  ledger::EnteredAdjustment x;
  x.month = month->month;
  x.unit = unit->name;
  x.points_micros = *points;
  x.indicator = a.indicator;
  x.detail = a.detail;
  x.actor = Actor();
  auto id = ledger::AddAdjustment(**ledger, x, NowMs() / 1000);
  if (!id.ok()) return Fail(id.status());
  std::cout << "adjustment #" << *id << ": " << x.unit << " "
            << score::FormatMicros(x.points_micros, 6, true) << " in " << a.month
            << " (audited; adjust remove " << *id << " takes it back)\n";
  return kExitOk;
}

int AdjustList(AdjustArgs& a) {
  auto month = ParseShanghaiMonth(a.month);
  if (!month.ok()) return Fail(month.status().WithContext("--month"));
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  auto list = ledger::ListAdjustments(**ledger, month->month);
  if (!list.ok()) return Fail(list.status());
  Table t({"#", "部门名称", "加扣分值", "指标名称", "明细", "entered by", "at"});
  for (const auto& x : *list) {
    t.AddRow({std::to_string(x.id), x.unit, score::FormatMicros(x.points_micros, 6, true),
              x.indicator, x.detail, x.actor, FormatShanghaiTime(x.created_at)});
  }
  if (t.empty()) {
    std::cout << "No adjustments entered for " << a.month << ".\n";
  } else {
    t.Print(std::cout);
  }
  return kExitOk;
}

int AdjustRemove(AdjustArgs& a) {
  auto ledger = OpenForWriting(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  Status s = ledger::RemoveAdjustment(**ledger, a.id, Actor(), a.reason, NowMs() / 1000);
  if (!s.ok()) return Fail(s);
  std::cout << "adjustment #" << a.id << " removed (audited)\n";
  return kExitOk;
}

}  // namespace

Result<ScoreSetup> LoadScoreSetup(const std::string& policy_file, const std::string& routing_file) {
  ScoreSetup s;
  HS_ASSIGN_OR_RETURN(s.policy, score::LoadPolicy(policy_file));
  if (!s.policy.units_file.empty()) {
    HS_ASSIGN_OR_RETURN(s.units, routing::LoadUnitRegistry(s.policy.units_file));
  } else {
    HS_ASSIGN_OR_RETURN(routing::Rules rules, routing::LoadRules(routing_file));
    s.units = std::move(rules.units);
  }
  return s;
}

std::function<int()> AddScoreCommands(CLI::App& app) {
  auto sa = std::make_shared<ScoreArgs>();
  auto* score = app.add_subcommand("score", "the monthly assessment table of each unit");
  score->add_option("--month", sa->month, "yyyy-mm, Beijing time")->required();
  score->add_option("--table", sa->table, "hotline or mailbox (the policy's tables)")
      ->capture_default_str();
  score->add_option("--format", sa->format, "table, tsv, csv or json")
      ->check(CLI::IsMember({"table", "tsv", "csv", "json"}))
      ->capture_default_str();
  score->add_option("--as-of", sa->as_of,
                    "count up to this time (yyyy-MM-dd HH:mm:ss); default: the end of the month");
  score->add_option("--policy", sa->policy,
                    "assessment policy file (default: [assessment] policy, else the shipped one)");
  score->add_flag("--adjustments", sa->adjustments,
                  "the month's deductions and bonuses (derived and entered) and each unit's total");
  score->add_flag("--summary", sa->summary,
                  "the bulletin's running figures (orders by category and channel, rates, deputy "
                  "and enterprise orders, grades) and each table's group rankings");
  AddLedgerOptions(score, sa->ledger);

  auto aa = std::make_shared<AdjustArgs>();
  auto* adjust = app.add_subcommand("adjust", "adjustments operators enter: add, list, remove");
  adjust->require_subcommand(1);
  auto* add = adjust->add_subcommand("add", "enter a deduction or bonus (audited)");
  add->add_option("--month", aa->month, "yyyy-mm")->required();
  add->add_option("--unit", aa->unit, "the unit, as the registry names it")->required();
  add->add_option("--points", aa->points, "e.g. -2, +1, -0.5")->required();
  add->add_option("--indicator", aa->indicator, "指标名称, e.g. 上级考核")->required();
  add->add_option("--detail", aa->detail, "扣分明细 / 加分明细")->required();
  add->add_option("--policy", aa->policy, "assessment policy file (for its unit registry)");
  AddLedgerOptions(add, aa->ledger);
  auto* list = adjust->add_subcommand("list", "the entered adjustments of a month");
  list->add_option("--month", aa->month, "yyyy-mm")->required();
  AddLedgerOptions(list, aa->ledger);
  auto* remove = adjust->add_subcommand("remove", "take an entered adjustment back (audited)");
  remove->add_option("ID", aa->id, "its number in adjust list")->required();
  remove->add_option("--reason", aa->reason, "why, for the audit");
  AddLedgerOptions(remove, aa->ledger);
  return [=]() -> int {
    if (*score) return Score(*sa);
    if (*add) return AdjustAdd(*aa);
    if (*list) return AdjustList(*aa);
    if (*remove) return AdjustRemove(*aa);
    return -1;
  };
}

}  // namespace hs::ops
