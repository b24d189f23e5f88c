// Operator commands for the monthly assessment (issue 5): `score` (a table in the bulletin's form
// as a terminal table, TSV, CSV or JSON; --adjustments; --summary) and `adjust add|list|remove`
// (entered adjustments, audited). Registered on the main command line by commands.cc.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/routing/rules.h"
#include "daemon/score/policy.h"

namespace CLI {
class App;
}  // namespace CLI

namespace hs::ops {

// What scoring needs besides the ledger: the policy and the unit registry (the policy's
// units_file, else the routing rules' units).
struct ScoreSetup {
  score::Policy policy;
  std::vector<routing::Unit> units;
};
// "" = the shipped policy or rules. Errors: the files' own, with file and line.
Result<ScoreSetup> LoadScoreSetup(const std::string& policy_file, const std::string& routing_file);

// Adds the subcommands to `app`; returns the function that runs whichever was chosen (or -1).
std::function<int()> AddScoreCommands(CLI::App& app);

}  // namespace hs::ops
