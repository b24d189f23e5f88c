// Matching throughput and memory against a growing window (issue 4), measured in the same run as
// the brute-force baseline (every ticket of the window scored). The texts look like 12345 records:
// each carries several of twenty boilerplate phrases (市民来电反映, 请相关部门尽快处理, …), a place
// (a generated name and a suffix such as 小区, 路, 村), a problem, and 60 characters of details
// drawn from a character bigram chain of real messages (HS_BENCH_CORPUS, default
// ../shared/data/teddycup2020/messages.csv; without it, a uniform small alphabet); one
// complainant in ten complains again. The vocabulary is built from a sample of the same stream, as
// `match-vocab` builds one from a city's ledger.
//
// One query in ten repeats a ticket of the window (same place, problem and half its details, by the
// same or another complainant); "repeats found" is the share of those the exact score puts at or
// above `ask` that the index finds: what the flood guards cost.
//
// Usage: match_bench [window…]   (default: 10000 100000 1000000). Prints a table and, per window,
//   match window=N index_per_s=… brute_per_s=… rss_mb=… recall=…
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/match/corpus.h"
#include "daemon/match/matcher.h"
#include "daemon/match/normalize.h"
#include "daemon/match/vocabulary.h"

namespace {

using hs::match::Matcher;
using hs::match::MatchInput;
using hs::match::MatchOptions;
using hs::match::Profile;
using hs::match::Vocabulary;

const char* kBoilerplate[] = {
    "市民来电反映", "请相关部门尽快处理", "希望有关部门予以重视", "严重影响周边居民生活",
    "多次反映未果", "来电人情绪激动", "要求尽快答复", "请核实处理",
    "已影响正常生活", "望尽快解决", "诉求人称", "此问题存在已久",
    "给群众生活带来不便", "请督促整改", "要求相关单位上门处理", "现场情况属实",
    "市民通过微信公众号反映", "恳请领导关注", "以上情况请核实", "希望早日解决"};
const char* kSuffix[] = {"小区", "花园", "路", "村", "学校", "医院", "公司", "社区", "市场", "大道"};
const char* kProblem[] = {"电梯故障", "噪音扰民", "路灯不亮", "垃圾无人清运", "停水", "违章搭建",
                          "乱停车", "油烟扰民", "拖欠工资", "物业乱收费", "道路破损", "夜间施工",
                          "污水直排", "占道经营", "违规收费", "房屋漏水", "停电", "积水严重",
                          "井盖缺失", "树木倒伏"};

// Common Han characters for names and details.
const char32_t kHan[] = U"金鹗山庄南湖花园巴陵中东茅岭洞庭求索五里牌王家河花板桥岳阳楼君山云溪"
                        U"华容湘阴平江汨罗临湘城陵矶北港西塘东风白石康王太阳新开福寿长安永济"
                        U"天井新墙黄沙荣家湾月田三合万家丽桃花冲青年团结胜利和平光明建设";

std::string Utf8(char32_t c) {
  std::string s;
  s += static_cast<char>(0xE0 | (c >> 12));
  s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  s += static_cast<char>(0x80 | (c & 0x3F));
  return s;
}

// Character bigram statistics of real complaint text (the TipDM messages, when the shared data is
// here): generated details then have the skewed bigram frequencies of real text, where a rare
// bigram is rare. Without it, details are drawn uniformly from a small alphabet (harder: every
// detail bigram is then moderately common).
struct Chain {
  std::vector<std::string> chars;                 // index → UTF-8 character
  std::vector<std::vector<uint32_t>> next;        // index → following characters, with repeats
  bool empty() const { return chars.empty(); }
};

Chain LoadChain(const char* csv_path) {
  Chain c;
  std::ifstream f(csv_path, std::ios::binary);
  if (!f) return c;
  std::stringstream ss;
  ss << f.rdbuf();
  auto messages = hs::match::ReadMessages(ss.str());
  if (!messages.ok()) return c;
  std::unordered_map<std::string, uint32_t> index;
  auto id = [&](const std::string& ch) {
    auto [it, fresh] = index.emplace(ch, static_cast<uint32_t>(c.chars.size()));
    if (fresh) {
      c.chars.push_back(ch);
      c.next.emplace_back();
    }
    return it->second;
  };
  for (const auto& m : *messages) {
    const std::string text = hs::match::NormalizeText(m.text);
    int64_t prev = -1;
    for (size_t i = 0; i < text.size();) {
      size_t n = 1;
      while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
      const uint32_t cur = id(text.substr(i, n));
      if (prev >= 0) c.next[static_cast<size_t>(prev)].push_back(cur);
      prev = cur;
      i += n;
    }
  }
  return c;
}

const Chain* g_chain = nullptr;

// Tickets are a function of their id, so a repeat of any ticket in the window can be written
// without keeping the window's texts.
struct Generator {
  std::vector<std::string> places;
  Generator() {
    std::mt19937_64 rng{20230601};
    const size_t han = sizeof(kHan) / sizeof(kHan[0]) - 1;
    for (int i = 0; i < 50'000; ++i) {
      std::string name;
      for (int k = 0; k < 3; ++k) name += Utf8(kHan[rng() % han]);
      places.push_back(name + kSuffix[rng() % 10]);
    }
  }
  static std::string Pick(std::mt19937_64& rng, const char* const* list, size_t n) {
    return list[rng() % n];
  }
  static std::string Details(std::mt19937_64& rng, int n) {
    std::string out;
    if (g_chain != nullptr && !g_chain->empty()) {
      uint32_t c = static_cast<uint32_t>(rng() % g_chain->chars.size());
      for (int k = 0; k < n; ++k) {
        out += g_chain->chars[c];
        const auto& next = g_chain->next[c];
        c = next.empty() ? static_cast<uint32_t>(rng() % g_chain->chars.size())
                         : next[rng() % next.size()];
      }
    } else {
      const size_t han = sizeof(kHan) / sizeof(kHan[0]) - 1;
      for (int k = 0; k < n / 2; ++k) out += Utf8(kHan[rng() % han]);
    }
    return out;
  }
  // Ticket `id`; when `repeat_of` >= 0, the same place, problem and first half of the details as
  // that ticket in other boilerplate and new words, by its complainant or (half the time) another.
  MatchInput Next(int64_t id, int64_t at, int64_t repeat_of = -1) const {
    const int64_t origin = repeat_of >= 0 ? repeat_of : id;
    std::mt19937_64 rng(static_cast<uint64_t>(origin) * 0x9e3779b97f4a7c15ULL + 1);
    const std::string place = places[rng() % places.size()];
    const std::string problem = Pick(rng, kProblem, 20);
    std::string details = Details(rng, 60);
    const uint64_t repeat_caller = rng() % 10 == 0 ? rng() % 50'000 : 1'000'000 + origin;
    std::mt19937_64 own(static_cast<uint64_t>(id) * 0xbf58476d1ce4e5b9ULL + 7);
    uint64_t caller = repeat_caller;
    if (repeat_of >= 0) {
      size_t half = 0;  // The first 30 characters (UTF-8 lead bytes) of the details.
      for (int chars = 0; half < details.size(); ++half) {
        if ((static_cast<unsigned char>(details[half]) & 0xC0) != 0x80 && chars++ == 30) break;
      }
      details = details.substr(0, half) + Details(own, 30);
      if (own() % 2 == 0) caller = 2'000'000 + static_cast<uint64_t>(id);
    }
    std::string content = Pick(own, kBoilerplate, 20) + place + problem;
    for (int k = 0; k < 4; ++k) content += Pick(own, kBoilerplate, 20);
    content += details;
    MatchInput in;
    in.ticket_id = id;
    in.at = at;
    in.title = hs::match::NormalizeText(place + problem);
    in.content = hs::match::NormalizeText(content);
    char key[17];
    std::snprintf(key, sizeof key, "%016llx",
                  static_cast<unsigned long long>(caller * 0x9e3779b97f4a7c15ULL));
    in.identity_keys.push_back(key);
    return in;
  }
};

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

long RssMb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) / 1024;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> windows;
  const char* corpus = std::getenv("HS_BENCH_CORPUS");
  const Chain chain = LoadChain(corpus != nullptr ? corpus : "../shared/data/teddycup2020/messages.csv");
  g_chain = &chain;
  std::printf("details: %s\n", chain.empty() ? "uniform over a 100-character alphabet (no corpus found)"
                                              : "a character bigram chain of the TipDM messages");
  for (int i = 1; i < argc; ++i) windows.push_back(std::atoll(argv[i]));
  if (windows.empty()) windows = {10'000, 100'000, 1'000'000};

  Generator sample_gen;
  std::vector<std::string> sample;
  for (int i = 0; i < 20'000; ++i) {
    const MatchInput in = sample_gen.Next(i, 0);
    sample.push_back(in.title + in.content);
  }
  const Vocabulary vocabulary = Vocabulary::Build(sample, 10);

  std::printf("%10s %14s %14s %10s %12s %16s\n", "window", "index /s", "brute /s", "rss MB",
              "candidates", "repeats found");
  for (int64_t window : windows) {
    MatchOptions options;
    options.window_s = 30 * 86'400;
    Matcher matcher(vocabulary, options);
    Generator gen;
    // The window: `window` tickets spread over the last 30 days.
    const int64_t t0 = 1'700'000'000;
    const int64_t step = std::max<int64_t>(1, options.window_s / window);
    for (int64_t i = 0; i < window; ++i) matcher.Add(matcher.MakeProfile(gen.Next(i, t0 + i * step)));
    const long rss = RssMb();
    const int64_t now = t0 + window * step;
    std::fprintf(stderr, "window of %lld built\n", static_cast<long long>(window));

    // Indexed: 20,000 new tickets matched and added (the window slides); one in ten repeats a
    // ticket of the window. A repeat the exact score puts at or above `ask` must be found.
    const int64_t n = 20'000;
    std::vector<Profile> queries;
    std::vector<int64_t> repeat_of(n, -1);
    std::mt19937_64 pick(7);
    for (int64_t i = 0; i < n; ++i) {
      if (pick() % 10 == 0) repeat_of[i] = window / 10 + static_cast<int64_t>(pick() % (window - window / 10));
      queries.push_back(matcher.MakeProfile(gen.Next(window + i, now, repeat_of[i])));
    }
    std::vector<bool> reachable(n);
    for (int64_t i = 0; i < n; ++i) {
      const Profile* origin = repeat_of[i] >= 0 ? matcher.Indexed(repeat_of[i]) : nullptr;
      reachable[i] = origin != nullptr && matcher.Score(queries[i], *origin).confidence >= options.ask;
    }
    size_t candidates = 0, repeats = 0, found_repeats = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < n; ++i) {
      const auto found = matcher.Find(queries[i]);
      candidates += found.size();
      if (reachable[i]) {
        ++repeats;
        for (const auto& c : found) found_repeats += c.ticket_id == repeat_of[i];
      }
      matcher.Add(std::move(queries[i]));
    }
    const double index_rate = static_cast<double>(n) / Seconds(std::chrono::steady_clock::now() - start);
    const double recall = repeats == 0 ? 1.0 : static_cast<double>(found_repeats) / repeats;

    // Brute force: every profile of the window scored (with the same early exit below `ask`), on
    // fewer queries as the window grows.
    std::vector<Profile> all;
    Generator again;
    for (int64_t i = 0; i < std::min<int64_t>(window, 100'000); ++i) {
      all.push_back(matcher.MakeProfile(again.Next(i, t0 + i * step)));
    }
    const int64_t brute_queries = std::max<int64_t>(20, 2'000'000 / window);
    volatile double sink = 0;
    const auto brute_start = std::chrono::steady_clock::now();
    for (int64_t q = 0; q < brute_queries; ++q) {
      const Profile query = matcher.MakeProfile(again.Next(window + n + q, now));
      // A window larger than the sample is scored as many times over, as it would be.
      for (int64_t i = 0; i < window; ++i) {
        sink = sink + matcher.Score(query, all[static_cast<size_t>(i) % all.size()],
                                    options.ask).confidence;
      }
    }
    const double brute_rate =
        static_cast<double>(brute_queries) / Seconds(std::chrono::steady_clock::now() - brute_start);
    std::printf("%10lld %14.0f %14.1f %10ld %12.2f %9.3f of %zu\n", static_cast<long long>(window),
                index_rate, brute_rate, rss, static_cast<double>(candidates) / n, recall, repeats);
    std::printf("match window=%lld index_per_s=%.0f brute_per_s=%.1f rss_mb=%ld recall=%.3f\n",
                static_cast<long long>(window), index_rate, brute_rate, rss, recall);
    std::fflush(stdout);
  }
  return 0;
}
