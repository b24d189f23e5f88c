// The data files shipped in schema/*.toml and *.tsv (routing rules, the unit registry, the petition
// bureau's codebook, the assessment policy), compiled into the binary by cmake/embed_data.cmake so
// that a configuration that names none of them still runs; and the web page (daemon/web/page.html).
#pragma once

#include <optional>
#include <string_view>

namespace hs::config {

// The text of schema/NAME, e.g. ShippedFile("routing.toml"), or of "page.html"; nullopt when no
// such file shipped.
std::optional<std::string_view> ShippedFile(std::string_view name);

}  // namespace hs::config
