// The Prometheus text format checker of tests/fakes/prom_text.h: that it takes a realistic
// exposition whole, and that it rejects a breach of each of its rules with the line of the breach.
#include "tests/fakes/prom_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace hs::testing {
namespace {

// A text that breaks one rule, the line the checker must name and a part of its reason.
struct Bad {
  const char* rule;
  std::string text;
  int line;
  const char* reason;
};

void ExpectAllRejected(const std::vector<Bad>& cases) {
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.rule);
    const PromParse r = ParsePromText(c.text);
    EXPECT_FALSE(r.ok) << c.text;
    const std::string prefix = "line " + std::to_string(c.line) + ": ";
    EXPECT_EQ(r.error.substr(0, prefix.size()), prefix) << r.error;
    EXPECT_NE(r.error.find(c.reason), std::string::npos) << r.error;
    EXPECT_TRUE(r.families.empty());
    EXPECT_EQ(PromValue(r, "a"), std::nullopt);
  }
}

// As the daemon's /metrics could be: counters with labels, gauges, histograms with several label
// sets, a summary, HELP with escapes, label values with escaped quotes and Chinese text.
constexpr const char* kExposition =
    R"(# HELP hs_pulls_total Tickets pulled from the hotline.\nA backslash: \\ ok.
# TYPE hs_pulls_total counter
hs_pulls_total{channel="电话",result="ok"} 1027 1395066363000
hs_pulls_total{channel="市长信箱",result="error",reason="said \"无法连接\"\\n\nthen"} 3

# A plain comment, then a family with HELP after TYPE.
# TYPE hs_queue_depth gauge
# HELP hs_queue_depth Tickets waiting to be pushed.
hs_queue_depth 12.5
# TYPE hs_deadline_margin_seconds gauge
hs_deadline_margin_seconds{unit="区城管局"} +Inf
hs_deadline_margin_seconds{unit="区住建局"} -Inf
hs_deadline_margin_seconds{unit="区教育局"} NaN
hs_deadline_margin_seconds{unit="区卫健委"} -3.5e+2
# HELP hs_push_duration_seconds Push latency, by target.
# TYPE hs_push_duration_seconds histogram
hs_push_duration_seconds_bucket{target="province",le="0.1"} 1
hs_push_duration_seconds_bucket{target="province",le="1"} 3
hs_push_duration_seconds_bucket{target="province",le="+Inf"} 4
hs_push_duration_seconds_sum{target="province"} 2.75
hs_push_duration_seconds_count{target="province"} 4
hs_push_duration_seconds_bucket{target="city",le="0.1"} 0
hs_push_duration_seconds_bucket{target="city",le="1"} 0
hs_push_duration_seconds_bucket{target="city",le="+Inf"} 2
hs_push_duration_seconds_sum{target="city"} 7
hs_push_duration_seconds_count{target="city"} 2
hs_push_duration_seconds_bucket{le="1"} 0
hs_push_duration_seconds_bucket{le="+Inf"} 0
hs_push_duration_seconds_sum 0
hs_push_duration_seconds_count 0
# HELP hs_rpc_seconds RPC latency.
# TYPE hs_rpc_seconds summary
hs_rpc_seconds{quantile="0.5"} 0.2
hs_rpc_seconds{quantile="0.99"} NaN
hs_rpc_seconds_sum 10
hs_rpc_seconds_count 40
hs_build_info{version="0.1.0",} 1
)";

TEST(PromTextTest, AcceptsARealisticExposition) {
  const PromParse r = ParsePromText(kExposition);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.families.size(), 6u);

  const PromFamily& pulls = r.families.at("hs_pulls_total");
  EXPECT_EQ(pulls.type, "counter");
  EXPECT_EQ(pulls.help, "Tickets pulled from the hotline.\nA backslash: \\ ok.");
  ASSERT_EQ(pulls.samples.size(), 2u);
  EXPECT_EQ(pulls.samples[1].labels.at("reason"), "said \"无法连接\"\\n\nthen");
  EXPECT_EQ(PromValue(r, "hs_pulls_total", {{"channel", "电话"}}), 1027);
  EXPECT_EQ(PromValue(r, "hs_pulls_total", {{"result", "error"}}), 3);

  EXPECT_EQ(r.families.at("hs_queue_depth").type, "gauge");
  EXPECT_EQ(r.families.at("hs_queue_depth").help, "Tickets waiting to be pushed.");
  EXPECT_EQ(PromValue(r, "hs_queue_depth"), 12.5);
  EXPECT_EQ(PromValue(r, "hs_deadline_margin_seconds", {{"unit", "区城管局"}}), INFINITY);
  EXPECT_EQ(PromValue(r, "hs_deadline_margin_seconds", {{"unit", "区住建局"}}), -INFINITY);
  const auto nan = PromValue(r, "hs_deadline_margin_seconds", {{"unit", "区教育局"}});
  ASSERT_TRUE(nan.has_value());
  EXPECT_TRUE(std::isnan(*nan));
  EXPECT_EQ(PromValue(r, "hs_deadline_margin_seconds", {{"unit", "区卫健委"}}), -350);

  const PromFamily& push = r.families.at("hs_push_duration_seconds");
  EXPECT_EQ(push.type, "histogram");
  EXPECT_EQ(push.samples.size(), 14u);
  EXPECT_EQ(push.samples.front().name, "hs_push_duration_seconds_bucket");
  EXPECT_EQ(PromValue(r, "hs_push_duration_seconds_count", {{"target", "city"}}), 2);
  EXPECT_EQ(PromValue(r, "hs_push_duration_seconds_bucket", {{"target", "province"}, {"le", "1"}}),
            3);

  EXPECT_EQ(r.families.at("hs_rpc_seconds").type, "summary");
  EXPECT_EQ(r.families.at("hs_rpc_seconds").samples.size(), 4u);
  EXPECT_EQ(PromValue(r, "hs_rpc_seconds_count"), 40);

  EXPECT_EQ(r.families.at("hs_build_info").type, "untyped");
  EXPECT_EQ(PromValue(r, "hs_build_info", {{"version", "0.1.0"}}), 1);
}

TEST(PromTextTest, PromValueWantsExactlyOneSample) {
  const PromParse r = ParsePromText(kExposition);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(PromValue(r, "hs_pulls_total"), std::nullopt);  // Two samples.
  EXPECT_EQ(PromValue(r, "hs_push_duration_seconds_bucket", {{"target", "city"}}), std::nullopt);
  EXPECT_EQ(PromValue(r, "hs_pulls_total", {{"channel", "微信公众号"}}), std::nullopt);
  EXPECT_EQ(PromValue(r, "hs_pulls_total", {{"no_such_label", "ok"}}), std::nullopt);
  EXPECT_EQ(PromValue(r, "hs_push_duration_seconds", {}), std::nullopt);  // A family, no sample.
  EXPECT_EQ(PromValue(ParsePromText(""), "a"), std::nullopt);
}

TEST(PromTextTest, AcceptsWhatTheFormatAllows) {
  const PromParse r = ParsePromText(
      "\n"
      "  \t\n"
      "   # indented comment\n"
      "#\n"
      "# HELPER is not HELP\n"
      "  spaced  {  a = \"1\" ,\tb=\"\" , }\t  2   1395066363000\n"
      "tight{a=\"1\"}3\n"
      "empty{} 4\n"
      "ts 5 -3982045\n"
      "ts_plus 6 +17\n"
      "colon:name_1 7\n"
      "# HELP no_doc\n"
      "# TYPE x counter\n"
      "x_total 8\n");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(ParsePromText("").ok);
  EXPECT_EQ(PromValue(r, "spaced", {{"a", "1"}, {"b", ""}}), 2);
  EXPECT_EQ(PromValue(r, "tight"), 3);
  EXPECT_EQ(PromValue(r, "empty"), 4);
  EXPECT_EQ(PromValue(r, "ts"), 5);
  EXPECT_EQ(PromValue(r, "colon:name_1"), 7);
  EXPECT_EQ(r.families.at("no_doc").help, "");
  // As the reference parser: under "# TYPE x counter" the counter's samples are named x, and
  // x_total is a family of its own, untyped; x keeps its TYPE with no samples.
  EXPECT_EQ(r.families.at("x").type, "counter");
  EXPECT_TRUE(r.families.at("x").samples.empty());
  EXPECT_EQ(r.families.at("x_total").type, "untyped");
  EXPECT_EQ(PromValue(r, "x_total"), 8);
}

TEST(PromTextTest, ValuesAreGoFloats) {
  const std::vector<std::pair<const char*, double>> good = {
      {"1e3", 1000},
      {".5", 0.5},
      {"5.", 5},
      {"-0", 0},
      {"+1.5E-3", 0.0015},
      {"007", 7},
      {"inf", INFINITY},
      {"+Infinity", INFINITY},
      {"-INF", -INFINITY},
      {"1e-999", 0},
      {"1.7976931348623157e308", 1.7976931348623157e308}};
  for (const auto& [text, want] : good) {
    const PromParse r = ParsePromText(std::string("v ") + text + "\n");
    ASSERT_TRUE(r.ok) << text << ": " << r.error;
    EXPECT_EQ(PromValue(r, "v"), want) << text;
  }
  for (const char* nan : {"NaN", "nan", "NAN"}) {
    const PromParse r = ParsePromText(std::string("v ") + nan + "\n");
    ASSERT_TRUE(r.ok) << nan << ": " << r.error;
    EXPECT_TRUE(std::isnan(*PromValue(r, "v"))) << nan;
  }
  for (const char* bad : {"1e", "e1", ".", "+", "1.2.3", "0x10", "0x1p3", "1_000", "+NaN", "-nan",
                          "Inf1", "infinit", "1e999", "-1e400", "1,5", "٣"}) {
    const PromParse r = ParsePromText(std::string("v 1\nw ") + bad + "\n");
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_EQ(r.error.substr(0, 22), "line 2: invalid value ") << bad << ": " << r.error;
  }
}

TEST(PromTextTest, RejectsBadLines) {
  ExpectAllRejected({
      {"the last line must end in \\n", "a 1\nb 2", 2, "does not end in \\n"},
      {"\\r is no whitespace (CRLF)", "a 1\r\n", 1, "invalid value"},
      {"the text is UTF-8", "a 1\nb{x=\"\xff\"} 1\n", 2, "UTF-8"},
      {"trailing whitespace after a value", "a 1\nb 2 \n", 2, "trailing whitespace"},
      {"line numbers count empty and comment lines", "\n# hi\n\na 1 x\n", 4, "timestamp"},
  });
}

TEST(PromTextTest, RejectsBadHelpAndType) {
  ExpectAllRejected({
      {"HELP escapes are \\\\ and \\n only", "# HELP a tab\\there\n", 1, "invalid escape \\t"},
      {"HELP needs a metric name", "# HELP\n", 1, "without a metric name"},
      {"HELP's metric name is valid", "# HELP a-b doc\n", 1, "invalid metric name"},
      {"one HELP per family", "# HELP a x\n# TYPE a gauge\n# HELP a y\na 1\n", 3,
       "second HELP line for a (the first is line 1)"},
      {"one TYPE per family", "# TYPE a gauge\n# TYPE a gauge\na 1\n", 2, "second TYPE"},
      {"known types only", "a 1\n# TYPE b timer\n", 2, "unknown type \"timer\""},
      {"types in lower case", "# TYPE a Counter\n", 1, "unknown type"},
      {"TYPE has a type", "# TYPE a\n", 1, "without a type"},
      {"TYPE has one type", "# TYPE a counter gauge\n", 1, "unknown type"},
      {"TYPE before the family's first sample", "# HELP a x\na 1\n# TYPE a gauge\n", 3,
       "TYPE line for a after its first sample (line 2)"},
      {"HELP before the family's first sample", "a 1\n# HELP a x\n", 2, "HELP line for a after"},
  });
}

TEST(PromTextTest, RejectsBadNamesAndLabels) {
  ExpectAllRejected({
      {"metric name starts with [a-zA-Z_:]", "a 1\n1a 1\n", 2, "invalid metric name"},
      {"metric name goes on with [a-zA-Z0-9_:]", "a-b 1\n", 1, "invalid character \"-\""},
      {"a value after a name without labels needs a blank", "a+1\n", 1, "invalid character"},
      {"label name starts with [a-zA-Z_]", "a{1x=\"v\"} 1\n", 1, "invalid label name"},
      {"label name goes on with [a-zA-Z0-9_]", "a{x:y=\"v\"} 1\n", 1, "expected = after label"},
      {"label names starting with __ are reserved", "a{__x=\"v\"} 1\n", 1, "reserved"},
      {"label values are quoted", "a{x=v} 1\n", 1, "expected \" to start"},
      {"label value escapes are \\\\ \\\" \\n only", "a{x=\"a\\tb\"} 1\n", 1, "invalid escape \\t"},
      {"label value is closed", "a{x=\"v} 1\n", 1, "not closed"},
      {"label set is closed", "a{x=\"v\" 1\n", 1, "expected , or }"},
      {"no label name twice in a sample", "a{x=\"1\",y=\"2\",x=\"1\"} 1\n", 1, "label x twice"},
      {"one trailing comma only", "a{x=\"1\",,} 1\n", 1, "invalid label name"},
      {"no leading comma", "a{,x=\"1\"} 1\n", 1, "invalid label name"},
  });
}

TEST(PromTextTest, RejectsBadValuesAndTimestamps) {
  ExpectAllRejected({
      {"a sample has a value", "a\n", 1, "has no value"},
      {"a sample with labels has a value", "a{x=\"1\"}\n", 1, "has no value"},
      {"value is a float", "a one\n", 1, "invalid value \"one\""},
      {"value is within float64", "a 1e400\n", 1, "invalid value"},
      {"timestamp is an integer", "a 1 1.5\n", 1, "invalid timestamp \"1.5\""},
      {"timestamp is an int64", "a 1 9223372036854775808\n", 1, "invalid timestamp"},
      {"nothing after the timestamp", "a 1 2 3\n", 1, "after the timestamp"},
  });
}

TEST(PromTextTest, RejectsBadFamilies) {
  ExpectAllRejected({
      {"a family's samples are one group", "a 1\nb 1\na{x=\"1\"} 2\n", 3,
       "family a appears again after family b"},
      {"a family's HELP and samples are one group", "# HELP a x\n# HELP b y\na 1\n", 3,
       "appears again"},
      {"no duplicate sample (labels in any order)", "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n",
       2, "duplicate sample a{x=\"1\",y=\"2\"} (also line 1)"},
      {"counters are not negative", "# TYPE c counter\nc 1\nc{x=\"1\"} -1\n", 3, "must be >= 0"},
      {"counters are not NaN", "# TYPE c counter\nc NaN\n", 2, "must be >= 0"},
  });
}

// A histogram h with one label set, its lines given; then a gauge, so the family ends early.
std::string Histogram(const std::string& lines) {
  return "# TYPE h histogram\n" + lines + "# TYPE g gauge\ng 1\n";
}

TEST(PromTextTest, RejectsBadHistograms) {
  ExpectAllRejected({
      {"histogram samples are h_bucket, h_sum, h_count", Histogram("h 1\n"), 2,
       "only h_bucket, h_sum and h_count"},
      {"buckets have le", Histogram("h_bucket{x=\"1\"} 1\n"), 2, "has no le label"},
      {"only buckets have le", Histogram("h_count{le=\"1\"} 1\n"), 2, "has an le label"},
      {"le is a float", Histogram("h_bucket{le=\"one\"} 1\n"), 2, "le=\"one\""},
      {"le is not NaN", Histogram("h_bucket{le=\"NaN\"} 1\n"), 2, "is not a number"},
      {"buckets in increasing order of le",
       Histogram("h_bucket{le=\"1\"} 1\nh_bucket{le=\"0.5\"} 1\n"), 3, "increasing order of le"},
      {"no le twice, however written", Histogram("h_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n"),
       3, "increasing order of le"},
      {"buckets are cumulative",
       Histogram("h_bucket{le=\"0.5\"} 3\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\n"), 3,
       "less than 3 of le=\"0.5\": buckets must be cumulative"},
      {"bucket counts are not negative", Histogram("h_bucket{le=\"1\"} -1\n"), 2, ">= 0"},
      {"a bucket le=+Inf",
       Histogram("h_bucket{le=\"1\"} 1\nh_bucket{le=\"2\"} 1\nh_sum 1\nh_count 1\n"), 5,
       "histogram h has no bucket le=\"+Inf\""},
      {"h_count equals the +Inf bucket",
       Histogram("h_bucket{le=\"1\"} 1\nh_count 2\nh_bucket{le=\"+Inf\"} 2.5\nh_sum 1\n"), 4,
       "h_count is 2 but the le=\"+Inf\" bucket is 2.5"},
      {"h_count present", Histogram("h_bucket{le=\"+Inf\"} 1\nh_sum 1\n"), 3, "has no h_count"},
      {"h_sum present", Histogram("h_bucket{le=\"+Inf\"} 1\nh_count 1\n"), 3, "has no h_sum"},
      {"each label set checked, at the end of the text too",
       "# TYPE h histogram\n"
       "h_bucket{t=\"a\",le=\"+Inf\"} 1\nh_sum{t=\"a\"} 1\nh_count{t=\"a\"} 1\n"
       "h_bucket{t=\"b\",le=\"1\"} 1\nh_sum{t=\"b\"} 1\nh_count{t=\"b\"} 1\n",
       7, "histogram h{t=\"b\"} has no bucket le=\"+Inf\""},
  });
}

// A summary s with one label set, its lines given; then a gauge.
std::string Summary(const std::string& lines) {
  return "# TYPE s summary\n" + lines + "# TYPE g gauge\ng 1\n";
}

TEST(PromTextTest, RejectsBadSummaries) {
  ExpectAllRejected({
      {"quantiles have the quantile label", Summary("s 1\n"), 2, "has no quantile label"},
      {"only quantiles have it", Summary("s_sum{quantile=\"0.5\"} 1\n"), 2, "has a quantile"},
      {"quantile is in [0, 1]", Summary("s{quantile=\"1.5\"} 1\n"), 2, "not a number in [0, 1]"},
      {"quantiles in increasing order",
       Summary("s{quantile=\"0.9\"} 1\ns{quantile=\"0.5\"} 1\ns_sum 1\ns_count 1\n"), 3,
       "increasing order"},
      {"s_count present", Summary("s{quantile=\"0.5\"} 1\ns_sum 1\n"), 3, "has no s_count"},
      {"s_sum present", Summary("s_count 1\n"), 2, "has no s_sum"},
      {"s_count is not negative", Summary("s_sum 1\ns_count -1\n"), 3, ">= 0"},
  });
}

}  // namespace
}  // namespace hs::testing
