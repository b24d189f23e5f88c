#include "daemon/routing/rules.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "daemon/config/shipped.h"

namespace hs::routing {
namespace {

// A data file: its text parsed, and where it came from for messages.
struct DataFile {
  std::string where;  // The path, or "schema/NAME (shipped)".
  std::string dir;    // For relative paths inside it; "" for a shipped file.
  toml::table root;
};

Result<DataFile> Open(const std::string& path, const std::string& shipped_name) {
  DataFile f;
  std::string text;
  if (path.empty()) {
    auto shipped = config::ShippedFile(shipped_name);
    if (!shipped) return Status::Internal("schema/" + shipped_name + " was not compiled in");
    f.where = "schema/" + shipped_name + " (shipped)";
    text = std::string(*shipped);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound(path + " cannot be read; check the path and permissions");
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    f.where = path;
    f.dir = std::filesystem::absolute(path).parent_path().string();
  }
  try {
    f.root = toml::parse(text, f.where);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(f.where + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  return f;
}

std::string At(const DataFile& f, const toml::node& n) {
  return f.where + ":" + std::to_string(n.source().begin.line);
}

// Typed readers over one table; the first error sticks.
class Reader {
 public:
  Reader(const DataFile& f, const toml::table* t, std::string name)
      : f_(f), t_(t), name_(std::move(name)) {}

  std::string Str(const char* key, std::string fallback) {
    const toml::node* n = Node(key);
    if (n == nullptr) return fallback;
    if (!n->is_string()) return Fail(*n, key, "must be a string"), fallback;
    return **n->as_string();
  }
  bool Bool(const char* key, bool fallback) {
    const toml::node* n = Node(key);
    if (n == nullptr) return fallback;
    if (!n->is_boolean()) return Fail(*n, key, "must be true or false"), fallback;
    return **n->as_boolean();
  }
  std::vector<std::string> List(const char* key, std::vector<std::string> fallback) {
    const toml::node* n = Node(key);
    if (n == nullptr) return fallback;
    const toml::array* a = n->as_array();
    if (a == nullptr) return Fail(*n, key, "must be a list of strings"), fallback;
    std::vector<std::string> out;
    for (const toml::node& e : *a) {
      if (!e.is_string()) return Fail(e, key, "must be a list of strings"), fallback;
      out.push_back(**e.as_string());
    }
    return out;
  }
  // The first error, or an InvalidArgument for a key no reader asked for (a misspelling).
  Status Finish(std::initializer_list<std::string_view> also_known = {}) {
    if (!status_.ok() || t_ == nullptr) return status_;
    for (const auto& [k, node] : *t_) {
      std::string_view key = k.str();
      bool known = asked_.contains(std::string(key));
      for (std::string_view a : also_known) known |= a == key;
      if (!known) {
        return Status::InvalidArgument(At(f_, node) + ": " + name_ + (name_.empty() ? "" : ".") +
                                       std::string(key) +
                                       ": unknown key; check its spelling against the shipped "
                                       "schema/ file of the same name");
      }
    }
    return status_;
  }

 private:
  const toml::node* Node(const char* key) {
    asked_.insert(key);
    return t_ == nullptr ? nullptr : t_->get(key);
  }
  void Fail(const toml::node& n, const char* key, const char* what) {
    if (!status_.ok()) return;
    status_ = Status::InvalidArgument(At(f_, n) + ": " + name_ + (name_.empty() ? "" : ".") + key +
                                      " " + what);
  }
  const DataFile& f_;
  const toml::table* t_;
  std::string name_;
  Status status_;
  std::set<std::string, std::less<>> asked_;
};

std::string Beside(const DataFile& f, const std::string& path) {
  if (path.empty() || f.dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(f.dir) / path).string();
}

Status LoadUnits(const std::string& path, Rules& rules) {
  HS_ASSIGN_OR_RETURN(DataFile f, Open(path, "units.toml"));
  const toml::array* units = f.root.get_as<toml::array>("unit");
  if (units == nullptr) return Status::InvalidArgument(f.where + ": no [[unit]] entries");
  for (const toml::node& n : *units) {
    const toml::table* t = n.as_table();
    if (t == nullptr) return Status::InvalidArgument(At(f, n) + ": unit must be a table");
    Reader r(f, t, "unit");
    Unit u;
    u.name = r.Str("name", "");
    u.code = r.Str("code", "");
    u.group = r.Str("group", "");
    u.areas = r.List("areas", {});
    HS_RETURN_IF_ERROR(r.Finish());
    if (u.name.empty()) return Status::InvalidArgument(At(f, n) + ": unit.name is required");
    rules.units.push_back(std::move(u));
  }
  return Status::Ok();
}

Status LoadCodebook(const std::string& path, Rules& rules) {
  HS_ASSIGN_OR_RETURN(DataFile f, Open(path, "petition_categories.toml"));
  const toml::table* codes = f.root.get_as<toml::table>("codes");
  if (codes == nullptr) return Status::InvalidArgument(f.where + ": no [codes] table");
  for (const auto& [code, node] : *codes) {  // In key order: the lowest code wins.
    Reader r(f, node.as_table(), "codes." + std::string(code.str()));
    r.Str("name", "");
    std::string sqfl = r.Str("sqfl", "");
    HS_RETURN_IF_ERROR(r.Finish());
    if (!sqfl.empty()) rules.category_codes.emplace(sqfl, std::string(code.str()));
  }
  return Status::Ok();
}

}  // namespace

const Unit* Rules::UnitForArea(const std::string& area) const {
  for (const Unit& u : units) {
    for (const std::string& a : u.areas) {
      if (a == area) return &u;
    }
  }
  return nullptr;
}

Result<Rules> LoadRules(const std::string& file) {
  HS_ASSIGN_OR_RETURN(DataFile f, Open(file, "routing.toml"));
  Rules rules;
  Reader top(f, &f.root, "");
  std::string units_file = Beside(f, top.Str("units_file", ""));
  std::string categories_file = Beside(f, top.Str("categories_file", ""));
  HS_RETURN_IF_ERROR(top.Finish(
      {"hotline_to_petition", "petition_to_hotline", "provincial_to_hotline", "progress"}));

  Reader hp(f, f.root.get_as<toml::table>("hotline_to_petition"), "hotline_to_petition");
  rules.petition_units = hp.List("units", {"市信访局"});
  rules.petition_kinds = hp.List("kinds", {});
  rules.petition_categories = hp.List("categories", {});
  rules.default_category_code = hp.Str("default_category_code", "XF0601");
  HS_RETURN_IF_ERROR(hp.Finish());

  Reader ph(f, f.root.get_as<toml::table>("petition_to_hotline"), "petition_to_hotline");
  rules.transfer_states = ph.List("states", {"TRANSFERRED"});
  rules.petition_channel = ph.Str("channel", "信访平台推送");
  rules.petition_kind = ph.Str("kind", "投诉");
  HS_RETURN_IF_ERROR(ph.Finish());

  Reader pv(f, f.root.get_as<toml::table>("provincial_to_hotline"), "provincial_to_hotline");
  rules.provincial_channel = pv.Str("channel", "省平台转办");
  rules.provincial_kind = pv.Str("kind", "投诉");
  rules.return_reason = pv.Str("return_reason", "该诉求不属于本市管辖范围。");
  HS_RETURN_IF_ERROR(pv.Finish());

  Reader pr(f, f.root.get_as<toml::table>("progress"), "progress");
  rules.progress_hotline_to_petition = pr.Bool("hotline_to_petition", true);
  rules.progress_petition_to_hotline = pr.Bool("petition_to_hotline", true);
  HS_RETURN_IF_ERROR(pr.Finish());

  HS_RETURN_IF_ERROR(LoadUnits(units_file, rules));
  HS_RETURN_IF_ERROR(LoadCodebook(categories_file, rules));
  return rules;
}

}  // namespace hs::routing
