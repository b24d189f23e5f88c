// Fault suite item 14 (RELIABILITY.md), the match index part: after the daemon has pulled and
// matched 1,000 orders of synthetic complainants, no phone or ID number any of them typed appears,
// in any form that keeps its digits, in a dump of the match index (keys, cases, decisions with
// their evidence, verdicts) or in what the daemon logged. The keys must be keyed hashes: the
// index is not empty, and none of its values is an unkeyed SHA-256 of a number either.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>

#include "adapters/hotline12345/sim.h"
#include "daemon/crypto/crypto.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/cli_runner.h"
#include "tests/fakes/daemon_process.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

std::string Digits(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

// `s` without the characters numbers are written with (spaces, dashes, brackets, plus), so that
// 138-1234-5678 and (0730) 8123456 read as their digits; letters and the rest still separate.
std::string WithoutSeparators(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '+') out += c;
  }
  return out;
}

TEST(PiiCanaryTest, NoPhoneOrIdNumberInTheMatchIndexOrTheLog) {
  SystemClock clock;
  testing::TempDir dir;
  hotline12345::SimOptions o;
  o.orders = 1000;
  o.speed = 0;
  o.days_before = 30;
  o.days_after = 0;
  o.rps = 0;
  hotline12345::HotlineSim sim(o, clock);
  ASSERT_TRUE(sim.Start().ok());
  const std::string config =
      testing::WriteHotlineConfig(dir.path().string(), sim.base_url(),
                                  "[ledger]\npath = \"ledger.db\"\n[log]\nlevel = \"debug\"\n");
  auto run =
      testing::RunCli(HS_BINARY, {"run", "--once", "--config", config}, dir.path().string(), 300);
  ASSERT_EQ(run.code, 0) << run.err.substr(0, 2000);

  // The canaries: every phone and ID number served, as digits (7 or more of them).
  std::set<std::string> canaries;
  for (const auto& [gdbh, text] : sim.Snapshot()) {
    rapidjson::Document d;
    d.Parse(text.c_str());
    for (const char* k : {"lxdh", "zjhm"}) {
      if (!d.HasMember(k) || !d[k].IsString()) continue;
      const std::string digits = Digits(d[k].GetString());
      if (digits.size() >= 7) canaries.insert(digits);
    }
  }
  ASSERT_GT(canaries.size(), 500u);

  auto db = sql::Db::Open(dir.File("ledger.db"), SQLITE_OPEN_READONLY);
  ASSERT_TRUE(db.ok());
  std::string dump;
  int64_t keys = 0;
  for (const char* table :
       {"match_keys", "cases", "case_members", "match_decisions", "match_verdicts"}) {
    auto st = sql::Stmt::Prepare(*db, std::string("SELECT * FROM ") + table);
    ASSERT_TRUE(st.ok()) << table;
    const int columns = st->Columns();
    while (*st->Step()) {
      keys += std::string(table) == "match_keys";
      for (int c = 0; c < columns; ++c) dump += st->Text(c) + "\x1f";
      dump += "\n";
    }
  }
  ASSERT_GT(keys, 500) << "the match index is empty: nothing was checked";
  const std::string dump_digits = WithoutSeparators(dump);
  const std::string log_digits = WithoutSeparators(run.all());
  int leaks = 0;
  for (const std::string& n : canaries) {
    // Counted, never printed: the number itself in the test's output would be a leak too.
    if (dump_digits.find(n) != std::string::npos) ++leaks;
    if (log_digits.find(n) != std::string::npos) ++leaks;
    if (dump.find(crypto::Sha256Hex(n)) != std::string::npos) ++leaks;
  }
  EXPECT_EQ(leaks, 0) << "phone or ID numbers found in the match index or the log";

  // The control: the same search over the tickets table, which keeps the numbers as typed (masked
  // on every way out), finds nearly all of them.
  std::string tickets;
  auto st = sql::Stmt::Prepare(*db, "SELECT phone || ' ' || id_number FROM tickets");
  ASSERT_TRUE(st.ok());
  while (*st->Step()) tickets += st->Text(0) + "\n";
  tickets = WithoutSeparators(tickets);
  size_t found = 0;
  for (const std::string& n : canaries) found += tickets.find(n) != std::string::npos;
  EXPECT_GT(found, canaries.size() * 9 / 10);
}

}  // namespace
}  // namespace hs
