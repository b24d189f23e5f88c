// A small W3C WebDriver client for browser tests: starts Debian's ChromeDriver on a free local
// port, opens one headless Chromium session through it and speaks its HTTP API with libcurl (JSON
// through RapidJSON). No Python, no npm, nothing downloaded. Every wait is bounded; a failed
// command's Status carries ChromeDriver's error name and message, with a code: NotFound for what
// is not there (element, alert, a stale element), InvalidArgument for a bad selector, an element
// that cannot be used or a script error, Unavailable for timeouts and a ChromeDriver that does not
// answer, Internal for the rest (e.g. "unexpected alert open"). Not thread-safe: one test thread
// drives one WebDriver.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/core/status.h"

namespace hs::testing {

class TempDir;

class WebDriver {
 public:
  static constexpr char kChromium[] = "/usr/bin/chromium";
  static constexpr char kChromeDriver[] = "/usr/bin/chromedriver";
  // How long Find waits for its element to appear.
  static constexpr int kFindWaitMs = 2000;

  // Whether Chromium and ChromeDriver are installed and executable; tests skip when not.
  static bool Available();

  WebDriver();
  // Ends the session (Chromium quits; bounded at 20 s), then stops ChromeDriver's process group:
  // SIGTERM, SIGKILL after 5 s; then SIGKILL to any Chromium still using this profile.
  ~WebDriver();
  WebDriver(const WebDriver&) = delete;
  WebDriver& operator=(const WebDriver&) = delete;

  // Starts ChromeDriver, waits up to `ready_timeout_ms` for it to report ready, and opens a
  // headless session (1280x900, its own temporary profile, no sandbox so that it runs as root).
  // Call once; every other method fails with Internal before it succeeds.
  Status Start(int ready_timeout_ms = 20000);

  // Loads `url` and returns when the page has loaded (ChromeDriver's page load timeout: 30 s).
  Status Navigate(const std::string& url);
  // The current page's URL.
  Result<std::string> Url();

  // Element ids (WebDriver element references) by CSS selector. Find waits up to kFindWaitMs for
  // the first match; WaitFor polls up to `timeout_ms`; FindAll does not wait and may be empty.
  // No match: NotFound. A bad selector: InvalidArgument at once.
  Result<std::string> Find(const std::string& css);
  Result<std::string> WaitFor(const std::string& css, int timeout_ms);
  Result<std::vector<std::string>> FindAll(const std::string& css);
  // Polls until the first element matching `css` has visible text containing `substring`.
  // Timeout: NotFound with the last text seen.
  Status WaitForText(const std::string& css, const std::string& substring, int timeout_ms);

  Status Click(const std::string& element);
  // Types `text` into the element (focusing it first), as keystrokes.
  Status SendKeys(const std::string& element, const std::string& text);
  // The element's rendered text (innerText), as a user sees it.
  Result<std::string> Text(const std::string& element);
  // The HTML attribute `name` as in the markup; "" when absent. Not what the user typed: an
  // input's current value is Property(element, "value").
  Result<std::string> Attribute(const std::string& element, const std::string& name);
  // The DOM property `name`: a string as is, null or undefined as "", anything else as JSON.
  Result<std::string> Property(const std::string& element, const std::string& name);

  // Runs `js` as a function body in the page (`return` gives its result) and returns the result
  // serialised as JSON, e.g. "42", "\"text\"", "null".
  Result<std::string> ExecuteScript(const std::string& js);

  // The open alert/confirm/prompt: its text, or accept (OK) or dismiss (Cancel) it. NotFound when
  // no dialog is open. A dialog left open makes other commands fail with "unexpected alert open"
  // (the session's prompt behaviour is "ignore", so no dialog is answered behind a test's back).
  Result<std::string> AlertText();
  Status AcceptAlert();
  Status DismissAlert();

  // Saves a PNG of the viewport to `path`.
  Status Screenshot(const std::string& path);

  // The end of ChromeDriver's own output (its log), for failure messages; "(empty)" if none.
  std::string LogTail() const;

 private:
  struct Reply;
  // Sends one command and parses its reply; a WebDriver error becomes the returned Status.
  Status Command(const std::string& method, const std::string& path, const std::string& body,
                 Reply& reply, long timeout_ms = 35000);
  // Command on this session's path.
  Status SessionCommand(const std::string& method, const std::string& path, const std::string& body,
                        Reply& reply);
  // Session command whose result is returned as text: a string as is, null as "", else JSON.
  Result<std::string> ValueCommand(const std::string& method, const std::string& path,
                                   const std::string& body);
  Status SpawnDriver(int port);
  void StopDriver();

  std::unique_ptr<TempDir> dir_;  // Chromium's profile and HOME, ChromeDriver's log.
  void* curl_ = nullptr;          // CURL*, reused so that the connection stays open.
  pid_t pid_ = -1;                // ChromeDriver, leader of its own process group.
  std::string base_url_;          // http://127.0.0.1:<port>
  std::string session_id_;
};

}  // namespace hs::testing
