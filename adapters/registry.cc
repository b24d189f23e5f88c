#include "adapters/registry.h"

#include "adapters/hotline12345/client.h"
#include "adapters/petition/client.h"
#include "adapters/provincial/client.h"

namespace hs::adapters {
namespace {

using Factory = Result<std::unique_ptr<Adapter>> (*)(config::Section&, const Deps&);

struct Entry {
  std::string_view name;
  Factory create;
};

constexpr Entry kAdapters[] = {
    {"hotline12345", &hotline12345::Create},
    {"petition", &petition::Create},
    {"provincial", &provincial::Create},
};

}  // namespace

Result<std::unique_ptr<Adapter>> Create(const std::string& name, config::Section& section,
                                        const Deps& deps) {
  for (const Entry& e : kAdapters) {
    if (e.name == name) return e.create(section, deps);
  }
  std::string known;
  for (std::string_view n : Names()) known += (known.empty() ? "" : ", ") + std::string(n);
  return Status::NotFound("[adapters." + name + "]: no such adapter; this build knows " + known);
}

std::vector<std::string_view> Names() {
  std::vector<std::string_view> out;
  for (const Entry& e : kAdapters) out.push_back(e.name);
  return out;
}

}  // namespace hs::adapters
