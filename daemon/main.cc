// hotline-sync: one binary, many subcommands. Wiring only; see daemon/ops/commands.cc.
#include "daemon/ops/commands.h"

int main(int argc, char** argv) { return hs::ops::Main(argc, argv); }
