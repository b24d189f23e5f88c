// Finds the elements of one array inside a JSON text without parsing the elements, so that a page
// whose body fails strict parsing because of ONE bad record (a huge number, invalid UTF-8, a
// duplicate key…) can still be read record by record: the good ones are kept and only the bad one
// is rejected, with its exact bytes. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::json {

struct SplitArray {
  std::vector<std::string_view> elements;  // Each element's bytes, whitespace trimmed.
  std::string rest;  // The text with the array emptied ("[]"), to be parsed strictly.
  // The array's content, between its brackets: text[begin, end). rest is the text without it.
  size_t begin = 0;
  size_t end = 0;
};

// Locates the array under the object keys `path` (e.g. {"data", "list"}) and splits it. Returns
// nullopt when the text is not structurally JSON enough to find it (unbalanced, truncated).
// Scans in linear time with constant stack, whatever the nesting depth.
std::optional<SplitArray> SplitArrayAt(std::string_view text, const std::vector<std::string>& path);

}  // namespace hs::json
