// The smart-petition platform adapter (智慧信访平台, platforms/petition.md): a cached bearer token,
// page-number paging over updatedAt windows that end in the past, restarted when the total moves,
// and pushes from the hotline (create, progress) under Idempotency-Key. Used by one sync loop
// thread.
//
// Push actions:
//   "create"   POST /xf/api/petitions; payload: the record the router built (form HOTLINE,
//              sourceSystem "12345", sourceNo …); target_ref "". remote_id: the new petitionNo.
//   "progress" POST /xf/api/petitions/{target_ref}/progress; payload {at, action, text, sourceNo}.
//              remote_id: target_ref's petitionNo.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/adapter.h"
#include "adapters/petition/mapping.h"

namespace hs::petition {

struct Options {
  std::string base_url;  // e.g. https://xf.example.gov.cn; requests go to BASE/xf/…; http only on
                         // loopback.
  std::string client_id;
  std::string client_secret;
  int page_size = 200;  // 1..200.
  // The bureau's codebook; empty: the shipped one (schema/petition_categories.toml).
  CategoryMap categories;
  // Windows end this far before now (the contract asks for at least 5 s).
  int64_t window_lag_ms = 5'000;
  // Each finished window starts the next one this far before the largest updatedAt it read.
  int64_t lookback_ms = 0;
};

// Reads [adapters.petition] (base_url, client_id, client_secret_file, page_size, categories_file,
// window_lag, lookback). Errors: InvalidArgument naming the key.
Result<Options> ReadOptions(config::Section& section);

// The adapter's factory for adapters/registry.cc.
Result<std::unique_ptr<adapters::Adapter>> Create(config::Section& section,
                                                  const adapters::Deps& deps);

// For tests: an adapter over explicit options.
std::unique_ptr<adapters::Adapter> CreateWithOptions(Options options, const adapters::Deps& deps);

// How long the platform remembers an Idempotency-Key: 30 days.
inline constexpr int64_t kIdempotencyRetentionMs = 30LL * 86'400'000;

}  // namespace hs::petition
