#include "daemon/ledger/wal_watch.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "daemon/core/clock.h"
#include "daemon/core/time_util.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"

namespace hs::ledger {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

std::string Megabytes(int64_t bytes) { return std::to_string(bytes / (1 << 20)) + " MB"; }

}  // namespace

struct WalWatch::Impl {
  sql::Db db;
  std::string wal_path;
  int64_t alarm_bytes = 0;
  int64_t alarm_since_ms = 0;
  std::shared_ptr<spdlog::logger> log = log::Get("ledger");
};

WalWatch::WalWatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WalWatch::~WalWatch() = default;

Result<std::unique_ptr<WalWatch>> WalWatch::Open(const std::string& ledger_path,
                                                 int64_t alarm_bytes) {
  auto impl = std::make_unique<Impl>();
  HS_ASSIGN_OR_RETURN(impl->db, sql::Db::Open(ledger_path, SQLITE_OPEN_READWRITE));
  HS_RETURN_IF_ERROR(impl->db.Exec("PRAGMA busy_timeout = 0"));
  impl->wal_path = ledger_path + "-wal";
  impl->alarm_bytes = alarm_bytes;
  return std::unique_ptr<WalWatch>(new WalWatch(std::move(impl)));
}

WalWatch::Reading WalWatch::Check() {
  Impl& im = *impl_;
  Reading r;
  r.wal_bytes = FileSize(im.wal_path);
  if (r.wal_bytes <= im.alarm_bytes) {
    alarm_.store(false);
    return r;
  }
  // Busy (a reader on an old snapshot, or a writer right now) answers at once: 1 in column 0.
  auto busy = im.db.QueryText("PRAGMA wal_checkpoint(TRUNCATE)");
  const bool refused = !busy.ok() || *busy != "0";
  const int64_t now_ms = SystemClock().NowMillis();
  if (!refused) {
    im.log->info("checkpointed the write-ahead log of {} back to {} (it had grown to {}{})",
                 im.wal_path, Megabytes(FileSize(im.wal_path)), Megabytes(r.wal_bytes),
                 alarm_.load() ? " while a reader held it for " +
                                     FormatDurationMillis(now_ms - im.alarm_since_ms)
                               : "");
    r.wal_bytes = FileSize(im.wal_path);
    alarm_.store(false);
    return r;
  }
  if (!alarm_.load()) {
    im.alarm_since_ms = now_ms;
    im.log->warn(
        "the write-ahead log {} is {}, over [ledger] wal_alarm_mb, and cannot be checkpointed: "
        "another process holds a read transaction on the ledger (a backup, an open sqlite3 "
        "shell?). Find it with `fuser {}` and end it; the log shrinks at once after",
        im.wal_path, Megabytes(r.wal_bytes), im.wal_path.substr(0, im.wal_path.size() - 4));
  }
  alarm_.store(true);
  r.alarm = true;
  return r;
}

}  // namespace hs::ledger
