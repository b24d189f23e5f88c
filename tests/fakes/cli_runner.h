// Runs the hotline-sync binary the tests were built with (HS_BINARY), capturing its output: for
// tests of the operator commands as operators run them.
#pragma once

#include <string>
#include <vector>

namespace hs::testing {

struct CliOutput {
  int code = -1;  // The exit code; 128 + the signal when killed.
  std::string out, err;
  std::string all() const { return out + err; }
};

// Runs `binary` with `args` (no shell), standard output and error captured through files in
// `dir`; a run longer than `timeout_s` is killed and reported as a test failure.
CliOutput RunCli(const std::string& binary, const std::vector<std::string>& args,
                 const std::string& dir, int timeout_s = 30);

}  // namespace hs::testing
