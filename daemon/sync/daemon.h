// The daemon (`hotline-sync run`): opens the ledger, starts one Puller thread per configured
// adapter, and handles signals: SIGTERM/SIGINT stop (in-flight requests abandoned, every committed
// page kept) within a few seconds; SIGHUP reloads the configuration, keeping the old one if the new
// is invalid.
//
// Thread-safety: Run is called once, from the main thread, before any other thread exists.
#pragma once

#include <string>

namespace hs::sync {

// Runs until SIGTERM or SIGINT; with `once`, pulls each adapter's feed until drained and returns.
// Returns a process exit code (daemon/core/exit_codes.h); with `once`, kExitFailure if a pull
// failed.
int RunDaemon(const std::string& config_path, bool once);

}  // namespace hs::sync
