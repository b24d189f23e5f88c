#include "daemon/score/policy.h"

#include <set>

#include "daemon/config/data_file.h"

namespace hs::score {
namespace {

using config::DataFile;
using config::Reader;

constexpr const char* kRateKeys[kRates] = {"done_rate",      "on_time_rate",   "rework_rate",
                                           "dissatisfied_rate", "satisfied_rate", "extended_rate"};

bool RateOf(const std::string& key, Rate* out) {
  for (int i = 0; i < kRates; ++i) {
    if (key == kRateKeys[i]) {
      *out = static_cast<Rate>(i);
      return true;
    }
  }
  return false;
}

std::string RateList() {
  std::string s;
  for (const char* k : kRateKeys) s += (s.empty() ? "" : ", ") + std::string(k);
  return s;
}

// Each table of an array ([[key]] or [{…}, …]) through its own Reader named `name`.
template <typename Fn>
Status EachTable(const DataFile& f, Reader& parent, const char* key, const std::string& name,
                 Fn fn) {
  const toml::array* list = parent.Tables(key);
  if (list == nullptr) return Status::Ok();
  for (const toml::node& n : *list) {
    Reader r(f, n.as_table(), name);
    HS_RETURN_IF_ERROR(fn(r, n));
  }
  return Status::Ok();
}

Status ReadTable(const DataFile& f, Reader& r, TablePolicy& t) {
  const std::string where = r.name();
  t.name = r.Str("name", "");
  t.title = r.Str("title", t.name);
  t.item = r.Str("item", "工单");
  t.channels = r.List("channels", {});
  const std::string satisfaction = r.Str("satisfaction", "dissatisfied");
  if (satisfaction != "dissatisfied" && satisfaction != "satisfied") {
    r.Fail("satisfaction", "must be \"dissatisfied\" or \"satisfied\"");
  }
  t.dissatisfied = satisfaction == "dissatisfied";
  const int64_t decimals = r.Int("composite_decimals", 1);
  if (decimals < 0 || decimals > 6) r.Fail("composite_decimals", "must be 0 to 6");
  t.composite_decimals = static_cast<int>(decimals);
  t.constant_micros = r.Micros("constant", 0);
  if (const toml::table* weights = r.Table("weights")) {
    Reader w(f, weights, where + ".weights");
    for (const auto& [k, v] : *weights) {
      Rate rate;
      const std::string key(k.str());
      if (!RateOf(key, &rate)) {
        w.Fail(key.c_str(), "is not a rate; use one of " + RateList());
        continue;
      }
      t.weight_micros[static_cast<int>(rate)] = w.Micros(key.c_str(), 0);
    }
    HS_RETURN_IF_ERROR(w.Finish());
  }
  t.indicator = r.Str("indicator", "");
  t.grade_detail = r.Str("grade_detail", "{grade}");
  HS_RETURN_IF_ERROR(EachTable(f, r, "grades", where + ".grades", [&](Reader& g, const toml::node&) {
    Grade grade{g.Str("grade", ""), g.Micros("min", 0)};
    if (grade.grade.empty()) g.Fail("grade", "is required");
    if (!t.grades.empty() && grade.min_micros >= t.grades.back().min_micros) {
      g.Fail("min", "must be lower than the grade before it (grades go from the best down)");
    }
    t.grades.push_back(grade);
    return g.Finish();
  }));
  HS_RETURN_IF_ERROR(EachTable(f, r, "caps", where + ".caps", [&](Reader& c, const toml::node&) {
    Cap cap{Rate::kOnTime, c.Micros("below", 0), c.Str("grade", "")};
    if (!RateOf(c.Str("rate", ""), &cap.rate)) c.Fail("rate", "must be one of " + RateList());
    bool known = false;
    for (const Grade& g : t.grades) known |= g.grade == cap.grade;
    if (!known) c.Fail("grade", "must be one of the table's grades");
    t.caps.push_back(cap);
    return c.Finish();
  }));
  HS_RETURN_IF_ERROR(
      EachTable(f, r, "rankings", where + ".rankings", [&](Reader& k, const toml::node&) {
        Ranking ranking{k.Str("group", ""), static_cast<int>(k.Int("top", 3)), k.Int("min_due", 0)};
        if (ranking.group.empty()) k.Fail("group", "is required");
        if (ranking.top < 1 || ranking.top > 1000) k.Fail("top", "must be 1 to 1000");
        if (ranking.min_due < 0) k.Fail("min_due", "must not be negative");
        t.rankings.push_back(ranking);
        return k.Finish();
      }));
  HS_RETURN_IF_ERROR(r.Finish());
  if (t.name.empty()) return Status::InvalidArgument(f.where + ": " + where + ".name is required");
  if (t.channels.empty()) {
    return Status::InvalidArgument(f.where + ": " + where + ".channels: a table needs channels");
  }
  if (t.grades.empty()) {
    return Status::InvalidArgument(f.where + ": " + where + ".grades: a table needs grades");
  }
  return Status::Ok();
}

}  // namespace

const char* RateKey(Rate r) { return kRateKeys[static_cast<int>(r)]; }

const TablePolicy* Policy::Table(const std::string& name) const {
  for (const TablePolicy& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const TablePolicy* Policy::TableOfChannel(const std::string& channel) const {
  for (const TablePolicy& t : tables) {
    for (const std::string& c : t.channels) {
      if (c == channel) return &t;
    }
  }
  return nullptr;
}

Result<Policy> LoadPolicy(const std::string& file) {
  HS_ASSIGN_OR_RETURN(DataFile f, config::OpenDataFile(file, "assessment.toml"));
  Policy p;
  p.where = f.where;
  Reader top(f, &f.root, "");
  p.units_file = config::Beside(f, top.Str("units_file", ""));
  if (const toml::table* format = top.Table("format")) {
    Reader r(f, format, "format");
    const int64_t decimals = r.Int("rate_decimals", 2);
    if (decimals < 0 || decimals > 6) r.Fail("rate_decimals", "must be 0 to 6");
    p.rate_decimals = static_cast<int>(decimals);
    HS_RETURN_IF_ERROR(r.Finish());
  }
  std::set<std::string> names, channels;
  HS_RETURN_IF_ERROR(EachTable(f, top, "table", "table", [&](Reader& r, const toml::node& n) {
    TablePolicy t;
    HS_RETURN_IF_ERROR(ReadTable(f, r, t));
    if (!names.insert(t.name).second) {
      return Status::InvalidArgument(config::At(f, n) + ": table " + t.name + " is defined twice");
    }
    for (const std::string& c : t.channels) {
      if (!channels.insert(c).second) {
        return Status::InvalidArgument(config::At(f, n) + ": table." + t.name + ".channels: " + c +
                                       " already feeds another table");
      }
    }
    p.tables.push_back(std::move(t));
    return Status::Ok();
  }));
  if (const toml::table* adjustments = top.Table("adjustments")) {
    Reader r(f, adjustments, "adjustments");
    if (const toml::table* points = r.Table("grade_points")) {
      Reader g(f, points, "adjustments.grade_points");
      for (const auto& [grade, v] : *points) {
        const std::string key(grade.str());
        p.grade_points_micros[key] = g.Micros(key.c_str(), 0);
      }
      HS_RETURN_IF_ERROR(g.Finish());
    }
    p.extension_tables = r.List("extension_tables", {});
    p.extension_over_micros = r.Micros("extension_over", 10'000'000);
    p.extension_points_micros = r.Micros("extension_points", 0);
    p.extension_indicator = r.Str("extension_indicator", "");
    p.extension_detail = r.Str("extension_detail", "");
    p.quality_points_micros = r.Micros("quality_points", 0);
    p.quality_indicator = r.Str("quality_indicator", "");
    p.quality_detail = r.Str("quality_detail", "");
    HS_RETURN_IF_ERROR(r.Finish());
  }
  HS_RETURN_IF_ERROR(top.Finish());
  if (p.tables.empty()) return Status::InvalidArgument(f.where + ": no [[table]]");
  for (const std::string& t : p.extension_tables) {
    if (p.Table(t) == nullptr) {
      return Status::InvalidArgument(f.where + ": adjustments.extension_tables: no table " + t);
    }
  }
  for (const auto& [grade, points] : p.grade_points_micros) {
    bool known = false;
    for (const TablePolicy& t : p.tables) {
      for (const Grade& g : t.grades) known |= g.grade == grade;
    }
    if (!known) {
      return Status::InvalidArgument(f.where + ": adjustments.grade_points." + grade +
                                     ": no table has that grade");
    }
  }
  return p;
}

}  // namespace hs::score
