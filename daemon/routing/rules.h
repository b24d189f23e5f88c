// Routing rules and the unit registry, read from data files (schema/routing.toml, units.toml and
// petition_categories.toml are the shipped defaults, compiled in). Plain data once loaded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/result.h"

namespace hs::routing {

struct Unit {
  std::string name;  // 承办单位 as the hotline names it, e.g. 平江县.
  std::string code;
  std::string group;
  std::vector<std::string> areas;    // As the provincial platform names them.
  std::vector<std::string> aliases;  // Other names platforms use for it.
  std::map<std::string, std::string> table_names;  // Assessment table → the name it prints.
};

struct Rules {
  // Adapter names.
  std::string hotline = "hotline12345";
  std::string petition = "petition";
  std::string provincial = "provincial";

  // Hotline → petition.
  std::vector<std::string> petition_units;
  std::vector<std::string> petition_kinds;       // Empty: any.
  std::vector<std::string> petition_categories;  // Empty: any.
  std::string default_category_code;
  std::map<std::string, std::string> category_codes;  // 诉求分类 → the lowest bureau code.

  // Petition → hotline.
  std::vector<std::string> transfer_states;
  std::string petition_channel;
  std::string petition_kind;

  // Provincial → hotline.
  std::string provincial_channel;
  std::string provincial_kind;
  std::string return_reason;

  bool progress_hotline_to_petition = true;
  bool progress_petition_to_hotline = true;

  std::vector<Unit> units;

  // The unit a provincial `area` names, or nullptr.
  const Unit* UnitForArea(const std::string& area) const;
};

// Reads the rules from `file` ("" = the shipped routing.toml), and the unit registry and codebook
// it names (relative paths beside it). Errors: InvalidArgument naming file, line and key; NotFound
// for a missing file.
Result<Rules> LoadRules(const std::string& file);

// The unit a platform calls `name` (its name, else an alias), or nullptr.
const Unit* FindUnit(const std::vector<Unit>& units, const std::string& name);

// Reads a unit registry ("" = the shipped units.toml). Errors as LoadRules.
Result<std::vector<Unit>> LoadUnitRegistry(const std::string& file);

}  // namespace hs::routing
