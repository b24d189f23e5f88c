#include "daemon/ops/table.h"

#include <utf8proc.h>

#include <algorithm>

namespace hs::ops {

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // Invalid byte: count it as one column and move on.
      ++width;
      ++p;
      --left;
      continue;
    }
    width += static_cast<size_t>(std::max(0, utf8proc_charwidth(cp)));
    p += n;
    left -= n;
  }
  return width;
}

std::string Truncate(std::string_view text, size_t columns) {
  if (DisplayWidth(text) <= columns) return std::string(text);
  std::string out;
  size_t width = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) n = 1;
    size_t w = n == 1 && cp < 0 ? 1 : static_cast<size_t>(std::max(0, utf8proc_charwidth(cp)));
    if (width + w + 1 > columns) break;
    out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    width += w;
    p += n;
    left -= n;
  }
  return out + "…";
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(headers_);
  for (const auto& r : rows_) measure(r);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      line += cell;
      if (i + 1 < widths.size()) line += std::string(widths[i] - DisplayWidth(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  print(headers_);
  for (const auto& r : rows_) print(r);
}

}  // namespace hs::ops
