// The project's TOML data files (schema/routing.toml, units.toml, assessment.toml and a city's
// replacements): read from a path or the copy compiled in, with typed readers whose errors name
// the file, the line and the key. Plain data; a Reader is used by one thread.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/result.h"

namespace hs::config {

// A data file: its text parsed, and where it came from for messages.
struct DataFile {
  std::string where;  // The path, or "schema/NAME (shipped)".
  std::string dir;    // For relative paths inside it; "" for a shipped file.
  toml::table root;
};

// Reads `path`, or the shipped schema/`shipped_name` when `path` is empty. Errors: NotFound for a
// file that cannot be read, InvalidArgument (file:line) for bad TOML.
Result<DataFile> OpenDataFile(const std::string& path, const std::string& shipped_name);

// "file:line" of a node.
std::string At(const DataFile& f, const toml::node& n);

// A path named inside `f`, relative to its directory.
std::string Beside(const DataFile& f, const std::string& path);

// Typed readers over one table (absent: every key takes its fallback); the first error sticks.
class Reader {
 public:
  Reader(const DataFile& f, const toml::table* t, std::string name);

  std::string Str(const char* key, std::string fallback);
  bool Bool(const char* key, bool fallback);
  int64_t Int(const char* key, int64_t fallback);
  // A decimal number (integer or float) in millionths, exactly as written to six places:
  // 0.3 → 300000. Weights and thresholds stay exact this way.
  int64_t Micros(const char* key, int64_t fallback);
  std::vector<std::string> List(const char* key, std::vector<std::string> fallback);
  // A sub-table, or nullptr (an error when the key holds something else).
  const toml::table* Table(const char* key);
  // An array of tables ([[key]]), or nullptr.
  const toml::array* Tables(const char* key);
  // Records an error about `key` ("name.key what"), unless one is recorded already.
  void Fail(const char* key, const std::string& what);

  // The first error, or an InvalidArgument for a key no reader asked for (a misspelling).
  Status Finish(std::initializer_list<std::string_view> also_known = {});
  const std::string& name() const { return name_; }

 private:
  const toml::node* Node(const char* key);
  void FailAt(const toml::node& n, const char* key, const std::string& what);

  const DataFile& f_;
  const toml::table* t_;
  std::string name_;
  Status status_;
  std::set<std::string, std::less<>> asked_;
};

}  // namespace hs::config
