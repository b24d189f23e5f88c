#include "daemon/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <map>
#include <mutex>

namespace hs::metrics {
namespace {

std::string Escape(const std::string& s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // The shortest text that reads back as v.
  return std::string(buf, r.ptr);
}

void WriteSample(std::string* out, const std::string& name, const Labels& labels,
                 const std::string& value) {
  *out += name;
  if (!labels.empty()) {
    *out += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) *out += ',';
      *out += labels[i].first + "=\"" + Escape(labels[i].second, true) + '"';
    }
    *out += '}';
  }
  *out += ' ' + value + '\n';
}

void WriteHeader(std::string* out, const std::string& name, const std::string& help,
                 const char* type) {
  *out += "# HELP " + name + ' ' + Escape(help, false) + "\n# TYPE " + name + ' ' + type + '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<int64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  const size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                       bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(std::llround(v * 1e6), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.bounds = bounds_;
  int64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
  return s;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,  0.5,    1,     2.5,  5,     10,   30, 60};
  return buckets;
}

void GaugeWriter::Family(const std::string& name, const std::string& help) {
  WriteHeader(out_, name, help, "gauge");
}

void GaugeWriter::Sample(const std::string& name, const Labels& labels, double value) {
  WriteSample(out_, name, labels, Number(value));
}

struct Registry::Impl {
  struct Family {
    std::string help;
    bool histogram = false;
    std::vector<double> bounds;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  mutable std::mutex mu;
  std::map<std::string, Family> families;
  std::map<int64_t, Collector> collectors;
  int64_t next_collector = 0;
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  Impl::Family& f = impl_->families[name];
  if (f.help.empty()) f.help = help;
  auto& slot = f.counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels, const std::vector<double>& bounds) {
  std::lock_guard lock(impl_->mu);
  Impl::Family& f = impl_->families[name];
  if (f.help.empty()) {
    f.help = help;
    f.histogram = true;
    f.bounds = bounds;
  }
  auto& slot = f.histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(f.bounds);
  return *slot;
}

std::shared_ptr<void> Registry::AddCollector(Collector collector) {
  std::lock_guard lock(impl_->mu);
  const int64_t id = impl_->next_collector++;
  impl_->collectors[id] = std::move(collector);
  Impl* impl = impl_.get();
  return std::shared_ptr<void>(nullptr, [impl, id](void*) {
    std::lock_guard lock(impl->mu);
    impl->collectors.erase(id);
  });
}

std::string Registry::Render() const {
  std::string out;
  std::vector<Collector> collectors;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [name, f] : impl_->families) {
      if (!f.histogram) {
        WriteHeader(&out, name, f.help, "counter");
        for (const auto& [labels, c] : f.counters) {
          WriteSample(&out, name, labels, std::to_string(c->value()));
        }
        continue;
      }
      WriteHeader(&out, name, f.help, "histogram");
      for (const auto& [labels, h] : f.histograms) {
        const Histogram::Snapshot s = h->Read();
        Labels with_le = labels;
        with_le.emplace_back("le", "");
        for (size_t i = 0; i <= s.bounds.size(); ++i) {
          with_le.back().second = i < s.bounds.size() ? Number(s.bounds[i]) : "+Inf";
          WriteSample(&out, name + "_bucket", with_le, std::to_string(s.cumulative[i]));
        }
        WriteSample(&out, name + "_sum", labels, Number(s.sum));
        WriteSample(&out, name + "_count", labels, std::to_string(s.cumulative.back()));
      }
    }
    for (const auto& [id, c] : impl_->collectors) collectors.push_back(c);
  }
  // Collectors query the ledger: outside the lock, so that counting never waits on a scrape.
  GaugeWriter writer(&out);
  for (const Collector& c : collectors) c(writer);
  return out;
}

int64_t Registry::Sum(const std::string& name, const Labels& match) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->families.find(name);
  if (it == impl_->families.end()) return 0;
  int64_t sum = 0;
  for (const auto& [labels, c] : it->second.counters) {
    const bool matches = std::all_of(match.begin(), match.end(), [&](const auto& m) {
      return std::find(labels.begin(), labels.end(), m) != labels.end();
    });
    if (matches) sum += c->value();
  }
  return sum;
}

Registry& Global() {
  static Registry* registry = new Registry();  // Never destroyed: threads may count at exit.
  return *registry;
}

}  // namespace hs::metrics
