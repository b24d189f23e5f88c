// Tests of the ledger (RELIABILITY.md, "Promises: Storage"): every pragma reads back, migrations
// and the refusal of files this binary must not touch, CommitPage's upsert and event semantics, the
// append-only events, the sync log, and that a failed commit leaves nothing behind and names the
// order but no personal data.
#include "daemon/ledger/ledger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/ledger_queries.h"
#include "daemon/ledger/sqlite.h"
#include "tests/fakes/temp_dir.h"

namespace hs::ledger {
namespace {

constexpr std::string_view kSource = "hotline12345";
constexpr int64_t kT0 = 1686531600;         // 2023-06-12 09:00:00 Beijing time, Unix seconds.
constexpr int64_t kNowMs = 1686585600'000;  // 2023-06-13 00:00:00 Beijing time.
constexpr std::string_view kPhone = "13812345678";
constexpr std::string_view kIdNumber = "430602199001011234";

// The i-th entry of a synthetic transfer log.
HistoryEntry Entry(int i) {
  HistoryEntry h;
  h.at = kT0 + 60 * i;
  h.action = i == 0 ? "派单" : "备注" + std::to_string(i);
  h.unit = "岳阳楼区";
  h.note = "note " + std::to_string(i);
  h.result = i % 3 == 2 ? "满意" : "";
  h.external_ref = i % 4 == 3 ? "WB-" + std::to_string(i) : "";
  return h;
}

// A ticket whose raw bytes follow from its fields, so that a different version has different bytes.
Ticket MakeTicket(const std::string& id, int64_t updated_at, int history,
                  std::string_view state = "in_progress") {
  Ticket t;
  t.external_id = id;
  t.external_ref = "WB" + id;
  t.channel = "电话";
  t.kind = "投诉";
  t.category = "城市管理类";
  t.title = "噪音扰民";
  t.content = "夜间施工噪音很大";
  t.address = "岳阳楼区某小区";
  t.complainant = "张先生";
  t.phone = std::string(kPhone);
  t.id_number = std::string(kIdNumber);
  t.unit = "岳阳楼区";
  t.unit_code = "430602";
  t.accepted_at = kT0;
  t.deadline = kT0 + 3 * 86400;
  t.state = std::string(state);
  t.updated_at = updated_at;
  t.version = updated_at;
  for (int i = 0; i < history; ++i) t.history.push_back(Entry(i));
  t.raw = "{\"gdbh\":\"" + id + "\",\"gxsj\":" + std::to_string(updated_at) +
          ",\"n\":" + std::to_string(history) + ",\"gdzt\":\"" + t.state + "\"}";
  return t;
}

std::vector<EventRow> EventsOfKind(const TicketRecord& r, std::string_view kind) {
  std::vector<EventRow> out;
  for (const EventRow& e : r.events) {
    if (e.kind == kind) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const EventRow& a, const EventRow& b) { return a.n < b.n; });
  return out;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("ledger.db");
    auto opened = Ledger::Open(path_, {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
    run_.source = std::string(kSource);
    run_.started_ms = now_ms_;
  }

  // The first column of the first row of `sql` on the ledger's own connection.
  std::string Query(const std::string& sql) {
    auto r = ledger_->impl()->db.QueryText(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? *r : std::string("<error>");
  }

  Result<PageStats> Commit(const std::vector<Ticket>& tickets, const std::vector<Reject>& rejects,
                           std::string_view cursor) {
    now_ms_ += 1000;
    return ledger_->CommitPage(kSource, tickets, rejects, cursor, run_, now_ms_);
  }

  // Commits and fails the test on error.
  PageStats CommitOk(const std::vector<Ticket>& tickets, const std::vector<Reject>& rejects = {},
                     std::string_view cursor = "c") {
    auto r = Commit(tickets, rejects, cursor);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PageStats{};
  }

  TicketRecord FindOne(const std::string& ref) {
    auto r = FindTickets(*ledger_, ref);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->size() != 1) {
      ADD_FAILURE() << "expected exactly one ticket for " << ref;
      return {};
    }
    return r->front();
  }

  Totals Counts() {
    auto r = CountAll(*ledger_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Totals{};
  }

  std::vector<SyncRun> Runs(RunFilter f = {}) {
    auto r = ListRuns(*ledger_, f);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<SyncRun>{};
  }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<Ledger> ledger_;
  SyncRun run_;
  int64_t now_ms_ = kNowMs;
};

// --- Pragmas -------------------------------------------------------------------------------------

TEST_F(LedgerTest, EveryPragmaReadsBackOnANewLedger) {
  EXPECT_EQ(Query("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Query("PRAGMA synchronous"), "1");  // NORMAL, the default option.
  EXPECT_EQ(Query("PRAGMA busy_timeout"), "5000");
  EXPECT_EQ(Query("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(Query("PRAGMA secure_delete"), "1");
  EXPECT_EQ(Query("PRAGMA page_size"), "16384");
  EXPECT_EQ(Query("PRAGMA temp_store"), "2");

  // The persistent ones are in the file, as another connection sees it.
  auto other = sql::Db::Open(path_, SQLITE_OPEN_READONLY);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto mode = other->QueryText("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "wal");
  auto page = other->QueryText("PRAGMA page_size");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(*page, "16384");
}

TEST_F(LedgerTest, SynchronousFullReadsBackAsTwo) {
  LedgerOptions o;
  o.synchronous = "FULL";
  auto full = Ledger::Open(dir_.File("full.db"), o);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  auto v = (*full)->impl()->db.QueryText("PRAGMA synchronous");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "2");
  auto mode = (*full)->impl()->db.QueryText("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "wal");
}

TEST_F(LedgerTest, UnknownSynchronousValueIsRefused) {
  LedgerOptions o;
  o.synchronous = "OFF";
  auto r = Ledger::Open(dir_.File("off.db"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LedgerTest, ReadOnlyLedgerWaitsOnBusyTimeoutAndEnforcesForeignKeys) {
  LedgerOptions o;
  o.read_only = true;
  auto ro = Ledger::Open(path_, o);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  auto& db = (*ro)->impl()->db;
  EXPECT_EQ(*db.QueryText("PRAGMA busy_timeout"), "5000");
  EXPECT_EQ(*db.QueryText("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(*db.QueryText("PRAGMA journal_mode"), "wal");
  // And it cannot write.
  EXPECT_FALSE(db.Exec("INSERT INTO units (name) VALUES ('x')").ok());
}

// A one-row look-up left on its row (kept prepared, as the matcher's are) must not hold the
// connection's read snapshot past the transaction: else no checkpoint could ever get past it and
// the WAL would grow for as long as the daemon runs.
TEST_F(LedgerTest, NoReadSnapshotOutlivesAWriteTransaction) {
  auto lookup = ledger_->impl()->db.Cached("SELECT name FROM sqlite_master");
  ASSERT_TRUE(lookup.ok());
  ASSERT_TRUE(*(*lookup)->Step());  // On its first row, not reset.
  CommitOk({MakeTicket("YY001", kT0, 3)});
  auto other = sql::Db::Open(path_, SQLITE_OPEN_READWRITE);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("PRAGMA busy_timeout = 0").ok());
  // "busy|frames|checkpointed": 0 busy, every frame moved into the database, the WAL emptied.
  auto st = sql::Stmt::Prepare(*other, "PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Int(0), 0) << "a snapshot of the ledger's own connection blocks the checkpoint";
  EXPECT_EQ(st->Int(1), st->Int(2));
}

TEST_F(LedgerTest, ForeignKeysAreEnforced) {
  Status s = ledger_->impl()->db.Exec(
      "INSERT INTO events (ticket_id, n, kind, seq, recorded_at) VALUES (424242, 0, 'log', 0, 1)");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

// --- Migrations and refused files ----------------------------------------------------------------

TEST_F(LedgerTest, NewLedgerIsAtTheLatestSchemaAndMigrateAgainAppliesNothing) {
  ASSERT_GE(Ledger::LatestSchemaVersion(), 1);
  auto v = ledger_->SchemaVersion();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, Ledger::LatestSchemaVersion());
  auto applied = ledger_->Migrate();
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_TRUE(applied->empty());
  EXPECT_EQ(*ledger_->SchemaVersion(), Ledger::LatestSchemaVersion());
  for (const char* table :
       {"tickets", "events", "rejects", "cursors", "sync_runs", "adapter_state", "units"}) {
    EXPECT_EQ(Query(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name = '") +
                    table + "'"),
              "1")
        << table;
  }
  // Reopening applies nothing either and keeps the data.
  CommitOk({MakeTicket("YY001", kT0, 1)});
  ledger_.reset();
  auto again = Ledger::Open(path_, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(CountAll(**again)->tickets, 1);
}

TEST_F(LedgerTest, NewerSchemaIsRefusedWithWhatToDo) {
  ledger_.reset();
  const int newer = Ledger::LatestSchemaVersion() + 7;
  {
    auto db = sql::Db::Open(path_, SQLITE_OPEN_READWRITE);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = " + std::to_string(newer)).ok());
  }
  for (bool read_only : {false, true}) {
    LedgerOptions o;
    o.read_only = read_only;
    auto r = Ledger::Open(path_, o);
    ASSERT_FALSE(r.ok()) << "read_only=" << read_only;
    EXPECT_EQ(r.status().code(), StatusCode::kRejected) << r.status().ToString();
    const std::string& msg = r.status().message();
    EXPECT_NE(msg.find(std::to_string(newer)), std::string::npos) << msg;
    EXPECT_NE(msg.find("newer hotline-sync"), std::string::npos) << msg;
    EXPECT_NE(msg.find("backup"), std::string::npos) << msg;
  }
  // The refusal changed nothing.
  auto db = sql::Db::Open(path_, SQLITE_OPEN_READONLY);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryText("PRAGMA user_version"), std::to_string(newer));
}

TEST_F(LedgerTest, GarbageFileIsRefusedAndLeftAsItWas) {
  const std::string garbage_path = dir_.File("garbage.db");
  std::string garbage;
  for (int i = 0; garbage.size() < 8192; ++i)
    garbage += "not a ledger, line " + std::to_string(i) + "\n";
  {
    std::ofstream out(garbage_path, std::ios::binary);
    out << garbage;
  }
  auto r = Ledger::Open(garbage_path, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kRejected) << r.status().ToString();
  EXPECT_NE(r.status().message().find(garbage_path), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("backup"), std::string::npos) << r.status().ToString();

  LedgerOptions ro;
  ro.read_only = true;
  auto r2 = Ledger::Open(garbage_path, ro);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kRejected) << r2.status().ToString();
  EXPECT_NE(r2.status().message().find("backup"), std::string::npos) << r2.status().ToString();

  std::ifstream in(garbage_path, std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, garbage);
  EXPECT_FALSE(std::filesystem::exists(garbage_path + "-wal"));
}

TEST_F(LedgerTest, ReadOnlyOpenOfAMissingFileFailsClearlyAndCreatesNothing) {
  const std::string missing = dir_.File("missing.db");
  LedgerOptions o;
  o.read_only = true;
  auto r = Ledger::Open(missing, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find(missing), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("[ledger] path"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(LedgerTest, ReadOnlyOpenOfAnOlderSchemaAsksForMigrate) {
  const std::string old_path = dir_.File("old.db");
  {
    auto db = sql::Db::Open(old_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE something_else (a)").ok());
  }
  LedgerOptions o;
  o.read_only = true;
  auto r = Ledger::Open(old_path, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kRejected);
  EXPECT_NE(r.status().message().find("hotline-sync migrate"), std::string::npos)
      << r.status().ToString();
}

// --- CommitPage ----------------------------------------------------------------------------------

TEST_F(LedgerTest, NewTicketIsInsertedWithItsLogAndNoStateEvent) {
  PageStats s = CommitOk({MakeTicket("YY001", kT0, 3)}, {}, "cursor-1");
  EXPECT_EQ(s.inserted, 1);
  EXPECT_EQ(s.updated + s.unchanged + s.stale + s.rejected + s.history_shrunk, 0);
  EXPECT_EQ(s.events, 3);

  TicketRecord r = FindOne("YY001");
  EXPECT_EQ(r.source, kSource);
  EXPECT_EQ(r.ticket.state, "in_progress");
  EXPECT_EQ(r.ticket.updated_at, kT0);
  EXPECT_EQ(r.ticket.unit_code, "430602");
  EXPECT_EQ(r.ticket.deadline, kT0 + 3 * 86400);
  EXPECT_EQ(r.ticket.closed_at, std::nullopt);
  EXPECT_EQ(r.first_seen, now_ms_ / 1000);
  auto logs = EventsOfKind(r, "log");
  ASSERT_EQ(logs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(logs[i].seq, i);
    EXPECT_EQ(logs[i].at, Entry(i).at);
    EXPECT_EQ(logs[i].action, Entry(i).action);
    EXPECT_EQ(logs[i].note, Entry(i).note);
    EXPECT_EQ(logs[i].result, Entry(i).result);
    EXPECT_EQ(logs[i].from_state, "");
  }
  // Its first state is in the row; only changes the sync sees later are 'state' events.
  EXPECT_TRUE(EventsOfKind(r, "state").empty());

  // FindTickets also finds it by wbbh and by ledger id.
  EXPECT_EQ(FindOne("WBYY001").id, r.id);
  EXPECT_EQ(FindOne(std::to_string(r.id)).ticket.external_id, "YY001");
  // Only the number as written: not with a leading zero, and an empty one names nothing (most
  // tickets have no wbbh).
  EXPECT_EQ(FindTickets(*ledger_, "0" + std::to_string(r.id))->size(), 0u);
  EXPECT_EQ(FindTickets(*ledger_, "")->size(), 0u);

  Totals t = Counts();
  EXPECT_EQ(t.tickets, 1);
  EXPECT_EQ(t.events, 3);
  EXPECT_EQ(*ledger_->LoadCursor(kSource), "cursor-1");
  EXPECT_EQ(*ledger_->LoadCursor("other-source"), "");
  EXPECT_NE(run_.id, 0);
  EXPECT_EQ(run_.pages, 1);
  EXPECT_EQ(run_.fetched, 1);
  EXPECT_EQ(run_.inserted, 1);
  EXPECT_EQ(run_.events, 3);
}

TEST_F(LedgerTest, SameRecordAgainIsUnchangedAndAddsNoEvents) {
  CommitOk({MakeTicket("YY001", kT0, 3)});
  const int64_t first = now_ms_ / 1000;
  now_ms_ += 60'000;
  PageStats s = CommitOk({MakeTicket("YY001", kT0, 3)});
  EXPECT_EQ(s.unchanged, 1);
  EXPECT_EQ(s.inserted + s.updated + s.stale, 0);
  EXPECT_EQ(s.events, 0);
  EXPECT_EQ(Counts().events, 3);
  TicketRecord r = FindOne("YY001");
  EXPECT_EQ(r.first_seen, first);
  EXPECT_EQ(r.last_seen, now_ms_ / 1000);
  EXPECT_EQ(run_.unchanged, 1);
  EXPECT_EQ(run_.pages, 2);
}

TEST_F(LedgerTest, NewerVersionAppendsOnlyTheNewLogEntriesAndTheStateChange) {
  CommitOk({MakeTicket("YY001", kT0, 3)});
  PageStats s = CommitOk({MakeTicket("YY001", kT0 + 600, 5, "closed")});
  EXPECT_EQ(s.updated, 1);
  EXPECT_EQ(s.inserted + s.unchanged + s.stale + s.history_shrunk, 0);
  EXPECT_EQ(s.events, 3);
  EXPECT_EQ(Counts().events, 6);

  TicketRecord r = FindOne("YY001");
  EXPECT_EQ(r.ticket.state, "closed");
  EXPECT_EQ(r.ticket.updated_at, kT0 + 600);
  EXPECT_EQ(r.ticket.raw, MakeTicket("YY001", kT0 + 600, 5, "closed").raw);
  auto logs = EventsOfKind(r, "log");
  ASSERT_EQ(logs.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(logs[i].seq, i);
    EXPECT_EQ(logs[i].note, Entry(i).note);
  }
  auto states = EventsOfKind(r, "state");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].action, "closed");
  EXPECT_EQ(states[0].from_state, "in_progress");
  EXPECT_EQ(states[0].at, kT0 + 600);
  EXPECT_EQ(run_.updated, 1);
}

TEST_F(LedgerTest, NewerVersionWithTheSameStateAddsNoStateEvent) {
  CommitOk({MakeTicket("YY001", kT0, 3)});
  PageStats s = CommitOk({MakeTicket("YY001", kT0 + 60, 4)});
  EXPECT_EQ(s.updated, 1);
  EXPECT_EQ(s.events, 1);
  EXPECT_TRUE(EventsOfKind(FindOne("YY001"), "state").empty());
}

TEST_F(LedgerTest, OlderVersionIsStaleAndChangesNothing) {
  CommitOk({MakeTicket("YY001", kT0, 3)});
  PageStats s = CommitOk({MakeTicket("YY001", kT0 - 60, 6, "closed")});
  EXPECT_EQ(s.stale, 1);
  EXPECT_EQ(s.inserted + s.updated + s.unchanged, 0);
  EXPECT_EQ(s.events, 0);
  TicketRecord r = FindOne("YY001");
  EXPECT_EQ(r.ticket.state, "in_progress");
  EXPECT_EQ(r.ticket.updated_at, kT0);
  EXPECT_EQ(r.ticket.raw, MakeTicket("YY001", kT0, 3).raw);
  EXPECT_EQ(Counts().events, 3);
  EXPECT_EQ(run_.stale, 1);
}

TEST_F(LedgerTest, ShorterHistoryIsCountedAndLosesNoEvents) {
  CommitOk({MakeTicket("YY001", kT0, 5)});
  PageStats s = CommitOk({MakeTicket("YY001", kT0 + 60, 2)});
  EXPECT_EQ(s.history_shrunk, 1);
  EXPECT_EQ(s.updated, 1);
  EXPECT_EQ(s.events, 0);
  EXPECT_EQ(Counts().events, 5);
  EXPECT_EQ(Query("SELECT history_count FROM tickets WHERE external_id = 'YY001'"), "5");

  // When the log grows past what the ledger had, only entries beyond it are appended.
  s = CommitOk({MakeTicket("YY001", kT0 + 120, 6)});
  EXPECT_EQ(s.history_shrunk, 0);
  EXPECT_EQ(s.events, 1);
  auto logs = EventsOfKind(FindOne("YY001"), "log");
  ASSERT_EQ(logs.size(), 6u);
  EXPECT_EQ(logs[5].seq, 5);
  EXPECT_EQ(logs[5].note, Entry(5).note);
}

TEST_F(LedgerTest, RejectsKeepTheirBytesAndRepeatsBumpSeenCount) {
  static constexpr char kBadRaw[] = "{\"gxsj\":\"\xff\xfe\0x\"}";
  Reject bad{"YY900", "field gxsj: not a time", std::string(kBadRaw, sizeof(kBadRaw) - 1)};
  Reject page{"page after c0", "body is not JSON", "<html>502</html>"};
  PageStats s = CommitOk({}, {bad, page}, "c1");
  EXPECT_EQ(s.rejected, 2);
  EXPECT_EQ(*ledger_->LoadCursor(kSource), "c1");

  auto rows = ListRejects(*ledger_, "", 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  const RejectRow* stored = nullptr;
  for (const RejectRow& r : *rows) {
    if (r.source_id == "YY900") stored = &r;
  }
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->raw, bad.raw);  // All 15 bytes, the NUL and invalid UTF-8 included.
  EXPECT_EQ(stored->reason, bad.reason);
  EXPECT_EQ(stored->source, kSource);
  EXPECT_EQ(stored->seen_count, 1);
  const int64_t first_seen = stored->first_seen;
  const int64_t id = stored->id;

  now_ms_ += 120'000;
  Reject again = bad;
  again.reason = "field gxsj: not a time (again)";
  s = CommitOk({}, {again}, "c2");
  EXPECT_EQ(s.rejected, 1);
  EXPECT_EQ(Counts().rejects, 2);
  auto row = GetReject(*ledger_, id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->seen_count, 2);
  EXPECT_EQ(row->first_seen, first_seen);
  EXPECT_EQ(row->last_seen, now_ms_ / 1000);
  EXPECT_EQ(row->raw, bad.raw);
  EXPECT_EQ(row->reason, again.reason);

  // Filtered by source; an unknown id is NotFound.
  EXPECT_EQ(ListRejects(*ledger_, "elsewhere", 10)->size(), 0u);
  EXPECT_EQ(ListRejects(*ledger_, std::string(kSource), 1)->size(), 1u);
  EXPECT_EQ(GetReject(*ledger_, 9999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(run_.rejected, 3);
  EXPECT_EQ(run_.fetched, 3);
}

TEST_F(LedgerTest, RecordRejectsStoresWithoutMovingTheCursor) {
  CommitOk({}, {}, "c1");
  ASSERT_TRUE(
      ledger_->RecordRejects(kSource, {{"page after c1", "not JSON", "<html>"}}, now_ms_).ok());
  EXPECT_EQ(Counts().rejects, 1);
  EXPECT_EQ(*ledger_->LoadCursor(kSource), "c1");
}

TEST_F(LedgerTest, UnitsAreUpserted) {
  Ticket a = MakeTicket("YY001", kT0, 1);
  Ticket b = MakeTicket("YY002", kT0, 1);
  b.unit = "市住建局";
  b.unit_code = "";
  Ticket c = MakeTicket("YY003", kT0, 1);
  c.unit = "";
  c.unit_code = "";
  CommitOk({a, b, c});
  EXPECT_EQ(Query("SELECT count(*) FROM units"), "2");
  EXPECT_EQ(Query("SELECT code FROM units WHERE name = '岳阳楼区'"), "430602");
  EXPECT_EQ(Query("SELECT code FROM units WHERE name = '市住建局'"), "");
  // The same unit again adds no row.
  CommitOk({MakeTicket("YY004", kT0, 1)});
  EXPECT_EQ(Query("SELECT count(*) FROM units"), "2");
}

// The upsert fills in a code that was missing when the unit was first seen (units.code = ''); the
// unit cache must not skip that.
TEST_F(LedgerTest, UnitCodeSeenLaterIsFilledIn) {
  Ticket b = MakeTicket("YY002", kT0, 1);
  b.unit = "市住建局";
  b.unit_code = "";
  CommitOk({b});
  Ticket later = MakeTicket("YY005", kT0, 1);
  later.unit = "市住建局";
  later.unit_code = "430600-ZJ";
  CommitOk({later});
  EXPECT_EQ(Query("SELECT code FROM units WHERE name = '市住建局'"), "430600-ZJ");
}

// --- Batched log inserts -------------------------------------------------------------------------

TEST_F(LedgerTest, LongLogsAreStoredWholeAcrossBatches) {
  ASSERT_EQ(Ledger::Impl::kEventBatch, 8u);
  // 19 = 8 + 8 + 3 and 11 = 8 + 3: the second ticket reuses statements the first one bound.
  PageStats s = CommitOk({MakeTicket("YY019", kT0, 19), MakeTicket("YY011", kT0, 11)});
  EXPECT_EQ(s.inserted, 2);
  EXPECT_EQ(s.events, 19 + 11);
  for (auto [id, n] : {std::pair<std::string, int>{"YY019", 19}, {"YY011", 11}}) {
    auto logs = EventsOfKind(FindOne(id), "log");
    ASSERT_EQ(logs.size(), static_cast<size_t>(n)) << id;
    for (int i = 0; i < n; ++i) {
      SCOPED_TRACE(id + " entry " + std::to_string(i));
      const HistoryEntry e = Entry(i);
      EXPECT_EQ(logs[i].seq, i);
      EXPECT_EQ(logs[i].at, e.at);
      EXPECT_EQ(logs[i].action, e.action);
      EXPECT_EQ(logs[i].unit, e.unit);
      EXPECT_EQ(logs[i].note, e.note);
      EXPECT_EQ(logs[i].result, e.result);
      EXPECT_EQ(logs[i].external_ref, e.external_ref);
    }
  }
  // An update from 19 to 28 entries appends 9 = 8 + 1.
  s = CommitOk({MakeTicket("YY019", kT0 + 60, 28)});
  EXPECT_EQ(s.events, 9);
  auto logs = EventsOfKind(FindOne("YY019"), "log");
  ASSERT_EQ(logs.size(), 28u);
  for (int i = 19; i < 28; ++i) {
    EXPECT_EQ(logs[i].seq, i);
    EXPECT_EQ(logs[i].note, Entry(i).note);
  }
}

// --- Append-only events --------------------------------------------------------------------------

TEST_F(LedgerTest, EventsCannotBeUpdatedOrDeleted) {
  CommitOk({MakeTicket("YY001", kT0, 3)});
  Status upd = ledger_->impl()->db.Exec("UPDATE events SET note = 'rewritten'");
  EXPECT_FALSE(upd.ok());
  EXPECT_NE(upd.message().find("append-only"), std::string::npos) << upd.ToString();
  Status del = ledger_->impl()->db.Exec("DELETE FROM events");
  EXPECT_FALSE(del.ok());
  EXPECT_NE(del.message().find("append-only"), std::string::npos) << del.ToString();
  EXPECT_EQ(Counts().events, 3);
  EXPECT_EQ(Query("SELECT count(*) FROM events WHERE note = 'rewritten'"), "0");
}

// --- The sync log --------------------------------------------------------------------------------

SyncRun NewRun(std::string_view source, int64_t started_ms, std::string_view outcome,
               int64_t fetched = 0) {
  SyncRun r;
  r.source = std::string(source);
  r.started_ms = started_ms;
  r.outcome = std::string(outcome);
  r.fetched = fetched;
  if (outcome == "failed") {
    r.error_code = "Unavailable";
    r.error = "connection refused";
  }
  return r;
}

TEST_F(LedgerTest, IdleRunsShareOneRow) {
  SyncRun a = NewRun(kSource, kNowMs, "ok");
  ASSERT_TRUE(ledger_->FinishRun(a, kNowMs + 10).ok());
  SyncRun b = NewRun(kSource, kNowMs + 5000, "ok");
  ASSERT_TRUE(ledger_->FinishRun(b, kNowMs + 5010).ok());
  SyncRun c = NewRun(kSource, kNowMs + 10000, "ok");
  ASSERT_TRUE(ledger_->FinishRun(c, kNowMs + 10010).ok());
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].idle_runs, 2);
  EXPECT_EQ(runs[0].started_ms, kNowMs);
  EXPECT_EQ(runs[0].finished_ms, kNowMs + 10010);
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(c.id, a.id);
  // An idle run of another source does not extend this one.
  SyncRun other = NewRun("other", kNowMs + 11000, "ok");
  ASSERT_TRUE(ledger_->FinishRun(other, kNowMs + 11010).ok());
  EXPECT_EQ(Runs().size(), 2u);
}

TEST_F(LedgerTest, RunsWithRecordsOrFailuresAddRows) {
  SyncRun idle = NewRun(kSource, kNowMs, "ok");
  ASSERT_TRUE(ledger_->FinishRun(idle, kNowMs).ok());

  // A run with records: CommitPage writes its row, FinishRun completes it.
  CommitOk({MakeTicket("YY001", kT0, 1)});
  run_.outcome = "ok";
  ASSERT_TRUE(ledger_->FinishRun(run_, now_ms_).ok());
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].id, run_.id);
  EXPECT_EQ(runs[1].outcome, "ok");
  EXPECT_EQ(runs[1].fetched, 1);
  EXPECT_EQ(runs[1].inserted, 1);

  // An idle run after it does not extend a run that fetched records.
  SyncRun idle2 = NewRun(kSource, now_ms_ + 5000, "ok");
  ASSERT_TRUE(ledger_->FinishRun(idle2, now_ms_ + 5000).ok());
  EXPECT_EQ(Runs().size(), 3u);
  EXPECT_EQ(Runs().back().idle_runs, 0);

  // A failed run adds a row, and an idle run after a failure starts a new one.
  SyncRun failed = NewRun(kSource, now_ms_ + 6000, "failed");
  ASSERT_TRUE(ledger_->FinishRun(failed, now_ms_ + 6000).ok());
  SyncRun idle3 = NewRun(kSource, now_ms_ + 7000, "ok");
  ASSERT_TRUE(ledger_->FinishRun(idle3, now_ms_ + 7000).ok());
  runs = Runs();
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[3].outcome, "failed");
  EXPECT_EQ(runs[3].error_code, "Unavailable");
  EXPECT_EQ(runs[3].error, "connection refused");
  EXPECT_EQ(runs[4].outcome, "ok");
}

TEST_F(LedgerTest, FailedRunsCountInAdapterHealthUntilASuccess) {
  auto health = [&]() {
    auto s = AdapterStatuses(*ledger_, {std::string(kSource)});
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(s->size(), 1u);
    return s->front();
  };
  EXPECT_EQ(health().failures_in_a_row, 0);
  SyncRun f1 = NewRun(kSource, kNowMs, "failed");
  ASSERT_TRUE(ledger_->FinishRun(f1, kNowMs + 1).ok());
  AdapterStatus h = health();
  EXPECT_EQ(h.failures_in_a_row, 1);
  EXPECT_EQ(h.last_failure_ms, kNowMs + 1);
  EXPECT_NE(h.last_error.find("Unavailable"), std::string::npos) << h.last_error;
  EXPECT_NE(h.last_error.find("connection refused"), std::string::npos) << h.last_error;
  EXPECT_EQ(h.last_success_ms, std::nullopt);

  SyncRun f2 = NewRun(kSource, kNowMs + 2, "failed");
  ASSERT_TRUE(ledger_->FinishRun(f2, kNowMs + 3).ok());
  EXPECT_EQ(health().failures_in_a_row, 2);

  SyncRun ok = NewRun(kSource, kNowMs + 4, "ok");
  ASSERT_TRUE(ledger_->FinishRun(ok, kNowMs + 5).ok());
  h = health();
  EXPECT_EQ(h.failures_in_a_row, 0);
  EXPECT_EQ(h.last_success_ms, kNowMs + 5);
  EXPECT_EQ(h.last_failure_ms, kNowMs + 3);
}

TEST_F(LedgerTest, RunsLeftRunningAreMarkedInterrupted) {
  CommitOk({MakeTicket("YY001", kT0, 1)});  // Writes a row in 'running'.
  SyncRun done = NewRun("other", kNowMs, "failed");
  ASSERT_TRUE(ledger_->FinishRun(done, kNowMs).ok());
  ASSERT_EQ(Runs().front().outcome, "running");

  auto marked = ledger_->MarkInterruptedRuns(now_ms_ + 1000);
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(*marked, 1);
  auto runs = Runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].outcome, "interrupted");
  EXPECT_FALSE(runs[0].error.empty());
  EXPECT_GT(runs[0].finished_ms, 0);
  EXPECT_EQ(runs[1].outcome, "failed");
  EXPECT_EQ(*ledger_->MarkInterruptedRuns(now_ms_ + 2000), 0);
}

TEST_F(LedgerTest, ListRunsFilters) {
  struct Spec {
    std::string_view source, outcome;
    int64_t fetched;
  };
  const Spec specs[] = {{"a", "ok", 1}, {"b", "failed", 0},      {"a", "failed", 0},
                        {"a", "ok", 2}, {"a", "interrupted", 0}, {"b", "ok", 1}};
  std::vector<int64_t> ids;
  for (size_t i = 0; i < std::size(specs); ++i) {
    const int64_t t = kNowMs + 1000 * static_cast<int64_t>(i);
    SyncRun r = NewRun(specs[i].source, t, specs[i].outcome, specs[i].fetched);
    ASSERT_TRUE(ledger_->FinishRun(r, t + 10).ok());
    ids.push_back(r.id);
  }
  auto ids_of = [](const std::vector<SyncRun>& runs) {
    std::vector<int64_t> out;
    for (const SyncRun& r : runs) out.push_back(r.id);
    return out;
  };
  // A filter with one or more fields set.
  auto filter = [](std::string source, bool failed_only = false, int64_t after_id = 0,
                   int limit = 20, int64_t since_ms = 0) {
    RunFilter f;
    f.source = std::move(source);
    f.failed_only = failed_only;
    f.after_id = after_id;
    f.limit = limit;
    f.since_ms = since_ms;
    return f;
  };
  using Ids = std::vector<int64_t>;
  EXPECT_EQ(ids_of(Runs()), ids);
  EXPECT_EQ(ids_of(Runs(filter("a"))), (Ids{ids[0], ids[2], ids[3], ids[4]}));
  EXPECT_EQ(ids_of(Runs(filter("", true))), (Ids{ids[1], ids[2], ids[4]}));
  EXPECT_EQ(ids_of(Runs(filter("b", true))), (Ids{ids[1]}));
  EXPECT_EQ(ids_of(Runs(filter("", false, ids[2]))), (Ids{ids[3], ids[4], ids[5]}));
  EXPECT_EQ(ids_of(Runs(filter("", false, 0, 2))), (Ids{ids[4], ids[5]}));
  EXPECT_EQ(ids_of(Runs(filter("a", false, 0, 2))), (Ids{ids[3], ids[4]}));
  EXPECT_EQ(ids_of(Runs(filter("", false, 0, 20, kNowMs + 3000))), (Ids{ids[3], ids[4], ids[5]}));
  auto b = Runs(filter("b"));
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].source, "b");
  EXPECT_EQ(b[0].error_code, "Unavailable");
  EXPECT_EQ(b[1].fetched, 1);
}

// --- Failed commits ------------------------------------------------------------------------------

TEST_F(LedgerTest, CommitBlockedByAnotherWriterFailsAndWritesNothing) {
  auto other = sql::Db::Open(path_, SQLITE_OPEN_READWRITE);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(ledger_->impl()->db.Exec("PRAGMA busy_timeout = 0").ok());

  auto r = Commit({MakeTicket("YY001", kT0, 3)}, {{"YY9", "bad", "{}"}}, "c1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  ASSERT_TRUE(other->Exec("ROLLBACK").ok());

  Totals t = Counts();
  EXPECT_EQ(t.tickets, 0);
  EXPECT_EQ(t.events, 0);
  EXPECT_EQ(t.rejects, 0);
  EXPECT_EQ(t.runs, 0);
  EXPECT_EQ(*ledger_->LoadCursor(kSource), "");
  EXPECT_EQ(run_.id, 0);
  EXPECT_EQ(run_.pages, 0);
  EXPECT_EQ(run_.fetched, 0);

  // The same page commits once the lock is gone.
  ASSERT_TRUE(ledger_->impl()->db.Exec("PRAGMA busy_timeout = 5000").ok());
  auto again = Commit({MakeTicket("YY001", kT0, 3)}, {}, "c1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->inserted, 1);
}

// A page that fails halfway (the disk fills up while the second ticket is written) leaves neither
// the first ticket, nor the cursor, nor the run's counts; the error names the order and holds no
// personal data.
TEST_F(LedgerTest, CommitFailingMidPageRollsBackAndNamesTheOrderButNoPersonalData) {
  CommitOk({MakeTicket("YY001", kT0, 1)}, {}, "c1");  // The run now has a row.
  const SyncRun before = run_;
  const Totals counts_before = Counts();

  Ticket small = MakeTicket("YY002", kT0, 2);
  small.unit = "市城管局";
  Ticket big = MakeTicket("YY-BIG-003", kT0, 2);
  big.phone = "13987654321";
  big.complainant = "李四";
  big.id_number = "43060219851231002X";
  big.content = std::string(400'000, 'x');  // Needs new pages.
  ASSERT_TRUE(
      ledger_->impl()->db.Exec("PRAGMA max_page_count = " + Query("PRAGMA page_count")).ok());

  auto r = Commit({small, big}, {}, "c2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  const std::string msg = r.status().ToString();
  EXPECT_NE(msg.find("YY-BIG-003"), std::string::npos) << msg;
  for (const std::string& secret :
       {big.phone, big.id_number, big.complainant, std::string(kPhone), std::string(kIdNumber)}) {
    EXPECT_EQ(msg.find(secret), std::string::npos) << msg;
  }
  EXPECT_EQ(msg.find("xxxxxxxx"), std::string::npos) << "the content leaked into the error";

  ASSERT_TRUE(ledger_->impl()->db.Exec("PRAGMA max_page_count = 1073741823").ok());
  Totals after = Counts();
  EXPECT_EQ(after.tickets, counts_before.tickets);
  EXPECT_EQ(after.events, counts_before.events);
  EXPECT_EQ(FindTickets(*ledger_, "YY002")->size(), 0u);
  EXPECT_EQ(*ledger_->LoadCursor(kSource), "c1");
  EXPECT_EQ(run_.id, before.id);
  EXPECT_EQ(run_.pages, before.pages);
  EXPECT_EQ(run_.fetched, before.fetched);
  EXPECT_EQ(Runs().back().pages, 1);
  EXPECT_EQ(Query("SELECT count(*) FROM units WHERE name = '市城管局'"), "0");
  EXPECT_EQ(Query("PRAGMA integrity_check"), "ok");

  // With room again the same page commits whole, the unit of the rolled-back attempt included.
  auto again = Commit({small, big}, {}, "c2");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->inserted, 2);
  EXPECT_EQ(*ledger_->LoadCursor(kSource), "c2");
  EXPECT_EQ(Query("SELECT count(*) FROM units WHERE name = '市城管局'"), "1");
  EXPECT_EQ(run_.pages, 2);
}

}  // namespace
}  // namespace hs::ledger
