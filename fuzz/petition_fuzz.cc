// libFuzzer target for the petition adapter (RELIABILITY.md, fault suite item 10): the bytes of a
// POST /xf/api/petitions/query response body, read as the client reads them (ReadPageBody, then
// MapPage with the shipped codebook), and the same bytes as one record (MapRecordBytes), so that
// mutations of a record reach the mapping without an envelope. The rules of fuzz_checks.h hold
// for every input. Build and run: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/petition/mapping.h"
#include "fuzz/fuzz_checks.h"
#include "fuzz/json_mutator.h"

namespace {

using namespace hs;

const petition::CategoryMap& Categories() {
  static const petition::CategoryMap* map = [] {
    auto shipped = petition::CategoryMap::Shipped();
    if (!shipped.ok()) fuzz::Broken("the shipped codebook does not load");
    return new petition::CategoryMap(std::move(shipped).value());
  }();
  return *map;
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return hs::fuzz::Mutate(data, size, max_size, seed, /*gbk=*/false);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<Ticket> tickets;
  std::vector<Reject> rejects;
  petition::MapRecordBytes(bytes, Categories(), tickets, rejects);
  fuzz::CheckOutcome(1, tickets, rejects);
  if (!tickets.empty()) {
    const Ticket& t = tickets[0];
    fuzz::Check(t.raw == bytes, "raw is not the record's bytes");
    fuzz::Check(t.updated_at == t.version / 1000, "updated_at is not updatedAt in seconds");
  }

  rapidjson::Document whole;
  const bool valid = json::Parse(bytes, whole).ok();
  if (valid) {
    fuzz::CheckSplitAgrees(bytes, whole, {"rows"},
                           [](std::string_view e) { return std::string(e); });
  }
  const rapidjson::Value* success = valid ? json::Member(whole, "success") : nullptr;
  const rapidjson::Value* total = valid ? json::Member(whole, "total") : nullptr;
  const rapidjson::Value* rows = valid ? fuzz::ArrayAt(whole, {"rows"}) : nullptr;
  const bool valid_page = success != nullptr && success->IsTrue() && total != nullptr &&
                          total->IsInt64() && total->GetInt64() >= 0 && rows != nullptr;

  petition::PageBody body;
  Status read = petition::ReadPageBody(std::string(bytes), body);
  if (!read.ok()) {
    fuzz::Check(!valid_page, "a valid page was refused:", read.message());
    fuzz::CheckRefusedForItsShape(valid, read);
    fuzz::CheckReason(read.message());
    return 0;
  }
  fuzz::Check(body.total >= 0, "a page with a negative total was read");
  fuzz::Check(!valid_page || body.records.size() == rows->Size(),
              "a valid page was read with another number of records");
  tickets.clear();
  rejects.clear();
  petition::MapPage(body, Categories(), tickets, rejects);
  fuzz::CheckOutcome(body.records.size(), tickets, rejects);
  return 0;
}
