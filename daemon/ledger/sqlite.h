// Thin RAII wrappers over the SQLite C API: a connection, prepared statements and transactions.
// Errors become Status: SQLITE_BUSY/LOCKED/FULL/IOERR are Unavailable (roll back and retry later),
// SQLITE_CORRUPT/NOTADB are Rejected (a damaged file), constraint failures InvalidArgument.
// A Db and its statements belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/result.h"

namespace hs::sql {

// Maps an SQLite result code and message to a Status.
Status FromSqlite(int rc, std::string_view what, sqlite3* db);

class Db {
 public:
  Db();
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;

  // flags: SQLITE_OPEN_READONLY or SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE.
  static Result<Db> Open(const std::string& path, int flags);

  sqlite3* get() const { return db_; }
  // Runs statements without results.
  Status Exec(std::string_view sql);
  // The first column of the first row as text, or NotFound.
  Result<std::string> QueryText(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  // The statement for `sql`, prepared on first use and kept for the connection's life; returned
  // reset, bindings cleared. Valid until the Db is destroyed; one user at a time.
  Result<class Stmt*> Cached(std::string_view sql);
  // Resets every statement of this connection that is still active (stepped to a row, not to its
  // end): a kept statement holds its read snapshot, and with it the WAL, until it is reset.
  void ResetActiveStatements();

 private:
  struct Cache;
  explicit Db(sqlite3* db);
  sqlite3* db_ = nullptr;
  std::unique_ptr<Cache> cache_;  // Before db_ is closed, its statements are finalized.
};

class Stmt {
 public:
  Stmt() = default;
  ~Stmt();
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_), db_(o.db_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;

  static Result<Stmt> Prepare(const Db& db, std::string_view sql);
  bool prepared() const { return stmt_ != nullptr; }

  // Bind by 1-based index. Empty optionals bind NULL.
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view v);
  Stmt& Bind(int i, const std::optional<int64_t>& v);
  // Binds without copying. REQUIRES: `v` stays alive and unchanged until Run() or Reset().
  Stmt& BindRef(int i, std::string_view v);
  Stmt& BindBlob(int i, std::string_view v);
  Stmt& BindNull(int i);
  Stmt& BindDouble(int i, double v);

  // Steps once: true when a row is available, false when done; errors as FromSqlite.
  Result<bool> Step();
  // Steps to completion, ignoring rows; then resets.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<int64_t> OptInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
  std::string Text(int col) const;
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  int Columns() const { return sqlite3_column_count(stmt_); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

// Steps `st` to its end and returns read(st) for each row. Errors as Stmt::Step.
template <typename Read>
auto ReadRows(Stmt& st, Read read) -> Result<std::vector<decltype(read(st))>> {
  std::vector<decltype(read(st))> out;
  for (;;) {
    Result<bool> row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read(st));
  }
}

// BEGIN IMMEDIATE on construction (check status()); ROLLBACK on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& status() const { return begin_; }
  Status Commit();

 private:
  Db& db_;
  Status begin_;
  bool open_ = false;
};

}  // namespace hs::sql
