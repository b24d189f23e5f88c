#include "daemon/match/service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "daemon/config/config.h"
#include "daemon/config/shipped.h"
#include "daemon/core/json.h"
#include "daemon/crypto/crypto.h"
#include "daemon/ledger/cases.h"
#include "daemon/ledger/ledger_impl.h"
#include "daemon/ledger/sqlite.h"
#include "daemon/log/log.h"
#include "daemon/match/corpus.h"
#include "daemon/match/normalize.h"

namespace hs::match {
namespace {

// Decisions stored per ticket change, best first.
constexpr int kMaxApplied = 3;
constexpr int kMaxPending = 5;

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// The most specific grams both texts have, heaviest first.
std::vector<std::string> SharedGrams(const Profile& a, const Profile& b, size_t n) {
  std::vector<std::pair<uint8_t, Gram>> shared;
  size_t i = 0, j = 0;
  while (i < a.full.grams.size() && j < b.full.grams.size()) {
    if (a.full.grams[i] < b.full.grams[j]) {
      ++i;
    } else if (b.full.grams[j] < a.full.grams[i]) {
      ++j;
    } else {
      shared.emplace_back(a.full.weights[i], a.full.grams[i]);
      ++i;
      ++j;
    }
  }
  std::sort(shared.begin(), shared.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<std::string> out;
  for (size_t k = 0; k < shared.size() && k < n; ++k) out.push_back(GramText(shared[k].second));
  return out;
}

uint64_t Fingerprint(const MatchInput& in) {
  std::string all =
      std::to_string(in.at) + '\x1f' + in.title + '\x1f' + in.content + '\x1f' + in.category;
  for (const std::string& k : in.identity_keys) all += '\x1f' + k;
  return crypto::Fnv1a64(all);
}

}  // namespace

std::string EvidenceJson(const Candidate& c, const Profile& a, const Profile& b) {
  const Evidence& e = c.evidence;
  std::string out = "{\"identity\":";
  out += e.identity ? "true" : "false";
  out += ",\"title_jaccard\":" + Fixed(e.title_jaccard);
  out += ",\"text_jaccard\":" + Fixed(e.text_jaccard);
  out += ",\"title_containment\":" + Fixed(e.title_containment);
  out += ",\"text_containment\":" + Fixed(e.text_containment);
  out += ",\"cross\":" + Fixed(e.cross);
  out += ",\"cross_min\":" + Fixed(e.cross_min);
  out += ",\"gap_days\":" + Fixed(e.gap_days);
  out += ",\"category_differs\":";
  out += e.category_differs ? "true" : "false";
  out += ",\"shared\":[";
  const std::vector<std::string> shared = SharedGrams(a, b, 8);
  for (size_t i = 0; i < shared.size(); ++i) {
    if (i > 0) out += ',';
    json::AppendQuoted(out, shared[i]);
  }
  out += "]}";
  return out;
}

MatchService::MatchService(Vocabulary vocabulary, ServiceOptions options)
    : vocabulary_(std::move(vocabulary)),
      options_(std::move(options)),
      matcher_(vocabulary_, options_.match) {}

std::vector<std::pair<std::string, std::string>> MatchService::KeysOf(const Ticket& t) const {
  std::vector<std::pair<std::string, std::string>> keys;
  if (auto phone = CanonicalPhone(t.phone, options_.area_code)) {
    keys.emplace_back("phone", ComplainantKey(options_.hmac_key, "phone", *phone));
  }
  if (auto id = CanonicalIdNumber(t.id_number)) {
    keys.emplace_back("id", ComplainantKey(options_.hmac_key, "id", *id));
  }
  return keys;
}

MatchInput MatchService::InputOf(
    int64_t ticket_id, const Ticket& t,
    const std::vector<std::pair<std::string, std::string>>& keys) const {
  MatchInput in;
  in.ticket_id = ticket_id;
  in.at = t.accepted_at.value_or(t.updated_at);
  in.title = NormalizeText(t.title);
  in.content = NormalizeText(t.content);
  in.category = t.category;
  for (const auto& [kind, key] : keys) in.identity_keys.push_back(key);
  return in;
}

Status MatchService::Match(const ledger::Change& change, sql::Db& db, int64_t now_s) {
  const Ticket& t = *change.ticket;
  const std::vector<std::pair<std::string, std::string>> keys = KeysOf(t);
  MatchInput input = InputOf(change.ticket_id, t, keys);
  if (input.at == 0) input.at = now_s;
  const uint64_t fp = Fingerprint(input);
  const auto known = fingerprint_.find(change.ticket_id);
  if (known != fingerprint_.end() && known->second == fp) return Status::Ok();

  HS_RETURN_IF_ERROR(ledger::StoreMatchKeys(db, change.ticket_id, keys));
  Profile profile = matcher_.MakeProfile(input);
  // The best few of each kind: joining a case needs one applied match, and a hot spot of hundreds
  // must not cost hundreds of rows per ticket. An operator is asked at most once about each case
  // (with its best candidate), and never about the case the ticket is in: a ticket alike to five
  // members of a case is one question. (Applied decisions are kept as they come: each is the
  // evidence for a join, and their count is what limits how many cases one ticket can join.)
  int applied = 0, pending = 0;
  std::vector<int64_t> cases_decided;
  for (const Candidate& c : matcher_.Find(profile)) {
    if (applied >= kMaxApplied && pending >= kMaxPending) break;
    bool apply = c.confidence >= (c.same ? options_.apply_same : options_.apply_related);
    if (apply ? applied >= kMaxApplied : pending >= kMaxPending) continue;
    HS_ASSIGN_OR_RETURN(std::string verdict, ledger::VerdictOn(db, change.ticket_id, c.ticket_id));
    if (!verdict.empty()) continue;  // An operator decided this pair: final.
    HS_ASSIGN_OR_RETURN(bool mirrored, ledger::AreCounterparts(db, change.ticket_id, c.ticket_id));
    if (mirrored) continue;
    if (apply) {
      // Two tickets alike are not yet a reason to join everything either is linked to.
      HS_ASSIGN_OR_RETURN(double cohesion, Cohesion(db, profile, c.ticket_id));
      apply = cohesion >= options_.cohesion;
      if (!apply && pending >= kMaxPending) continue;
    }
    HS_ASSIGN_OR_RETURN(std::optional<int64_t> their_case, ledger::CaseOfTicket(db, c.ticket_id));
    if (!apply && their_case) {
      HS_ASSIGN_OR_RETURN(std::optional<int64_t> own_case,
                          ledger::CaseOfTicket(db, change.ticket_id));
      if (their_case == own_case || std::find(cases_decided.begin(), cases_decided.end(),
                                              *their_case) != cases_decided.end()) {
        continue;
      }
    }
    const Profile* other = matcher_.Indexed(c.ticket_id);
    ledger::NewDecision d;
    d.a_id = change.ticket_id;
    d.b_id = c.ticket_id;
    d.relation = c.same ? "same" : "related";
    d.confidence = c.confidence;
    d.apply = apply;
    d.evidence = EvidenceJson(c, profile, *other);
    HS_ASSIGN_OR_RETURN(int64_t id, ledger::StoreDecision(db, d, now_s));
    ++(apply ? applied : pending);
    if (id != 0) ++(apply ? staged_.applied : staged_.pending);
    // Applied, it may have made a case of the two or merged two: the case it is in now.
    HS_ASSIGN_OR_RETURN(their_case, ledger::CaseOfTicket(db, c.ticket_id));
    if (their_case) cases_decided.push_back(*their_case);
  }
  ++staged_.matched;
  Undo undo{change.ticket_id, std::nullopt, std::nullopt};
  if (const Profile* before = matcher_.Indexed(change.ticket_id)) undo.before = *before;
  if (known != fingerprint_.end()) undo.fingerprint_before = known->second;
  undo_.push_back(std::move(undo));
  matcher_.Add(std::move(profile));
  fingerprint_[change.ticket_id] = fp;
  return Status::Ok();
}

Result<double> MatchService::Cohesion(sql::Db& db, const Profile& p, int64_t other) const {
  constexpr int kSample = 8;
  HS_ASSIGN_OR_RETURN(std::vector<int64_t> mine, ledger::CaseMates(db, p.ticket_id, kSample));
  HS_ASSIGN_OR_RETURN(std::vector<int64_t> theirs, ledger::CaseMates(db, other, kSample));
  if (std::find(theirs.begin(), theirs.end(), p.ticket_id) != theirs.end()) return 1.0;
  theirs.push_back(other);
  double sum = 0;
  int n = 0;
  auto score_against_theirs = [&](const Profile& x) {
    for (int64_t id : theirs) {
      if (const Profile* y = matcher_.Indexed(id)) {
        sum += matcher_.Score(x, *y).confidence;
        ++n;
      }
    }
  };
  score_against_theirs(p);
  for (int64_t id : mine) {
    if (const Profile* x = matcher_.Indexed(id)) score_against_theirs(*x);
  }
  return n == 0 ? 1.0 : sum / n;
}

std::optional<Candidate> MatchService::Compare(int64_t a, int64_t b) const {
  const Profile* pa = matcher_.Indexed(a);
  const Profile* pb = matcher_.Indexed(b);
  if (pa == nullptr || pb == nullptr) return std::nullopt;
  return matcher_.Score(*pa, *pb);
}

void MatchService::Committed() {
  counts_.matched += staged_.matched;
  counts_.applied += staged_.applied;
  counts_.pending += staged_.pending;
  staged_ = {};
  undo_.clear();
}

void MatchService::Abandoned() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    matcher_.Remove(it->ticket_id);
    if (it->before) matcher_.Add(std::move(*it->before));
    if (it->fingerprint_before) {
      fingerprint_[it->ticket_id] = *it->fingerprint_before;
    } else {
      fingerprint_.erase(it->ticket_id);
    }
  }
  staged_ = {};
  undo_.clear();
}

Status MatchService::Load(ledger::Ledger& ledger) {
  auto* im = ledger.impl();
  std::lock_guard lock(im->mu);
  HS_ASSIGN_OR_RETURN(sql::Stmt st, sql::Stmt::Prepare(im->db, R"(
WITH t AS (SELECT id, title, content, category, phone, id_number,
                  coalesce(accepted_at, nullif(source_updated_at, 0), first_seen) AS at
           FROM tickets)
SELECT id, title, content, category, phone, id_number, at FROM t
WHERE at >= (SELECT max(at) FROM t) - ?1 ORDER BY at, id)"));
  st.Bind(1, options_.match.window_s);
  for (;;) {
    HS_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Ticket t;
    t.title = st.Text(1);
    t.content = st.Text(2);
    t.category = st.Text(3);
    t.phone = st.Text(4);
    t.id_number = st.Text(5);
    t.accepted_at = st.Int(6);
    MatchInput input = InputOf(st.Int(0), t, KeysOf(t));
    fingerprint_[input.ticket_id] = Fingerprint(input);
    matcher_.Add(matcher_.MakeProfile(input));
  }
  return Status::Ok();
}

Result<Vocabulary> LoadVocabulary(const std::string& file) {
  if (file.empty()) {
    const std::optional<std::string_view> shipped = config::ShippedFile("match_vocabulary.tsv");
    if (!shipped) return Status::Internal("the shipped schema/match_vocabulary.tsv is missing");
    return Vocabulary::Parse(*shipped);
  }
  HS_ASSIGN_OR_RETURN(std::string text, ReadFileText(file));
  auto v = Vocabulary::Parse(text);
  if (!v.ok()) return v.status().WithContext(file);
  return v;
}

Result<std::string> LoadMatchKey(const config::Config& cfg, bool* generated) {
  *generated = false;
  if (!cfg.match_key_file.empty()) {
    const std::string dir = std::filesystem::path(cfg.file).parent_path().string();
    auto key = config::ReadSecretFile(cfg.match_key_file, dir);
    if (!key.ok()) return key.status().WithContext(cfg.file + ": [match] key_file");
    if (key->size() < 16) {
      return Status::InvalidArgument(cfg.file +
                                     ": [match] key_file: the key is shorter than 16 "
                                     "characters; write at least 32 random bytes, e.g. "
                                     "`openssl rand -hex 32`");
    }
    return *key;
  }
  const std::string path = cfg.ledger_path + ".match-key";
  if (auto existing = ReadFileText(path); existing.ok() && existing->size() >= 32) {
    return *existing;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Unavailable(path + ": cannot create the matching key (" +
                               std::string(std::strerror(errno)) +
                               "); set [match] key_file to a credential instead");
  }
  const std::string key = crypto::RandomHex(32);
  const bool written =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return Status::Unavailable(path + ": cannot write the matching key");
  }
  *generated = true;
  return key;
}

Result<std::unique_ptr<MatchService>> CreateMatchService(const config::Config& cfg) {
  if (!cfg.match_enabled) return std::unique_ptr<MatchService>();
  HS_ASSIGN_OR_RETURN(Vocabulary vocabulary, LoadVocabulary(cfg.match_vocabulary_file));
  ServiceOptions options;
  options.match.window_s = cfg.match_window_s;
  options.match.ask = cfg.match_ask;
  options.apply_same = cfg.match_apply_same;
  options.apply_related = cfg.match_apply_related;
  options.cohesion = cfg.match_cohesion;
  options.area_code = cfg.match_area_code;
  bool generated = false;
  HS_ASSIGN_OR_RETURN(options.hmac_key, LoadMatchKey(cfg, &generated));
  if (generated) {
    log::Get("match")->warn(
        "made a new matching key beside the ledger ({}.match-key); on a server set [match] "
        "key_file to a credential (LoadCredential=) instead",
        cfg.ledger_path);
  }
  return std::make_unique<MatchService>(std::move(vocabulary), std::move(options));
}

}  // namespace hs::match
