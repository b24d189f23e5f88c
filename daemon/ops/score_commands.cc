#include "daemon/ops/score_commands.h"

#include <iostream>
#include <memory>
#include <sstream>

#include "daemon/config/config.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/time_util.h"
#include "daemon/ops/cli_util.h"
#include "daemon/ops/table.h"
#include "daemon/score/scorer.h"

namespace hs::ops {
namespace {

struct ScoreArgs {
  LedgerArgs ledger;
  std::string month, table = "hotline", format = "table", as_of, policy;
};

// The policy and the unit registry: --policy, else [assessment] policy, else the shipped one;
// the registry the policy names, else the routing's.
struct Setup {
  score::Policy policy;
  std::vector<routing::Unit> units;
};

Result<Setup> LoadSetup(const ScoreArgs& a) {
  std::string policy_file = a.policy, routing_file;
  if (!a.ledger.config.empty()) {
    HS_ASSIGN_OR_RETURN(config::Config cfg, config::Load(a.ledger.config));
    if (policy_file.empty()) policy_file = cfg.assessment_policy_file;
    routing_file = cfg.routing_file;
  }
  Setup s;
  HS_ASSIGN_OR_RETURN(s.policy, score::LoadPolicy(policy_file));
  if (!s.policy.units_file.empty()) {
    HS_ASSIGN_OR_RETURN(s.units, routing::LoadUnitRegistry(s.policy.units_file));
  } else {
    HS_ASSIGN_OR_RETURN(routing::Rules rules, routing::LoadRules(routing_file));
    s.units = std::move(rules.units);
  }
  return s;
}

// The cells of a row in the shared TSV's column order.
std::vector<std::string> Cells(const score::TableScore& s, const score::UnitRow& r, int rate_decimals) {
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
  if (t.dissatisfied) cells.push_back(c.dissatisfied > 0 ? std::to_string(c.revisits) : "");
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

void PrintDelimited(const score::TableScore& s, int rate_decimals, char sep) {
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) std::cout << sep;
      std::cout << (sep == ',' ? CsvCell(cells[i]) : cells[i]);
    }
    std::cout << "\n";
  };
  line(Header(*s.policy));
  for (const score::UnitRow& r : s.rows) line(Cells(s, r, rate_decimals));
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
      if (r.grade == g.grade) table.AddRow(Cells(s, r, rate_decimals));
    }
    if (table.empty()) continue;
    std::cout << "\n综合评价 " << g.grade << " 类单位\n";
    table.Print(std::cout);
  }
  std::cout << "\n" << (t.dissatisfied ? "工单量" : "信件量") << "为 0 的单位（" << s.empty.size()
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

void PrintJsonScore(const score::TableScore& s, int rate_decimals) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  Key(w, "table", s.policy->name);
  Key(w, "month", std::to_string(s.month / 100) + "-" + (s.month % 100 < 10 ? "0" : "") +
                      std::to_string(s.month % 100));
  Key(w, "cutoff", FormatShanghaiTime(s.cutoff));
  w.Key("units");
  w.StartArray();
  const std::vector<std::string> header = Header(*s.policy);
  for (const score::UnitRow& r : s.rows) {
    const std::vector<std::string> cells = Cells(s, r, rate_decimals);
    w.StartObject();
    Key(w, "group", r.group);
    Key(w, "registered", int64_t{r.registered});
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) {
      // Counts as numbers, rates and names as printed.
      const bool count = header[i] == "due" || header[i] == "done" || header[i] == "on_time" ||
                         header[i] == "rework" || header[i] == "dissatisfied" ||
                         header[i] == "satisfied";
      if (count) {
        Key(w, header[i].c_str(), static_cast<int64_t>(std::stoll(cells[i])));
      } else {
        Key(w, header[i].c_str(), cells[i]);
      }
    }
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
  PrintJson(b);
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
  auto setup = LoadSetup(a);
  if (!setup.ok()) return Fail(setup.status());
  auto ledger = OpenForReading(a.ledger);
  if (!ledger.ok()) return Fail(ledger.status());
  auto s = score::ScoreTable(**ledger, setup->policy, setup->units, a.table, *month, cutoff);
  if (!s.ok()) return Fail(s.status());
  const int decimals = setup->policy.rate_decimals;
  if (a.format == "tsv") {
    PrintDelimited(*s, decimals, '\t');
  } else if (a.format == "csv") {
    PrintDelimited(*s, decimals, ',');
  } else if (a.format == "json") {
    PrintJsonScore(*s, decimals);
  } else {
    PrintTable(*s, decimals);
  }
  return kExitOk;
}

}  // namespace

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
  AddLedgerOptions(score, sa->ledger);
  return [=]() -> int {
    if (*score) return Score(*sa);
    return -1;
  };
}

}  // namespace hs::ops
