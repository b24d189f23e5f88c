// The simulated 12345 platform's data: a generated city of work orders (工单) for Yueyang, each
// with its whole timed life, and the store that answers "what does the platform hold at simulated
// time T", paged in (gxsj, gdbh) order as platforms/hotline-12345.md describes. It can instead hold
// the records of an orders file, served byte for byte. HotlineSim (sim.h) puts HTTP in front of it.
//
// Generation is deterministic: the same seed and options give the same orders, texts and histories
// (a seeded std::mt19937_64 and the project's own distributions, never std::random_device).
//
// Thread-safety: none. A SimWorld is used by one thread at a time (HotlineSim holds a mutex).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/core/result.h"
#include "daemon/core/status.h"

namespace hs::hotline12345 {

// A place in the store's (gxsj, gdbh) order: a cursor remembers the last record it returned.
struct PagePosition {
  int64_t gxsj = 0;
  std::string gdbh;
  uint32_t seq = 0;  // Breaks ties between records with one gdbh (an orders file may repeat one).
};

// One page read from the store.
struct WorldPage {
  std::string list;  // The records as JSON, separated by commas, without the brackets.
  int count = 0;
  bool has_more = false;
  PagePosition last;  // The last record returned; meaningful when count > 0.
};

// The answer to a create (POST /gongdan).
struct CreateOutcome {
  Status status;           // InvalidArgument when the body is refused; the message names the field.
  std::string gdbh;        // The new order, or the first one made with this wbbh.
  bool duplicate = false;  // The wbbh was seen before (40901 外部编号重复); nothing was created.
};

// What happened to a note appended to the transfer log (POST /gongdan/{gdbh}/lzjl).
enum class NoteOutcome {
  kAppended,
  kAlreadyThere,  // An entry with the same wbbh exists: the call had no effect.
};

class SimWorld {
 public:
  // Generates `count` orders accepted (受理) evenly over [first_accept, last_accept] (Unix
  // seconds, inclusive), each with its whole life planned. Nothing is visible before AdvanceTo.
  // REQUIRES: count >= 0, first_accept <= last_accept.
  static std::unique_ptr<SimWorld> Generate(uint64_t seed, int count, int64_t first_accept,
                                            int64_t last_accept);

  // Holds the records of an orders file: one JSON record per line, served as the line's raw text
  // (a trailing '\r' dropped). Lines of only white space are skipped. gdbh and gxsj are read
  // leniently for ordering; a line where they cannot be read (even one that is not JSON) sorts
  // first with empty keys, so it is served only to readers without `since`. Records are visible
  // at once and never change by themselves. `seed` drives the lives of orders created later.
  static std::unique_ptr<SimWorld> FromJsonLines(std::string_view text, uint64_t seed);

  ~SimWorld();
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;

  // Applies, in time order, every planned step at or before `now` (Unix seconds). Time never goes
  // back: an earlier `now` is ignored.
  void AdvanceTo(int64_t now);
  int64_t now() const;

  // Orders generated, loaded or created, including those not yet accepted at now().
  size_t total_orders() const;
  // Orders visible at now().
  size_t visible_orders() const;

  // Up to `limit` visible records in (gxsj, gdbh) order: those after `after` when given, else
  // those whose current gxsj >= `since` (all when since is absent). REQUIRES: limit >= 1.
  WorldPage ReadPage(std::optional<int64_t> since, const PagePosition* after, int limit);

  // The record of a visible order as JSON, or nullptr when unknown or not yet accepted. The
  // pointer is valid until the world next changes.
  const std::string* Find(std::string_view gdbh);

  // Creates an order pushed from elsewhere, accepted and dispatched (派单) at now(), with a
  // planned life from there on. `body` holds the record fields the sender knows; wbbh is required
  // and qdly must be 省平台转办 or 信访平台推送. Errors (in status): InvalidArgument naming the
  // field. A wbbh seen before gives duplicate with the first gdbh. REQUIRES: AdvanceTo was called.
  CreateOutcome Create(const rapidjson::Value& body);

  // Appends a 备注 note to a visible order's lzjl at now(), held by its current unit. Idempotent
  // on `wbbh` per order. Errors: NotFound for an unknown order; InvalidArgument when the order
  // comes from an orders file line that is not a JSON object with an lzjl array.
  Result<NoteOutcome> AppendNote(std::string_view gdbh, std::string_view sm, std::string_view wbbh);

  // Every visible order as (gdbh, JSON record), sorted by gdbh then position.
  std::vector<std::pair<std::string, std::string>> Snapshot();

 private:
  struct State;
  explicit SimWorld(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace hs::hotline12345
