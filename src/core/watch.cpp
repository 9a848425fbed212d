#include "watch.hpp"

#include <algorithm>
#include <limits>

#include "lifecycle.hpp"
#include "operation.hpp"
#include "order.hpp"
#include "retry.hpp"

namespace prolific {

std::optional<Error> validate_watch_options(const WatchOptions& options) {
  WaitOptions wait{options.interval_ms, options.max_interval_ms, options.deadline_ms};
  if (auto error = validate_wait_options(wait)) return error;
  if (options.concurrency < 1) return make_error(ErrorKind::invalid_argument, "concurrency must be 1 or more");
  return std::nullopt;
}

std::optional<Error> validate_client_options(const ClientOptions& options) {
  // build_status_request holds the rules; a well-formed id leaves only the call's own options.
  Result<HttpRequest> request = build_status_request("dataset", options);
  if (!request.ok()) return request.error();
  return std::nullopt;
}

WatchSchedule::WatchSchedule(std::size_t count, WatchOptions options, std::uint64_t seed)
    : options_(options), entries_(count), random_state_(seed ? seed : 0x9e3779b97f4a7c15ULL), unfinished_(count) {}

void WatchSchedule::start(double now_ms) {
  start_ms_ = now_ms;
  for (std::size_t i = 0; i < entries_.size(); ++i) set_due(i, now_ms);
}

void WatchSchedule::set_due(std::size_t index, double due_ms) {
  entries_[index].due_ms = due_ms;
  due_.emplace(due_ms, index);
}

void WatchSchedule::drop_stale() const {
  while (!due_.empty()) {
    const auto& [due_ms, index] = due_.top();
    const Entry& entry = entries_[index];
    if (!entry.finished && !entry.in_flight && entry.due_ms == due_ms) return;
    due_.pop();
  }
}

double WatchSchedule::next_random() {
  // xorshift64*: jitter only, not security.
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  return static_cast<double>((random_state_ * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

std::optional<WatchRead> WatchSchedule::take_due(double now_ms) {
  if (ended_ || in_flight_ >= options_.concurrency || remaining_ms(now_ms) <= 0) return std::nullopt;
  drop_stale();
  if (due_.empty() || due_.top().first > now_ms) return std::nullopt;
  std::size_t best_index = due_.top().second;
  due_.pop();
  Entry* best = &entries_[best_index];
  best->in_flight = true;
  ++in_flight_;
  WatchRead read;
  read.index = best_index;
  read.kind = best->phase == Entry::Phase::dataset ? WatchRead::Kind::dataset : WatchRead::Kind::status;
  return read;
}

std::optional<double> WatchSchedule::next_wake_ms(double now_ms) const {
  if (ended_ || unfinished_ == 0) return std::nullopt;
  double deadline = std::max(0.0, remaining_ms(now_ms));
  if (in_flight_ >= options_.concurrency) return deadline;
  drop_stale();
  double earliest = due_.empty() ? std::numeric_limits<double>::infinity() : due_.top().first;
  return std::min(deadline, std::max(0.0, earliest - now_ms));
}

std::vector<std::size_t> WatchSchedule::expire(double now_ms) {
  std::vector<std::size_t> expired;
  if (ended_ || remaining_ms(now_ms) > 0) return expired;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    if (entry.finished) continue;
    if (entry.in_flight) {
      entry.in_flight = false;
      --in_flight_;
    }
    finish(entry);
    expired.push_back(i);
  }
  return expired;
}

void WatchSchedule::finish(Entry& entry) {
  if (entry.finished) return;
  entry.finished = true;
  --unfinished_;
}

WatchUpdate WatchSchedule::begin_update(Entry& entry, double now_ms) {
  if (entry.in_flight) {
    entry.in_flight = false;
    --in_flight_;
  }
  ++entry.reads;
  WatchUpdate update;
  update.attempt = entry.reads;
  update.elapsed_ms = now_ms - start_ms_;
  return update;
}

void WatchSchedule::schedule_poll(std::size_t index, double now_ms) {
  Entry& entry = entries_[index];
  ++entry.polls;
  set_due(index, now_ms + poll_delay_ms(entry.polls - 1, options_.interval_ms, options_.max_interval_ms, next_random()));
}

bool WatchSchedule::all_imports_terminal(const Entry& entry) const {
  return std::all_of(entry.imports.begin(), entry.imports.end(),
                     [](const WatchedImport& job) { return is_terminal_import_status(job.status); });
}

WatchUpdate WatchSchedule::on_status(std::size_t index, std::optional<std::string> status, double now_ms) {
  Entry& entry = entries_[index];
  WatchUpdate update = begin_update(entry, now_ms);
  entry.failures_in_a_row = 0;
  std::string text = status.value_or("");
  update.changed = !entry.read_once || text != entry.status;
  entry.read_once = true;
  entry.status = std::move(text);
  if (!status) {
    // No status of its own (V4): its import jobs carry the processing state; read the dataset,
    // which lists them, now.
    entry.phase = Entry::Phase::dataset;
    set_due(index, now_ms);
  } else if (entry.status == "READY" || entry.status == "ERROR") {
    finish(entry);
    update.terminal = true;
  } else {
    schedule_poll(index, now_ms);
  }
  return update;
}

WatchUpdate WatchSchedule::on_dataset(std::size_t index, std::vector<WatchedImport> imports, std::size_t omitted,
                                      double now_ms) {
  Entry& entry = entries_[index];
  WatchUpdate update = begin_update(entry, now_ms);
  entry.failures_in_a_row = 0;
  update.changed = imports.size() != entry.imports.size() || omitted != entry.omitted;
  // The last read's jobs by id (a listing holds up to max_listed_imports jobs): their positions
  // sorted by id, the first listed of equal ids first, searched in O(log n) per job.
  const std::vector<WatchedImport>& last = entry.imports;
  std::vector<std::size_t> by_id(last.size());
  for (std::size_t i = 0; i < by_id.size(); ++i) by_id[i] = i;
  sort_positions(by_id, [&last](std::size_t a, std::size_t b) {
    int compared = last[a].import_id.compare(last[b].import_id);
    return compared < 0 || (compared == 0 && a < b);
  });
  for (WatchedImport& job : imports) {
    auto found = std::lower_bound(by_id.begin(), by_id.end(), job.import_id,
                                  [&last](std::size_t at, const std::string& id) { return last[at].import_id < id; });
    if (found == by_id.end() || last[*found].import_id != job.import_id) {
      update.changed = true;
      continue;
    }
    const std::string& known = last[*found].status;
    if (is_terminal_import_status(known) && known != job.status) {
      job.status = known;  // a terminal import job never changes
    } else if (known != job.status) {
      update.changed = true;
    }
  }
  entry.imports = std::move(imports);
  entry.omitted = omitted;
  if (!entry.imports.empty() && all_imports_terminal(entry)) {
    // A cut list keeps unfinished jobs first (parse_dataset): all listed terminal means all are.
    finish(entry);
    update.terminal = true;
  } else {
    // Nothing listed yet, or a job still runs (perhaps more among the omitted): one dataset read
    // per round, on the dataset's own growing schedule.
    schedule_poll(index, now_ms);
  }
  return update;
}

WatchUpdate WatchSchedule::on_failure(std::size_t index, const Error& error, double now_ms) {
  Entry& entry = entries_[index];
  WatchUpdate update = begin_update(entry, now_ms);
  if (error.kind == ErrorKind::api && error.http_status == 401) {
    // The token is wrong for every dataset: nothing more is sent.
    ended_ = true;
    update.fails_call = true;
    update.terminal = true;
    update.changed = true;
    finish(entry);
    return update;
  }
  if (!is_retryable(error)) {
    finish(entry);
    update.terminal = true;
    update.changed = true;
    return update;
  }
  set_due(index, now_ms + retry_delay_ms(error.retry_after_ms, entry.failures_in_a_row, next_random()));
  ++entry.failures_in_a_row;
  return update;
}

bool WatchSchedule::done() const { return in_flight_ == 0 && (ended_ || unfinished_ == 0); }

}  // namespace prolific
