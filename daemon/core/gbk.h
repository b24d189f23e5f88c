// GBK bodies of the provincial platform (platforms/provincial.md): its responses are JSON in GBK
// and it decodes requests strictly as GBK, not GB18030. Both directions go through glibc iconv
// ("GBK"), converting in large runs; only characters outside GBK are handled one by one.
//
// "Inside GBK" here is the contract's set: what glibc's GBK converter maps, minus U+20AC €, which
// glibc maps to the single byte 0x80 (a CP936 extension) but the contract names as outside GBK.
// Nothing above U+FFFF is inside GBK (glibc would silently drop the tag characters U+E0000..E007F).
//
// Each call opens and closes its own iconv descriptors; the first Utf8ToGbkJson builds an
// immutable table of GBK's characters (a few milliseconds). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "daemon/core/result.h"

namespace hs::gbk {

// Decodes a GBK body (e.g. a provincial response) to UTF-8. An empty input gives "".
// Errors: InvalidArgument naming the byte offset of the first invalid or truncated sequence, or
// of a 0x80 byte (€ in CP936, outside GBK by the contract); the message never quotes the bytes,
// which may be personal data. Internal when iconv cannot be opened.
Result<std::string> GbkToUtf8(std::string_view gbk);

// Encodes a UTF-8 JSON text as GBK for a request body. Characters inside GBK become GBK bytes;
// every other character becomes a JSON escape: \uXXXX (upper-case hex), or a UTF-16 surrogate pair
// \uD83D\uDE00 above U+FFFF. An escape is only valid inside a JSON string, so:
// REQUIRES: every non-ASCII character of `utf8_json` is inside a JSON string (true of any JSON
// writer's output, e.g. hs::json::Write).
// Errors: InvalidArgument naming the byte offset of invalid UTF-8 (overlong forms, surrogates and
// code points above U+10FFFF included), never quoting the bytes. Internal when iconv cannot be
// opened or fails unexpectedly.
Result<std::string> Utf8ToGbkJson(std::string_view utf8_json);

}  // namespace hs::gbk
