#include "daemon/score/scorer.h"

#include <algorithm>
#include <map>

#include "daemon/ledger/ledger_impl.h"

namespace hs::score {
namespace {

using i128 = __int128;

// An exact fraction n/d, d > 0.
struct Fraction {
  i128 n = 0, d = 1;
};

i128 Gcd(i128 a, i128 b) {
  if (a < 0) a = -a;
  while (b != 0) {
    const i128 t = a % b;
    a = b;
    b = t < 0 ? -t : t;
  }
  return a == 0 ? 1 : a;
}

Fraction Add(Fraction a, Fraction b) {
  const i128 g = Gcd(a.d, b.d);
  Fraction r{a.n * (b.d / g) + b.n * (a.d / g), a.d / g * b.d};
  const i128 k = Gcd(r.n, r.d);
  return {r.n / k, r.d / k};
}

// 100·num/den in percent (0 when den is 0).
Fraction Percent(int64_t num, int64_t den) {
  if (den == 0) return {};
  return Fraction{i128{num} * 100, den};
}

// f rounded half away from zero to `decimals` places, as an integer count of 10^-decimals.
i128 Round(Fraction f, int decimals) {
  i128 scaled = f.n;
  for (int i = 0; i < decimals; ++i) scaled *= 10;
  const bool negative = scaled < 0;
  const i128 magnitude = negative ? -scaled : scaled;
  i128 q = magnitude / f.d;
  if ((magnitude % f.d) * 2 >= f.d) ++q;
  return negative ? -q : q;
}

i128 Pow10(int n) {
  i128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

Fraction RateOf(const Counts& c, Rate r) {
  switch (r) {
    case Rate::kDone: return Percent(c.done, c.due);
    case Rate::kOnTime: return Percent(c.on_time, c.due);
    case Rate::kRework: return Percent(c.rework, c.due);
    case Rate::kDissatisfied: return Percent(c.dissatisfied, c.revisits);
    case Rate::kSatisfied: return Percent(c.satisfied, c.done);
    case Rate::kExtended: return Percent(c.extended, c.due);
  }
  return {};
}

bool Below(Fraction f, int64_t micros) {  // f < micros/10^6
  return f.n * 1'000'000 < i128{micros} * f.d;
}

std::string Placeholders(size_t n, int first) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
  return s;
}

// Which rows of assessment_orders (as `o`) are due for the month at the cut-off: ?1 month,
// ?2 cut-off, channels from ?3 on.
std::string DueWhere(size_t channels) {
  return "o.month = ?1 AND o.assigned_at <= ?2 AND (o.reassigned_at IS NULL OR o.reassigned_at > ?2) "
         "AND o.channel IN (" + Placeholders(channels, 3) + ")";
}

// The done and on-time counts of assessment_orders as `o`, at the cut-off ?2.
constexpr std::string_view kDoneColumns = R"(count(*) FILTER (WHERE o.closed_at <= ?2),
       count(*) FILTER (WHERE o.closed_at <= ?2 AND (o.deadline IS NULL OR o.closed_at <= CASE
           WHEN o.extended_at <= ?2 AND o.extended_deadline > o.deadline THEN o.extended_deadline
           ELSE o.deadline END)))";

void BindMonth(sql::Stmt& st, const TablePolicy& t, int month, int64_t cutoff) {
  st.Bind(1, int64_t{month}).Bind(2, cutoff);
  for (size_t i = 0; i < t.channels.size(); ++i) st.Bind(3 + static_cast<int>(i), t.channels[i]);
}

// Runs a per-unit count query; `read` gets the unit's name and the statement.
template <typename Fn>
Status PerUnit(sql::Db& db, const std::string& sql, const TablePolicy& t, int month,
               int64_t cutoff, Fn read) {
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(db, sql));
  BindMonth(st, t, month, cutoff);
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Ok();
    read(st.Text(0), st);
  }
}

// `r` counts 10^-decimals: "98.36"; `trim` drops trailing zeros ("94.6", "93").
std::string DecimalText(i128 r, int decimals, bool trim) {
  const i128 unit = Pow10(decimals), m = r < 0 ? -r : r;
  std::string frac = decimals > 0 ? std::to_string(static_cast<int64_t>(m % unit)) : "";
  frac.insert(0, static_cast<size_t>(decimals) - frac.size(), '0');
  while (trim && !frac.empty() && frac.back() == '0') frac.pop_back();
  const std::string whole = (r < 0 ? "-" : "") + std::to_string(static_cast<int64_t>(m / unit));
  return frac.empty() ? whole : whole + "." + frac;
}

std::string ShownName(const routing::Unit& u, const std::string& table) {
  const auto it = u.table_names.find(table);
  return it == u.table_names.end() ? u.name : it->second;
}

}  // namespace

std::string FormatRate(int64_t num, int64_t den, int decimals) {
  const i128 r = Round(Percent(num, den), decimals);
  return DecimalText(r, decimals, r % Pow10(decimals) == 0) + "%";
}

std::string FormatMicros(int64_t micros, int decimals, bool plus) {
  const i128 r = Round(Fraction{micros, 1'000'000}, decimals);
  return (plus && r > 0 ? "+" : "") + DecimalText(r, decimals, true);
}

Result<int64_t> ParseMicros(std::string_view text) {
  const std::string what = "\"" + std::string(text) + "\": expected a number such as -2, +1 or -0.5";
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  int64_t whole = 0, frac = 0;
  int places = 0, digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > 1'000'000) return Status::InvalidArgument(what);
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (++places > 6) return Status::InvalidArgument(what);
      frac = frac * 10 + (text[i] - '0');
    }
  }
  if (i != text.size() || digits == 0) return Status::InvalidArgument(what);
  while (places++ < 6) frac *= 10;
  const int64_t v = whole * 1'000'000 + frac;
  return negative ? -v : v;
}

int64_t Composite(const TablePolicy& t, const Counts& c) {
  Fraction sum{t.constant_micros, 1'000'000};
  for (int i = 0; i < kRates; ++i) {
    if (t.weight_micros[i] == 0) continue;
    const Fraction rate = RateOf(c, static_cast<Rate>(i));
    sum = Add(sum, Fraction{rate.n * t.weight_micros[i], rate.d * 1'000'000});
  }
  return static_cast<int64_t>(Round(sum, t.composite_decimals) *
                              Pow10(6 - t.composite_decimals));
}

Result<TableScore> ScoreTable(ledger::Ledger& ledger, const Policy& policy,
                              const std::vector<routing::Unit>& units, const std::string& table,
                              const MonthSpan& month, int64_t cutoff) {
  const TablePolicy* t = policy.Table(table);
  if (t == nullptr) {
    std::string known;
    for (const TablePolicy& p : policy.tables) known += (known.empty() ? "" : ", ") + p.name;
    return Status::NotFound("no table \"" + table + "\" in " + policy.where + "; it has " + known);
  }
  TableScore score;
  score.policy = t;
  score.month = month.month;
  score.cutoff = cutoff;
  std::map<std::string, Counts> by_name;  // By the platform's name.
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  const std::string due = DueWhere(t->channels.size());
  HS_RETURN_IF_ERROR(PerUnit(im->db, R"(
SELECT o.unit, count(*), )" + std::string(kDoneColumns) + R"(,
       count(*) FILTER (WHERE o.reworked_at <= ?2),
       count(*) FILTER (WHERE o.extended_at <= ?2)
FROM assessment_orders o WHERE )" + due + " GROUP BY o.unit",
                             *t, month.month, cutoff, [&](const std::string& unit, sql::Stmt& st) {
                               Counts& c = by_name[unit];
                               c.due = st.Int(1);
                               c.done = st.Int(2);
                               c.on_time = st.Int(3);
                               c.rework = st.Int(4);
                               c.extended = st.Int(5);
                             }));
  if (t->dissatisfied || t->weight_micros[static_cast<int>(Rate::kDissatisfied)] != 0) {
    HS_RETURN_IF_ERROR(PerUnit(im->db, R"(
SELECT unit, count(*) FILTER (WHERE result IN ('满意', '基本满意', '不满意')),
       count(*) FILTER (WHERE result = '不满意')
FROM assessment_revisits
WHERE month = ?1 AND at <= ?2 AND channel IN ()" + Placeholders(t->channels.size(), 3) +
                                                  ") GROUP BY unit",
                               *t, month.month, cutoff,
                               [&](const std::string& unit, sql::Stmt& st) {
                                 Counts& c = by_name[unit];
                                 c.revisits = st.Int(1);
                                 c.dissatisfied = st.Int(2);
                               }));
  }
  if (!t->dissatisfied || t->weight_micros[static_cast<int>(Rate::kSatisfied)] != 0) {
    HS_RETURN_IF_ERROR(PerUnit(im->db, R"(
SELECT o.unit, count(*) FROM assessment_orders o
WHERE )" + due + R"( AND o.closed_at <= ?2
  AND (SELECT r.result FROM assessment_revisits r
       WHERE r.ticket_id = o.ticket_id AND r.at <= ?2 ORDER BY r.n DESC LIMIT 1)
      IN ('满意', '基本满意')
GROUP BY o.unit)",
                               *t, month.month, cutoff,
                               [&](const std::string& unit, sql::Stmt& st) {
                                 by_name[unit].satisfied = st.Int(1);
                               }));
  }

  // Platform names to registry units (aliases join), then the unit's figures.
  std::map<std::string, UnitRow> rows;
  for (const auto& [name, c] : by_name) {
    const routing::Unit* u = routing::FindUnit(units, name);
    UnitRow& row = rows[u != nullptr ? u->name : name];
    row.unit = u != nullptr ? u->name : name;
    row.shown = u != nullptr ? ShownName(*u, t->name) : name;
    row.group = u != nullptr ? u->group : "";
    row.registered = u != nullptr;
    row.counts.due += c.due;
    row.counts.done += c.done;
    row.counts.on_time += c.on_time;
    row.counts.rework += c.rework;
    row.counts.extended += c.extended;
    row.counts.revisits += c.revisits;
    row.counts.dissatisfied += c.dissatisfied;
    row.counts.satisfied += c.satisfied;
  }
  auto grade_index = [&](const std::string& g) {
    for (size_t i = 0; i < t->grades.size(); ++i) {
      if (t->grades[i].grade == g) return i;
    }
    return t->grades.size();
  };
  for (auto& [name, row] : rows) {
    // A unit with revisits in the month but no order due is not graded this month.
    if (row.counts.due == 0) continue;
    row.composite_micros = Composite(*t, row.counts);
    size_t g = t->grades.size() - 1;
    for (size_t i = 0; i < t->grades.size(); ++i) {
      if (row.composite_micros >= t->grades[i].min_micros) {
        g = i;
        break;
      }
    }
    for (const Cap& cap : t->caps) {
      if (Below(RateOf(row.counts, cap.rate), cap.below_micros)) {
        g = std::max(g, grade_index(cap.grade));
      }
    }
    row.grade = t->grades[g].grade;
    score.rows.push_back(row);
  }
  std::sort(score.rows.begin(), score.rows.end(), [&](const UnitRow& a, const UnitRow& b) {
    const size_t ga = grade_index(a.grade), gb = grade_index(b.grade);
    if (ga != gb) return ga < gb;
    if (a.counts.due != b.counts.due) return a.counts.due > b.counts.due;
    return a.shown < b.shown;
  });
  for (const routing::Unit& u : units) {
    const auto it = rows.find(u.name);
    if (it == rows.end() || it->second.counts.due == 0) score.empty.push_back(ShownName(u, t->name));
  }
  return score;
}

Result<Figures> TableFigures(ledger::Ledger& ledger, const TablePolicy& table,
                             const MonthSpan& month, int64_t cutoff) {
  Figures f;
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  const std::string due = DueWhere(table.channels.size());
  // Orders, by kind: all, a deputy's, an enterprise's.
  HS_RETURN_IF_ERROR(PerUnit(im->db, R"(
SELECT 'all', count(*), )" + std::string(kDoneColumns) + R"(, t.deputy, t.enterprise
FROM assessment_orders o JOIN tickets t ON t.id = o.ticket_id
WHERE )" + due + " GROUP BY t.deputy, t.enterprise",
                             table, month.month, cutoff, [&](const std::string&, sql::Stmt& st) {
                               for (Counts* c : {&f.all, st.Int(4) ? &f.deputy : nullptr,
                                                 st.Int(5) ? &f.enterprise : nullptr}) {
                                 if (c == nullptr) continue;
                                 c->due += st.Int(1);
                                 c->done += st.Int(2);
                                 c->on_time += st.Int(3);
                               }
                             }));
  HS_RETURN_IF_ERROR(PerUnit(im->db, R"(
SELECT 'all', count(*) FILTER (WHERE r.result IN ('满意', '基本满意', '不满意')),
       count(*) FILTER (WHERE r.result = '不满意'),
       count(*) FILTER (WHERE r.result IN ('满意', '基本满意')), t.deputy, t.enterprise
FROM assessment_revisits r JOIN tickets t ON t.id = r.ticket_id
WHERE r.month = ?1 AND r.at <= ?2 AND r.channel IN ()" + Placeholders(table.channels.size(), 3) +
                                                ") GROUP BY t.deputy, t.enterprise",
                             table, month.month, cutoff, [&](const std::string&, sql::Stmt& st) {
                               f.satisfied_answers += st.Int(3);
                               if (st.Int(4)) f.deputy_satisfied += st.Int(3);
                               if (st.Int(5)) f.enterprise_satisfied += st.Int(3);
                               for (Counts* c : {&f.all, st.Int(4) ? &f.deputy : nullptr,
                                                 st.Int(5) ? &f.enterprise : nullptr}) {
                                 if (c == nullptr) continue;
                                 c->revisits += st.Int(1);
                                 c->dissatisfied += st.Int(2);
                               }
                             }));
  for (auto [column, list] : {std::pair{"t.category", &f.by_category},
                              std::pair{"o.channel", &f.by_channel}}) {
    HS_RETURN_IF_ERROR(PerUnit(im->db,
                               "SELECT " + std::string(column) +
                                   ", count(*) FROM assessment_orders o JOIN tickets t ON t.id = "
                                   "o.ticket_id WHERE " + due + " GROUP BY 1 ORDER BY 2 DESC, 1",
                               table, month.month, cutoff,
                               [&](const std::string& name, sql::Stmt& st) {
                                 list->emplace_back(name, st.Int(1));
                               }));
  }
  return f;
}

std::vector<Ranked> Rankings(const TableScore& score) {
  std::vector<Ranked> out;
  for (const Ranking& r : score.policy->rankings) {
    Ranked ranked{r, {}};
    for (const UnitRow& row : score.rows) {
      if (row.group == r.group && row.counts.due >= r.min_due) ranked.top.push_back(&row);
    }
    std::stable_sort(ranked.top.begin(), ranked.top.end(), [](const UnitRow* a, const UnitRow* b) {
      if (a->composite_micros != b->composite_micros) {
        return a->composite_micros > b->composite_micros;
      }
      return a->counts.due > b->counts.due;
    });
    if (ranked.top.size() > static_cast<size_t>(r.top)) ranked.top.resize(static_cast<size_t>(r.top));
    out.push_back(std::move(ranked));
  }
  return out;
}

Result<std::vector<Adjustment>> Adjustments(ledger::Ledger& ledger, const Policy& policy,
                                            const std::vector<routing::Unit>& units,
                                            const std::vector<TableScore>& tables,
                                            const MonthSpan& month) {
  std::vector<Adjustment> out;
  auto registry_name = [&](const std::string& name) {
    const routing::Unit* u = routing::FindUnit(units, name);
    return u != nullptr ? u->name : name;
  };
  auto* im = ledger.impl();
  {
    std::lock_guard lock(im->mu);
    // Entered by operators.
    HS_ASSIGN_OR_RETURN(sql::Stmt entered, sql::Stmt::Prepare(im->db, R"(
SELECT id, unit, points, indicator, detail FROM adjustments WHERE month = ?1 ORDER BY id)"));
    entered.Bind(1, int64_t{month.month});
    for (;;) {
      HS_ASSIGN_OR_RETURN(bool row, entered.Step());
      if (!row) break;
      out.push_back(Adjustment{registry_name(entered.Text(1)), entered.Int(2), entered.Text(3),
                               entered.Text(4), false, entered.Int(0)});
    }
    // Quality findings: each flagged order costs the unit that held it when it was last
    // dispatched, in that dispatch's month.
    if (policy.quality_points_micros != 0) {
      HS_ASSIGN_OR_RETURN(sql::Stmt flagged, sql::Stmt::Prepare(im->db, R"(
SELECT t.external_id, o.unit FROM flags f
JOIN tickets t ON t.id = f.ticket_id
JOIN assessment_orders o ON o.ticket_id = f.ticket_id
  AND o.n = (SELECT max(n) FROM assessment_orders WHERE ticket_id = f.ticket_id)
WHERE f.flag = 'quality' AND o.month = ?1
ORDER BY f.created_at, t.external_id)"));
      flagged.Bind(1, int64_t{month.month});
      for (;;) {
        HS_ASSIGN_OR_RETURN(bool row, flagged.Step());
        if (!row) break;
        out.push_back(Adjustment{registry_name(flagged.Text(1)), policy.quality_points_micros,
                                 policy.quality_indicator,
                                 policy.quality_detail + " (热线编号: " + flagged.Text(0) + ")"});
      }
    }
  }
  for (const TableScore& s : tables) {
    const TablePolicy& t = *s.policy;
    const bool extension = std::find(policy.extension_tables.begin(), policy.extension_tables.end(),
                                     t.name) != policy.extension_tables.end();
    for (const UnitRow& r : s.rows) {
      if (extension && policy.extension_points_micros != 0) {
        // Whole percentage points above the threshold: floor(rate − over).
        const Fraction rate = Percent(r.counts.extended, r.counts.due);
        const i128 above = (rate.n * 1'000'000 - i128{policy.extension_over_micros} * rate.d);
        if (above > 0) {
          const i128 points = above / (rate.d * 1'000'000);
          if (points > 0) {
            out.push_back(Adjustment{r.unit,
                                     static_cast<int64_t>(points) * policy.extension_points_micros,
                                     policy.extension_indicator, policy.extension_detail});
          }
        }
      }
      const auto penalty = policy.grade_points_micros.find(r.grade);
      if (penalty != policy.grade_points_micros.end() && penalty->second != 0) {
        std::string detail = t.grade_detail;
        if (const size_t at = detail.find("{grade}"); at != std::string::npos) {
          detail.replace(at, 7, r.grade);
        }
        out.push_back(Adjustment{r.unit, penalty->second, t.indicator, detail});
      }
    }
  }
  return out;
}

}  // namespace hs::score
