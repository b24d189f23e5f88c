#include "tests/fakes/daemon_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace hs::testing {

NotifySocket::NotifySocket(const std::string& path) : path_(path) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  unlink(path.c_str());
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "cannot bind the notification socket " << path << ": " << strerror(errno);
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) close(fd_);
  unlink(path_.c_str());
}

std::vector<NotifySocket::Message> NotifySocket::Read(int64_t ms) {
  std::vector<Message> out;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          until - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) continue;
    std::istringstream lines(std::string(buf, static_cast<size_t>(n)));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back({std::chrono::steady_clock::now(), line});
    }
  }
  return out;
}

bool NotifySocket::WaitFor(const std::string& line, int64_t ms, std::vector<Message>* seen) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    for (Message& m : Read(50)) {
      const bool hit = m.text.rfind(line, 0) == 0;
      seen->push_back(std::move(m));
      if (hit) return true;
    }
  }
  return false;
}

std::string WriteHotlineConfig(const std::string& dir, const std::string& base_url,
                               const std::string& sections, const std::string& adapter_keys) {
  std::ofstream(dir + "/hotline12345.secret") << "sim-secret\n";
  const std::string path = dir + "/config.toml";
  std::ofstream(path) << sections << "\n[adapters.hotline12345]\nbase_url = \"" << base_url
                      << "\"\napp_key = \"yy-sync\"\napp_secret_file = \"hotline12345.secret\"\n"
                      << "requests_per_second = 0\n"
                      << adapter_keys;
  return path;
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && WaitExit(0) == -1) {
    kill(pid_, SIGKILL);
    WaitExit(10'000);
  }
}

bool DaemonProcess::Start(const std::string& config, const std::string& log_file,
                          const std::vector<std::string>& env) {
  return StartCommand({HS_BINARY, "run", "--config", config}, log_file, env);
}

bool DaemonProcess::StartCommand(const std::vector<std::string>& command,
                                 const std::string& log_file, const std::vector<std::string>& env) {
  log_file_ = log_file;
  pid_ = SpawnLogged(command, log_file, env);
  return pid_ > 0;
}

pid_t SpawnLogged(const std::vector<std::string>& command, const std::string& log_file,
                  const std::vector<std::string>& env) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> vars = env;
  for (char** e = environ; *e != nullptr; ++e) vars.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

bool DaemonProcess::Signal(int sig) const { return pid_ > 0 && kill(pid_, sig) == 0; }

int DaemonProcess::WaitExit(int64_t ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (r < 0 || std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string DaemonProcess::Log() const {
  std::ifstream in(log_file_, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string DaemonProcess::ListenerUrl(int64_t ms) const {
  static const std::regex kUrl(R"(web page and metrics on (http://[^ /]+)/)");
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  do {
    std::smatch m;
    const std::string log = Log();
    if (std::regex_search(log, m, kUrl)) return m[1];
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < until);
  return "";
}

}  // namespace hs::testing
