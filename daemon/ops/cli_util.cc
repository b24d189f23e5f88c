#include "daemon/ops/cli_util.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "daemon/config/config.h"
#include "daemon/core/exit_codes.h"
#include "daemon/core/mask.h"
#include "daemon/core/time_util.h"

namespace hs::ops {

Result<std::string> LedgerArgs::Path() {
  if (!db.empty()) return db;
  if (config.empty()) {
    return Status::InvalidArgument("give --config FILE (or --db FILE) to say which ledger to read");
  }
  HS_ASSIGN_OR_RETURN(config::Config cfg, config::Load(config));
  configured_adapters = cfg.adapter_names;
  return cfg.ledger_path;
}

void AddLedgerOptions(CLI::App* cmd, LedgerArgs& a) {
  cmd->add_option("--config,-c", a.config, "configuration file (TOML)");
  cmd->add_option("--db", a.db, "ledger file, instead of the one in --config");
}

int Fail(const Status& s) {
  std::cerr << "hotline-sync: " << MaskText(s.message()) << "\n";
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kRejected:
      return kExitDatabase;
    default:
      return kExitFailure;
  }
}

Result<std::unique_ptr<ledger::Ledger>> OpenForReading(LedgerArgs& a) {
  HS_ASSIGN_OR_RETURN(std::string path, a.Path());
  ledger::LedgerOptions o;
  o.read_only = true;
  return ledger::Ledger::Open(path, o);
}

Result<std::unique_ptr<ledger::Ledger>> OpenForWriting(LedgerArgs& a) {
  HS_ASSIGN_OR_RETURN(std::string path, a.Path());
  ledger::LedgerOptions o;
  o.quick_check = false;
  o.migrate = false;
  HS_ASSIGN_OR_RETURN(auto ledger, ledger::Ledger::Open(path, o));
  HS_ASSIGN_OR_RETURN(int version, ledger->SchemaVersion());
  if (version != ledger::Ledger::LatestSchemaVersion()) {
    return Status::Rejected(path + " is at schema version " + std::to_string(version) +
                            "; run `hotline-sync migrate` (or start the daemon) first");
  }
  return ledger;
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string TimeOrDash(std::optional<int64_t> unix_seconds) {
  return unix_seconds ? FormatShanghaiTime(*unix_seconds) : "-";
}

std::string Actor() {
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  return "uid " + std::to_string(getuid());
}

void Key(JsonWriter& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void Key(JsonWriter& w, const char* k, int64_t v) {
  w.Key(k);
  w.Int64(v);
}
void Key(JsonWriter& w, const char* k, std::optional<int64_t> v) {
  w.Key(k);
  v ? w.Int64(*v) : w.Null();
}

void PrintJson(const rapidjson::StringBuffer& b) { std::cout << b.GetString() << "\n"; }

}  // namespace hs::ops
