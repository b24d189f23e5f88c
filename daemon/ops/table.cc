#include "daemon/ops/table.h"

#include <utf8proc.h>

#include <algorithm>

namespace hs::ops {

namespace {

// Calls fn(bytes, columns) for each character of UTF-8 text until it returns false. An invalid byte
// is a character of one column.
template <typename Fn>
void ForEachChar(std::string_view text, Fn fn) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    size_t columns = 1;
    if (n <= 0) {
      n = 1;
    } else {
      columns = static_cast<size_t>(std::max(0, utf8proc_charwidth(cp)));
    }
    if (!fn(std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n)), columns)) {
      return;
    }
    p += n;
    left -= n;
  }
}

}  // namespace

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  ForEachChar(text, [&](std::string_view, size_t columns) {
    width += columns;
    return true;
  });
  return width;
}

std::string Truncate(std::string_view text, size_t columns) {
  if (DisplayWidth(text) <= columns) return std::string(text);
  std::string out;
  size_t width = 0;
  ForEachChar(text, [&](std::string_view ch, size_t w) {
    if (width + w + 1 > columns) return false;  // One column is kept for the ellipsis.
    out.append(ch);
    width += w;
    return true;
  });
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
