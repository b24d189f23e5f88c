// The data files shipped in schema/*.toml (routing rules, the unit registry, the petition bureau's
// codebook), compiled into the binary by cmake/embed_data.cmake so that a configuration that names
// none of them still runs.
#pragma once

#include <optional>
#include <string_view>

namespace hs::config {

// The text of schema/NAME, e.g. ShippedFile("routing.toml"); nullopt when no such file shipped.
std::optional<std::string_view> ShippedFile(std::string_view name);

}  // namespace hs::config
