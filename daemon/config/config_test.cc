// Tests of configuration loading: errors name file:line and the dotted key; secrets come from
// $CREDENTIALS_DIRECTORY, then from beside the file.

#include "daemon/config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "tests/fakes/temp_dir.h"
#include "tests/fakes/test_util.h"

namespace hs::config {
namespace {

using hs::testing::Has;

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("hs_config_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    dir_ = fs::canonical(dir_);
    if (const char* old = std::getenv("CREDENTIALS_DIRECTORY")) old_creds_ = old;
    unsetenv("CREDENTIALS_DIRECTORY");
  }

  void TearDown() override {
    if (old_creds_) {
      setenv("CREDENTIALS_DIRECTORY", old_creds_->c_str(), 1);
    } else {
      unsetenv("CREDENTIALS_DIRECTORY");
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes `content` to `name` under the test's directory and returns its path.
  std::string WriteFile(const fs::path& name, std::string_view content) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << content;
    return p.string();
  }

  std::string WriteConfig(std::string_view content) { return WriteFile("config.toml", content); }

  // Loads a configuration with a valid [ledger] and the given adapter section body.
  Result<Config> LoadWithAdapter(std::string_view body) {
    return Load(WriteConfig(std::string("[ledger]\npath = \"/var/lib/hs/ledger.db\"\n\n"
                                        "[adapters.hotline12345]\n") +
                            std::string(body)));
  }

  std::string ConfigPath() const { return (dir_ / "config.toml").string(); }

  fs::path dir_;
  std::optional<std::string> old_creds_;
};

TEST_F(ConfigTest, LoadsAValidFile) {
  auto cfg =
      Load(WriteConfig("# hotline-sync\n"
                       "[ledger]\n"
                       "path = \"/var/lib/hotline-sync/ledger.db\"\n"
                       "[log]\n"
                       "level = \"debug\"\n"
                       "[adapters.petition]\n"
                       "base_url = \"http://127.0.0.1:1\"\n"
                       "[adapters.hotline12345]\n"
                       "base_url = \"http://127.0.0.1:2\"\n"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->file, ConfigPath());
  EXPECT_EQ(cfg->ledger_path, "/var/lib/hotline-sync/ledger.db");
  EXPECT_EQ(cfg->log_level, "debug");
  ASSERT_EQ(cfg->adapter_names.size(), 2u);
  EXPECT_EQ(cfg->adapter_names[0], "hotline12345");
  EXPECT_EQ(cfg->adapter_names[1], "petition");
}

TEST_F(ConfigTest, DefaultsTheLogLevel) {
  auto cfg = Load(WriteConfig("[ledger]\npath = \"/x.db\"\n"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->log_level, "info");
  EXPECT_TRUE(cfg->adapter_names.empty());
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  auto cfg = Load((dir_ / "nope.toml").string());
  EXPECT_EQ(cfg.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Has(cfg.status().message(), "nope.toml"));
}

TEST_F(ConfigTest, SyntaxErrorNamesFileAndLine) {
  auto cfg = Load(WriteConfig("[ledger]\n\npath = \n"));
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(cfg.status().message(), ConfigPath() + ":3"));
}

TEST_F(ConfigTest, UnknownSectionNamesFileLineAndKey) {
  auto cfg = Load(WriteConfig("[ledger]\npath = \"/x.db\"\n\n[ledgr]\npath = \"/y.db\"\n"));
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(cfg.status().message(), ConfigPath() + ":4"));
  EXPECT_TRUE(Has(cfg.status().message(), "ledgr"));
  EXPECT_TRUE(Has(cfg.status().message(), "unknown section"));
}

TEST_F(ConfigTest, UnknownTopLevelKeyIsRefused) {
  auto cfg = Load(WriteConfig("level = \"debug\"\n[ledger]\npath = \"/x.db\"\n"));
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(cfg.status().message(), ConfigPath() + ":1"));
  EXPECT_TRUE(Has(cfg.status().message(), "level"));
}

TEST_F(ConfigTest, SectionThatIsNotATableIsRefused) {
  auto cfg = Load(WriteConfig("ledger = \"/x.db\"\n"));
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(cfg.status().message(), ConfigPath() + ":1"));
  EXPECT_TRUE(Has(cfg.status().message(), "ledger"));
  EXPECT_TRUE(Has(cfg.status().message(), "table"));

  cfg = Load(WriteConfig("[ledger]\npath = \"/x.db\"\n[adapters]\nhotline12345 = 1\n"));
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(cfg.status().message(), ConfigPath() + ":4"));
  EXPECT_TRUE(Has(cfg.status().message(), "adapters.hotline12345"));
}

TEST_F(ConfigTest, UnknownKeyInLedgerNamesTheDottedKey) {
  auto cfg = Load(WriteConfig("[ledger]\npath = \"/x.db\"\nsynchronus = \"full\"\n"));
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(cfg.status().message(), ConfigPath() + ":3"));
  EXPECT_TRUE(Has(cfg.status().message(), "ledger.synchronus"));
  EXPECT_TRUE(Has(cfg.status().message(), "unknown key"));
}

TEST_F(ConfigTest, LedgerSynchronousTakesNormalOrFull) {
  auto full = Load(WriteConfig("[ledger]\npath = \"/x.db\"\nsynchronous = \"full\"\n"));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->ledger_synchronous, "FULL");
  auto off = Load(WriteConfig("[ledger]\npath = \"/x.db\"\nsynchronous = \"off\"\n"));
  EXPECT_EQ(off.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(off.status().message(), ConfigPath() + ":3"));
  EXPECT_TRUE(Has(off.status().message(), "ledger.synchronous"));
}

TEST_F(ConfigTest, WrongTypeNamesTheDottedKey) {
  auto cfg = Load(WriteConfig("[ledger]\npath = \"/x.db\"\n[log]\nlevel = 5\n"));
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(cfg.status().message(), ConfigPath() + ":4"));
  EXPECT_TRUE(Has(cfg.status().message(), "log.level"));
  EXPECT_TRUE(Has(cfg.status().message(), "string"));
}

TEST_F(ConfigTest, MissingLedgerPathIsRefused) {
  for (const char* text : {"[log]\nlevel = \"info\"\n", "[ledger]\n", "[ledger]\npath = \"\"\n"}) {
    auto cfg = Load(WriteConfig(text));
    EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(Has(cfg.status().message(), ConfigPath())) << text;
    EXPECT_TRUE(Has(cfg.status().message(), "ledger.path")) << text;
    EXPECT_TRUE(Has(cfg.status().message(), "required")) << text;
  }
}

TEST_F(ConfigTest, RelativeLedgerPathIsBesideTheConfigFile) {
  auto cfg = Load(WriteConfig("[ledger]\npath = \"data/ledger.db\"\n"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(fs::path(cfg->ledger_path), dir_ / "data" / "ledger.db");
  EXPECT_TRUE(fs::path(cfg->ledger_path).is_absolute());
}

TEST_F(ConfigTest, AdapterSectionReadsValues) {
  auto cfg = LoadWithAdapter(
      "base_url = \"https://12345.example.gov.cn/api/v2\"\n"
      "limit = 200\n"
      "enabled = true\n"
      "timeout = \"30s\"\n"
      "state_file = \"state/h.json\"\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.name(), "adapters.hotline12345");
  EXPECT_EQ(s.config_dir(), dir_.string());
  EXPECT_EQ(s.RequiredString("base_url"), "https://12345.example.gov.cn/api/v2");
  EXPECT_EQ(s.Int("limit", 100, 1, 500), 200);
  EXPECT_EQ(s.Int("page_delay", 7, 0, 10), 7);
  EXPECT_TRUE(s.Bool("enabled", false));
  EXPECT_EQ(s.DurationMillis("timeout", "10s", 1000, 300'000), 30'000);
  EXPECT_EQ(s.DurationMillis("connect_timeout", "5s", 1000, 300'000), 5'000);
  EXPECT_EQ(fs::path(s.Path("state_file", "")), dir_ / "state" / "h.json");
  EXPECT_EQ(s.Path("absent", "/abs/x"), "/abs/x");
  EXPECT_EQ(s.String("absent2", "dflt"), "dflt");
  EXPECT_TRUE(s.Finish().ok()) << s.Finish().ToString();
}

TEST_F(ConfigTest, UnknownAdapterKeyIsReportedByFinish) {
  auto cfg = LoadWithAdapter("base_url = \"http://x\"\nbase_ulr = \"http://y\"\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.RequiredString("base_url"), "http://x");
  Status st = s.Finish();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), ConfigPath() + ":6"));
  EXPECT_TRUE(Has(st.message(), "adapters.hotline12345.base_ulr"));
  EXPECT_TRUE(Has(st.message(), "unknown key"));
}

TEST_F(ConfigTest, WrongTypeInAdapterSection) {
  auto cfg = LoadWithAdapter("limit = \"100\"\nenabled = \"yes\"\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.Int("limit", 100, 1, 500), 100);  // The default on error.
  EXPECT_FALSE(s.Bool("enabled", false));
  Status st = s.Finish();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  // The first error is the one reported.
  EXPECT_TRUE(Has(st.message(), ConfigPath() + ":5"));
  EXPECT_TRUE(Has(st.message(), "adapters.hotline12345.limit"));
  EXPECT_TRUE(Has(st.message(), "whole number"));
}

TEST_F(ConfigTest, WrongTypeForBoolAndString) {
  auto cfg = LoadWithAdapter("enabled = 1\nbase_url = 8080\nratio = 1.5\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  (void)s.Bool("enabled", false);
  Status st = s.Finish();
  EXPECT_TRUE(Has(st.message(), ":5: adapters.hotline12345.enabled"));
  EXPECT_TRUE(Has(st.message(), "true or false"));

  Section s2 = cfg->AdapterSection("hotline12345");
  (void)s2.String("base_url", "");
  st = s2.Finish();
  EXPECT_TRUE(Has(st.message(), ":6: adapters.hotline12345.base_url"));
  EXPECT_TRUE(Has(st.message(), "string"));

  Section s3 = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s3.Int("ratio", 3, 0, 10), 3);
  st = s3.Finish();
  EXPECT_TRUE(Has(st.message(), ":7: adapters.hotline12345.ratio"));
  EXPECT_TRUE(Has(st.message(), "whole number"));
}

TEST_F(ConfigTest, OutOfRangeIntStatesTheRange) {
  auto cfg = LoadWithAdapter("limit = 501\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.Int("limit", 100, 1, 500), 100);
  Status st = s.Finish();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), ConfigPath() + ":5: adapters.hotline12345.limit"));
  EXPECT_TRUE(Has(st.message(), "between 1 and 500"));
  EXPECT_TRUE(Has(st.message(), "501"));

  cfg = LoadWithAdapter("limit = -3\n");
  ASSERT_TRUE(cfg.ok());
  Section s2 = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s2.Int("limit", 100, 1, 500), 100);
  EXPECT_TRUE(Has(s2.Finish().message(), "between 1 and 500"));
}

TEST_F(ConfigTest, BadDurationNamesTheKey) {
  for (const char* value : {"\"5 seconds\"", "\"5\"", "\"-5s\"", "\"\""}) {
    auto cfg = LoadWithAdapter(std::string("timeout = ") + value + "\n");
    ASSERT_TRUE(cfg.ok()) << value;
    Section s = cfg->AdapterSection("hotline12345");
    EXPECT_EQ(s.DurationMillis("timeout", "10s", 1000, 300'000), 10'000) << value;
    Status st = s.Finish();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << value;
    EXPECT_TRUE(Has(st.message(), ConfigPath() + ":5: adapters.hotline12345.timeout")) << value;
    EXPECT_TRUE(Has(st.message(), "duration")) << value;
  }
}

TEST_F(ConfigTest, DurationThatIsNotAStringIsRefused) {
  auto cfg = LoadWithAdapter("timeout = 30\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.DurationMillis("timeout", "10s", 1000, 300'000), 10'000);
  Status st = s.Finish();
  EXPECT_TRUE(Has(st.message(), ":5: adapters.hotline12345.timeout"));
  EXPECT_TRUE(Has(st.message(), "string"));
}

TEST_F(ConfigTest, OutOfRangeDurationStatesTheRange) {
  auto cfg = LoadWithAdapter("timeout = \"1d\"\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.DurationMillis("timeout", "10s", 1000, 300'000), 10'000);
  Status st = s.Finish();
  EXPECT_TRUE(Has(st.message(), ":5: adapters.hotline12345.timeout"));
  EXPECT_TRUE(Has(st.message(), "between 1.0s and 5m00s"));
  EXPECT_TRUE(Has(st.message(), "1d"));
}

TEST_F(ConfigTest, RequiredStringMissingOrEmpty) {
  auto cfg = LoadWithAdapter("app_key = \"\"\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.RequiredString("base_url"), "");
  Status st = s.Finish();
  EXPECT_TRUE(Has(st.message(), ConfigPath()));
  EXPECT_TRUE(Has(st.message(), "adapters.hotline12345.base_url"));
  EXPECT_TRUE(Has(st.message(), "required"));

  Section s2 = cfg->AdapterSection("hotline12345");
  (void)s2.RequiredString("app_key");
  st = s2.Finish();
  EXPECT_TRUE(Has(st.message(), ":5: adapters.hotline12345.app_key"));
  EXPECT_TRUE(Has(st.message(), "empty"));
}

TEST_F(ConfigTest, CallerFailNamesTheKey) {
  auto cfg = LoadWithAdapter("base_url = \"ftp://x\"\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  (void)s.String("base_url", "");
  s.Fail("base_url", "must start with http:// or https://");
  Status st = s.Finish();
  EXPECT_EQ(
      st.message(),
      ConfigPath() + ":5: adapters.hotline12345.base_url: must start with http:// or https://");
}

TEST_F(ConfigTest, AbsentAdapterSectionGivesDefaults) {
  auto cfg = Load(WriteConfig("[ledger]\npath = \"/x.db\"\n"));
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("petition");
  EXPECT_EQ(s.Int("limit", 100, 1, 500), 100);
  EXPECT_TRUE(s.Finish().ok());
  (void)s.RequiredString("base_url");
  EXPECT_TRUE(Has(s.Finish().message(), "adapters.petition.base_url"));
}

TEST_F(ConfigTest, SecretFromCredentialsDirectoryFirst) {
  WriteFile("creds/hotline.secret", "from-credentials\n");
  WriteFile("hotline.secret", "from-beside-config\n");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "creds").c_str(), 1);
  auto cfg = LoadWithAdapter("app_secret_file = \"hotline.secret\"\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.Secret("app_secret_file"), "from-credentials");
  EXPECT_TRUE(s.Finish().ok());
}

TEST_F(ConfigTest, SecretBesideTheConfigWhenNoCredentialsDirectory) {
  WriteFile("hotline.secret", "from-beside-config\r\n");
  auto cfg = LoadWithAdapter("app_secret_file = \"hotline.secret\"\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.Secret("app_secret_file"), "from-beside-config");
  EXPECT_TRUE(s.Finish().ok());
}

TEST_F(ConfigTest, SecretFallsBackBesideTheConfig) {
  fs::create_directories(dir_ / "creds");
  WriteFile("hotline.secret", "from-beside-config");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "creds").c_str(), 1);
  auto secret = ReadSecretFile("hotline.secret", dir_.string());
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, "from-beside-config");
}

TEST_F(ConfigTest, SecretWithAbsolutePath) {
  std::string p = WriteFile("elsewhere/k", "abs-secret\n");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "creds").c_str(), 1);
  auto secret = ReadSecretFile(p, "/nonexistent");
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, "abs-secret");
}

TEST_F(ConfigTest, MissingSecretNamesBothPlaces) {
  fs::create_directories(dir_ / "creds");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "creds").c_str(), 1);
  auto secret = ReadSecretFile("hotline.secret", dir_.string());
  EXPECT_EQ(secret.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Has(secret.status().message(), (dir_ / "creds" / "hotline.secret").string()));
  EXPECT_TRUE(Has(secret.status().message(), (dir_ / "hotline.secret").string()));

  auto cfg = LoadWithAdapter("app_secret_file = \"hotline.secret\"\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.Secret("app_secret_file"), "");
  Status st = s.Finish();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(st.message(), ConfigPath() + ":5: adapters.hotline12345.app_secret_file"));
  EXPECT_TRUE(Has(st.message(), (dir_ / "creds" / "hotline.secret").string()));
  EXPECT_TRUE(Has(st.message(), (dir_ / "hotline.secret").string()));
}

TEST_F(ConfigTest, EmptySecretFileIsRefused) {
  for (const char* content : {"", "\n", " \r\n"}) {
    WriteFile("hotline.secret", content);
    auto secret = ReadSecretFile("hotline.secret", dir_.string());
    EXPECT_EQ(secret.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Has(secret.status().message(), "empty"));
    EXPECT_TRUE(Has(secret.status().message(), (dir_ / "hotline.secret").string()));
  }
  auto cfg = LoadWithAdapter("app_secret_file = \"hotline.secret\"\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  (void)s.Secret("app_secret_file");
  EXPECT_TRUE(Has(s.Finish().message(), "adapters.hotline12345.app_secret_file"));
}

TEST_F(ConfigTest, SecretKeyMissingIsRequired) {
  auto cfg = LoadWithAdapter("");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.Secret("app_secret_file"), "");
  Status st = s.Finish();
  EXPECT_TRUE(Has(st.message(), "adapters.hotline12345.app_secret_file"));
  EXPECT_TRUE(Has(st.message(), "required"));
}

TEST_F(ConfigTest, SecretValueNeverAppearsInErrors) {
  WriteFile("hotline.secret", "s3cr3t-value\n");
  auto cfg = LoadWithAdapter("app_secret_file = \"hotline.secret\"\nlimit = 9999\n");
  ASSERT_TRUE(cfg.ok());
  Section s = cfg->AdapterSection("hotline12345");
  EXPECT_EQ(s.Secret("app_secret_file"), "s3cr3t-value");
  (void)s.Int("limit", 1, 1, 500);
  Status st = s.Finish();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message().find("s3cr3t-value"), std::string::npos);
}

}  // namespace
}  // namespace hs::config

namespace hs::config {
namespace {

class PushConfigTest : public ::testing::Test {
 protected:
  std::string Write(std::string_view content) {
    const std::string path = dir_.File("config.toml");
    std::ofstream(path) << "[ledger]\npath = \"/x.db\"\n" << content;
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(PushConfigTest, RoutingOutboxAndDeadlinesHaveDefaultsAndTakeValues) {
  auto defaults = Load(Write(""));
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->routing_file, "");
  EXPECT_EQ(defaults->outbox_max_attempts, 15);
  EXPECT_EQ(defaults->outbox_backoff_base_ms, 1000);
  EXPECT_EQ(defaults->outbox_backoff_cap_ms, 300'000);
  EXPECT_EQ(defaults->deadline_lead_provincial_ms, 48 * 3'600'000LL);
  EXPECT_EQ(defaults->deadline_lead_hotline_ms, 24 * 3'600'000LL);

  auto set =
      Load(Write("[routing]\nfile = \"routing.toml\"\n[outbox]\nmax_attempts = 3\n"
                 "backoff_base = \"50ms\"\nbackoff_cap = \"2s\"\n[deadlines]\n"
                 "provincial_lead = \"72h\"\nhotline_lead = \"1h\"\ncheck_every = \"30s\"\n"));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->routing_file, dir_.File("routing.toml"));  // Beside the configuration.
  EXPECT_EQ(set->outbox_max_attempts, 3);
  EXPECT_EQ(set->outbox_backoff_base_ms, 50);
  EXPECT_EQ(set->outbox_backoff_cap_ms, 2000);
  EXPECT_EQ(set->deadline_lead_provincial_ms, 72 * 3'600'000LL);
  EXPECT_EQ(set->deadline_check_ms, 30'000);
}

TEST_F(PushConfigTest, MistakesInTheNewSectionsNameTheKey) {
  auto typo = Load(Write("[outbox]\nmax_attempt = 3\n"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("outbox.max_attempt"), std::string::npos)
      << typo.status().message();
  auto range = Load(Write("[outbox]\nmax_attempts = 0\n"));
  EXPECT_FALSE(range.ok());
  auto duration = Load(Write("[deadlines]\nhotline_lead = \"soon\"\n"));
  ASSERT_FALSE(duration.ok());
  EXPECT_NE(duration.status().message().find("deadlines.hotline_lead"), std::string::npos)
      << duration.status().message();
}

}  // namespace
}  // namespace hs::config
