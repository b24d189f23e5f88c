// The assessment policy (schema/assessment.toml): tables, weights, rounding, grades, derived
// adjustments and rankings, read on every `score` run. Numbers are exact: millionths in int64.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "daemon/core/result.h"

namespace hs::score {

// The rates a composite, a cap or an adjustment can use.
enum class Rate { kDone, kOnTime, kRework, kDissatisfied, kSatisfied, kExtended };
inline constexpr int kRates = 6;
const char* RateKey(Rate r);  // "done_rate", …

struct Grade {
  std::string grade;   // "A"
  int64_t min_micros;  // The lowest rounded composite that earns it.
};

struct Cap {
  Rate rate;
  int64_t below_micros;  // A rate (percent) under this…
  std::string grade;     // …caps the grade here.
};

struct Ranking {
  std::string group;
  int top = 3;
  int64_t min_due = 0;
};

struct TablePolicy {
  std::string name;   // "hotline"
  std::string title;  // 12345政务服务热线综合评价表
  std::string item;   // What the table counts: 工单, 信件.
  std::vector<std::string> channels;
  bool dissatisfied = true;  // The satisfaction column: dissatisfied revisits, else satisfied.
  int composite_decimals = 1;
  int64_t constant_micros = 0;
  int64_t weight_micros[kRates] = {};
  std::vector<Grade> grades;  // Highest first.
  std::vector<Cap> caps;
  std::string indicator, grade_detail;
  std::vector<Ranking> rankings;
};

struct Policy {
  std::string where;  // The file, for messages.
  std::string units_file;
  int rate_decimals = 2;
  std::vector<TablePolicy> tables;
  std::map<std::string, int64_t> grade_points_micros;  // "B" → -2000000
  std::vector<std::string> extension_tables;  // Tables whose extension rate is penalised.
  int64_t extension_over_micros = 0, extension_points_micros = 0;
  std::string extension_indicator, extension_detail;
  int64_t quality_points_micros = 0;
  std::string quality_indicator, quality_detail;

  const TablePolicy* Table(const std::string& name) const;
  // The table a channel feeds, or nullptr.
  const TablePolicy* TableOfChannel(const std::string& channel) const;
};

// Reads `file` ("" = the shipped schema/assessment.toml). Errors: InvalidArgument naming the file,
// line and key (an unknown key, a wrong type, a grade list not in descending order, a channel in two
// tables…); NotFound for a missing file.
Result<Policy> LoadPolicy(const std::string& file);

}  // namespace hs::score
