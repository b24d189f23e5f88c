// Maps a petition record of the smart-petition platform (智慧信访平台, platforms/petition.md,
// "Petition record") to the canonical Ticket, with the bureau's codebook (categoryCode → the
// hotline's 诉求分类), and a page of POST /xf/api/petitions/query from its bytes to tickets and
// rejects. Pure; thread-safe (a CategoryMap is immutable once built).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/core/status.h"
#include "daemon/core/ticket.h"

namespace hs::petition {

// The codebook: the bureau's categoryCode → its name and the hotline sqfl of the same matter.
class CategoryMap {
 public:
  struct Entry {
    std::string name;  // The bureau's name, e.g. 劳动社保.
    std::string sqfl;  // The hotline's category, e.g. 人力资源和社会保障类.
  };

  // Reads TOML text shaped as schema/petition_categories.toml: a [codes] table of
  // CODE = { name = "…", sqfl = "…" }. `origin` names the text in errors. Errors: InvalidArgument
  // naming the line or code.
  static Result<CategoryMap> FromToml(std::string_view text, std::string_view origin);
  // The codebook shipped in the binary (schema/petition_categories.toml). Errors: Internal.
  static Result<CategoryMap> Shipped();

  // The entry of `code`, or nullptr when the codebook does not hold it.
  const Entry* Find(std::string_view code) const;
  size_t size() const { return codes_.size(); }

 private:
  std::map<std::string, Entry, std::less<>> codes_;
};

// Maps `record` into `out`, all but out.raw, which the caller sets to the record's bytes as
// received. Times become Unix seconds; out.version is updatedAt in milliseconds. Errors:
// InvalidArgument whose message names the field and what is wrong with it, never its value.
Status MapRecord(const rapidjson::Value& record, const CategoryMap& categories, Ticket& out);

// The canonical state of a platform status (REGISTERED, ACCEPTED…), or "" when unknown.
std::string_view CanonicalState(std::string_view status);

// The record's petitionNo when it is a non-empty string of at most 64 bytes, else "".
std::string_view RecordId(const rapidjson::Value& record);

// The petitionNo of a record that did not even parse, when its bytes show a plain ASCII one,
// else "".
std::string RecordIdFromBytes(std::string_view raw);

// A body of POST /xf/api/petitions/query as received: the page {success: true, total, pageNo,
// rows}, parsed strictly with its rows emptied, and each row's bytes, so that one bad row rejects
// only itself.
struct PageBody {
  std::string text;
  rapidjson::Document envelope;
  std::vector<std::string> records;  // Each row's bytes.
  int64_t total = 0;
};

// Reads a response body into `out`. Errors: InvalidArgument when it is not strict JSON (outside
// the rows) or not the page {success: true, total ≥ 0, rows}: the page is rejected.
Status ReadPageBody(std::string text, PageBody& out);

// Maps one record's bytes as received, strictly parsed (json::Parse), then MapRecord: appends the
// ticket (raw: the bytes) to `tickets`, or a reject naming the reason to `rejects`.
void MapRecordBytes(std::string_view bytes, const CategoryMap& categories,
                    std::vector<Ticket>& tickets, std::vector<Reject>& rejects);

// Maps the rows of `body` with MapRecordBytes, in order.
void MapPage(const PageBody& body, const CategoryMap& categories, std::vector<Ticket>& tickets,
             std::vector<Reject>& rejects);

}  // namespace hs::petition
