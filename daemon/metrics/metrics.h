// Process-wide metrics in the Prometheus text format (version 0.0.4): counters and histograms that
// the sync loops, the HTTP transport and the ledger update as they work, and gauges a scrape
// computes (from the ledger) through collectors. Label values are bounded sets chosen by the code
// (adapter names, result classes), never free text or personal data.
//
// Thread-safety: everything may be called from any thread. A Counter& or Histogram& stays valid
// for the life of the process, so hot paths look one up once and keep it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hs::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<int64_t> cumulative;  // One per bound, then +Inf.
    double sum = 0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> counts_;  // Per bucket (not cumulative), then +Inf.
  std::atomic<int64_t> sum_micros_{0};              // Sum of observations, in millionths.
};

// Seconds buckets for HTTP requests and SQLite commits: 1 ms to 60 s.
const std::vector<double>& LatencyBuckets();

// Writes gauge families during a scrape.
class GaugeWriter {
 public:
  explicit GaugeWriter(std::string* out) : out_(out) {}
  // HELP and TYPE lines; then Sample for each label set. One family per call, never repeated.
  void Family(const std::string& name, const std::string& help);
  void Sample(const std::string& name, const Labels& labels, double value);

 private:
  std::string* out_;
};

using Collector = std::function<void(GaugeWriter&)>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The counter or histogram `name` with `labels`, created on first use. A name is one family:
  // its help (and a histogram's bounds) come from the first call.
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels);
  Histogram& GetHistogram(const std::string& name, const std::string& help, const Labels& labels,
                          const std::vector<double>& bounds = LatencyBuckets());

  // A collector runs on every Render; returns a handle that removes it when destroyed.
  std::shared_ptr<void> AddCollector(Collector collector);

  // The whole exposition: counters and histograms in name order, then the collectors' gauges.
  std::string Render() const;

  // The sum of counter `name` over all label sets that include `match` (for STATUS= lines).
  int64_t Sum(const std::string& name, const Labels& match = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The daemon's registry.
Registry& Global();

}  // namespace hs::metrics
