#include "bench/bench_ledger.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "daemon/ledger/ledger_impl.h"

namespace hs::bench {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::unique_ptr<ledger::Ledger> OpenBuiltOnce(const std::string& path, int64_t rows,
                                              const char* noun, const std::string& clear,
                                              const std::function<Status(sql::Db&)>& fill) {
  auto ledger = ledger::Ledger::Open(path, {});
  if (!ledger.ok()) {
    std::fprintf(stderr, "%s\n", ledger.status().ToString().c_str());
    return nullptr;
  }
  sql::Db& db = (*ledger)->impl()->db;
  auto have = db.QueryText("SELECT count(*) FROM tickets");
  if (!have.ok() || std::atoll(have->c_str()) != rows) {
    std::fprintf(stderr, "building a ledger of %lld %s in %s (once)\n",
                 static_cast<long long>(rows), noun, path.c_str());
    const auto start = Clock::now();
    Status s = db.Exec(clear);
    if (s.ok()) s = fill(db);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return nullptr;
    }
    std::fprintf(stderr, "built in %.0f s\n", Ms(Clock::now() - start) / 1000);
  }
  return std::move(ledger).value();
}

double FileMb(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<double>(st.st_size) / (1024 * 1024);
}

}  // namespace hs::bench
