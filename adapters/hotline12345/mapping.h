// Maps a 12345 work-order record (platforms/hotline-12345.md, "Work-order record") to the canonical
// Ticket, and a page of GET /gongdan from its bytes to tickets and rejects. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// A body of GET /gongdan as received: the envelope {code, msg, data}, parsed strictly with its
// data.list emptied, and each record's bytes, so that one bad record rejects only itself.
struct PageBody {
  std::string text;
  rapidjson::Document envelope;
  std::vector<std::pair<size_t, size_t>> records;  // Offset and length in text.
};

// Reads a response body into `out`. Errors: InvalidArgument when it is not strict JSON (outside
// the records) or not the envelope {code, msg, data} with an integer code: the page is rejected.
Status ReadPageBody(std::string text, PageBody& out);

// Maps one record's bytes as received, strictly parsed (json::Parse), then MapRecord: appends the
// ticket (raw: the bytes) to `tickets`, or a reject naming the reason to `rejects`. The record's
// DOM is built in `pool`, which is cleared afterwards.
void MapRecordBytes(std::string_view bytes, rapidjson::MemoryPoolAllocator<>& pool,
                    std::vector<Ticket>& tickets, std::vector<Reject>& rejects);

// What data says besides its list.
struct PageLinks {
  std::string next_cursor;
  bool has_more = false;
};

// Maps the records of a body whose envelope's code is 0 with MapRecordBytes, in the page's order.
// Errors: InvalidArgument, with nothing appended, when data is not {list, next_cursor, has_more}
// (next_cursor not empty, without NUL, when has_more).
Status MapPage(const PageBody& body, rapidjson::MemoryPoolAllocator<>& pool,
               std::vector<Ticket>& tickets, std::vector<Reject>& rejects, PageLinks& links);

}  // namespace hs::hotline12345
