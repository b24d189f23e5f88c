// libFuzzer target for the 12345 adapter (RELIABILITY.md, fault suite item 10): the bytes of a
// GET /gongdan response body, read as the client reads them (ReadPageBody; MapPage when the
// envelope's code is 0 and it has data, as ClassifyCode lets through), and the same bytes as one
// record (MapRecordBytes), so that mutations of a record reach the mapping without an envelope.
// The rules of fuzz_checks.h hold for every input; json_mutator.h makes mutations that keep the
// JSON valid. Build and run: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hotline12345/mapping.h"
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

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return hs::fuzz::Mutate(data, size, max_size, seed, /*gbk=*/false);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<Ticket> tickets;
  std::vector<Reject> rejects;
  hotline12345::MapRecordBytes(bytes, Pool(), tickets, rejects);
  fuzz::CheckOutcome(1, tickets, rejects);
  if (!tickets.empty()) fuzz::Check(tickets[0].raw == bytes, "raw is not the record's bytes");

  rapidjson::Document whole;
  const bool valid = json::Parse(bytes, whole).ok();
  if (valid) {
    fuzz::CheckSplitAgrees(bytes, whole, {"data", "list"},
                           [](std::string_view e) { return std::string(e); });
  }
  const rapidjson::Value* code = valid ? json::Member(whole, "code") : nullptr;
  const bool valid_page = code != nullptr && code->IsInt64();

  hotline12345::PageBody body;
  Status read = hotline12345::ReadPageBody(std::string(bytes), body);
  if (!read.ok()) {
    fuzz::Check(!valid_page, "a valid page was refused:", read.message());
    fuzz::CheckRefusedForItsShape(valid, read);
    fuzz::CheckReason(read.message());
    return 0;
  }
  const rapidjson::Value& env = body.envelope;
  fuzz::Check(env.IsObject() && env.HasMember("code") && env["code"].IsInt64(),
              "a page was read without the envelope");
  fuzz::CheckEmptied(env, {"data", "list"}, body.records.size());
  if (const rapidjson::Value* list = fuzz::ArrayAt(whole, {"data", "list"}); valid && list) {
    const rapidjson::Value* left = fuzz::ArrayAt(env, {"data", "list"});
    fuzz::Check(body.records.size() + (left ? left->Size() : 0) == list->Size(),
                "a valid page was read with another number of records");
  }
  if (env["code"].GetInt64() != 0 || !env.HasMember("data")) return 0;
  tickets.clear();
  rejects.clear();
  hotline12345::PageLinks links;
  Status mapped = hotline12345::MapPage(body, Pool(), tickets, rejects, links);
  if (!mapped.ok()) {
    fuzz::CheckReason(mapped.message());
    fuzz::Check(tickets.empty() && rejects.empty(), "a refused page left records");
    return 0;
  }
  fuzz::CheckOutcome(body.records.size() + env["data"]["list"].Size(), tickets, rejects);
  const rapidjson::Value& next = env["data"]["next_cursor"];
  fuzz::Check(!links.has_more || !links.next_cursor.empty(), "has_more without a cursor to follow");
  fuzz::Check(!links.has_more ||
                  links.next_cursor == std::string_view(next.GetString(), next.GetStringLength()),
              "the cursor to follow is not the one the page gave");
  return 0;
}
