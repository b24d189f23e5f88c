// Operator commands about repeat complaints (issue 4): `dupes list|show|merge|split|reject`, the
// case shown in `ticket REF`, `match-eval` (a labelled corpus through the daemon's own ingestion
// and matching path) and `match-vocab` (a vocabulary from a corpus or a ledger). Registered on the
// main command line by commands.cc.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <functional>

#include "daemon/ledger/ledger.h"

namespace CLI {
class App;
}  // namespace CLI

namespace hs::ops {

// Adds the subcommands to `app`; returns the function that runs whichever was chosen (or -1).
std::function<int()> AddMatchCommands(CLI::App& app);

// The repeat-complaint lines of `status`.
void PrintMatchStatus(ledger::Ledger& ledger);

// The case lines of `ticket REF`: the ticket's case and the other members.
void PrintCaseOf(ledger::Ledger& ledger, int64_t ticket_id);

}  // namespace hs::ops
