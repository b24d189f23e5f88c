// Operator commands about pushes and deadlines: `outbox list|show|retry|drop`, `deadlines`, and
// `flag REF petition`. Registered on the main command line by commands.cc.
#pragma once

#include <functional>
#include <string>

#include "daemon/ledger/deadlines.h"

namespace CLI {
class App;
}  // namespace CLI

namespace hs::ops {

// Adds the subcommands to `app`; returns the function that runs whichever was chosen (or -1 when
// none of these was).
std::function<int()> AddPushCommands(CLI::App& app);

// The deadline query with the lead times and adapter names of the configuration at
// `config_path` ("" or unreadable: the defaults), at the current time.
ledger::DeadlineQuery DeadlineQueryFor(const std::string& config_path);

// The outbox and deadline lines of `status` (tables), printed after the adapters' table.
void PrintPushStatus(ledger::Ledger& ledger, const std::string& config_path);

}  // namespace hs::ops
