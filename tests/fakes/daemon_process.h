// The hotline-sync daemon as a real process for service tests: started with `run --config`, its
// standard error in a log file, optionally with a fake systemd notification socket
// (NOTIFY_SOCKET) whose messages the test reads, then signalled and waited for within a bound.
// The destructor kills a daemon still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hs::testing {

// A datagram socket bound at a path, as systemd's notification socket: sd_notify() messages
// ("READY=1", "WATCHDOG=1", "STATUS=…") arrive here with the time they arrived.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }
  struct Message {
    std::chrono::steady_clock::time_point at;
    std::string text;  // One line of a datagram, e.g. "READY=1".
  };
  // Reads what arrives within `ms`, one Message per line of each datagram.
  std::vector<Message> Read(int64_t ms);
  // Reads until a line equal to `line` or starting with it arrives (true) or `ms` pass (false);
  // everything read is appended to `seen`.
  bool WaitFor(const std::string& line, int64_t ms, std::vector<Message>* seen);

 private:
  std::string path_;
  int fd_ = -1;
};

// Starts `args` (args[0] a path) with standard error appended to `log_file`, standard output to
// /dev/null and `env` (NAME=value) added to the test's environment. The child's pid, or -1.
pid_t SpawnLogged(const std::vector<std::string>& args, const std::string& log_file,
                  const std::vector<std::string>& env = {});

// Writes `dir`/config.toml for a daemon against the simulated 12345 platform at `base_url` (app key
// yy-sync, its secret "sim-secret" in hotline12345.secret, requests unpaced): `sections` first (the
// test's [ledger], [service] and so on), then [adapters.hotline12345] with `adapter_keys` added.
// Returns the configuration's path.
std::string WriteHotlineConfig(const std::string& dir, const std::string& base_url,
                               const std::string& sections, const std::string& adapter_keys = "");

class DaemonProcess {
 public:
  DaemonProcess() = default;
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts `HS_BINARY run --config config` with stderr to `log_file` and `env` (NAME=value)
  // added to the test's environment. False when the spawn failed.
  bool Start(const std::string& config, const std::string& log_file,
             const std::vector<std::string>& env = {});
  // Starts `argv` (argv[0] a path) instead, e.g. the daemon inside `unshare`; the rest as Start.
  bool StartCommand(const std::vector<std::string>& argv, const std::string& log_file,
                    const std::vector<std::string>& env = {});
  pid_t pid() const { return pid_; }
  bool Signal(int sig) const;
  // Waits up to `ms` for the process to exit; its exit code (128 + signal when killed), or -1 when
  // it is still running.
  int WaitExit(int64_t ms);
  // The web listener's base URL ("http://127.0.0.1:PORT") from the log, waiting up to `ms`; "" when
  // it never appeared.
  std::string ListenerUrl(int64_t ms) const;
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_file_;
};

}  // namespace hs::testing
