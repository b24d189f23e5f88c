#include "daemon/ledger/sqlite.h"

#include <unordered_map>

namespace hs::sql {

Status FromSqlite(int rc, std::string_view what, sqlite3* db) {
  std::string msg =
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return Status::Ok();
    case SQLITE_FULL:
      return Status::Unavailable(msg +
                                 " (the ledger's filesystem is full: free space there; the sync "
                                 "resumes by itself, nothing is lost)");
    case SQLITE_IOERR:
      return Status::Unavailable(msg + " (the disk reported an I/O error: see the kernel log)");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT:
      return Status::Unavailable(msg);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      return Status::InvalidArgument(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Rejected(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return Status::Unavailable(msg);
    default:  // SQLITE_ERROR (bad SQL) and the rest.
      return Status::Internal(msg);
  }
}

struct Db::Cache {
  std::unordered_map<std::string, Stmt> statements;
};

Db::Db() = default;
Db::Db(sqlite3* db) : db_(db) {}

Db::Db(Db&& other) noexcept : db_(other.db_), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
}

Db::~Db() {
  cache_.reset();
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    cache_.reset();
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = other.db_;
    cache_ = std::move(other.cache_);
    other.db_ = nullptr;
  }
  return *this;
}

Result<Stmt*> Db::Cached(std::string_view sql) {
  if (!cache_) cache_ = std::make_unique<Cache>();
  auto it = cache_->statements.find(std::string(sql));
  if (it == cache_->statements.end()) {
    HS_ASSIGN_OR_RETURN(Stmt st, Stmt::Prepare(*this, sql));
    it = cache_->statements.emplace(std::string(sql), std::move(st)).first;
  } else {
    it->second.Reset();
  }
  return &it->second;
}

void Db::ResetActiveStatements() {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr;
       s = sqlite3_next_stmt(db_, s)) {
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
  }
}

Result<Db> Db::Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return FromSqlite(rc, "opening " + path, raw);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (err != nullptr) sqlite3_free(err);
  if (rc != SQLITE_OK) return FromSqlite(rc, "executing SQL", db_);
  return Status::Ok();
}

Result<std::string> Db::QueryText(const std::string& sql) {
  HS_ASSIGN_OR_RETURN(Stmt st, Stmt::Prepare(*this, sql));
  HS_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no row for: " + sql);
  return st.Text(0);
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    db_ = o.db_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Result<Stmt> Stmt::Prepare(const Db& db, std::string_view sql) {
  Stmt st;
  st.db_ = db.get();
  int rc = sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &st.stmt_, nullptr);
  if (rc != SQLITE_OK) return FromSqlite(rc, "preparing SQL", db.get());
  return st;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  // An empty view may have no data pointer, which SQLite would bind as NULL: bind "" instead.
  sqlite3_bind_text64(stmt_, i, v.data() != nullptr ? v.data() : "", v.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::BindRef(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data() != nullptr ? v.data() : "", v.size(), SQLITE_STATIC,
                      SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::Bind(int i, const std::optional<int64_t>& v) { return v ? Bind(i, *v) : BindNull(i); }
Stmt& Stmt::BindBlob(int i, std::string_view v) {
  sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Stmt& Stmt::BindDouble(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = FromSqlite(rc, "running SQL", db_);
  sqlite3_reset(stmt_);
  return s;
}

Status Stmt::Run() {
  Result<bool> r = Step();
  while (r.ok() && *r) r = Step();
  Reset();
  return r.status();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
}

Transaction::Transaction(Db& db) : db_(db) {
  begin_ = db_.Exec("BEGIN IMMEDIATE");
  open_ = begin_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
  // A statement left on a row (a one-row look-up, kept prepared) would keep the connection's read
  // snapshot, and with it every later frame of the WAL, from ever being checkpointed: the WAL
  // would grow for as long as the daemon runs. The transaction's end is its statements' end.
  db_.ResetActiveStatements();
}

Status Transaction::Commit() {
  if (!open_) return begin_.ok() ? Status::Internal("transaction already finished") : begin_;
  Status s = db_.Exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace hs::sql
