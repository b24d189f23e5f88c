// Maps a provincial dispatch record (platforms/provincial.md, "Dispatch record"), already decoded
// from GBK to UTF-8, to the canonical Ticket; and reads and writes the platform's ISO 8601 times.
// Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/core/result.h"
#include "daemon/core/status.h"
#include "daemon/core/ticket.h"

namespace hs::provincial {

// The four channels the province forwards from (渠道).
inline constexpr std::string_view kOriginStateCouncil = "国务院客户端/中国政府网留言";
inline constexpr std::string_view kOriginGovService = "国家政务服务投诉";
inline constexpr std::string_view kOriginGovernor = "省长信箱";
inline constexpr std::string_view kOriginXiangYiBan = "湘易办";

// Maps `record` into `out`, all but out.raw, which the caller sets to the record's bytes after
// GBK→UTF-8 decoding. out.updated_at is 0 (the record has no update time); out.version is the
// revision. Errors: InvalidArgument whose message names the field and what is wrong with it,
// never its value (values may be personal data).
Status MapRecord(const rapidjson::Value& record, Ticket& out);

// The canonical state of a dispatch state (PENDING, ACCEPTED…), or "" when unknown.
std::string_view CanonicalState(std::string_view state);

// The dispatchId of a record that may not even parse (or may still be GBK), when its bytes show a
// plain ASCII one, else "": to name a rejected record.
std::string RecordIdFromBytes(std::string_view raw);

// Parses "yyyy-MM-ddTHH:mm:ss" followed by an offset "+hh:mm", "-hh:mm" or "Z" into Unix seconds.
// Errors: InvalidArgument naming the problem (no offset, month 13, February 30…).
Result<int64_t> ParseIsoTime(std::string_view text);

// Formats Unix seconds in Beijing time as the province writes it: 2023-06-12T09:31:05+08:00.
std::string FormatIsoTime(int64_t unix_seconds);

}  // namespace hs::provincial
