// A structure-aware mutator for the fuzz targets (libFuzzer's LLVMFuzzerCustomMutator). Byte-level
// mutations rarely turn a valid page into another valid page in which one value has another type
// ("data": {…} → "data": null), yet that is what a platform's bug or a hostile proxy sends, and
// what broke the adapters: code that assumed an object. So a third of the mutations parse the
// input, change one thing anywhere in it, and write it back: a value replaced by one of another
// kind or by a copy of another value, a string with a NUL or a number at a boundary, a member or
// element dropped or repeated, a key renamed (possibly to one its object already has). The others,
// and every input that does not parse, are libFuzzer's own (bytes changed, the dictionary's words
// put in), which find what structure cannot: a NUL after a record, invalid UTF-8, truncation…
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/gbk.h"
#include "daemon/core/json.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace hs::fuzz {

// Depth up to which inputs are mutated structurally: writing a value back recurses.
inline constexpr int kMutateMaxDepth = 64;
// How much one structural mutation may add: copies of large values would soon fill max_len.
inline constexpr size_t kMutateMaxGrowth = 4096;

// A value of the document and, for an object member or an array element, where it sits.
struct Slot {
  rapidjson::Value* value;
  rapidjson::Value* parent;  // nullptr for the root.
  rapidjson::SizeType index;
  int depth;
};

// Every value of `root`, breadth first (so by depth).
inline std::vector<Slot> Slots(rapidjson::Value& root) {
  std::vector<Slot> out{{&root, nullptr, 0, 0}};
  for (size_t i = 0; i < out.size(); ++i) {
    rapidjson::Value& v = *out[i].value;
    const int d = out[i].depth + 1;
    if (v.IsObject()) {
      for (rapidjson::SizeType k = 0; k < v.MemberCount(); ++k) {
        out.push_back({&(v.MemberBegin() + k)->value, &v, k, d});
      }
    } else if (v.IsArray()) {
      for (rapidjson::SizeType k = 0; k < v.Size(); ++k) out.push_back({&v[k], &v, k, d});
    }
  }
  return out;
}

// A slot at a depth chosen first, so that the envelope's few fields (data, next_cursor, rows…)
// are changed as often as the many fields of its records.
inline Slot& PickSlot(std::vector<Slot>& slots, std::minstd_rand& rng) {
  const int depth = static_cast<int>(rng() % (slots.back().depth + 1));
  size_t first = 0;
  while (slots[first].depth < depth) ++first;
  size_t end = first;
  while (end < slots.size() && slots[end].depth == depth) ++end;
  return slots[first + rng() % (end - first)];
}

// A value of another kind, or at a boundary the mappings check.
inline rapidjson::Value OtherValue(std::minstd_rand& rng, rapidjson::Document::AllocatorType& a) {
  static const char* const kStrings[] = {"",
                                         "0",
                                         "x",
                                         "2023-06-12 10:00:00",
                                         "2023-02-29 10:00:00",
                                         "2023-06-12T09:31:05+08:00",
                                         "2023-06-12T09:31:05Z",
                                         "13800000000",
                                         "\xE5\x8A\x9E\xE7\x90\x86\xE4\xB8\xAD",  // 办理中
                                         "\xF0\x9F\x98\x80",
                                         "OK",
                                         "ACCEPTED",
                                         "XF0301"};
  static const int64_t kInts[] = {0,
                                  -1,
                                  1,
                                  10'000,
                                  int64_t{1} << 31,
                                  int64_t{1} << 53,
                                  (int64_t{1} << 53) + 1,
                                  INT64_MAX,
                                  INT64_MIN,
                                  946'684'800'000,
                                  4'102'444'800'000};
  switch (rng() % 10) {
    case 0:
      return rapidjson::Value(rapidjson::kNullType);
    case 1:
      return rapidjson::Value(rng() % 2 == 0);
    case 2:
      return rapidjson::Value(kInts[rng() % std::size(kInts)]);
    case 3:
      return rapidjson::Value(rng() % 2 ? UINT64_MAX : uint64_t{1} << 63);
    case 4:
      return rapidjson::Value(rng() % 2 ? 0.5 : -1e300);
    case 5: {
      const char* s = kStrings[rng() % std::size(kStrings)];
      return rapidjson::Value(s, static_cast<rapidjson::SizeType>(std::strlen(s)), a);
    }
    case 6: {  // A NUL in a string, which C-string code would cut.
      static const std::string_view kNul[] = {{"\0", 1}, {"c\0", 2}, {"\0c", 2}, {"c\0c", 3}};
      std::string_view s = kNul[rng() % std::size(kNul)];
      return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
    }
    case 7: {  // Just over a length limit of the mappings (64, 256, 1024 bytes…).
      static const size_t kLengths[] = {65, 257, 1025, 4097};
      std::string s(kLengths[rng() % std::size(kLengths)], 'x');
      return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
    }
    case 8:
      return rapidjson::Value(rapidjson::kArrayType);
    default:
      return rapidjson::Value(rapidjson::kObjectType);
  }
}

// One structural change to `text`, a UTF-8 JSON document. False when it does not parse.
inline bool MutateJson(std::string& text, std::minstd_rand& rng) {
  rapidjson::Document doc;
  if (!json::Parse(text, doc, kMutateMaxDepth).ok()) return false;
  auto& a = doc.GetAllocator();
  std::vector<Slot> slots = Slots(doc);
  Slot& s = PickSlot(slots, rng);
  switch (rng() % 6) {
    case 0:
    case 1:
      *s.value = OtherValue(rng, a);
      break;
    case 2: {  // A copy of another value (copied first: it may contain this one).
      rapidjson::Value copy(*slots[rng() % slots.size()].value, a);
      *s.value = std::move(copy);
      break;
    }
    case 3:  // Dropped.
      if (s.parent == nullptr) return false;
      if (s.parent->IsObject()) {
        s.parent->EraseMember(s.parent->MemberBegin() + s.index);
      } else {
        s.parent->Erase(s.parent->Begin() + s.index);
      }
      break;
    case 4: {  // Repeated: an element again, or a member again under its own key (a duplicate).
      if (s.parent == nullptr) return false;
      rapidjson::Value copy(*s.value, a);
      if (s.parent->IsArray()) {
        s.parent->PushBack(copy, a);
      } else {
        rapidjson::Value key((s.parent->MemberBegin() + s.index)->name, a);
        s.parent->AddMember(key, copy, a);
      }
      break;
    }
    default: {  // A key renamed to another key of the document, or to an unknown field's.
      if (s.parent == nullptr || !s.parent->IsObject()) return false;
      static const char* const kKeys[] = {"",
                                          "x",
                                          "\xE5\xA4\x87\xE6\xB3\xA8",  // 备注
                                          "\xE8\xAF\xB4\xE6\x98\x8E",  // 说明
                                          "\xE6\x8F\x90\xE7\xA4\xBA",  // 提示
                                          "\xC3\xA9"};                 // é
      std::vector<const rapidjson::Value*> keys;
      for (const Slot& o : slots) {
        if (o.parent != nullptr && o.parent->IsObject()) {
          keys.push_back(&(o.parent->MemberBegin() + o.index)->name);
        }
      }
      rapidjson::Value key;
      if (rng() % 2 == 0) {
        key.CopyFrom(*keys[rng() % keys.size()], a);
      } else {
        const char* k = kKeys[rng() % std::size(kKeys)];
        key.SetString(k, static_cast<rapidjson::SizeType>(std::strlen(k)), a);
      }
      (s.parent->MemberBegin() + s.index)->name = std::move(key);
      break;
    }
  }
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  if (!doc.Accept(writer)) return false;
  text.assign(out.GetString(), out.GetSize());
  return true;
}

// LLVMFuzzerCustomMutator's body. `gbk`: inputs are GBK, mutated as their UTF-8 decoding and
// encoded back as the province does (characters outside GBK as \uXXXX).
inline size_t Mutate(uint8_t* data, size_t size, size_t max_size, unsigned seed, bool gbk) {
  std::minstd_rand rng(seed);
  if (rng() % 3 == 0) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::string text(bytes);
    bool ok = true;
    if (gbk) {
      auto utf8 = gbk::GbkToUtf8(bytes);
      ok = utf8.ok();
      if (ok) text = std::move(utf8).value();
    }
    ok = ok && MutateJson(text, rng);
    if (ok && gbk) {
      auto encoded = gbk::Utf8ToGbkJson(text);
      ok = encoded.ok();
      if (ok) text = std::move(encoded).value();
    }
    if (ok && !text.empty() && text.size() <= max_size && text.size() <= size + kMutateMaxGrowth) {
      std::memcpy(data, text.data(), text.size());
      return text.size();
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

}  // namespace hs::fuzz
