// Fault suite item 11 (RELIABILITY.md): the HTTP transport the daemon talks to every platform with,
// against TLS servers on loopback with certificates made for the test: a certificate from an
// unknown authority, a certificate for another host name, plain HTTP where https is configured and
// a redirect to file:// are all refused, never fallen back from; the same server with its
// authority trusted (ca_file) and the right name is accepted (the control).
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "daemon/net/curl_transport.h"
#include "tests/fakes/cli_runner.h"
#include "tests/fakes/temp_dir.h"

namespace hs {
namespace {

// A server on 127.0.0.1, TLS when given a certificate, answering GET /ok with "ok" and GET /moved
// with a redirect to file:///etc/passwd.
class Server {
 public:
  explicit Server(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {
    server_->Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    server_->Get("/moved", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "file:///etc/passwd");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Server() {
    server_->stop();
    thread_.join();
  }
  std::string Url(const std::string& scheme, const std::string& path) const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

class TlsFaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { CurlTransport::GlobalInit(); }

  void SetUp() override {
    if (access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl is not installed";
    // A test authority, and two server certificates it signs: one for 127.0.0.1, one for another
    // name only.
    OpenSsl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
             "/CN=hs test authority"});
    for (const auto& [name, san] : {std::pair<std::string, std::string>{"right", "IP:127.0.0.1"},
                                    {"wrong", "DNS:platform.example"}}) {
      std::ofstream(dir_.File(name + ".ext")) << "subjectAltName=" << san << "\n";
      OpenSsl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
               name + ".key", "-out", name + ".csr", "-subj", "/CN=platform"});
      OpenSsl({"x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
               "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext"});
    }
  }

  void OpenSsl(std::vector<std::string> args) {
    // Paths relative to the test's directory.
    for (std::string& a : args) {
      if (a.find(".key") != std::string::npos || a.find(".pem") != std::string::npos ||
          a.find(".csr") != std::string::npos || a.find(".ext") != std::string::npos) {
        a = dir_.File(a);
      }
    }
    auto out = testing::RunCli("/usr/bin/openssl", args, dir_.path().string());
    ASSERT_EQ(out.code, 0) << out.all();
  }

  std::unique_ptr<Server> Tls(const std::string& name) {
    return std::make_unique<Server>(std::make_unique<httplib::SSLServer>(
        dir_.File(name + ".pem").c_str(), dir_.File(name + ".key").c_str()));
  }

  Result<HttpResponse> Get(const std::string& url, bool trust_test_authority) {
    CurlOptions o;
    o.total_timeout_ms = 10'000;
    if (trust_test_authority) o.ca_file = dir_.File("ca.pem");
    CurlTransport t(o);
    HttpRequest req;
    req.url = url;
    return t.Send(req);
  }

  testing::TempDir dir_;
};

TEST_F(TlsFaultTest, TheRightNameSignedByATrustedAuthorityIsAccepted) {
  auto server = Tls("right");
  auto r = Get(server->Url("https", "/ok"), true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
}

TEST_F(TlsFaultTest, AnUnknownAuthorityIsRefused) {
  auto server = Tls("right");
  auto r = Get(server->Url("https", "/ok"), false);  // The system's trust store only.
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kRejected) << r.status().ToString();
  EXPECT_NE(r.status().message().find("TLS verification failed"), std::string::npos)
      << r.status().ToString();
}

TEST_F(TlsFaultTest, ACertificateForAnotherHostIsRefused) {
  auto server = Tls("wrong");
  auto r = Get(server->Url("https", "/ok"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kRejected) << r.status().ToString();
}

TEST_F(TlsFaultTest, PlainHttpWhereHttpsIsConfiguredIsRefused) {
  Server plain(std::make_unique<httplib::Server>());
  auto r = Get(plain.Url("https", "/ok"), true);
  ASSERT_FALSE(r.ok()) << "an https request was answered without TLS";
  // A failed handshake: retried with backoff (a middlebox may be at fault), never sent in clear.
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("SSL"), std::string::npos) << r.status().ToString();
}

TEST_F(TlsFaultTest, ARedirectToFileIsNotFollowed) {
  auto server = Tls("right");
  auto r = Get(server->Url("https", "/moved"), true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 302);  // Returned as is: the adapters treat it as a failed request.
  EXPECT_EQ(r->body.find("root:"), std::string::npos);
}

}  // namespace
}  // namespace hs
