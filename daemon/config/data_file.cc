#include "daemon/config/data_file.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/config/shipped.h"

namespace hs::config {

Result<DataFile> OpenDataFile(const std::string& path, const std::string& shipped_name) {
  DataFile f;
  std::string text;
  if (path.empty()) {
    auto shipped = ShippedFile(shipped_name);
    if (!shipped) return Status::Internal("schema/" + shipped_name + " was not compiled in");
    f.where = "schema/" + shipped_name + " (shipped)";
    text = std::string(*shipped);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound(path + " cannot be read; check the path and permissions");
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    f.where = path;
    f.dir = std::filesystem::absolute(path).parent_path().string();
  }
  try {
    f.root = toml::parse(text, f.where);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(f.where + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  return f;
}

std::string At(const DataFile& f, const toml::node& n) {
  return f.where + ":" + std::to_string(n.source().begin.line);
}

std::string Beside(const DataFile& f, const std::string& path) {
  if (path.empty() || f.dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(f.dir) / path).string();
}

Reader::Reader(const DataFile& f, const toml::table* t, std::string name)
    : f_(f), t_(t), name_(std::move(name)) {}

const toml::node* Reader::Node(const char* key) {
  asked_.insert(key);
  return t_ == nullptr ? nullptr : t_->get(key);
}

void Reader::FailAt(const toml::node& n, const char* key, const std::string& what) {
  if (!status_.ok()) return;
  status_ = Status::InvalidArgument(At(f_, n) + ": " + name_ + (name_.empty() ? "" : ".") + key +
                                    " " + what);
}

void Reader::Fail(const char* key, const std::string& what) {
  const toml::node* n = t_ == nullptr ? nullptr : t_->get(key);
  if (n != nullptr) return FailAt(*n, key, what);
  if (!status_.ok()) return;
  status_ = Status::InvalidArgument(f_.where + ": " + name_ + (name_.empty() ? "" : ".") + key +
                                    " " + what);
}

std::string Reader::Str(const char* key, std::string fallback) {
  const toml::node* n = Node(key);
  if (n == nullptr) return fallback;
  if (!n->is_string()) return FailAt(*n, key, "must be a string"), fallback;
  return **n->as_string();
}

bool Reader::Bool(const char* key, bool fallback) {
  const toml::node* n = Node(key);
  if (n == nullptr) return fallback;
  if (!n->is_boolean()) return FailAt(*n, key, "must be true or false"), fallback;
  return **n->as_boolean();
}

int64_t Reader::Int(const char* key, int64_t fallback) {
  const toml::node* n = Node(key);
  if (n == nullptr) return fallback;
  if (!n->is_integer()) return FailAt(*n, key, "must be a whole number"), fallback;
  return **n->as_integer();
}

int64_t Reader::Micros(const char* key, int64_t fallback) {
  const toml::node* n = Node(key);
  if (n == nullptr) return fallback;
  if (n->is_integer()) {
    const int64_t v = **n->as_integer();
    if (v > 1'000'000'000'000 || v < -1'000'000'000'000) return FailAt(*n, key, "is out of range"), fallback;
    return v * 1'000'000;
  }
  if (!n->is_floating_point()) return FailAt(*n, key, "must be a number"), fallback;
  const double v = **n->as_floating_point();
  if (!std::isfinite(v) || std::fabs(v) > 1e12) return FailAt(*n, key, "is out of range"), fallback;
  const double micros = v * 1e6;
  if (std::fabs(micros - std::round(micros)) > 1e-3) {
    return FailAt(*n, key, "has more than six decimal places"), fallback;
  }
  return static_cast<int64_t>(std::llround(micros));
}

std::vector<std::string> Reader::List(const char* key, std::vector<std::string> fallback) {
  const toml::node* n = Node(key);
  if (n == nullptr) return fallback;
  const toml::array* a = n->as_array();
  if (a == nullptr) return FailAt(*n, key, "must be a list of strings"), fallback;
  std::vector<std::string> out;
  for (const toml::node& e : *a) {
    if (!e.is_string()) return FailAt(e, key, "must be a list of strings"), fallback;
    out.push_back(**e.as_string());
  }
  return out;
}

const toml::table* Reader::Table(const char* key) {
  const toml::node* n = Node(key);
  if (n == nullptr) return nullptr;
  if (!n->is_table()) return FailAt(*n, key, "must be a table"), nullptr;
  return n->as_table();
}

const toml::array* Reader::Tables(const char* key) {
  const toml::node* n = Node(key);
  if (n == nullptr) return nullptr;
  const toml::array* a = n->as_array();
  if (a == nullptr || (!a->empty() && !a->is_array_of_tables())) {
    return FailAt(*n, key, "must be a list of tables ([[" + std::string(key) + "]])"), nullptr;
  }
  return a;
}

Status Reader::Finish(std::initializer_list<std::string_view> also_known) {
  if (!status_.ok() || t_ == nullptr) return status_;
  for (const auto& [k, node] : *t_) {
    std::string_view key = k.str();
    bool known = asked_.contains(std::string(key));
    for (std::string_view a : also_known) known |= a == key;
    if (!known) {
      return Status::InvalidArgument(At(f_, node) + ": " + name_ + (name_.empty() ? "" : ".") +
                                     std::string(key) +
                                     ": unknown key; check its spelling against the shipped "
                                     "schema/ file of the same name");
    }
  }
  return status_;
}

}  // namespace hs::config
