// Plain-text tables for operator commands, aligned by display width (a Chinese character takes two
// columns). Not thread-safe; build and print from one thread.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace hs::ops {

// Display width of UTF-8 text in terminal columns.
size_t DisplayWidth(std::string_view text);

// Cuts text to at most `columns` display columns, ending with "…" when cut.
std::string Truncate(std::string_view text, size_t columns);

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace hs::ops
