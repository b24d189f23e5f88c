// Matching throughput and memory against a growing window (issue 4), measured in the same run as
// the brute-force baseline (every ticket of the window scored). The texts look like 12345 records:
// each carries several of twenty boilerplate phrases (市民来电反映, 请相关部门尽快处理, …), a place
// (a generated name and a suffix such as 小区, 路, 村), a problem, and 60 characters of details
// drawn from a character bigram chain of real messages (HS_BENCH_CORPUS, default
// ../shared/data/teddycup2020/messages.csv; without it, a uniform small alphabet); one
// complainant in ten complains again. The vocabulary is built from a sample of the same stream, as
// `match-vocab` builds one from a city's ledger.
//
// Usage: match_bench [window…]   (default: 10000 100000 1000000). Prints a table and, per window,
//   match window=N index_per_s=… brute_per_s=… rss_mb=…
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

struct Generator {
  std::mt19937_64 rng{20230601};
  std::vector<std::string> places;
  Generator() {
    const size_t han = sizeof(kHan) / sizeof(kHan[0]) - 1;
    for (int i = 0; i < 50'000; ++i) {
      std::string name;
      for (int k = 0; k < 3; ++k) name += Utf8(kHan[rng() % han]);
      places.push_back(name + kSuffix[rng() % 10]);
    }
  }
  std::string Pick(const char* const* list, size_t n) { return list[rng() % n]; }
  MatchInput Next(int64_t id, int64_t at) {
    const std::string place = places[rng() % places.size()];
    const std::string problem = Pick(kProblem, 20);
    std::string content = Pick(kBoilerplate, 20) + place + problem;
    for (int k = 0; k < 4; ++k) content += Pick(kBoilerplate, 20);
    const size_t han = sizeof(kHan) / sizeof(kHan[0]) - 1;
    if (g_chain != nullptr && !g_chain->empty()) {
      uint32_t c = static_cast<uint32_t>(rng() % g_chain->chars.size());
      for (int k = 0; k < 60; ++k) {
        content += g_chain->chars[c];
        const auto& next = g_chain->next[c];
        c = next.empty() ? static_cast<uint32_t>(rng() % g_chain->chars.size())
                         : next[rng() % next.size()];
      }
    } else {
      for (int k = 0; k < 30; ++k) content += Utf8(kHan[rng() % han]);
    }
    MatchInput in;
    in.ticket_id = id;
    in.at = at;
    in.title = hs::match::NormalizeText(place + problem);
    in.content = hs::match::NormalizeText(content);
    // One complainant in ten is a repeat caller from a pool of 50,000.
    const uint64_t caller = rng() % 10 == 0 ? rng() % 50'000 : 1'000'000 + static_cast<uint64_t>(id);
    char key[17];
    std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(caller * 0x9e3779b97f4a7c15ULL));
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

  std::printf("%10s %14s %14s %10s %12s %10s\n", "window", "index /s", "brute /s", "rss MB",
              "candidates", "matches");
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

    // Indexed: 20,000 new tickets matched and added (the window slides).
    const int64_t n = 20'000;
    std::vector<Profile> queries;
    for (int64_t i = 0; i < n; ++i) queries.push_back(matcher.MakeProfile(gen.Next(window + i, now)));
    size_t candidates = 0, matches = 0;
    const auto start = std::chrono::steady_clock::now();
    for (Profile& q : queries) {
      const auto found = matcher.Find(q);
      candidates += found.size();
      for (const auto& c : found) matches += c.confidence >= 0.5;
      matcher.Add(std::move(q));
    }
    const double index_rate = static_cast<double>(n) / Seconds(std::chrono::steady_clock::now() - start);

    // Brute force: every profile of the window scored, on fewer queries as the window grows.
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
        sink = sink + matcher.Score(query, all[static_cast<size_t>(i) % all.size()]).confidence;
      }
    }
    const double brute_rate =
        static_cast<double>(brute_queries) / Seconds(std::chrono::steady_clock::now() - brute_start);
    std::printf("%10lld %14.0f %14.1f %10ld %12.2f %10.3f\n", static_cast<long long>(window),
                index_rate, brute_rate, rss, static_cast<double>(candidates) / n,
                static_cast<double>(matches) / n);
    std::printf("match window=%lld index_per_s=%.0f brute_per_s=%.1f rss_mb=%ld\n",
                static_cast<long long>(window), index_rate, brute_rate, rss);
    std::fflush(stdout);
  }
  return 0;
}
