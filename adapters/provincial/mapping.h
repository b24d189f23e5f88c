// Maps a provincial dispatch record (platforms/provincial.md, "Dispatch record"), already decoded
// from GBK to UTF-8, to the canonical Ticket; a page of the dispatch lists from its GBK bytes to
// tickets and rejects; and reads and writes the platform's ISO 8601 times. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// A copy of a GBK text of the same length in which every non-ASCII byte is 'x': a trail byte of
// GBK may be '\\' or a bracket, which would mislead a JSON scanner reading the raw bytes.
std::string MaskGbk(std::string_view gbk);

// A body of GET /prov/api/dispatch or /prov/api/dispatch/changes as received (GBK): the envelope
// {result: "OK", items, …}, parsed strictly with its items emptied, and each item's GBK bytes, so
// that one bad item (invalid GBK, a huge number…) rejects only itself. The envelope is read from
// MaskGbk's copy of the text: its fields are ASCII.
struct PageBody {
  std::string text;
  rapidjson::Document envelope;
  std::vector<std::pair<size_t, size_t>> items;  // Offset and length in text.
};

// Reads a response body into `out`. Errors: InvalidArgument when it is not strict JSON in GBK
// (outside the items) or not {result: "OK", items: […]}: the page is rejected.
Status ReadPageBody(std::string text, PageBody& out);

// Maps one item's GBK bytes as received, decoded to UTF-8 (gbk::GbkToUtf8), strictly parsed
// (json::Parse), then MapRecord: appends the ticket (raw: the decoded text) to `tickets`, or a
// reject naming the reason to `rejects` (raw: the decoded text, or the bytes when they are not
// GBK). The item's DOM is built in `pool`, which is cleared afterwards.
void MapRecordBytes(std::string_view gbk, rapidjson::MemoryPoolAllocator<>& pool,
                    std::vector<Ticket>& tickets, std::vector<Reject>& rejects);

// Maps the items of `body` with MapRecordBytes, in order.
void MapPage(const PageBody& body, rapidjson::MemoryPoolAllocator<>& pool,
             std::vector<Ticket>& tickets, std::vector<Reject>& rejects);

}  // namespace hs::provincial
