// watchDatasets as a schedule: many datasets, each polled on its own growing, jittered interval,
// with ONE request budget for the whole call (DESIGN.md, "Functions"). It decides which dataset
// is due, what to read for it (its status, or for a V4 dataset the dataset itself, which lists its
// import jobs), how long to wait after each read or failure, and when a dataset or the whole call
// is finished. No clock, no I/O:
// the caller sends the reads it hands out and reports their outcomes with the time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "request.hpp"
#include "result.hpp"

namespace prolific {

/// Options of watchDatasets, in ms (defaults as DESIGN.md).
struct WatchOptions {
  double interval_ms = 2000;        ///< delay before a dataset's second poll
  double max_interval_ms = 30000;   ///< longest delay between two polls of one dataset
  double deadline_ms = 15 * 60000;  ///< the whole call
  int concurrency = 6;              ///< requests in flight at once, for the whole call
};

/// Checks watch options: the wait options' rules (validate_wait_options) and a concurrency of 1
/// or more. Returns an invalid_argument Error or nothing.
std::optional<Error> validate_watch_options(const WatchOptions& options);

/// Checks the options that hold for every read of a call (base URL, token, timeout, retries)
/// with the rules of build_status_request, without a dataset id: an Error here is wrong for the
/// whole call (watchDatasets and getDatasetStatuses reject with a TypeError), not for one id.
std::optional<Error> validate_client_options(const ClientOptions& options);

/// One import job as the schedule knows it: its id and last status.
struct WatchedImport {
  std::string import_id;
  std::string status;
};

/// A read to send now.
struct WatchRead {
  enum class Kind {
    status,   ///< GET .../datasets/{id}/status
    dataset,  ///< GET .../datasets/{id} (a V4 dataset: lists every import job with its status)
  };
  std::size_t index = 0;  ///< the dataset, by its position in the call
  Kind kind = Kind::status;
};

/// What a read meant for its dataset, for onUpdate.
struct WatchUpdate {
  bool changed = false;     ///< the status or an import job's status differs from the last read's
  bool terminal = false;    ///< the dataset is finished (no further read)
  int attempt = 0;          ///< reads of this dataset so far, counting this one (from 1)
  double elapsed_ms = 0;    ///< since the call started
  bool fails_call = false;  ///< the whole call ends with this read's error (HTTP 401)
};

/// The schedule of one watchDatasets call over `count` datasets (positions 0…count-1).
class WatchSchedule {
 public:
  /// `seed` drives the jitter. The options must have passed validate_watch_options.
  WatchSchedule(std::size_t count, WatchOptions options, std::uint64_t seed);

  /// Starts at `now_ms` (any monotonic clock, in ms): every dataset is due at once.
  void start(double now_ms);

  /// The next read to send now: the dataset due the longest, when the budget has room. The read
  /// is counted in flight until its outcome is reported. Nothing when no dataset is due, the
  /// budget is full, the deadline has passed or the call has ended.
  std::optional<WatchRead> take_due(double now_ms);

  /// Ms until something is due (the next dataset's poll, or the deadline), or nothing when only
  /// the end of a read in flight can change anything (or all is finished).
  std::optional<double> next_wake_ms(double now_ms) const;

  /// Once the deadline has passed: finishes every dataset not yet finished and returns their
  /// positions (their reads in flight are to be abandoned); empty before the deadline.
  std::vector<std::size_t> expire(double now_ms);

  /// A status read ended with `status` (nothing: the API sent no status, a V4 dataset, whose
  /// dataset read comes next, at once). READY and ERROR finish the dataset.
  WatchUpdate on_status(std::size_t index, std::optional<std::string> status, double now_ms);

  /// A dataset read (V4) ended, listing `imports` (as parse_dataset keeps them) and saying that
  /// `omitted` more were left out of the list. The dataset read lists every import job with its
  /// status, so a V4 dataset costs ONE request per poll round however many jobs it has: the
  /// dataset is read again on its own growing schedule until every job is terminal
  /// (is_terminal_import_status). A job once read terminal stays so (a later listing cannot undo
  /// it). Finished when at least one job is listed and every listed job is terminal: a cut list
  /// (omitted > 0) holds every unfinished job before any terminal one (parse_dataset), so while
  /// any job could be unfinished a listed one is, and the dataset is read again. No job listed
  /// (nothing uploaded yet, or none readable) is never finished: read again later.
  WatchUpdate on_dataset(std::size_t index, std::vector<WatchedImport> imports, std::size_t omitted, double now_ms);

  /// A read failed with `error` (its kind, http_status and retry_after_ms are what count). HTTP
  /// 401 ends the whole call (fails_call); an error is_retryable() rejects is permanent and
  /// finishes this dataset; any other is tried again after retry_delay_ms (Retry-After honoured),
  /// until the deadline.
  WatchUpdate on_failure(std::size_t index, const Error& error, double now_ms);

  /// True when every dataset is finished (or the call has ended) and no read is in flight.
  bool done() const;
  /// Ms left before the deadline (may be negative).
  double remaining_ms(double now_ms) const { return options_.deadline_ms - (now_ms - start_ms_); }
  /// How many datasets the schedule watches (positions 0…count()-1).
  std::size_t count() const { return entries_.size(); }
  /// Reads in flight now.
  int in_flight() const { return in_flight_; }
  /// The last status read for dataset `index`, "" when none or none of its own (V4).
  const std::string& last_status(std::size_t index) const { return entries_[index].status; }
  /// The import jobs of dataset `index` (V4) as its last dataset read listed them, in its order,
  /// with the statuses the schedule holds (a job read terminal before keeps that status).
  const std::vector<WatchedImport>& imports(std::size_t index) const { return entries_[index].imports; }
  /// How many import jobs the last dataset read of `index` left out of its list (0 when none).
  std::size_t omitted_imports(std::size_t index) const { return entries_[index].omitted; }

 private:
  struct Entry {
    enum class Phase { status, dataset } phase = Phase::status;
    double due_ms = 0;
    bool in_flight = false;
    bool finished = false;
    int reads = 0;               // reads sent and ended, failures included
    int polls = 0;               // completed poll rounds, for the growing interval
    int failures_in_a_row = 0;
    bool read_once = false;
    std::string status;
    std::vector<WatchedImport> imports;
    std::size_t omitted = 0;     // import jobs the last dataset read left out
  };

  /// Sets when dataset `index` is next due and queues it.
  void set_due(std::size_t index, double due_ms);
  /// Drops queued times that no longer hold (finished, in flight, or moved) from the top.
  void drop_stale() const;
  WatchUpdate begin_update(Entry& entry, double now_ms);
  void finish(Entry& entry);
  void schedule_poll(std::size_t index, double now_ms);
  bool all_imports_terminal(const Entry& entry) const;
  double next_random();

  WatchOptions options_;
  std::vector<Entry> entries_;
  /// (due time, position), earliest first, ties in input order; stale pairs are skipped lazily,
  /// so finding the next due dataset costs O(log n) however many are watched.
  using Due = std::pair<double, std::size_t>;
  mutable std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  std::uint64_t random_state_;
  double start_ms_ = 0;
  int in_flight_ = 0;
  std::size_t unfinished_ = 0;
  bool ended_ = false;
};

}  // namespace prolific
