#include "tests/faults/failing_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace hs::testing {
namespace {

struct Plan {
  std::mutex mu;
  bool armed = false;
  FailingVfs::Op op = FailingVfs::Op::kWrite;
  int64_t skip = 0;   // Operations of `op` to let through before failing.
  int64_t count = 0;  // Failures left; -1: unlimited.
  int error = SQLITE_IOERR;
  std::atomic<int64_t> failures{0}, writes{0}, syncs{0};

  // Whether this operation fails, and with what.
  int Decide(FailingVfs::Op seen) {
    (seen == FailingVfs::Op::kWrite ? writes : syncs).fetch_add(1);
    std::lock_guard lock(mu);
    if (!armed || seen != op) return SQLITE_OK;
    if (skip > 0) {
      --skip;
      return SQLITE_OK;
    }
    if (count == 0) return SQLITE_OK;
    if (count > 0) --count;
    failures.fetch_add(1);
    return error;
  }
};

Plan& GetPlan() {
  static Plan* plan = new Plan();
  return *plan;
}

sqlite3_vfs* g_real = nullptr;

// Our file: the header SQLite sees, followed by the real VFS's file.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (int rc = GetPlan().Decide(FailingVfs::Op::kWrite); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (int rc = GetPlan().Decide(FailingVfs::Op::kSync); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int remove) { return Real(f)->pMethods->xShmUnmap(Real(f), remove); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {.iVersion = 3,
                                     .xClose = Close,
                                     .xRead = Read,
                                     .xWrite = Write,
                                     .xTruncate = Truncate,
                                     .xSync = Sync,
                                     .xFileSize = FileSize,
                                     .xLock = Lock,
                                     .xUnlock = Unlock,
                                     .xCheckReservedLock = CheckReservedLock,
                                     .xFileControl = FileControl,
                                     .xSectorSize = SectorSize,
                                     .xDeviceCharacteristics = DeviceCharacteristics,
                                     .xShmMap = ShmMap,
                                     .xShmLock = ShmLock,
                                     .xShmBarrier = ShmBarrier,
                                     .xShmUnmap = ShmUnmap,
                                     .xFetch = Fetch,
                                     .xUnfetch = Unfetch};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  std::memset(shim->real, 0, static_cast<size_t>(g_real->szOsFile));
  const int rc = g_real->xOpen(g_real, name, shim->real, flags, out_flags);
  // A file the real VFS did not open has no methods: SQLite then calls no xClose on ours either.
  shim->base.pMethods = shim->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

}  // namespace

FailingVfs& FailingVfs::Install() {
  static FailingVfs* installed = [] {
    g_real = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs vfs = *g_real;
    vfs.zName = "hs-failing";
    vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
    vfs.xOpen = Open;
    vfs.pNext = nullptr;
    sqlite3_vfs_register(&vfs, /*makeDflt=*/1);
    return new FailingVfs();
  }();
  return *installed;
}

void FailingVfs::Arm(Op op, int64_t nth, int64_t count, int error) {
  Plan& p = GetPlan();
  std::lock_guard lock(p.mu);
  p.armed = true;
  p.op = op;
  p.skip = nth - 1;
  p.count = count;
  p.error = error;
}

void FailingVfs::Disarm() {
  Plan& p = GetPlan();
  std::lock_guard lock(p.mu);
  p.armed = false;
}

int64_t FailingVfs::failures() const { return GetPlan().failures.load(); }
int64_t FailingVfs::writes() const { return GetPlan().writes.load(); }
int64_t FailingVfs::syncs() const { return GetPlan().syncs.load(); }

}  // namespace hs::testing
