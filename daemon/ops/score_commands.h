// Operator commands for the monthly assessment (issue 5): `score` (a table in the bulletin's form
// as a terminal table, TSV, CSV or JSON; --adjustments; --summary) and `adjust add|list|remove`
// (entered adjustments, audited). Registered on the main command line by commands.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace hs::ops {

// Adds the subcommands to `app`; returns the function that runs whichever was chosen (or -1).
std::function<int()> AddScoreCommands(CLI::App& app);

}  // namespace hs::ops
