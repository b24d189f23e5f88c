// libFuzzer target for the provincial adapter (RELIABILITY.md, fault suite item 10): the bytes of
// a GET /prov/api/dispatch or …/changes response body in GBK, read as the client reads them
// (ReadPageBody over the masked bytes, then MapPage: each item decoded from GBK, parsed, mapped),
// and the same bytes as one item (MapRecordBytes), so that mutations of an item reach the mapping
// without an envelope. Besides the rules of fuzz_checks.h: what GBK decoding accepted survives
// the GBK encoder that push bodies go through. Build and run: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/provincial/mapping.h"
#include "daemon/core/gbk.h"
#include "fuzz/fuzz_checks.h"
#include "fuzz/json_mutator.h"

namespace {

using namespace hs;

constexpr size_t kRecordBufferBytes = 256 * 1024;  // As the client's.

rapidjson::MemoryPoolAllocator<>& Pool() {
  static char* buffer = new char[kRecordBufferBytes];
  static rapidjson::MemoryPoolAllocator<> pool(buffer, kRecordBufferBytes);
  return pool;
}

// A record's decoded text, encoded for a push body and decoded again, is the same JSON value.
void CheckGbkRoundTrip(const std::string& utf8_json) {
  rapidjson::Document before;
  if (!json::Parse(utf8_json, before).ok() || utf8_json.starts_with("\xEF\xBB\xBF")) return;
  auto gbk = gbk::Utf8ToGbkJson(utf8_json);
  fuzz::Check(gbk.ok(), "the GBK encoder refused a parsed record:", gbk.status().message());
  auto back = gbk::GbkToUtf8(*gbk);
  fuzz::Check(back.ok(),
              "the GBK encoder wrote what the decoder refuses:", back.status().message());
  rapidjson::Document after;
  fuzz::Check(json::Parse(*back, after).ok(), "a GBK-encoded record no longer parses");
  fuzz::Check(before == after, "a record changed through the GBK encoder");
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return hs::fuzz::Mutate(data, size, max_size, seed, /*gbk=*/true);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  fuzz::Check(provincial::MaskGbk(bytes).size() == size, "masking changed the length");
  std::vector<Ticket> tickets;
  std::vector<Reject> rejects;
  provincial::MapRecordBytes(bytes, Pool(), tickets, rejects);
  fuzz::CheckOutcome(1, tickets, rejects);
  if (!tickets.empty()) CheckGbkRoundTrip(tickets[0].raw);

  auto utf8 = gbk::GbkToUtf8(bytes);
  rapidjson::Document whole;
  const std::string masked = provincial::MaskGbk(bytes);
  const bool valid = utf8.ok() && json::Parse(*utf8, whole).ok();
  if (valid) {
    fuzz::CheckSplitAgrees(masked, whole, {"items"}, [&](std::string_view e) {
      auto decoded =
          gbk::GbkToUtf8(bytes.substr(static_cast<size_t>(e.data() - masked.data()), e.size()));
      fuzz::Check(decoded.ok(), "an element of a valid GBK body is not valid GBK");
      return std::move(decoded).value();
    });
  }
  // A valid page, unless its items key is spelt with an escape: then they cannot be told apart
  // in the GBK bytes, and a page with items is refused by design.
  const rapidjson::Value* result = valid ? json::Member(whole, "result") : nullptr;
  const rapidjson::Value* items = valid ? fuzz::ArrayAt(whole, {"items"}) : nullptr;
  const bool valid_page =
      result != nullptr && result->IsString() &&
      std::string_view(result->GetString(), result->GetStringLength()) == "OK" &&
      items != nullptr && (items->Empty() || json::SplitArrayAt(masked, {"items"}).has_value());

  provincial::PageBody body;
  Status read = provincial::ReadPageBody(std::string(bytes), body);
  if (!read.ok()) {
    fuzz::Check(!valid_page, "a valid page was refused:", read.message());
    fuzz::CheckRefusedForItsShape(valid, read);
    fuzz::CheckReason(read.message());
    return 0;
  }
  fuzz::CheckEmptied(body.envelope, {"items"}, body.items.size());
  fuzz::Check(!valid_page || body.items.size() == items->Size(),
              "a valid page was read with another number of records");
  tickets.clear();
  rejects.clear();
  provincial::MapPage(body, Pool(), tickets, rejects);
  fuzz::CheckOutcome(body.items.size(), tickets, rejects);
  return 0;
}
