#include "daemon/match/corpus.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <map>

#include "daemon/core/time_util.h"

namespace hs::match {
namespace {

Status RowError(size_t row, std::string_view what) {
  return Status::InvalidArgument("row " + std::to_string(row) + ": " + std::string(what));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

Result<std::string> ReadFileText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound(path + ": cannot be read");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view csv) {
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1, quote_line = 0;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < csv.size() && csv[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
      quote_line = line;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') ++i;
      ++line;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) {
    return Status::InvalidArgument("CSV: the quote opened on line " + std::to_string(quote_line) +
                                   " is never closed");
  }
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<int64_t> ParseMessageTime(std::string_view text) {
  text = Trim(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep1 = 0, sep2 = 0;
  const std::string t(text);
  int n = std::sscanf(t.c_str(), "%d%c%d%c%d %d:%d:%d", &y, &sep1, &mo, &sep2, &d, &h, &mi, &s);
  if (n >= 5 && sep1 == sep2 && (sep1 == '/' || sep1 == '-')) {
    if (n == 7) s = 0;
    if (n != 5 && n != 7 && n != 8) return Status::InvalidArgument("bad time \"" + t + "\"");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    return ParseShanghaiTime(buf);
  }
  // An Excel serial day number: days since 1899-12-30 (the 1900 system as Excel counts it).
  char* end = nullptr;
  const double serial = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || *end != '\0' || !(serial > 1 && serial < 2'958'466)) {
    return Status::InvalidArgument("bad time \"" + t +
                                   "\": expected YYYY/M/D H:MM:SS or an Excel day number");
  }
  const int64_t epoch_day = DaysFromCivil(1899, 12, 30);
  const auto seconds = static_cast<int64_t>(std::llround(serial * 86'400.0));
  return (epoch_day * 86'400 + seconds) - kShanghaiOffsetSeconds;
}

Result<std::vector<Message>> ReadMessages(std::string_view csv) {
  HS_ASSIGN_OR_RETURN(std::vector<std::vector<std::string>> rows, ParseCsv(csv));
  if (rows.empty()) return Status::InvalidArgument("the corpus is empty");
  std::map<std::string, size_t, std::less<>> column;
  for (size_t i = 0; i < rows[0].size(); ++i) column[std::string(Trim(rows[0][i]))] = i;
  const char* needed[] = {"留言编号", "留言用户", "留言主题", "留言时间", "留言详情"};
  size_t at[5];
  for (size_t k = 0; k < 5; ++k) {
    auto it = column.find(needed[k]);
    if (it == column.end()) {
      return Status::InvalidArgument(std::string("the header has no column ") + needed[k]);
    }
    at[k] = it->second;
  }
  std::vector<Message> out;
  out.reserve(rows.size() - 1);
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string>& row = rows[r];
    auto get = [&](size_t k) -> std::string_view {
      return at[k] < row.size() ? std::string_view(row[at[k]]) : std::string_view();
    };
    Message m;
    m.id = std::string(Trim(get(0)));
    if (m.id.empty()) return RowError(r + 1, "no 留言编号");
    m.user = std::string(Trim(get(1)));
    m.title = std::string(Trim(get(2)));
    m.text = std::string(Trim(get(4)));
    auto time = ParseMessageTime(get(3));
    if (!time.ok()) return RowError(r + 1, time.status().message());
    m.at = *time;
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<LabelledPair>> ReadPairs(std::string_view tsv) {
  std::vector<LabelledPair> out;
  size_t line_no = 0;
  bool header = false;
  while (!tsv.empty()) {
    const size_t eol = tsv.find('\n');
    std::string_view line = Trim(tsv.substr(0, eol));
    tsv.remove_prefix(eol == std::string_view::npos ? tsv.size() : eol + 1);
    ++line_no;
    if (line.empty()) continue;
    const size_t t1 = line.find('\t');
    const size_t t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) {
      return Status::InvalidArgument("pairs line " + std::to_string(line_no) +
                                     ": expected a<TAB>b<TAB>label");
    }
    LabelledPair p{std::string(line.substr(0, t1)), std::string(line.substr(t1 + 1, t2 - t1 - 1)),
                   std::string(Trim(line.substr(t2 + 1)))};
    if (!header) {
      if (p.a != "a" || p.b != "b" || p.label != "label") {
        return Status::InvalidArgument("pairs line 1: expected the header a<TAB>b<TAB>label");
      }
      header = true;
      continue;
    }
    if (p.label != "same" && p.label != "related" && p.label != "different") {
      return Status::InvalidArgument("pairs line " + std::to_string(line_no) + ": label \"" +
                                     p.label + "\" is not same, related or different");
    }
    out.push_back(std::move(p));
  }
  if (!header) return Status::InvalidArgument("pairs: empty file");
  return out;
}

}  // namespace hs::match
