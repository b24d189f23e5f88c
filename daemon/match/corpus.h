// A message corpus in the format of the 2020 TipDM contest's message board (columns 留言编号,
// 留言用户, 留言主题, 留言时间, 留言详情, …), read for `match-eval` and `match-vocab`, and the
// labelled pairs (a, b, label) that match-eval scores. RFC 4180 CSV in UTF-8 (a BOM is allowed),
// quoted fields may span lines. Times are "YYYY/M/D H:MM:SS" in Beijing time, or an Excel serial
// day number (1900 system) as some rows of that data have. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/result.h"

namespace hs::match {

struct Message {
  std::string id;    // 留言编号
  std::string user;  // 留言用户: stands for the complainant's phone number.
  std::string title;
  std::string text;
  int64_t at = 0;  // Unix seconds.
};

struct LabelledPair {
  std::string a, b;
  std::string label;  // same, related or different.
};

// The whole file, bytes as they are. Errors: NotFound naming the path.
Result<std::string> ReadFileText(const std::string& path);

// Splits CSV into rows of fields. Errors: InvalidArgument for an unterminated quote (with the line).
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view csv);

// "2019/2/28 11:25:05", "2019-02-28 11:25", or an Excel serial such as "43524.47575". Errors:
// InvalidArgument.
Result<int64_t> ParseMessageTime(std::string_view text);

// The messages, in file order. Rows that cannot be read (no id, a bad time) are errors naming the
// row: an evaluation must not silently skip what it was given.
Result<std::vector<Message>> ReadMessages(std::string_view csv);

// A TSV with the header "a<TAB>b<TAB>label". Errors: InvalidArgument naming the line.
Result<std::vector<LabelledPair>> ReadPairs(std::string_view tsv);

}  // namespace hs::match
