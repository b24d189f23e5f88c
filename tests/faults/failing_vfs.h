// An SQLite VFS shim for storage fault tests (RELIABILITY.md fault suite item 4): it wraps the
// process's default VFS and, once armed, fails the Nth write or sync from then on, once (a
// transient fault) or until disarmed (a persistent one), with the error a real disk would give
// (SQLITE_IOERR_WRITE, SQLITE_FULL, SQLITE_IOERR_FSYNC). Installed as the default VFS, it reaches
// every connection the test opens afterwards without any hook in the code under test; disarmed, it
// only forwards.
//
// Thread-safety: Arm, Disarm and the counters from any thread.
#pragma once

#include <cstdint>

namespace hs::testing {

class FailingVfs {
 public:
  enum class Op { kWrite, kSync };

  // Registers the shim as the default VFS on first call; the same instance afterwards.
  static FailingVfs& Install();

  // From the `nth` next `op` (1: the very next one), fail `count` of them (-1: every one until
  // Disarm) with SQLite error `error`.
  void Arm(Op op, int64_t nth, int64_t count, int error);
  void Disarm();
  // Operations failed since Install.
  int64_t failures() const;
  // Writes and syncs seen since Install (armed or not).
  int64_t writes() const;
  int64_t syncs() const;
};

}  // namespace hs::testing
