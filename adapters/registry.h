// The adapters this binary knows, by configuration name. One line per adapter in registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/adapter.h"

namespace hs::adapters {

// Creates the adapter for [adapters.NAME], validating its section (unknown keys are errors).
// Errors: NotFound for an unknown NAME; InvalidArgument for a bad section.
Result<std::unique_ptr<Adapter>> Create(const std::string& name, config::Section& section,
                                        const Deps& deps);

// Names accepted by Create, for error messages.
std::vector<std::string_view> Names();

}  // namespace hs::adapters
