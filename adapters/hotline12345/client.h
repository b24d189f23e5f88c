// The 12345 platform adapter: signed requests, cursor paging with `since`, business codes mapped to
// Status codes (platforms/hotline-12345.md). Used by one sync loop thread.
#pragma once

#include <memory>
#include <string>

#include "adapters/adapter.h"
#include "adapters/hotline12345/signing.h"

namespace hs::hotline12345 {

struct Options {
  std::string base_url;  // e.g. https://12345.example.gov.cn/api/v2; http only on loopback.
  std::string app_key;
  std::string app_secret;
  int page_size = 500;  // 1..500.
  // Each finished paging run starts the next one this far before the newest change it read, so that
  // changes committed late on the platform are not missed. Re-reads are harmless upserts.
  int64_t lookback_ms = 60'000;
  // A saved next_cursor older than this is not used: the platform expires them after 10 minutes.
  int64_t cursor_max_age_ms = 9 * 60'000;
};

// Reads [adapters.hotline12345] (base_url, app_key, app_secret_file, page_size, lookback).
Result<Options> ReadOptions(config::Section& section);

// Checks base_url: https anywhere, http only on loopback. Errors: InvalidArgument.
Status ValidateBaseUrl(const std::string& url);

// The adapter's factory for adapters/registry.cc.
Result<std::unique_ptr<adapters::Adapter>> Create(config::Section& section,
                                                  const adapters::Deps& deps);

// For tests: an adapter over explicit options.
std::unique_ptr<adapters::Adapter> CreateWithOptions(Options options, const adapters::Deps& deps);

}  // namespace hs::hotline12345
