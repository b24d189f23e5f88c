// The provincial platform adapter (platforms/provincial.md): MD5-signed requests, GBK bodies both
// ways, the pending queue and the per-city revision feed for pulls, and accept / result / return
// pushes with the platform's answers mapped to Status codes and PushResult outcomes.
// Used by one sync loop thread.
//
// Push actions (PushItem.action), target_ref = dispatchId, payload = UTF-8 JSON in the platform's
// field names (sent as GBK, characters outside GBK as \uXXXX escapes):
//   accept  POST /prov/api/dispatch/{id}/accept  payload "" or "{}" (签收)
//   result  POST /prov/api/dispatch/{id}/result  {handledBy, closedAt, contacted, process, result,
//                                                citizenOpinion} (办结 with 结案四要素)
//   return  POST /prov/api/dispatch/{id}/return  {reason} (退回)
#pragma once

#include <memory>
#include <string>

#include "adapters/adapter.h"

namespace hs::provincial {

struct Options {
  std::string base_url;   // e.g. https://12345.hunan.gov.cn; the adapter adds /prov/api/…
  std::string city_code;  // X-City-Code, e.g. 430600 (Yueyang).
  std::string secret;     // The city's static key, read from secret_file.
  int page_size = 100;    // 1..100, the `limit` of both queries.
};

// Reads [adapters.provincial] (base_url, city_code, secret_file, page_size).
Result<Options> ReadOptions(config::Section& section);

// The adapter's factory for adapters/registry.cc.
Result<std::unique_ptr<adapters::Adapter>> Create(config::Section& section,
                                                  const adapters::Deps& deps);

// For tests: an adapter over explicit options.
std::unique_ptr<adapters::Adapter> CreateWithOptions(Options options, const adapters::Deps& deps);

}  // namespace hs::provincial
