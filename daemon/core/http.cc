#include "daemon/core/http.h"

#include <algorithm>
#include <charconv>

namespace hs {

std::string_view HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

int64_t HttpResponse::RetryAfterMs(int64_t fallback_ms) const {
  const std::string_view ra = Header("retry-after");
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(ra.data(), ra.data() + ra.size(), seconds);
  if (ra.empty() || ec != std::errc() || end != ra.data() + ra.size()) return fallback_ms;
  return std::clamp<int64_t>(seconds, 1, 3600) * 1000;
}

}  // namespace hs
