// Process exit codes. systemd's unit lists kExitConfig and kExitDatabase in
// RestartPreventExitStatus=: restarting cannot fix them, an operator must.
#pragma once

namespace hs {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // A command failed; details on stderr.
inline constexpr int kExitUsage = 2;    // Bad command line.
inline constexpr int kExitDatabase =
    65;  // The ledger is corrupt or newer than this binary (EX_DATAERR).
inline constexpr int kExitConfig =
    78;  // The configuration or a credential is unusable (EX_CONFIG).

}  // namespace hs
