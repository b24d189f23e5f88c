// Normalisation for matching repeat complaints (issue 4, DESIGN.md flow 2): text to one form, phone
// and identity-card numbers to one canonical form each, and complainant keys as keyed hashes so
// that the match index never holds a raw number. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hs::match {

// Unicode NFKC (full-width letters and digits become half-width), ASCII letters lower-cased, and
// every punctuation mark, symbol, white space and control character removed. Invalid UTF-8 bytes
// are dropped. E.g. "【噪音扰民】 ＡＢＣ１２３！" → "噪音扰民abc123".
std::string NormalizeText(std::string_view text);

// A phone number as typed — mobiles with or without +86, spaces and dashes, full-width digits,
// landlines with or without their area code — in E.164 (+8613812345678, +867308888888). A local
// number without area code (7 or 8 digits) takes `default_area_code` (e.g. "0730"). nullopt for
// anything that is not a valid Chinese number.
std::optional<std::string> CanonicalPhone(std::string_view typed,
                                          std::string_view default_area_code = "0730");

// Whether an 18-character identity-card number has the GB 11643-1999 check digit (ISO 7064 MOD
// 11-2) its first 17 digits call for.
bool IdCheckDigitValid(std::string_view id18);

// An identity-card number in its 18-character form, 'x' upper-cased, full-width digits and spaces
// allowed; a 15-digit first-generation number is upgraded (century 19, check digit computed).
// nullopt when the shape is wrong, the birth date impossible or the check digit wrong.
std::optional<std::string> CanonicalIdNumber(std::string_view typed);

// The match key of a canonical value: lower-case hex HMAC-SHA256(key, kind ":" value), kind being
// "phone", "id" or "name". The key comes from the credentials directory, so the index cannot be
// enumerated back to phone numbers without it.
std::string ComplainantKey(std::string_view hmac_key, std::string_view kind,
                           std::string_view canonical);

}  // namespace hs::match
