// The JSON shapes the operator surfaces share: `status --json`, `log --json` and
// `score --format json` print them, and the web listener serves the same objects. Personal data is
// masked here, before anything is written.
#pragma once

#include <string>
#include <vector>

#include "daemon/ledger/cases.h"
#include "daemon/ledger/deadlines.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ops/cli_util.h"
#include "daemon/score/scorer.h"

namespace hs::ops {

// {"adapters": [...], "outbox": [...], "deadlines": [...], "matching": {...}} (the last three
// left out when their query fails).
Status WriteStatusJson(JsonWriter& w, ledger::Ledger& ledger,
                       const std::vector<std::string>& configured_adapters,
                       const ledger::DeadlineQuery& deadlines, int64_t now_ms);
// One sync-log row.
void WriteRunJson(JsonWriter& w, const ledger::SyncRun& r);
// One decision with both tickets (title and content masked).
void WriteDecisionJson(JsonWriter& w, const ledger::DecisionView& d);
// One assessment table: counts as numbers; rates, composite and names as printed.
void WriteScoreJson(JsonWriter& w, const score::TableScore& s, int rate_decimals);

}  // namespace hs::ops
