// Helpers shared by the operator commands: where the ledger is, how errors are reported, JSON and
// time formatting. Personal data is masked by the callers before anything is printed.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/ledger/ledger.h"

namespace CLI {
class App;
}  // namespace CLI

namespace hs::ops {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Where a command finds the ledger: --db, or [ledger] path of --config.
struct LedgerArgs {
  std::string config;
  std::string db;
  std::vector<std::string> configured_adapters;  // Filled by Path() from --config.

  Result<std::string> Path();
};

void AddLedgerOptions(CLI::App* cmd, LedgerArgs& a);

// Prints the error (masked) to stderr and returns the exit code for it.
int Fail(const Status& s);

Result<std::unique_ptr<ledger::Ledger>> OpenForReading(LedgerArgs& a);
// For the CLI's few writes (operator actions): no migration, no check; the daemon's migrations
// must have run (the schema must be this binary's).
Result<std::unique_ptr<ledger::Ledger>> OpenForWriting(LedgerArgs& a);

int64_t NowMs();
std::string TimeOrDash(std::optional<int64_t> unix_seconds);
// Who is acting, for the audit: $SUDO_USER, else $USER, else the uid.
std::string Actor();

void Key(JsonWriter& w, const char* k, std::string_view v);
void Key(JsonWriter& w, const char* k, int64_t v);
void Key(JsonWriter& w, const char* k, std::optional<int64_t> v);
void PrintJson(const rapidjson::StringBuffer& b);

}  // namespace hs::ops
