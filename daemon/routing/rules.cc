#include "daemon/routing/rules.h"

#include <set>

#include "daemon/config/data_file.h"

namespace hs::routing {
namespace {

using config::At;
using config::Beside;
using config::DataFile;
using config::OpenDataFile;
using config::Reader;

Status LoadUnits(const std::string& path, Rules& rules) {
  HS_ASSIGN_OR_RETURN(DataFile f, OpenDataFile(path, "units.toml"));
  const toml::array* units = f.root.get_as<toml::array>("unit");
  if (units == nullptr) return Status::InvalidArgument(f.where + ": no [[unit]] entries");
  std::set<std::string> names;
  for (const toml::node& n : *units) {
    const toml::table* t = n.as_table();
    if (t == nullptr) return Status::InvalidArgument(At(f, n) + ": unit must be a table");
    Reader r(f, t, "unit");
    Unit u;
    u.name = r.Str("name", "");
    u.code = r.Str("code", "");
    u.group = r.Str("group", "");
    u.areas = r.List("areas", {});
    u.aliases = r.List("aliases", {});
    if (const toml::table* names = r.Table("table_names")) {
      for (const auto& [table, name] : *names) {
        if (!name.is_string()) {
          return Status::InvalidArgument(At(f, name) + ": unit.table_names." +
                                         std::string(table.str()) + " must be a string");
        }
        u.table_names.emplace(std::string(table.str()), **name.as_string());
      }
    }
    HS_RETURN_IF_ERROR(r.Finish());
    if (u.name.empty()) return Status::InvalidArgument(At(f, n) + ": unit.name is required");
    // One name, one unit: a name or alias used twice would make counts depend on file order.
    std::vector<std::string> own = u.aliases;
    own.push_back(u.name);
    for (const std::string& x : own) {
      if (!names.insert(x).second) {
        return Status::InvalidArgument(At(f, n) + ": unit " + u.name + ": the name " + x +
                                       " is already another unit's name or alias");
      }
    }
    rules.units.push_back(std::move(u));
  }
  return Status::Ok();
}

Status LoadCodebook(const std::string& path, Rules& rules) {
  HS_ASSIGN_OR_RETURN(DataFile f, OpenDataFile(path, "petition_categories.toml"));
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

Result<std::vector<Unit>> LoadUnitRegistry(const std::string& file) {
  Rules rules;
  HS_RETURN_IF_ERROR(LoadUnits(file, rules));
  return std::move(rules.units);
}

const Unit* FindUnit(const std::vector<Unit>& units, const std::string& name) {
  for (const Unit& u : units) {
    if (u.name == name) return &u;
  }
  for (const Unit& u : units) {
    for (const std::string& a : u.aliases) {
      if (a == name) return &u;
    }
  }
  return nullptr;
}

Result<Rules> LoadRules(const std::string& file) {
  HS_ASSIGN_OR_RETURN(DataFile f, OpenDataFile(file, "routing.toml"));
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
