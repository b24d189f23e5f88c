// Masking of personal data (个人信息) for anything a person or a log sees. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hs {

// Masks every phone number and identity-card number found in free text: mobiles (with or without
// +86, spaces, dashes, full-width digits) as 138****5678, landlines with an area code as
// 073****8888, ID numbers as 4306**********123X. Digits that are part of an identifier (next to a
// Latin letter, e.g. YY2306120001) and dates are left alone.
std::string MaskText(std::string_view text);

// Masks a phone field as typed, whatever its form: every digit but the first three and last four
// (or all but the last two, for short numbers) becomes '*'.
std::string MaskPhone(std::string_view phone);

// Masks an identity-card number: first four and last four kept.
std::string MaskIdNumber(std::string_view id);

// Masks a person's name: the first character kept, e.g. 张* or 欧***; 匿名 and "" unchanged.
std::string MaskName(std::string_view name);

}  // namespace hs
