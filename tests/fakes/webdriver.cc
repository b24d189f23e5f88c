#include "tests/fakes/webdriver.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/core/json.h"
#include "tests/fakes/temp_dir.h"

extern char** environ;

namespace hs::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The key under which WebDriver returns an element reference (W3C WebDriver, "Elements").
constexpr char kElementKey[] = "element-6066-11e4-a52e-4f735466cecf";
constexpr int kPollMs = 50;

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

bool Expired(Clock::time_point deadline) { return Clock::now() >= deadline; }

Clock::time_point After(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

// A free TCP port on 127.0.0.1: bound to port 0, read back, released. ChromeDriver binds it a
// moment later; losing that race shows as ChromeDriver exiting, and Start tries another port.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Quoted(std::string_view s) {
  std::string out;
  json::AppendQuoted(out, s);
  return out;
}

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// A WebDriver error name ("no such element", W3C WebDriver "Errors") as a Status code: what is
// missing is NotFound, what is malformed is InvalidArgument, timeouts are Unavailable.
Status FromWebDriverError(const std::string& error, const std::string& message) {
  // ChromeDriver appends a multi-line "(Session info: ...)" and sometimes a stack trace.
  std::string text = message.substr(0, message.find('\n'));
  if (!text.starts_with(error)) text = error + ": " + text;  // Often it already does.
  if (error == "no such element" || error == "no such alert" || error == "no such window" ||
      error == "no such frame" || error == "stale element reference") {
    return Status::NotFound(text);
  }
  if (error == "invalid argument" || error == "invalid selector" ||
      error == "invalid element state" || error == "element not interactable" ||
      error == "element click intercepted" || error == "javascript error") {
    return Status::InvalidArgument(text);
  }
  if (error == "timeout" || error == "script timeout") return Status::Unavailable(text);
  return Status::Internal(text);
}

// Standard base64 (padded, no line breaks, as WebDriver sends screenshots) to bytes.
Result<std::string> DecodeBase64(const std::string& text) {
  if (text.size() % 4 != 0) return Status::InvalidArgument("base64 length not a multiple of 4");
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return Status::InvalidArgument("invalid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// Sends `sig` to every process whose command line has `marker` as one argument: the Chromium
// processes of one profile, should ChromeDriver not have ended them.
void SignalProcessesWith(const std::string& marker, int sig) {
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == getpid()) continue;
    const std::string cmdline = ReadAll("/proc/" + std::string(entry->d_name) + "/cmdline");
    // Arguments are NUL-separated.
    size_t start = 0;
    while (start < cmdline.size()) {
      size_t stop = cmdline.find('\0', start);
      if (stop == std::string::npos) stop = cmdline.size();
      if (std::string_view(cmdline).substr(start, stop - start) == marker) {
        kill(static_cast<pid_t>(pid), sig);
        break;
      }
      start = stop + 1;
    }
  }
  closedir(dir);
}

}  // namespace

struct WebDriver::Reply {
  long http = 0;
  rapidjson::Document doc;
  // The command's result: the reply's "value" member.
  const rapidjson::Value& value() const {
    static const rapidjson::Value kNull;
    const rapidjson::Value* v = json::Member(doc, "value");
    return v != nullptr ? *v : kNull;
  }
};

bool WebDriver::Available() {
  return access(kChromium, X_OK) == 0 && access(kChromeDriver, X_OK) == 0;
}

WebDriver::WebDriver() = default;

WebDriver::~WebDriver() {
  if (!session_id_.empty()) {
    // Chromium quits as part of ending the session; ChromeDriver waits for it.
    Reply reply;
    (void)Command("DELETE", "/session/" + session_id_, "", reply, 20000);
    session_id_.clear();
  }
  StopDriver();
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Status WebDriver::SpawnDriver(int port) {
  const std::string log = dir_->File("chromedriver.log");
  std::vector<std::string> argv_text = {kChromeDriver, "--port=" + std::to_string(port)};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  // Its own process group, so that stopping it reaches whatever it started in that group.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  // A home of its own: Chromium otherwise writes its crash database to ~/.config/chromium and
  // dconf's cache to ~/.cache whatever the profile directory.
  const std::string home = dir_->path().string();
  std::vector<std::string> env_text = {"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config",
                                       "XDG_CACHE_HOME=" + home + "/.cache"};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view var(*e);
    if (!var.starts_with("HOME=") && !var.starts_with("XDG_CONFIG_HOME=") &&
        !var.starts_with("XDG_CACHE_HOME=")) {
      env_text.emplace_back(var);
    }
  }
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int rc = posix_spawn(&pid_, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    return Status::Unavailable(std::string("cannot start ") + kChromeDriver + ": " +
                               std::strerror(rc));
  }
  base_url_ = "http://127.0.0.1:" + std::to_string(port);
  return Status::Ok();
}

void WebDriver::StopDriver() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (const auto give_up = After(5000); !Expired(give_up); SleepMs(10)) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped = true;
        break;
      }
    }
    kill(-pid_, SIGKILL);  // The group may outlive its leader.
    if (!reaped) waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  // Chromium starts in ChromeDriver's group, but one that left it would still name its profile.
  if (dir_ != nullptr) SignalProcessesWith("--user-data-dir=" + dir_->File("profile"), SIGKILL);
}

std::string WebDriver::LogTail() const {
  if (dir_ == nullptr) return "";
  std::string log = ReadAll(dir_->File("chromedriver.log"));
  if (log.size() > 2000) log = "..." + log.substr(log.size() - 2000);
  return log.empty() ? "(empty)" : log;
}

Status WebDriver::Command(const std::string& method, const std::string& path,
                          const std::string& body, Reply& reply, long timeout_ms) {
  if (curl_ == nullptr) return Status::Internal("WebDriver not started");
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);  // Keeps the connection; forgets the previous request's options.
  std::string text;
  char error[CURL_ERROR_SIZE] = {0};
  const std::string url = base_url_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &text);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_slist* headers = nullptr;
  if (method == "POST") {
    headers = curl_slist_append(headers, "Content-Type: application/json; charset=utf-8");
    headers = curl_slist_append(headers, "Expect:");  // No 100-continue round trip.
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  // "POST /element" rather than the session's long path.
  const std::string session = "/session/" + session_id_;
  const std::string what =
      method + " " +
      (!session_id_.empty() && path.starts_with(session + "/") ? path.substr(session.size())
                                                               : path);
  if (rc != CURLE_OK) {
    return Status::Unavailable(what + ": " + curl_easy_strerror(rc) +
                               (error[0] != '\0' ? std::string(" (") + error + ")" : ""));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.http);
  if (reply.doc.Parse(text.data(), text.size()).HasParseError()) {
    return Status::Internal(what + ": HTTP " + std::to_string(reply.http) +
                            ", not JSON: " + text.substr(0, 200));
  }
  const rapidjson::Value& v = reply.value();
  if (v.IsObject() && v.HasMember("error") && v["error"].IsString()) {
    const std::string message =
        v.HasMember("message") && v["message"].IsString() ? v["message"].GetString() : "";
    return FromWebDriverError(v["error"].GetString(), message).WithContext(what);
  }
  if (reply.http != 200) {
    return Status::Internal(what + ": HTTP " + std::to_string(reply.http) + ": " +
                            text.substr(0, 200));
  }
  return Status::Ok();
}

Status WebDriver::SessionCommand(const std::string& method, const std::string& path,
                                 const std::string& body, Reply& reply) {
  if (session_id_.empty()) return Status::Internal("WebDriver not started");
  return Command(method, "/session/" + session_id_ + path, body, reply);
}

Result<std::string> WebDriver::ValueCommand(const std::string& method, const std::string& path,
                                            const std::string& body) {
  Reply reply;
  HS_RETURN_IF_ERROR(SessionCommand(method, path, body, reply));
  const rapidjson::Value& v = reply.value();
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsNull()) return std::string();
  return json::Write(v);
}

Status WebDriver::Start(int ready_timeout_ms) {
  if (pid_ > 0 || !session_id_.empty()) return Status::Internal("WebDriver already started");
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (curl_ == nullptr) curl_ = curl_easy_init();
  if (curl_ == nullptr) return Status::Internal("curl_easy_init failed");
  dir_ = std::make_unique<TempDir>();
  const std::string profile = dir_->File("profile");

  // ChromeDriver up and ready. A port taken between FreePort and its bind makes it exit at once:
  // then another port.
  const auto give_up = After(ready_timeout_ms);
  bool ready = false;
  for (int attempt = 0; attempt < 3 && !ready; ++attempt) {
    const int port = FreePort();
    if (port <= 0) return Status::Unavailable("no free local port");
    HS_RETURN_IF_ERROR(SpawnDriver(port));
    for (;;) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      Reply reply;
      if (Command("GET", "/status", "", reply, 1000).ok() && reply.value().IsObject() &&
          reply.value().HasMember("ready") && reply.value()["ready"].IsTrue()) {
        ready = true;
        break;
      }
      if (Expired(give_up)) {
        StopDriver();
        return Status::Unavailable("chromedriver not ready within " +
                                   std::to_string(ready_timeout_ms) + " ms; its log:\n" +
                                   LogTail());
      }
      SleepMs(kPollMs);
    }
  }
  if (!ready) return Status::Unavailable("chromedriver exited; its log:\n" + LogTail());

  // The session. "ignore": an open dialog is left to the test (AlertText, AcceptAlert) and
  // reported to other commands as "unexpected alert open", never answered silently.
  // --no-sandbox: Chromium refuses to run as root with its sandbox. --disable-dev-shm-usage:
  // containers often have a 64 MB /dev/shm, too small for the renderer's shared memory.
  const std::vector<std::string> flags = {"--headless=new",
                                          "--no-sandbox",
                                          "--disable-gpu",
                                          "--disable-dev-shm-usage",
                                          "--window-size=1280,900",
                                          "--no-first-run",
                                          "--no-default-browser-check",
                                          "--user-data-dir=" + profile};
  std::string args;
  for (const std::string& flag : flags) args += (args.empty() ? "" : ",") + Quoted(flag);
  const std::string body =
      std::string(R"({"capabilities":{"alwaysMatch":{"browserName":"chrome",)") +
      R"("unhandledPromptBehavior":"ignore",)" +
      R"("timeouts":{"implicit":0,"pageLoad":30000,"script":30000},)" +
      R"("goog:chromeOptions":{"binary":)" + Quoted(kChromium) + R"(,"args":[)" + args + "]}}}}";
  Reply reply;
  Status st = Command("POST", "/session", body, reply, 60000);
  if (!st.ok()) {
    StopDriver();
    return Status::Unavailable("cannot open a Chromium session: " + st.ToString() +
                               "; chromedriver's log:\n" + LogTail());
  }
  const rapidjson::Value& v = reply.value();
  if (!v.IsObject() || !v.HasMember("sessionId") || !v["sessionId"].IsString()) {
    StopDriver();
    return Status::Internal("POST /session: no sessionId in " + json::Write(v));
  }
  session_id_ = v["sessionId"].GetString();
  return Status::Ok();
}

Status WebDriver::Navigate(const std::string& url) {
  Reply reply;
  return SessionCommand("POST", "/url", R"({"url":)" + Quoted(url) + "}", reply);
}

Result<std::string> WebDriver::Url() { return ValueCommand("GET", "/url", ""); }

Result<std::string> WebDriver::Find(const std::string& css) { return WaitFor(css, kFindWaitMs); }

Result<std::string> WebDriver::WaitFor(const std::string& css, int timeout_ms) {
  const std::string body = R"({"using":"css selector","value":)" + Quoted(css) + "}";
  const auto give_up = After(timeout_ms);
  for (;;) {
    Reply reply;
    Status st = SessionCommand("POST", "/element", body, reply);
    if (st.ok()) {
      const rapidjson::Value& v = reply.value();
      if (v.IsObject() && v.HasMember(kElementKey) && v[kElementKey].IsString()) {
        return std::string(v[kElementKey].GetString());
      }
      return Status::Internal("POST /element: no element reference in " + json::Write(v));
    }
    // Only "not there yet" is worth another look.
    if (st.code() != StatusCode::kNotFound || Expired(give_up)) {
      return st.code() == StatusCode::kNotFound
                 ? st.WithContext(css + " (waited " + std::to_string(timeout_ms) + " ms)")
                 : st.WithContext(css);
    }
    SleepMs(kPollMs);
  }
}

Result<std::vector<std::string>> WebDriver::FindAll(const std::string& css) {
  Reply reply;
  HS_RETURN_IF_ERROR(SessionCommand(
      "POST", "/elements", R"({"using":"css selector","value":)" + Quoted(css) + "}", reply));
  const rapidjson::Value& v = reply.value();
  if (!v.IsArray()) return Status::Internal("POST /elements: not an array: " + json::Write(v));
  std::vector<std::string> ids;
  for (const auto& e : v.GetArray()) {
    if (!e.IsObject() || !e.HasMember(kElementKey) || !e[kElementKey].IsString()) {
      return Status::Internal("POST /elements: no element reference in " + json::Write(e));
    }
    ids.emplace_back(e[kElementKey].GetString());
  }
  return ids;
}

Status WebDriver::WaitForText(const std::string& css, const std::string& substring,
                              int timeout_ms) {
  const auto give_up = After(timeout_ms);
  std::string last = "(no element)";
  for (;;) {
    // Found afresh each time: the page may replace the element.
    Result<std::string> element = WaitFor(css, 0);
    if (element.ok()) {
      Result<std::string> text = Text(*element);
      if (text.ok() && text->find(substring) != std::string::npos) return Status::Ok();
      if (text.ok()) last = "\"" + *text + "\"";
      // Anything but a vanished element is not going to change by waiting.
      if (!text.ok() && text.status().code() != StatusCode::kNotFound) return text.status();
    } else if (element.status().code() != StatusCode::kNotFound) {
      return element.status();
    }
    if (Expired(give_up)) {
      return Status::NotFound("text of " + css + " did not contain \"" + substring + "\" within " +
                              std::to_string(timeout_ms) + " ms; last text: " + last);
    }
    SleepMs(kPollMs);
  }
}

Status WebDriver::Click(const std::string& element) {
  return ValueCommand("POST", "/element/" + element + "/click", "{}").status();
}

Status WebDriver::SendKeys(const std::string& element, const std::string& text) {
  return ValueCommand("POST", "/element/" + element + "/value", R"({"text":)" + Quoted(text) + "}")
      .status();
}

Result<std::string> WebDriver::Text(const std::string& element) {
  return ValueCommand("GET", "/element/" + element + "/text", "");
}

Result<std::string> WebDriver::Attribute(const std::string& element, const std::string& name) {
  return ValueCommand("GET", "/element/" + element + "/attribute/" + name, "");
}

Result<std::string> WebDriver::Property(const std::string& element, const std::string& name) {
  return ValueCommand("GET", "/element/" + element + "/property/" + name, "");
}

Result<std::string> WebDriver::ExecuteScript(const std::string& js) {
  Reply reply;
  HS_RETURN_IF_ERROR(SessionCommand("POST", "/execute/sync",
                                    R"({"script":)" + Quoted(js) + R"(,"args":[]})", reply));
  return json::Write(reply.value());
}

Result<std::string> WebDriver::AlertText() { return ValueCommand("GET", "/alert/text", ""); }

Status WebDriver::AcceptAlert() { return ValueCommand("POST", "/alert/accept", "{}").status(); }

Status WebDriver::DismissAlert() { return ValueCommand("POST", "/alert/dismiss", "{}").status(); }

Status WebDriver::Screenshot(const std::string& path) {
  HS_ASSIGN_OR_RETURN(std::string base64, ValueCommand("GET", "/screenshot", ""));
  HS_ASSIGN_OR_RETURN(std::string png, DecodeBase64(base64));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  out.close();
  if (!out) return Status::Unavailable("cannot write " + path);
  return Status::Ok();
}

}  // namespace hs::testing
