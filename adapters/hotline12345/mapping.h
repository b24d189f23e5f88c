// Maps a 12345 work-order record (platforms/hotline-12345.md, "Work-order record") to the canonical
// Ticket. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string_view>

#include "daemon/core/status.h"
#include "daemon/core/ticket.h"

namespace hs::hotline12345 {

// Maps `record` into `out` (raw included). Errors: InvalidArgument whose message names the field and
// what is wrong with it, never its value (values may be personal data). Unknown fields are ignored
// here and kept in out.raw.
Status MapRecord(const rapidjson::Value& record, Ticket& out);

// The canonical state of a 工单状态, or "" when unknown.
std::string_view CanonicalState(std::string_view gdzt);

// The record's gdbh when it is a non-empty string, else "": to name a rejected record.
std::string_view RecordId(const rapidjson::Value& record);

}  // namespace hs::hotline12345
