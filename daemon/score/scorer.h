// The monthly assessment (issue 5, DESIGN.md flow 4): a table's counts per unit from the ledger's
// assessment facts, then rates, composite and grade exactly as the policy says, the derived and
// entered adjustments, and the group rankings. Arithmetic is exact (fractions of integers), so a
// composite is rounded once, half up, like the bulletin's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/ledger.h"
#include "daemon/routing/rules.h"
#include "daemon/score/policy.h"

namespace hs::score {

struct Counts {
  int64_t due = 0, done = 0, on_time = 0, rework = 0, extended = 0;
  int64_t revisits = 0, dissatisfied = 0;  // Revisit answers in the month.
  int64_t satisfied = 0;                   // Done orders whose latest answer is satisfied.
};

struct UnitRow {
  std::string unit;   // The registry's name (or the platform's, for a unit not in the registry).
  std::string shown;  // The name this table prints.
  std::string group;
  bool registered = true;
  Counts counts;
  int64_t composite_micros = 0;  // Rounded as the policy says.
  std::string grade;
};

struct TableScore {
  const TablePolicy* policy = nullptr;
  int month = 0;                    // 202306
  int64_t cutoff = 0;               // Unix seconds: counted up to and including this second.
  std::vector<UnitRow> rows;        // Units with tickets: by grade, then due (most first), name.
  std::vector<std::string> empty;   // Registered units with none, as the table names them.
};

struct Adjustment {
  std::string unit;  // The registry's name.
  int64_t points_micros = 0;
  std::string indicator, detail;
  bool derived = true;
  int64_t id = 0;  // An entered adjustment's id.
};

// The table `table` for the month at `cutoff`. Errors: NotFound for a table the policy lacks.
Result<TableScore> ScoreTable(ledger::Ledger& ledger, const Policy& policy,
                              const std::vector<routing::Unit>& units, const std::string& table,
                              const MonthSpan& month, int64_t cutoff);

// The month's adjustments: the grade penalties of `tables`, the extension-rate penalty, one per
// quality-flagged order, and the entered ones; by unit order of appearance.
Result<std::vector<Adjustment>> Adjustments(ledger::Ledger& ledger, const Policy& policy,
                                            const std::vector<routing::Unit>& units,
                                            const std::vector<TableScore>& tables,
                                            const MonthSpan& month);

// The percentage num/den (0 when den is 0) as the bulletin prints it: `decimals` places, half up,
// a whole number without decimals ("98.36%", "100%", "0%").
std::string FormatRate(int64_t num, int64_t den, int decimals);
// Millionths as a decimal with at most `decimals` places, trailing zeros dropped ("94.6", "93",
// "-0.5", "+1" with `plus`).
std::string FormatMicros(int64_t micros, int decimals, bool plus = false);

// The bulletin's running figures for one table, from the ledger.
struct Figures {
  Counts all;  // Every unit's orders together (revisits: answers in the month).
  int64_t satisfied_answers = 0;  // 满意 and 基本满意 answers in the month.
  std::vector<std::pair<std::string, int64_t>> by_category, by_channel;  // Most first.
  Counts deputy, enterprise;  // Orders of people's congress deputies (人大代表), enterprise (涉企).
  int64_t deputy_satisfied = 0, enterprise_satisfied = 0;  // Satisfied answers among them.
};
Result<Figures> TableFigures(ledger::Ledger& ledger, const TablePolicy& table,
                             const MonthSpan& month, int64_t cutoff);

struct Ranked {
  Ranking ranking;
  std::vector<const UnitRow*> top;  // Highest composite first (then more orders).
};
// The table's rankings, as its policy lists them. The rows point into `score`.
std::vector<Ranked> Rankings(const TableScore& score);

// "-2", "+1", "-0.5" as millionths. Errors: InvalidArgument (not a number, over six places).
Result<int64_t> ParseMicros(std::string_view text);

// The composite of `c` by the table's weights, exact, rounded half up to its decimals (millionths).
int64_t Composite(const TablePolicy& t, const Counts& c);

}  // namespace hs::score
