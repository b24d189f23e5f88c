// WalWatch: keeps the ledger's write-ahead log from growing without bound. SQLite checkpoints the
// WAL into the database on its own, but never past the oldest snapshot a reader still holds: a
// reader that keeps a transaction open for minutes (a backup script, a forgotten sqlite3 shell)
// makes the WAL grow with every commit. Each Check looks at the WAL's size; over the alarm it tries
// a TRUNCATE checkpoint on a connection of its own that never waits (busy_timeout 0), so it neither
// blocks the sync loops nor hangs. While the checkpoint is refused the alarm stays on (logged once
// with what to do, and in /metrics); when the reader lets go the WAL is emptied and the alarm ends.
//
// Thread-safety: Check from one thread; alarm() from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "daemon/core/result.h"

namespace hs::ledger {

class WalWatch {
 public:
  // `ledger_path`: the database (its WAL is ledger_path + "-wal"). Errors: the open's.
  static Result<std::unique_ptr<WalWatch>> Open(const std::string& ledger_path,
                                                int64_t alarm_bytes);
  ~WalWatch();

  struct Reading {
    int64_t wal_bytes = 0;
    bool alarm = false;
  };
  Reading Check();
  bool alarm() const { return alarm_.load(); }

 private:
  struct Impl;
  explicit WalWatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> alarm_{false};
};

}  // namespace hs::ledger
