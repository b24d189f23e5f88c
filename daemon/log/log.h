// Logging: one spdlog logger per component ("sync", "ledger", "adapter.hotline12345"), all writing
// through one sink that masks phone and ID numbers (core/mask.h) before anything is written.
// info = a change of state, warn = will retry, error = gave up. Thread-safe after InitLogging.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

namespace hs::log {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, off.
  // Extra sink, e.g. a test's capture; it also receives masked text only.
  spdlog::sink_ptr extra_sink;
  bool to_stderr = true;
};

// Sets up the masking sink and the level. Idempotent: a later call replaces the earlier setup,
// including for loggers already handed out. Errors: std::invalid_argument for an unknown level.
void InitLogging(const LogOptions& options);

// The logger of a component, created on first use.
std::shared_ptr<spdlog::logger> Get(std::string_view component);

}  // namespace hs::log
