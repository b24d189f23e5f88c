// Configuration: one TOML file (toml++), read once at start and again on SIGHUP. Errors name the
// file, the line and the dotted key, and say what would be valid. Secrets come from files, looked
// up in $CREDENTIALS_DIRECTORY (systemd LoadCredential=) and then beside the configuration file.
// Values are plain data; a Section is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/result.h"

namespace hs::config {

// One table of the configuration, e.g. [adapters.hotline12345]. Every getter records the first
// error and returns the default; Finish() reports it, or any key that no getter asked for.
class Section {
 public:
  Section();
  ~Section();
  Section(Section&&) noexcept;
  Section& operator=(Section&&) noexcept;

  // The dotted name, e.g. "adapters.hotline12345".
  const std::string& name() const;
  // The directory of the configuration file, for relative paths.
  const std::string& config_dir() const;

  std::string String(std::string_view key, std::string_view fallback);
  std::string RequiredString(std::string_view key);
  int64_t Int(std::string_view key, int64_t fallback, int64_t min, int64_t max);
  bool Bool(std::string_view key, bool fallback);
  // A number (whole numbers allowed) within [min, max].
  double Double(std::string_view key, double fallback, double min, double max);
  // A duration such as "5s"; bounds in milliseconds.
  int64_t DurationMillis(std::string_view key, std::string_view fallback, int64_t min_ms,
                         int64_t max_ms);
  // Reads the secret whose file name is under `key` (required), trailing newline removed.
  std::string Secret(std::string_view key);
  // A path under `key`; relative paths are taken beside the configuration file.
  std::string Path(std::string_view key, std::string_view fallback);

  // Records an error about `key` found by the caller's own validation.
  void Fail(std::string_view key, std::string_view what);

  // InvalidArgument for the first error or the first unknown key; Ok otherwise.
  Status Finish();

  struct Impl;
  explicit Section(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

struct ParsedFile;  // The parsed TOML document; defined in config.cc.

// The whole file.
struct Config {
  std::string file;  // As given.
  std::string ledger_path;
  // SQLite's synchronous mode for the daemon's writes: NORMAL (default) or FULL. See README.
  std::string ledger_synchronous = "NORMAL";
  // Over this the write-ahead log raises an alarm and is checkpointed as soon as no reader holds
  // it (ledger/wal_watch.h).
  int64_t ledger_wal_alarm_mb = 256;
  std::string log_level = "info";
  // [routing] file: the routing rules; "" = the shipped schema/routing.toml.
  std::string routing_file;
  // [outbox]: a push is retried with full jitter between backoff_base and backoff_cap (or the
  // platform's Retry-After), and becomes a dead letter after max_attempts tries.
  int outbox_max_attempts = 15;
  int64_t outbox_backoff_base_ms = 1000;
  int64_t outbox_backoff_cap_ms = 300'000;
  // [deadlines]: how long before its deadline an open item counts as near (provincial_lead,
  // hotline_lead), and how often the watch looks (check_every).
  int64_t deadline_lead_provincial_ms = 48 * 3'600'000LL;
  int64_t deadline_lead_hotline_ms = 24 * 3'600'000LL;
  int64_t deadline_check_ms = 60'000;
  // [match]: recognising repeat complaints (README, "Repeat complaints"). Confidence thresholds:
  // at or above apply_* a match is applied; at or above ask it waits for an operator.
  bool match_enabled = true;
  int64_t match_window_s = 30 * 86'400;
  double match_apply_same = 0.5;
  double match_apply_related = 0.5;
  double match_ask = 0.3;
  // A match that would put a ticket into a case (or two cases together) is applied only when the
  // mean confidence between the two sides is at least this; else it waits for an operator.
  double match_cohesion = 0.3;
  std::string match_vocabulary_file;  // "" = the shipped schema/match_vocabulary.tsv.
  // The HMAC key's file: a credential (LoadCredential=). "" = a key generated on first start and
  // kept beside the ledger, with a warning.
  std::string match_key_file;
  std::string match_area_code = "0730";  // For local numbers typed without one.

  // [assessment]
  std::string assessment_policy_file;  // "" = the shipped schema/assessment.toml.

  // [service]: a sync loop blocked longer than stall_after past its promise stops the watchdog
  // pings (sync/heartbeat.h); /readyz says no while an adapter has failed for longer than
  // unready_after; the HTTP listener's address ("off": none).
  int64_t stall_after_ms = 300'000;
  int64_t unready_after_ms = 600'000;
  std::string listen = "127.0.0.1:8345";

  // [adapters.NAME] sections in name order, each validated by its adapter's factory.
  std::vector<std::string> adapter_names;
  std::shared_ptr<const ParsedFile> parsed;

  // A fresh reader over [adapters.NAME]. REQUIRES: NAME is in adapter_names.
  Section AdapterSection(const std::string& name) const;
};

// Reads and validates the file's top level. Errors: InvalidArgument with file:line and key;
// NotFound when the file does not exist.
Result<Config> Load(const std::string& path);

// "127.0.0.1:8345", "[::1]:8345" or "0.0.0.0:0" (port 0: any free port) as host and port.
// Errors: InvalidArgument saying what is expected.
struct ListenAddress {
  std::string host;
  int port = 0;
};
Result<ListenAddress> SplitListenAddress(const std::string& listen);

// Reads a credential file named in the configuration: absolute as given; relative in
// $CREDENTIALS_DIRECTORY, then in `config_dir`. Errors: NotFound naming both places tried.
Result<std::string> ReadSecretFile(const std::string& name, const std::string& config_dir);

}  // namespace hs::config
