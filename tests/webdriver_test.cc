// Tests of the WebDriver client (tests/fakes/webdriver.h) against headless Chromium: a static page
// served from this process, a button that sets a text, a confirm() dialog, a screenshot. Skipped
// when Chromium or ChromeDriver is not installed. One browser serves the whole suite: starting one
// takes a second or two, more under the sanitizers.
#include "tests/fakes/webdriver.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs {
namespace {

using ::hs::testing::Has;
using ::hs::testing::TempDir;
using ::hs::testing::WebDriver;

constexpr char kPage[] = R"html(<!doctype html>
<html><head><meta charset="utf-8"><title>WebDriver test</title></head>
<body>
  <button id="go" onclick="setTimeout(function () {
      document.getElementById('out').textContent = 'Clicked: ' + document.getElementById('name').value;
    }, 100)">Go</button>
  <input id="name" name="name" value="">
  <p id="out"></p>
  <button id="ask" onclick="document.getElementById('answer').textContent =
      confirm('Drop the item?') ? 'accepted' : 'dismissed'">Ask</button>
  <p id="answer"></p>
  <ul><li class="item">one</li><li class="item">two</li><li class="item">three</li></ul>
</body></html>)html";

class WebDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!WebDriver::Available()) return;
    server_ = new httplib::Server;
    // One request per connection: nothing idles in keep-alive when the server stops.
    server_->set_keep_alive_max_count(1);
    server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kPage, "text/html; charset=utf-8");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = new std::thread([] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    driver_ = new WebDriver;
    start_ = new Status(driver_->Start());
  }

  static void TearDownTestSuite() {
    delete driver_;  // Chromium gone before the server stops: no connection left open.
    driver_ = nullptr;
    delete start_;
    start_ = nullptr;
    if (server_ != nullptr) {
      server_->stop();
      thread_->join();
      delete thread_;
      delete server_;
      thread_ = nullptr;
      server_ = nullptr;
    }
  }

  void SetUp() override {
    if (!WebDriver::Available()) {
      GTEST_SKIP() << "needs " << WebDriver::kChromium << " and " << WebDriver::kChromeDriver
                   << " (apt-get install chromium chromium-driver)";
    }
    ASSERT_TRUE(start_->ok()) << start_->ToString();
    ASSERT_TRUE(driver_->Navigate(Url()).ok());
  }

  static std::string Url() { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  static inline httplib::Server* server_ = nullptr;
  static inline std::thread* thread_ = nullptr;
  static inline int port_ = 0;
  static inline WebDriver* driver_ = nullptr;
  static inline Status* start_ = nullptr;
};

TEST_F(WebDriverTest, ClickTypeWaitAndScreenshot) {
  WebDriver& d = *driver_;
  auto url = d.Url();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(*url, Url());

  auto name = d.Find("#name");
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  ASSERT_TRUE(d.SendKeys(*name, "Li Lei").ok());
  auto value = d.Property(*name, "value");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "Li Lei");
  auto markup = d.Attribute(*name, "value");  // The markup's value="", not what was typed.
  ASSERT_TRUE(markup.ok()) << markup.status().ToString();
  EXPECT_EQ(*markup, "");
  auto id = d.Attribute(*name, "id");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "name");
  auto absent = d.Attribute(*name, "data-absent");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, "");

  auto go = d.Find("#go");
  ASSERT_TRUE(go.ok()) << go.status().ToString();
  auto label = d.Text(*go);
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(*label, "Go");
  ASSERT_TRUE(d.Click(*go).ok());
  // The page sets the text 100 ms after the click.
  Status st = d.WaitForText("#out", "Clicked: Li Lei", 5000);
  ASSERT_TRUE(st.ok()) << st.ToString();

  auto items = d.FindAll("li.item");
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 3u);
  auto second = d.Text((*items)[1]);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "two");

  auto result = d.ExecuteScript("return [document.title, 6 * 7, null];");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, R"(["WebDriver test",42,null])");

  TempDir dir;
  const std::string png = dir.File("page.png");
  st = d.Screenshot(png);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::ifstream in(png, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST_F(WebDriverTest, ConfirmDialogIsAcceptedOrDismissed) {
  WebDriver& d = *driver_;
  // No dialog open: NotFound, with ChromeDriver's word for it.
  Status st = d.AcceptAlert();
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
  EXPECT_TRUE(Has(st.message(), "no such alert"));

  auto ask = d.Find("#ask");
  ASSERT_TRUE(ask.ok()) << ask.status().ToString();
  ASSERT_TRUE(d.Click(*ask).ok());
  auto text = d.AlertText();
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "Drop the item?");
  st = d.AcceptAlert();
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = d.WaitForText("#answer", "accepted", 5000);
  ASSERT_TRUE(st.ok()) << st.ToString();

  ASSERT_TRUE(d.Click(*ask).ok());
  ASSERT_TRUE(d.DismissAlert().ok());
  st = d.WaitForText("#answer", "dismissed", 5000);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_F(WebDriverTest, ErrorsCarryChromeDriversMessage) {
  WebDriver& d = *driver_;
  const auto before = std::chrono::steady_clock::now();
  auto missing = d.WaitFor("#nowhere", 300);
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(300));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Has(missing.status().message(), "no such element"));

  auto bad = d.FindAll("li[");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().ToString();

  auto none = d.FindAll(".absent");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  Status st = d.WaitForText("#out", "never", 200);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_TRUE(Has(st.message(), "last text: \"\"")) << st.message();
}

}  // namespace
}  // namespace hs
