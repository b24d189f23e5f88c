#include "daemon/log/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "daemon/core/mask.h"

namespace hs::log {
namespace {

// Masks the message and hands it to the wrapped sinks.
class MaskingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit MaskingSink(std::shared_ptr<spdlog::sinks::dist_sink_mt> out) : out_(std::move(out)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string masked = MaskText(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy(msg.time, msg.source, msg.logger_name, msg.level, masked);
    out_->log(copy);
  }
  void flush_() override { out_->flush(); }

 private:
  std::shared_ptr<spdlog::sinks::dist_sink_mt> out_;
};

struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::sinks::dist_sink_mt> targets =
      std::make_shared<spdlog::sinks::dist_sink_mt>();
  std::shared_ptr<MaskingSink> masking = std::make_shared<MaskingSink>(targets);
  spdlog::level::level_enum level = spdlog::level::info;
  bool initialised = false;
};

State& GetState() {
  static State* state = new State();  // Never destroyed: loggers may log during static teardown.
  return *state;
}

// True when stderr is the journal stream systemd connected (JOURNAL_STREAM names its device and
// inode; a child whose stderr was redirected keeps the variable but not the stream).
bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  unsigned long long dev = 0, ino = 0;
  return env != nullptr && std::sscanf(env, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
         st.st_dev == dev && st.st_ino == ino;
}

// journald's priority prefix (sd-daemon(3)): "<3>" for error, "<4>" warning, "<6>" info, "<7>"
// debug and trace, "<2>" critical. journald takes it off and files the line at that priority.
class PriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view kPrefix[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    const std::string_view p = kPrefix[std::min<size_t>(static_cast<size_t>(msg.level), 6)];
    dest.append(p.data(), p.data() + p.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PriorityFlag>();
  }
};

// Under systemd: the priority prefix, and no timestamp (journald adds its own).
std::unique_ptr<spdlog::formatter> Formatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  if (StderrIsJournal()) {
    f->add_flag<PriorityFlag>('*').set_pattern("%*%l [%n] %v");
  } else {
    f->set_pattern("%Y-%m-%d %H:%M:%S.%e %l [%n] %v");
  }
  return f;
}

void ApplyDefaults(State& st) {
  if (st.initialised) return;
  st.targets->set_sinks({std::make_shared<spdlog::sinks::stderr_sink_mt>()});
  st.targets->set_formatter(Formatter());
  st.initialised = true;
}

}  // namespace

void InitLogging(const LogOptions& options) {
  State& st = GetState();
  std::lock_guard lock(st.mu);
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    throw std::invalid_argument("unknown log level \"" + options.level +
                                "\"; use trace, debug, info, warn, error or off");
  }
  st.level = level;
  std::vector<spdlog::sink_ptr> sinks;
  if (options.to_stderr) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (options.extra_sink) sinks.push_back(options.extra_sink);
  st.targets->set_sinks(sinks);
  st.targets->set_formatter(Formatter());
  st.initialised = true;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

std::shared_ptr<spdlog::logger> Get(std::string_view component) {
  State& st = GetState();
  std::lock_guard lock(st.mu);
  ApplyDefaults(st);
  std::string name(component);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, st.masking);
  logger->set_level(st.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace hs::log
