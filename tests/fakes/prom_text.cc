// The rules, with where each comes from: [doc] the "Exposition formats" page, text format details;
// [ref] the reference parser, prometheus/common expfmt/text_parse.go; [check] ours, of meaning.
//
// Lines
// - Lines end in \n and the last one too [doc]; empty and blank-only lines are ignored [doc, ref].
// - The text is UTF-8 [doc]; a line that is not valid UTF-8 is rejected.
// - Blanks and tabs separate tokens; leading ones are ignored [doc]. Trailing ones after a sample's
//   value or timestamp, or after a TYPE, are rejected, as the reference parser rejects them,
//   although the page says trailing whitespace is ignored. \r is no whitespace: CRLF is rejected.
// Comments
// - "#" lines are comments unless the first token after "#" is HELP or TYPE [doc].
// - "# HELP name docstring": the docstring may be empty; its escapes are \\ and \n only [doc]
//   (newer reference parsers also take \", which 0.0.4 does not define). "# TYPE name type" with
//   exactly one of counter, gauge, histogram, summary, untyped, in lower case [doc]. HELP or TYPE
//   without a name, with an invalid name, or TYPE without a type, are rejected.
// - At most one HELP and one TYPE per name [doc, ref]; both come before the family's first sample
//   [doc: "HELP and TYPE lines first"; ref: TYPE].
// Samples
// - name [a-zA-Z_:][a-zA-Z0-9_:]*, then blanks or "{" [doc, ref]; labels
//   { name = "value" , ... } with blanks allowed between tokens and an optional trailing comma
//   [doc, ref]; label names [a-zA-Z_][a-zA-Z0-9_]*, not starting with __ (reserved) [doc];
//   label value escapes \\ \" \n only [doc, ref]; no label name twice in a sample [ref].
// - value: Go's strconv.ParseFloat, without p, P or _ [doc, ref]: decimal with optional sign and
//   exponent, Inf/Infinity with optional sign and NaN in any case, not hex; out of range (1e999)
//   is an error as in Go. Timestamp: Go's strconv.ParseInt, base 10, int64 [doc, ref].
// Families
// - A sample belongs to the family of its own name if there is one, else to summary x if it is
//   x_sum or x_count, else to histogram x if it is x_bucket, x_sum or x_count, else to a new
//   untyped family of its name [ref: setOrCreateCurrentMF]. So a counter x's samples are named x;
//   x_total under "# TYPE x counter" is a family of its own, untyped.
// - All lines of a family (HELP, TYPE, samples) are one uninterrupted group [doc].
// - No two samples with the same name and label set [doc].
// - counter values are >= 0 (not NaN) [check].
// - histogram x: samples x_bucket with an le label, x_sum and x_count without one; le is a float,
//   not NaN [ref]; per label set without le: buckets in increasing order of le [doc], counts
//   cumulative (non-decreasing) and >= 0 [check], a bucket le="+Inf" [doc], x_count equal to it
//   [doc], and x_sum present [check].
// - summary x: samples x with a quantile label, x_sum and x_count without one; quantile a float
//   in [0, 1] [ref: float; check: range]; per label set without quantile: quantiles in increasing
//   order [doc], x_sum and x_count present and x_count >= 0 [check].
#include "tests/fakes/prom_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

namespace hs::testing {
namespace {

using Labels = std::map<std::string, std::string>;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsLabelNameChar(char c, bool first) {
  return IsLetter(c) || c == '_' || (!first && IsDigit(c));
}
bool IsMetricNameChar(char c, bool first) { return IsLabelNameChar(c, first) || c == ':'; }

size_t SkipBlanks(std::string_view s, size_t i) {
  while (i < s.size() && IsBlank(s[i])) ++i;
  return i;
}
size_t TokenEnd(std::string_view s, size_t i) {
  while (i < s.size() && !IsBlank(s[i])) ++i;
  return i;
}
size_t MetricNameEnd(std::string_view s, size_t i) {
  const size_t start = i;
  while (i < s.size() && IsMetricNameChar(s[i], i == start)) ++i;
  return i;
}
size_t LabelNameEnd(std::string_view s, size_t i) {
  const size_t start = i;
  while (i < s.size() && IsLabelNameChar(s[i], i == start)) ++i;
  return i;
}

// As Go's utf8.ValidString: no overlong forms, surrogates or code points past U+10FFFF.
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t more;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      more = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      more = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      more = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i <= more) return false;
    for (size_t k = 1; k <= more; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

// Go's strconv.ParseFloat(s, 64) as expfmt calls it (p, P and _ refused first).
std::optional<double> ParseGoFloat(std::string_view s) {
  if (s.find_first_of("pP_") != std::string_view::npos) return std::nullopt;
  std::string_view body = s;
  bool neg = false, sign = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    sign = true;
    body.remove_prefix(1);
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
    return neg ? -kInf : kInf;
  }
  if (!sign && EqualsIgnoreCase(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
  // [0-9]* ( "." [0-9]* )? with at least one digit, then ( [eE] [+-]? [0-9]+ )?.
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < body.size() && IsDigit(body[i])) ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && IsDigit(body[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  const size_t mantissa_end = i;
  int64_t exp = 0;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    bool exp_neg = false;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) exp_neg = body[i++] == '-';
    const size_t start = i;
    for (; i < body.size() && IsDigit(body[i]); ++i) {
      if (exp < 1'000'000) exp = exp * 10 + (body[i] - '0');
    }
    if (i == start) return std::nullopt;
    if (exp_neg) exp = -exp;
  }
  if (i != body.size()) return std::nullopt;
  double v = 0;
  const char* end = body.data() + body.size();
  const auto [p, ec] = std::from_chars(body.data(), end, v);
  if (ec == std::errc() && p == end) return neg ? -v : v;
  if (ec != std::errc::result_out_of_range) return std::nullopt;
  // Out of range. Go: too large is an error (ErrRange); too small rounds to zero, no error. Which
  // one is told by the decimal exponent of the first non-zero digit.
  int64_t lead = static_cast<int64_t>(int_digits) - 1 + exp;
  for (char c : body.substr(0, mantissa_end)) {
    if (c == '.') continue;
    if (c != '0') break;
    --lead;
  }
  if (lead >= 0) return std::nullopt;
  return neg ? -0.0 : 0.0;
}

// Go's strconv.ParseInt(s, 10, 64).
std::optional<int64_t> ParseGoInt(std::string_view s) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (s.empty() || !IsDigit(s[0])) return std::nullopt;
  }
  int64_t v = 0;
  const char* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string FormatLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += k + "=" + Quote(v);
  }
  return out + "}";
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, p) : "?";
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One label set (le or quantile left out) of a histogram or summary.
struct Series {
  int first_line = 0, last_line = 0;
  bool has_sum = false, has_count = false, has_inf = false, has_bound = false;
  double count = 0, inf_value = 0, last_bound = 0, last_value = 0;
  int count_line = 0, inf_line = 0;
};

// The lines of a family's HELP, TYPE and first sample; 0 for none.
struct FamilyLines {
  int help = 0, type = 0, first_sample = 0;
};

class Parser {
 public:
  PromParse Run(std::string_view text) {
    PromParse result;
    size_t pos = 0;
    bool ok = true;
    while (ok && pos < text.size()) {
      ++line_;
      const size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        ok = Fail("the last line does not end in \\n");
        break;
      }
      ok = Line(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    if (ok && !current_.empty()) ok = CloseFamily();
    result.ok = ok;
    if (ok) {
      result.families = std::move(families_);
    } else {
      result.error = std::move(error_);
    }
    return result;
  }

 private:
  bool FailAt(int line, const std::string& what) {
    error_ = "line " + std::to_string(line) + ": " + what;
    return false;
  }
  bool Fail(const std::string& what) { return FailAt(line_, what); }

  bool Line(std::string_view l) {
    if (!ValidUtf8(l)) return Fail("not valid UTF-8");
    const size_t i = SkipBlanks(l, 0);
    if (i == l.size()) return true;
    if (l[i] == '#') return Comment(l.substr(i + 1));
    return Sample(l.substr(i));
  }

  PromFamily& Family(const std::string& name) {
    auto [it, added] = families_.try_emplace(name);
    if (added) {
      it->second.name = name;
      it->second.type = "untyped";
    }
    return it->second;
  }

  // Makes `family` the current one, checking that its lines are one group.
  bool Enter(const std::string& family) {
    if (family == current_) return true;
    if (closed_.count(family)) {
      return Fail("family " + family + " appears again after family " + current_ +
                  ": a family's lines must be one group");
    }
    if (!current_.empty()) {
      if (!CloseFamily()) return false;
      closed_.insert(current_);
    }
    current_ = family;
    series_.clear();
    return true;
  }

  // The checks that need a family's whole group, for the current family.
  bool CloseFamily() {
    const PromFamily& f = families_.at(current_);
    std::vector<std::pair<const Labels*, const Series*>> order;
    for (const auto& [labels, s] : series_) order.emplace_back(&labels, &s);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.second->first_line < b.second->first_line;
    });
    for (const auto& [labels, s] : order) {
      const std::string what = f.type + " " + f.name + FormatLabels(*labels);
      if (f.type == "histogram") {
        if (!s->has_inf) return FailAt(s->last_line, what + " has no bucket le=\"+Inf\"");
        if (!s->has_count) return FailAt(s->last_line, what + " has no " + f.name + "_count");
        if (!s->has_sum) return FailAt(s->last_line, what + " has no " + f.name + "_sum");
        if (s->count != s->inf_value) {
          return FailAt(std::max(s->count_line, s->inf_line),
                        what + ": " + f.name + "_count is " + FormatValue(s->count) +
                            " but the le=\"+Inf\" bucket is " + FormatValue(s->inf_value));
        }
      } else if (f.type == "summary") {
        if (!s->has_count) return FailAt(s->last_line, what + " has no " + f.name + "_count");
        if (!s->has_sum) return FailAt(s->last_line, what + " has no " + f.name + "_sum");
      }
    }
    return true;
  }

  bool Comment(std::string_view rest) {
    const size_t k = SkipBlanks(rest, 0);
    const size_t k_end = TokenEnd(rest, k);
    const std::string_view keyword = rest.substr(k, k_end - k);
    if (keyword != "HELP" && keyword != "TYPE") return true;  // A plain comment.
    const std::string kw(keyword);
    const size_t n = SkipBlanks(rest, k_end);
    const size_t n_end = MetricNameEnd(rest, n);
    if (n == rest.size()) return Fail(kw + " line without a metric name");
    if (n_end == n || (n_end < rest.size() && !IsBlank(rest[n_end]))) {
      return Fail("invalid metric name in " + kw +
                  " line: " + Quote(rest.substr(n, TokenEnd(rest, n) - n)));
    }
    const std::string name(rest.substr(n, n_end - n));
    const std::string_view arg = rest.substr(SkipBlanks(rest, n_end));
    if (!Enter(name)) return false;
    PromFamily& f = Family(name);
    FamilyLines& fl = lines_[name];
    const int first = kw == "HELP" ? fl.help : fl.type;
    if (first != 0) {
      return Fail("second " + kw + " line for " + name + " (the first is line " +
                  std::to_string(first) + ")");
    }
    if (fl.first_sample != 0) {
      return Fail(kw + " line for " + name + " after its first sample (line " +
                  std::to_string(fl.first_sample) + "): HELP and TYPE come first");
    }
    if (kw == "HELP") {
      std::string help;
      for (size_t i = 0; i < arg.size(); ++i) {
        if (arg[i] != '\\') {
          help += arg[i];
        } else if (i + 1 < arg.size() && arg[i + 1] == '\\') {
          help += '\\', ++i;
        } else if (i + 1 < arg.size() && arg[i + 1] == 'n') {
          help += '\n', ++i;
        } else {
          return Fail("invalid escape " + std::string(arg.substr(i, 2)) + " in HELP for " + name +
                      ": only \\\\ and \\n");
        }
      }
      f.help = std::move(help);
      fl.help = line_;
      return true;
    }
    if (arg.empty()) return Fail("TYPE line for " + name + " without a type");
    if (arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" &&
        arg != "untyped") {
      return Fail("unknown type " + Quote(arg) + " for " + name +
                  ": counter, gauge, histogram, summary or untyped");
    }
    f.type = std::string(arg);
    fl.type = line_;
    return true;
  }

  static constexpr size_t kBad = std::string_view::npos;
  size_t FailPos(const std::string& what) {
    Fail(what);
    return kBad;
  }

  // Parses the label set whose "{" is at s[start]; returns the index after its "}", or kBad.
  size_t ParseLabels(std::string_view s, size_t start, Labels& labels) {
    size_t p = start + 1;
    for (;;) {
      p = SkipBlanks(s, p);
      if (p == s.size()) return FailPos("label set not closed with }");
      if (s[p] == '}') return p + 1;
      const size_t n_end = LabelNameEnd(s, p);
      if (n_end == p) return FailPos("invalid label name at " + Quote(s.substr(p)));
      const std::string name(s.substr(p, n_end - p));
      if (name.rfind("__", 0) == 0) {
        return FailPos("label name " + name + " is reserved (starts with __)");
      }
      p = SkipBlanks(s, n_end);
      if (p == s.size() || s[p] != '=') return FailPos("expected = after label name " + name);
      p = SkipBlanks(s, p + 1);
      if (p == s.size() || s[p] != '"') {
        return FailPos("expected \" to start the value of label " + name);
      }
      ++p;
      std::string value;
      for (;;) {
        if (p == s.size()) return FailPos("value of label " + name + " not closed with \"");
        const char c = s[p++];
        if (c == '"') break;
        if (c != '\\') {
          value += c;
          continue;
        }
        if (p == s.size()) return FailPos("value of label " + name + " not closed with \"");
        const char e = s[p++];
        if (e == '\\' || e == '"') {
          value += e;
        } else if (e == 'n') {
          value += '\n';
        } else {
          return FailPos("invalid escape \\" + std::string(1, e) + " in the value of label " +
                         name + ": only \\\\, \\\" and \\n");
        }
      }
      if (!labels.emplace(name, std::move(value)).second) {
        return FailPos("label " + name + " twice in one sample");
      }
      p = SkipBlanks(s, p);
      if (p < s.size() && s[p] == ',') {
        ++p;
        continue;
      }
      if (p < s.size() && s[p] == '}') return p + 1;
      return FailPos("expected , or } after the value of label " + name);
    }
  }

  bool Sample(std::string_view s) {
    const size_t n_end = MetricNameEnd(s, 0);
    if (n_end == 0) return Fail("invalid metric name at " + Quote(s.substr(0, TokenEnd(s, 0))));
    const std::string name(s.substr(0, n_end));
    Labels labels;
    size_t p = SkipBlanks(s, n_end);
    if (p < s.size() && s[p] == '{') {
      p = ParseLabels(s, p, labels);
      if (p == kBad) return false;
      p = SkipBlanks(s, p);
    } else if (p == n_end && p < s.size()) {
      return Fail("invalid character " + Quote(s.substr(p, 1)) + " after metric name " + name);
    }
    if (p == s.size()) return Fail("sample " + name + " has no value");
    const size_t v_end = TokenEnd(s, p);
    const std::string_view value_text = s.substr(p, v_end - p);
    const std::optional<double> value = ParseGoFloat(value_text);
    if (!value) return Fail("invalid value " + Quote(value_text) + " for " + name);
    if (v_end < s.size()) {
      const size_t t = SkipBlanks(s, v_end);
      if (t == s.size()) return Fail("trailing whitespace after the value of " + name);
      const size_t t_end = TokenEnd(s, t);
      const std::string_view ts = s.substr(t, t_end - t);
      if (!ParseGoInt(ts)) {
        return Fail("invalid timestamp " + Quote(ts) + " for " + name +
                    ": an int64 of milliseconds");
      }
      if (t_end < s.size()) {
        return Fail("unexpected " + Quote(s.substr(t_end)) + " after the timestamp of " + name);
      }
    }
    return Record(name, std::move(labels), *value);
  }

  // The family a sample of `name` belongs to (as the reference parser's setOrCreateCurrentMF).
  std::string FamilyOf(const std::string& name) const {
    if (families_.count(name)) return name;
    const auto typed = [&](std::string_view suffix, const char* type) {
      if (!EndsWith(name, suffix)) return false;
      const auto it = families_.find(name.substr(0, name.size() - suffix.size()));
      return it != families_.end() && it->second.type == type;
    };
    for (std::string_view suffix : {"_count", "_sum"}) {
      if (typed(suffix, "summary")) return name.substr(0, name.size() - suffix.size());
    }
    for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
      if (typed(suffix, "histogram")) return name.substr(0, name.size() - suffix.size());
    }
    return name;
  }

  bool Record(const std::string& name, Labels labels, double value) {
    const std::string family = FamilyOf(name);
    if (!Enter(family)) return false;
    PromFamily& f = Family(family);
    FamilyLines& fl = lines_[family];
    if (fl.first_sample == 0) fl.first_sample = line_;
    const std::string sample = name + FormatLabels(labels);
    if (const auto [it, added] = seen_.try_emplace({name, labels}, line_); !added) {
      return Fail("duplicate sample " + sample + " (also line " + std::to_string(it->second) + ")");
    }
    const std::string suffix = name.substr(family.size());
    if (f.type == "counter") {
      if (!(value >= 0)) {
        return Fail("counter " + sample + " is " + FormatValue(value) + ": must be >= 0");
      }
    } else if (f.type == "histogram") {
      if (!CheckHistogram(f, suffix, sample, labels, value)) return false;
    } else if (f.type == "summary") {
      if (!CheckSummary(suffix, sample, labels, value)) return false;
    }
    f.samples.push_back({name, std::move(labels), value});
    return true;
  }

  Series& SeriesOf(Labels labels, const char* leave_out) {
    labels.erase(leave_out);
    Series& s = series_[labels];
    if (s.first_line == 0) s.first_line = line_;
    s.last_line = line_;
    return s;
  }

  bool CheckHistogram(const PromFamily& f, const std::string& suffix, const std::string& sample,
                      const Labels& labels, double value) {
    if (suffix != "_bucket" && suffix != "_sum" && suffix != "_count") {
      return Fail("sample " + sample + " in histogram " + f.name + ": only " + f.name +
                  "_bucket, " + f.name + "_sum and " + f.name + "_count");
    }
    const auto le = labels.find("le");
    if ((suffix == "_bucket") != (le != labels.end())) {
      return Fail(suffix == "_bucket" ? "bucket " + sample + " has no le label"
                                      : sample + " has an le label: only buckets have one");
    }
    Series& s = SeriesOf(labels, "le");
    if (suffix == "_sum") {
      s.has_sum = true;
      return true;
    }
    if (!(value >= 0)) return Fail(sample + " is " + FormatValue(value) + ": must be >= 0");
    if (suffix == "_count") {
      s.has_count = true, s.count = value, s.count_line = line_;
      return true;
    }
    const std::optional<double> bound = ParseGoFloat(le->second);
    if (!bound || std::isnan(*bound)) {
      return Fail("le=" + Quote(le->second) + " of " + sample + " is not a number");
    }
    if (s.has_bound && !(*bound > s.last_bound)) {
      return Fail("bucket " + sample + " comes after le=\"" + FormatValue(s.last_bound) +
                  "\": buckets must be in increasing order of le");
    }
    if (s.has_bound && value < s.last_value) {
      return Fail("bucket " + sample + " is " + FormatValue(value) + ", less than " +
                  FormatValue(s.last_value) + " of le=\"" + FormatValue(s.last_bound) +
                  "\": buckets must be cumulative");
    }
    s.has_bound = true, s.last_bound = *bound, s.last_value = value;
    if (std::isinf(*bound) && *bound > 0) s.has_inf = true, s.inf_value = value, s.inf_line = line_;
    return true;
  }

  bool CheckSummary(const std::string& suffix, const std::string& sample, const Labels& labels,
                    double value) {
    // FamilyOf gives a summary only its own name, _sum and _count.
    const auto q = labels.find("quantile");
    if (suffix.empty() != (q != labels.end())) {
      return Fail(suffix.empty() ? "sample " + sample + " of summary has no quantile label"
                                 : sample + " has a quantile label: only quantiles have one");
    }
    Series& s = SeriesOf(labels, "quantile");
    if (suffix == "_sum") {
      s.has_sum = true;
      return true;
    }
    if (suffix == "_count") {
      if (!(value >= 0)) return Fail(sample + " is " + FormatValue(value) + ": must be >= 0");
      s.has_count = true, s.count = value, s.count_line = line_;
      return true;
    }
    const std::optional<double> phi = ParseGoFloat(q->second);
    if (!phi || !(*phi >= 0 && *phi <= 1)) {
      return Fail("quantile=" + Quote(q->second) + " of " + sample + " is not a number in [0, 1]");
    }
    if (s.has_bound && !(*phi > s.last_bound)) {
      return Fail("quantile " + sample + " comes after quantile=\"" + FormatValue(s.last_bound) +
                  "\": quantiles must be in increasing order");
    }
    s.has_bound = true, s.last_bound = *phi;
    return true;
  }

  int line_ = 0;
  std::string error_;
  std::map<std::string, PromFamily> families_;
  std::map<std::string, FamilyLines> lines_;
  std::string current_;  // The family of the last HELP, TYPE or sample line.
  std::set<std::string> closed_;
  std::map<Labels, Series> series_;                     // Of the current family.
  std::map<std::pair<std::string, Labels>, int> seen_;  // Sample name and labels: line.
};

}  // namespace

PromParse ParsePromText(std::string_view text) { return Parser().Run(text); }

std::optional<double> PromValue(const PromParse& parse, std::string_view name,
                                const std::map<std::string, std::string>& labels) {
  if (!parse.ok) return std::nullopt;
  std::optional<double> found;
  int matches = 0;
  for (const auto& [family_name, family] : parse.families) {
    for (const PromSample& s : family.samples) {
      if (s.name != name) continue;
      const bool all = std::all_of(labels.begin(), labels.end(), [&](const auto& kv) {
        const auto it = s.labels.find(kv.first);
        return it != s.labels.end() && it->second == kv.second;
      });
      if (all) ++matches, found = s.value;
    }
  }
  return matches == 1 ? found : std::nullopt;
}

}  // namespace hs::testing
