#include "daemon/log/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

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

// Under systemd, journald adds its own timestamp.
const char* Pattern() {
  return std::getenv("JOURNAL_STREAM") != nullptr ? "%l [%n] %v"
                                                  : "%Y-%m-%d %H:%M:%S.%e %l [%n] %v";
}

void ApplyDefaults(State& st) {
  if (st.initialised) return;
  st.targets->set_sinks({std::make_shared<spdlog::sinks::stderr_sink_mt>()});
  st.targets->set_pattern(Pattern());
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
  st.targets->set_pattern(Pattern());
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
