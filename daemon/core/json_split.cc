#include "daemon/core/json_split.h"

namespace hs::json {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Returns the index just past the string starting at text[i] == '"', or npos if unterminated.
size_t SkipString(std::string_view text, size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<SplitArray> SplitArrayAt(std::string_view text,
                                       const std::vector<std::string>& path) {
  // Walk the path: only the containers on it are tracked by key; deeper ones only by depth.
  size_t depth = 0;           // Containers open.
  size_t matched = 0;         // Leading path keys matched by the open containers.
  std::string_view last_key;  // The last string seen at the current depth (an object key).
  bool after_colon = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      size_t end = SkipString(text, i);
      if (end == std::string_view::npos) return std::nullopt;
      if (!after_colon) last_key = text.substr(i + 1, end - i - 2);
      after_colon = false;
      i = end - 1;
      continue;
    }
    if (c == ':') {
      after_colon = true;
      continue;
    }
    if (c == '{' || c == '[') {
      bool on_path = depth == matched && depth >= 1 && matched <= path.size() && after_colon &&
                     matched - 1 < path.size() && last_key == path[matched - 1];
      if (depth == 0 && c == '{') {
        ++depth;
        matched = 1;  // The root object.
      } else if (on_path && c == '{') {
        ++depth;
        ++matched;
      } else if (on_path && c == '[' && matched == path.size()) {
        // Found: split its elements at depth + 1.
        SplitArray out;
        size_t level = 0;
        size_t start = i + 1;
        for (size_t j = i + 1; j < text.size(); ++j) {
          char d = text[j];
          if (d == '"') {
            j = SkipString(text, j);
            if (j == std::string_view::npos) return std::nullopt;
            --j;
          } else if (d == '{' || d == '[') {
            ++level;
          } else if (d == '}' || d == ']') {
            if (level == 0) {
              if (d != ']') return std::nullopt;
              std::string_view last = Trim(text.substr(start, j - start));
              if (!last.empty()) out.elements.push_back(last);
              out.rest = std::string(text.substr(0, i + 1)) + std::string(text.substr(j));
              out.begin = i + 1;
              out.end = j;
              return out;
            }
            --level;
          } else if (d == ',' && level == 0) {
            out.elements.push_back(Trim(text.substr(start, j - start)));
            start = j + 1;
          }
        }
        return std::nullopt;
      } else {
        ++depth;
      }
      after_colon = false;
      continue;
    }
    if (c == '}' || c == ']') {
      if (depth == 0) return std::nullopt;
      if (depth == matched) --matched;
      --depth;
      after_colon = false;
      continue;
    }
    if (c == ',') after_colon = false;
  }
  return std::nullopt;
}

}  // namespace hs::json
