#include "daemon/config/config.h"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/core/time_util.h"

namespace hs::config {

struct ParsedFile {
  std::string file;
  std::string dir;
  toml::table root;
};

struct Section::Impl {
  std::shared_ptr<const ParsedFile> parsed;
  const toml::table* table = nullptr;  // Null when the section is absent.
  std::string name;
  std::set<std::string, std::less<>> used;
  std::string error;

  std::string Where(const toml::node* node) const {
    std::string out = parsed->file;
    if (node != nullptr && node->source().begin.line > 0) {
      out += ":" + std::to_string(node->source().begin.line);
    } else if (table != nullptr && table->source().begin.line > 0) {
      out += ":" + std::to_string(table->source().begin.line);
    }
    return out;
  }
  const toml::node* Find(std::string_view key) {
    used.emplace(key);
    return table == nullptr ? nullptr : table->get(key);
  }
  void Fail(const toml::node* node, std::string_view key, std::string_view what) {
    if (!error.empty()) return;
    error = Where(node) + ": " + name + "." + std::string(key) + ": " + std::string(what);
  }
};

Section::Section() : impl_(std::make_unique<Impl>()) {}
Section::Section(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Section::~Section() = default;
Section::Section(Section&&) noexcept = default;
Section& Section::operator=(Section&&) noexcept = default;

const std::string& Section::name() const { return impl_->name; }
const std::string& Section::config_dir() const { return impl_->parsed->dir; }

std::string Section::String(std::string_view key, std::string_view fallback) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return std::string(fallback);
  if (!n->is_string()) {
    impl_->Fail(n, key, "must be a string in quotes");
    return std::string(fallback);
  }
  return std::string(*n->value<std::string_view>());
}

std::string Section::RequiredString(std::string_view key) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) {
    impl_->Fail(nullptr, key, "is required");
    return {};
  }
  std::string v = String(key, "");
  if (v.empty()) impl_->Fail(n, key, "must not be empty");
  return v;
}

int64_t Section::Int(std::string_view key, int64_t fallback, int64_t min, int64_t max) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return fallback;
  auto v = n->value<int64_t>();
  if (!n->is_integer() || !v) {
    impl_->Fail(n, key, "must be a whole number");
    return fallback;
  }
  if (*v < min || *v > max) {
    impl_->Fail(n, key,
                "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                    ", got " + std::to_string(*v));
    return fallback;
  }
  return *v;
}

double Section::Double(std::string_view key, double fallback, double min, double max) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return fallback;
  auto v = n->value<double>();
  if (!(n->is_floating_point() || n->is_integer()) || !v) {
    impl_->Fail(n, key, "must be a number");
    return fallback;
  }
  if (!(*v >= min && *v <= max)) {
    impl_->Fail(n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return fallback;
  }
  return *v;
}

bool Section::Bool(std::string_view key, bool fallback) {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return fallback;
  if (!n->is_boolean()) {
    impl_->Fail(n, key, "must be true or false");
    return fallback;
  }
  return *n->value<bool>();
}

int64_t Section::DurationMillis(std::string_view key, std::string_view fallback, int64_t min_ms,
                                int64_t max_ms) {
  const toml::node* n = impl_->Find(key);
  std::string text = String(key, fallback);
  auto ms = ParseDurationMillis(text);
  if (!ms.ok()) {
    impl_->Fail(n, key, ms.status().message());
    return *ParseDurationMillis(fallback);
  }
  if (*ms < min_ms || *ms > max_ms) {
    impl_->Fail(n, key,
                "must be between " + FormatDurationMillis(min_ms) + " and " +
                    FormatDurationMillis(max_ms) + ", got " + text);
    return *ParseDurationMillis(fallback);
  }
  return *ms;
}

std::string Section::Secret(std::string_view key) {
  const toml::node* n = impl_->Find(key);
  std::string file = RequiredString(key);
  if (file.empty()) return {};
  auto secret = ReadSecretFile(file, impl_->parsed->dir);
  if (!secret.ok()) {
    impl_->Fail(n, key, secret.status().message());
    return {};
  }
  return *secret;
}

std::string Section::Path(std::string_view key, std::string_view fallback) {
  std::string p = String(key, fallback);
  if (p.empty() || p.front() == '/') return p;
  return (std::filesystem::path(impl_->parsed->dir) / p).string();
}

void Section::Fail(std::string_view key, std::string_view what) {
  impl_->Fail(impl_->table == nullptr ? nullptr : impl_->table->get(key), key, what);
}

Status Section::Finish() {
  if (!impl_->error.empty()) return Status::InvalidArgument(impl_->error);
  if (impl_->table != nullptr) {
    for (const auto& [k, node] : *impl_->table) {
      if (!impl_->used.contains(k.str())) {
        return Status::InvalidArgument(impl_->Where(&node) + ": " + impl_->name + "." +
                                       std::string(k.str()) +
                                       ": unknown key; check its spelling against the README's "
                                       "configuration reference");
      }
    }
  }
  return Status::Ok();
}

Section Config::AdapterSection(const std::string& name) const {
  auto impl = std::make_unique<Section::Impl>();
  impl->parsed = parsed;
  impl->name = "adapters." + name;
  const toml::table* adapters = parsed->root["adapters"].as_table();
  impl->table = adapters == nullptr ? nullptr : (*adapters)[name].as_table();
  return Section(std::move(impl));
}

Result<ListenAddress> SplitListenAddress(const std::string& listen) {
  const Status bad = Status::InvalidArgument(
      "must be an IP address and port, e.g. \"127.0.0.1:8345\" or \"[::1]:8345\", or \"off\"");
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad;
  ListenAddress out;
  out.host = listen.substr(0, colon);
  if (out.host.front() == '[') {
    if (out.host.size() < 3 || out.host.back() != ']') return bad;
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return bad;
  }
  out.port = std::stoi(port);
  unsigned char buf[sizeof(in6_addr)];
  if (out.port > 65535 || (inet_pton(AF_INET, out.host.c_str(), buf) != 1 &&
                           inet_pton(AF_INET6, out.host.c_str(), buf) != 1)) {
    return bad;
  }
  return out;
}

Result<std::string> ReadSecretFile(const std::string& name, const std::string& config_dir) {
  std::vector<std::filesystem::path> tried;
  if (!name.empty() && name.front() == '/') {
    tried.emplace_back(name);
  } else {
    if (const char* creds = std::getenv("CREDENTIALS_DIRECTORY"); creds != nullptr && *creds) {
      tried.push_back(std::filesystem::path(creds) / name);
    }
    tried.push_back(std::filesystem::path(config_dir) / name);
  }
  std::string places;
  for (const auto& p : tried) {
    std::ifstream in(p, std::ios::binary);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      std::string s = ss.str();
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
      if (s.empty()) return Status::InvalidArgument("secret file " + p.string() + " is empty");
      return s;
    }
    places += (places.empty() ? "" : ", ") + p.string();
  }
  return Status::NotFound("secret file \"" + name + "\" not found (looked in " + places + ")");
}

Result<Config> Load(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return Status::NotFound("configuration file " + path +
                            " does not exist; pass --config with the path of your TOML file");
  }
  auto parsed = std::make_shared<ParsedFile>();
  parsed->file = path;
  parsed->dir = std::filesystem::absolute(path).parent_path().string();
  try {
    parsed->root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  Config cfg;
  cfg.file = path;
  cfg.parsed = parsed;
  for (const auto& [k, node] : parsed->root) {
    std::string key(k.str());
    if (key != "ledger" && key != "log" && key != "adapters" && key != "routing" &&
        key != "outbox" && key != "deadlines" && key != "match" && key != "assessment" &&
        key != "service") {
      return Status::InvalidArgument(path + ":" + std::to_string(node.source().begin.line) + ": " +
                                     key +
                                     ": unknown section; expected [ledger], [log], [routing], "
                                     "[outbox], [deadlines], [match], [assessment], [service] or "
                                     "[adapters.NAME]");
    }
    if (!node.is_table()) {
      return Status::InvalidArgument(path + ":" + std::to_string(node.source().begin.line) + ": " +
                                     key + ": must be a table");
    }
  }
  auto section = [&](const char* name) {
    auto impl = std::make_unique<Section::Impl>();
    impl->parsed = parsed;
    impl->name = name;
    impl->table = parsed->root[name].as_table();
    return Section(std::move(impl));
  };
  Section ledger = section("ledger");
  cfg.ledger_path = ledger.Path("path", "");
  if (cfg.ledger_path.empty())
    ledger.Fail("path", "is required, e.g. \"/var/lib/hotline-sync/ledger.db\"");
  cfg.ledger_synchronous = ledger.String("synchronous", "normal");
  for (char& c : cfg.ledger_synchronous)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (cfg.ledger_synchronous != "NORMAL" && cfg.ledger_synchronous != "FULL") {
    ledger.Fail("synchronous", "must be \"normal\" or \"full\"");
  }
  cfg.ledger_wal_alarm_mb = ledger.Int("wal_alarm_mb", 256, 1, 1 << 20);
  HS_RETURN_IF_ERROR(ledger.Finish());
  Section log = section("log");
  cfg.log_level = log.String("level", "info");
  HS_RETURN_IF_ERROR(log.Finish());
  Section routing = section("routing");
  cfg.routing_file = routing.Path("file", "");
  HS_RETURN_IF_ERROR(routing.Finish());
  Section outbox = section("outbox");
  cfg.outbox_max_attempts = static_cast<int>(outbox.Int("max_attempts", 15, 1, 1000));
  cfg.outbox_backoff_base_ms = outbox.DurationMillis("backoff_base", "1s", 10, 3'600'000);
  cfg.outbox_backoff_cap_ms = outbox.DurationMillis("backoff_cap", "5m", 100, 86'400'000);
  HS_RETURN_IF_ERROR(outbox.Finish());
  Section deadlines = section("deadlines");
  cfg.deadline_lead_provincial_ms =
      deadlines.DurationMillis("provincial_lead", "48h", 0, 30 * 86'400'000LL);
  cfg.deadline_lead_hotline_ms =
      deadlines.DurationMillis("hotline_lead", "24h", 0, 30 * 86'400'000LL);
  cfg.deadline_check_ms = deadlines.DurationMillis("check_every", "1m", 1000, 86'400'000);
  HS_RETURN_IF_ERROR(deadlines.Finish());
  Section match = section("match");
  cfg.match_enabled = match.Bool("enabled", true);
  cfg.match_window_s = match.DurationMillis("window", "30d", 3'600'000, 3650 * 86'400'000LL) / 1000;
  cfg.match_apply_same = match.Double("apply_same", 0.5, 0, 1);
  cfg.match_apply_related = match.Double("apply_related", 0.5, 0, 1);
  cfg.match_ask = match.Double("ask", 0.3, 0, 1);
  cfg.match_cohesion = match.Double("cohesion", 0.3, 0, 1);
  if (cfg.match_ask > std::min(cfg.match_apply_same, cfg.match_apply_related)) {
    match.Fail("ask", "must not be above apply_same or apply_related");
  }
  cfg.match_vocabulary_file = match.Path("vocabulary", "");
  cfg.match_key_file = match.String("key_file", "");
  cfg.match_area_code = match.String("area_code", "0730");
  if (cfg.match_area_code.size() < 3 || cfg.match_area_code.size() > 4 ||
      cfg.match_area_code.front() != '0' ||
      cfg.match_area_code.find_first_not_of("0123456789") != std::string::npos) {
    match.Fail("area_code", "must be a Chinese area code such as \"0730\"");
  }
  HS_RETURN_IF_ERROR(match.Finish());
  Section assessment = section("assessment");
  cfg.assessment_policy_file = assessment.Path("policy", "");
  HS_RETURN_IF_ERROR(assessment.Finish());
  Section service = section("service");
  cfg.stall_after_ms = service.DurationMillis("stall_after", "5m", 1000, 86'400'000);
  cfg.unready_after_ms = service.DurationMillis("unready_after", "10m", 0, 30 * 86'400'000LL);
  cfg.listen = service.String("listen", "127.0.0.1:8345");
  if (cfg.listen != "off") {
    auto where = SplitListenAddress(cfg.listen);
    if (!where.ok()) service.Fail("listen", where.status().message());
  }
  HS_RETURN_IF_ERROR(service.Finish());
  if (const toml::table* adapters = parsed->root["adapters"].as_table()) {
    for (const auto& [k, node] : *adapters) {
      if (!node.is_table()) {
        return Status::InvalidArgument(path + ":" + std::to_string(node.source().begin.line) +
                                       ": adapters." + std::string(k.str()) + ": must be a table");
      }
      cfg.adapter_names.emplace_back(k.str());
    }
  }
  return cfg;
}

}  // namespace hs::config
