// A strict parser and checker of the Prometheus text exposition format, version 0.0.4, for tests
// of the daemon's /metrics output. It takes the format's documented rules ("Exposition formats",
// prometheus.io) and, where the documentation is silent or looser, what the reference parser
// (prometheus/common expfmt, text_parse.go) rejects; and it adds checks of meaning: counters are
// not negative, histograms are cumulative with le="+Inf" equal to _count.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::testing {

struct PromSample {
  std::string name;  // As written: a histogram's h_bucket, h_sum and h_count are in family h.
  std::map<std::string, std::string> labels;  // Unescaped values; le and quantile included.
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type;                 // counter, gauge, histogram, summary or untyped (no TYPE line).
  std::string help;                 // Unescaped; empty without a HELP line.
  std::vector<PromSample> samples;  // In text order. Empty for a HELP or TYPE without samples.
};

struct PromParse {
  bool ok = false;
  std::string error;  // "line N: what" for the first problem found; empty when ok.
  std::map<std::string, PromFamily> families;  // By family name; empty when not ok.
};

// Parses and checks a whole exposition. Every rule and where it comes from is in prom_text.cc.
PromParse ParsePromText(std::string_view text);

// Convenience for tests: the value of the one sample `name` whose labels include all of `labels`;
// nullopt if none or several, or if the parse failed.
std::optional<double> PromValue(const PromParse& parse, std::string_view name,
                                const std::map<std::string, std::string>& labels = {});

}  // namespace hs::testing
