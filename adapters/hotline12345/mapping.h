// Maps a 12345 work-order record (platforms/hotline-12345.md, "Work-order record") to the canonical
// Ticket. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "daemon/core/status.h"
#include "daemon/core/ticket.h"

namespace hs::hotline12345 {

// Maps `record` into `out`, all but out.raw, which the caller sets to the record's bytes as
// received (unknown fields included). Errors: InvalidArgument whose message names the field and
// what is wrong with it, never its value (values may be personal data).
Status MapRecord(const rapidjson::Value& record, Ticket& out);

// The canonical state of a 工单状态, or "" when unknown.
std::string_view CanonicalState(std::string_view gdzt);

// The record's gdbh when it is a non-empty string, else "": to name a rejected record.
std::string_view RecordId(const rapidjson::Value& record);

// The gdbh of a record that did not even parse, when its bytes show a plain ASCII one, else "".
std::string RecordIdFromBytes(std::string_view raw);

}  // namespace hs::hotline12345
