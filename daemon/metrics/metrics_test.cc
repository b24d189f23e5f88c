#include "daemon/metrics/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "tests/fakes/prom_text.h"

namespace hs::metrics {
namespace {

using testing::ParsePromText;
using testing::PromValue;

TEST(MetricsTest, RendersCountersHistogramsAndGaugesInTheTextFormat) {
  Registry r;
  r.GetCounter("hs_records_total", "Records pulled", {{"adapter", "hotline12345"}, {"result", "inserted"}})
      .Add(3);
  Counter& updated = r.GetCounter("hs_records_total", "ignored: the first help stays",
                                  {{"adapter", "hotline12345"}, {"result", "updated"}});
  updated.Add();
  updated.Add(2);
  Histogram& h = r.GetHistogram("hs_commit_seconds", "Commit time", {}, {0.01, 0.1, 1});
  for (double v : {0.005, 0.05, 0.05, 0.5, 5.0}) h.Observe(v);
  // A label value with a quote, a backslash, a newline and Chinese text; help with a backslash.
  r.GetCounter("hs_odd_total", "Odd \\ help", {{"unit", "市\"公安\\局\n交警"}}).Add();
  auto handle = r.AddCollector([](GaugeWriter& g) {
    g.Family("hs_wal_bytes", "WAL size");
    g.Sample("hs_wal_bytes", {}, 4096);
    g.Family("hs_age_seconds", "An age");
    g.Sample("hs_age_seconds", {{"adapter", "petition"}}, 1.25);
  });

  const std::string text = r.Render();
  const auto p = ParsePromText(text);
  ASSERT_TRUE(p.ok) << p.error << "\n" << text;
  EXPECT_EQ(p.families.at("hs_records_total").type, "counter");
  EXPECT_EQ(p.families.at("hs_records_total").help, "Records pulled");
  EXPECT_EQ(PromValue(p, "hs_records_total", {{"result", "inserted"}}), 3);
  EXPECT_EQ(PromValue(p, "hs_records_total", {{"result", "updated"}}), 3);
  EXPECT_EQ(PromValue(p, "hs_commit_seconds_bucket", {{"le", "0.01"}}), 1);
  EXPECT_EQ(PromValue(p, "hs_commit_seconds_bucket", {{"le", "0.1"}}), 3);
  EXPECT_EQ(PromValue(p, "hs_commit_seconds_bucket", {{"le", "1"}}), 4);
  EXPECT_EQ(PromValue(p, "hs_commit_seconds_bucket", {{"le", "+Inf"}}), 5);
  EXPECT_EQ(PromValue(p, "hs_commit_seconds_count"), 5);
  EXPECT_NEAR(*PromValue(p, "hs_commit_seconds_sum"), 5.605, 1e-9);
  EXPECT_EQ(PromValue(p, "hs_odd_total", {{"unit", "市\"公安\\局\n交警"}}), 1);
  EXPECT_EQ(p.families.at("hs_odd_total").help, "Odd \\ help");
  EXPECT_EQ(p.families.at("hs_wal_bytes").type, "gauge");
  EXPECT_EQ(PromValue(p, "hs_age_seconds", {{"adapter", "petition"}}), 1.25);
  EXPECT_NE(text.find("le=\"0.01\""), std::string::npos) << "bounds in their shortest form";

  EXPECT_EQ(r.Sum("hs_records_total"), 6);
  EXPECT_EQ(r.Sum("hs_records_total", {{"result", "updated"}}), 3);
  EXPECT_EQ(r.Sum("hs_missing_total"), 0);

  handle.reset();  // The collector is gone with its handle.
  EXPECT_EQ(r.Render().find("hs_wal_bytes"), std::string::npos);
}

TEST(MetricsTest, CountsFromManyThreadsAddUp) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r] {
      for (int i = 0; i < 10'000; ++i) {
        r.GetCounter("hs_n_total", "n", {{"k", "v"}}).Add();
        r.GetHistogram("hs_h_seconds", "h", {}).Observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.Sum("hs_n_total"), 40'000);
  const auto p = ParsePromText(r.Render());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(PromValue(p, "hs_h_seconds_count"), 40'000);
}

}  // namespace
}  // namespace hs::metrics
