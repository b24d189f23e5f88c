// What every fuzz target checks of a page's outcome, besides "no crash, no leak, no undefined
// behaviour" (AddressSanitizer, UndefinedBehaviorSanitizer and RapidJSON's assertions see those):
// each record ends as a ticket or a reject, never both or neither; a ticket has an id, a known
// canonical state and UTF-8 text without NUL; a reject has a reason that holds no phone or identity
// number; the array splitter agrees with the strict parser whenever the whole body parses; and a
// body that is a valid page is read, with as many records as its array holds (each target).
// A broken rule aborts, which libFuzzer reports as a crash with the input that broke it.
#pragma once

#include <rapidjson/document.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/json.h"
#include "daemon/core/json_split.h"
#include "daemon/core/ticket.h"

namespace hs::fuzz {

[[noreturn]] inline void Broken(const char* rule, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz: rule broken: %s %.*s\n", rule, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline void Check(bool ok, const char* rule, std::string_view detail = {}) {
  if (!ok) Broken(rule, detail);
}

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
inline bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    char32_t cp;
    char32_t min;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < n) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// Text the ledger stores and the web page shows: UTF-8 without NUL.
inline void CheckText(std::string_view s, const char* field) {
  Check(ValidUtf8(s), "ticket text is not UTF-8:", field);
  Check(s.find('\0') == std::string_view::npos, "ticket text holds NUL:", field);
}

// True when `s` holds what scripts/check-no-pii.sh calls a mobile number (1[3-9] and nine digits,
// maybe after 86, maybe split by spaces or hyphens) or an identity-card number (17 digits and a
// digit or X, born in 19xx or 20xx), standing alone.
inline bool LooksLikePersonalNumber(std::string_view s) {
  std::string digits;  // Each run of digits, separators between digits dropped.
  auto judge = [&]() {
    std::string_view d = digits;
    bool phone = false;
    if (d.size() == 13 && d.starts_with("86")) d.remove_prefix(2);
    if (d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9') phone = true;
    bool id =
        digits.size() == 18 && (digits.compare(6, 2, "19") == 0 || digits.compare(6, 2, "20") == 0);
    digits.clear();
    return phone || id;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool digit = c >= '0' && c <= '9';
    const bool id_check = (c == 'X' || c == 'x') && digits.size() == 17;
    const bool separator = (c == ' ' || c == '-') && !digits.empty() && i + 1 < s.size() &&
                           s[i + 1] >= '0' && s[i + 1] <= '9';
    if (digit || id_check) {
      digits.push_back(digit ? c : '0');
    } else if (!separator) {
      const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      if (!alnum && judge()) return true;
      digits.clear();
    }
  }
  return judge();
}

inline void CheckTicket(const Ticket& t) {
  Check(!t.external_id.empty(), "ticket without an id");
  Check(!t.raw.empty(), "ticket without its raw record");
  Check(StateLabel(t.state) != t.state, "ticket state is not a canonical state:", t.state);
  Check(!t.native_state.empty(), "ticket without the platform's own state");
  for (const auto& [text, field] :
       std::initializer_list<std::pair<const std::string&, const char*>>{
           {t.external_id, "external_id"},
           {t.external_ref, "external_ref"},
           {t.channel, "channel"},
           {t.kind, "kind"},
           {t.category, "category"},
           {t.title, "title"},
           {t.content, "content"},
           {t.address, "address"},
           {t.complainant, "complainant"},
           {t.phone, "phone"},
           {t.id_number, "id_number"},
           {t.unit, "unit"},
           {t.unit_code, "unit_code"},
           {t.native_state, "native_state"},
           {t.closure_text, "closure_text"},
           {t.revisit_result, "revisit_result"},
           {t.raw, "raw"}}) {
    CheckText(text, field);
  }
  for (const HistoryEntry& h : t.history) {
    CheckText(h.action, "history.action");
    CheckText(h.unit, "history.unit");
    CheckText(h.note, "history.note");
    CheckText(h.result, "history.result");
    CheckText(h.external_ref, "history.external_ref");
  }
}

// A reason for a reject or a refused page: goes to logs and the rejects table.
inline void CheckReason(std::string_view reason) {
  Check(!reason.empty(), "reject without a reason");
  Check(ValidUtf8(reason), "reason is not UTF-8");
  Check(!LooksLikePersonalNumber(reason), "reason holds a phone or identity number");
}

inline void CheckOutcome(size_t records, const std::vector<Ticket>& tickets,
                         const std::vector<Reject>& rejects) {
  Check(tickets.size() + rejects.size() == records, "a record is lost or doubled");
  for (const Ticket& t : tickets) CheckTicket(t);
  for (const Reject& r : rejects) CheckReason(r.reason);
}

// The array at `path` (object keys from the root) of a parsed document, or nullptr.
inline const rapidjson::Value* ArrayAt(const rapidjson::Value& root,
                                       const std::vector<std::string>& path) {
  const rapidjson::Value* v = &root;
  for (const std::string& key : path) {
    if (!v->IsObject()) return nullptr;
    auto it = v->FindMember(rapidjson::StringRef(key.data(), key.size()));
    if (it == v->MemberEnd()) return nullptr;
    v = &it->value;
  }
  return v->IsArray() ? v : nullptr;
}

// When `whole` (the body as a parsed UTF-8 document) has an array at `path` and the splitter found
// one in `scanned` (the bytes it scans), the split must hold the same elements, each the bytes of
// one element: `element_text` turns an element's bytes into the UTF-8 text to parse.
template <typename ElementText>
void CheckSplitAgrees(std::string_view scanned, const rapidjson::Document& whole,
                      const std::vector<std::string>& path, ElementText element_text) {
  const rapidjson::Value* array = ArrayAt(whole, path);
  auto split = json::SplitArrayAt(scanned, path);
  if (array == nullptr || !split) return;  // The key may be spelt with escapes: not split then.
  Check(split->elements.size() == array->Size(), "splitter and parser count different elements");
  for (size_t i = 0; i < split->elements.size(); ++i) {
    rapidjson::Document element;
    std::string text = element_text(split->elements[i]);
    Check(json::Parse(text, element).ok(), "a split element of a valid body does not parse");
    Check(element == (*array)[static_cast<rapidjson::SizeType>(i)],
          "a split element differs from the parser's");
  }
  Check(split->rest ==
            std::string(scanned.substr(0, split->begin)) + std::string(scanned.substr(split->end)),
        "the rest is not the text without the array's content");
}

// Why a body that is valid JSON was refused: its shape, never a parse error (the parts a page is
// split into are valid when the whole is).
inline void CheckRefusedForItsShape(bool valid_json, const Status& refused) {
  Check(!valid_json || !refused.message().starts_with("malformed JSON"),
        "a valid JSON body was refused as malformed:", refused.message());
}

// A page read with its records split out keeps none in its envelope's array (they would be
// mapped twice).
inline void CheckEmptied(const rapidjson::Value& envelope, const std::vector<std::string>& path,
                         size_t split_records) {
  const rapidjson::Value* array = ArrayAt(envelope, path);
  Check(split_records == 0 || (array != nullptr && array->Empty()),
        "a split page keeps records in its envelope");
}

}  // namespace hs::fuzz
