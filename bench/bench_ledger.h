// What the ledger benchmarks share: a large ledger built once and reused between runs, and timing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "daemon/core/status.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/sqlite.h"

namespace hs::bench {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d);

// The ledger at `path`, holding `rows` tickets. When it holds another number, `clear` (SQL)
// empties it and `fill` writes them, once: later runs reuse the file. Progress and errors go to
// stderr (rows named `noun`); nullptr after an error.
std::unique_ptr<ledger::Ledger> OpenBuiltOnce(const std::string& path, int64_t rows,
                                              const char* noun, const std::string& clear,
                                              const std::function<Status(sql::Db&)>& fill);

// The file's size in MB (0 when it cannot be read).
double FileMb(const std::string& path);

}  // namespace hs::bench
