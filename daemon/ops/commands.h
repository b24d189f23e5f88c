// The command line of the hotline-sync binary: run, migrate, status, log, ticket, rejects, sim,
// and (push_commands.h) outbox, deadlines, flag.
// Tables for people, --json for scripts. Personal data is masked in everything printed.
#pragma once

namespace hs::ops {

// Parses the command line and runs the subcommand. Returns the process exit code.
int Main(int argc, char** argv);

}  // namespace hs::ops
