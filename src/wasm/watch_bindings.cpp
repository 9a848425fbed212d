// The embind face of prolific::WatchSchedule (src/core/watch.hpp) for watchDatasets: the package
// sends the reads the schedule hands out (through startOperation) and reports their outcomes
// here. Schedules are kept by a positive handle; every function checks it. Values cross as plain
// JS objects; nothing here decides anything.
#include <emscripten.h>
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "id_table.hpp"
#include "watch.hpp"

namespace prolific::wasm {
namespace {

using emscripten::val;

// The open schedules by handle (src/wasm/id_table.hpp); each knows its dataset count.
IdTable<WatchSchedule>& schedules() {
  static auto* table = new IdTable<WatchSchedule>();
  return *table;
}

int next_handle = 0;

WatchSchedule* find_schedule(int handle) { return schedules().find(handle); }

double number_or(const val& object, const char* name, double fallback) {
  val value = object[name];
  return value.isNumber() ? value.as<double>() : fallback;
}

bool is_object(const val& value) { return !value.isNull() && value.typeOf().as<std::string>() == "object"; }

val error_result(const Error& error) {
  val out = val::object();
  out.set("kind", std::string(error_kind_name(error.kind)));
  out.set("message", error.message);
  return out;
}

val update_value(const WatchUpdate& update) {
  val out = val::object();
  out.set("changed", update.changed);
  out.set("terminal", update.terminal);
  out.set("attempt", update.attempt);
  out.set("elapsedMs", update.elapsed_ms);
  out.set("failsCall", update.fails_call);
  return out;
}

// The schedule of `handle` when `index` is one of its positions, else null.
WatchSchedule* checked(int handle, double index) {
  WatchSchedule* schedule = find_schedule(handle);
  if (!schedule || !std::isfinite(index) || index < 0 || static_cast<std::size_t>(index) >= schedule->count()) {
    return nullptr;
  }
  return schedule;
}

std::optional<ErrorKind> kind_from_name(const std::string& name) {
  for (ErrorKind kind : {ErrorKind::invalid_argument, ErrorKind::api, ErrorKind::network, ErrorKind::timeout,
                         ErrorKind::invalid_response, ErrorKind::dataset_processing}) {
    if (name == error_kind_name(kind)) return kind;
  }
  return std::nullopt;
}

/// Checks the options of a whole call: `{ baseUrl, token?, timeoutMs?, maxRetries? }` with the
/// rules of src/core (validate_client_options). Returns undefined, or { kind, message }.
val check_client_options(val options) {
  if (!is_object(options)) return error_result(make_error(ErrorKind::invalid_argument, "options must be an object"));
  ClientOptions client;
  val base_url = options["baseUrl"];
  if (!base_url.isString()) return error_result(make_error(ErrorKind::invalid_argument, "baseUrl must be a string"));
  client.base_url = base_url.as<std::string>();
  val token = options["token"];
  if (token.isString()) {
    client.token = token.as<std::string>();
  } else if (!token.isUndefined()) {
    return error_result(make_error(ErrorKind::invalid_argument, "token must be a string"));
  }
  client.timeout_ms = number_or(options, "timeoutMs", client.timeout_ms);
  double retries = number_or(options, "maxRetries", client.max_retries);
  if (!std::isfinite(retries) || retries < 0 || retries > 1000 || std::floor(retries) != retries) {
    return error_result(make_error(ErrorKind::invalid_argument, "maxRetries must be a whole number from 0 to 1000"));
  }
  client.max_retries = static_cast<int>(retries);
  if (auto error = validate_client_options(client)) return error_result(*error);
  return val::undefined();
}

/// Checks one dataset id with the rules of src/core (validate_dataset_id): undefined, or
/// { kind, message }. For tools that must find every bad id before sending anything.
val check_dataset_id(val dataset_id) {
  if (!dataset_id.isString()) return error_result(make_error(ErrorKind::invalid_argument, "dataset id must be a string"));
  if (auto error = validate_dataset_id(dataset_id.as<std::string>())) return error_result(*error);
  return val::undefined();
}

/// Creates a schedule: `{ count, concurrency, intervalMs, maxIntervalMs, deadlineMs, seed, nowMs }`.
/// Returns { handle } or { error: { kind, message } } for options src/core refuses.
val create_watch(val config) {
  val out = val::object();
  if (!is_object(config)) {
    out.set("error", error_result(make_error(ErrorKind::invalid_argument, "config must be an object")));
    return out;
  }
  WatchOptions options;
  options.interval_ms = number_or(config, "intervalMs", options.interval_ms);
  options.max_interval_ms = number_or(config, "maxIntervalMs", options.max_interval_ms);
  options.deadline_ms = number_or(config, "deadlineMs", options.deadline_ms);
  double concurrency = number_or(config, "concurrency", options.concurrency);
  double count = number_or(config, "count", 0);
  if (!std::isfinite(concurrency) || concurrency < 1 || concurrency > 1e6 || !std::isfinite(count) || count < 0 ||
      count > 1e7) {
    out.set("error", error_result(make_error(ErrorKind::invalid_argument, "concurrency or count out of range")));
    return out;
  }
  options.concurrency = static_cast<int>(concurrency);
  if (auto error = validate_watch_options(options)) {
    out.set("error", error_result(*error));
    return out;
  }
  double seed = number_or(config, "seed", 1);
  auto schedule = std::make_unique<WatchSchedule>(static_cast<std::size_t>(count), options,
                                                  static_cast<std::uint64_t>(std::fabs(seed)));
  schedule->start(number_or(config, "nowMs", 0));
  int handle = next_handle = next_handle >= 2147483646 ? 1 : next_handle + 1;
  schedules().put(handle, std::move(schedule));
  out.set("handle", handle);
  return out;
}

/// The next read to send now, { index, kind: "status" | "dataset" }, or null.
val watch_take_due(int handle, double now_ms) {
  WatchSchedule* schedule = find_schedule(handle);
  if (!schedule) return val::null();
  std::optional<WatchRead> read = schedule->take_due(now_ms);
  if (!read) return val::null();
  val out = val::object();
  out.set("index", static_cast<double>(read->index));
  out.set("kind", std::string(read->kind == WatchRead::Kind::dataset ? "dataset" : "status"));
  return out;
}

/// Ms until the schedule wants a pump (a poll or the deadline), or -1 when only a read's end can.
double watch_next_wake_ms(int handle, double now_ms) {
  WatchSchedule* schedule = find_schedule(handle);
  if (!schedule) return -1;
  std::optional<double> wake = schedule->next_wake_ms(now_ms);
  return wake ? *wake : -1;
}

/// Positions finished by the deadline (an array), empty before it.
val watch_expire(int handle, double now_ms) {
  val out = val::array();
  WatchSchedule* schedule = find_schedule(handle);
  if (!schedule) return out;
  for (std::size_t index : schedule->expire(now_ms)) out.call<void>("push", static_cast<double>(index));
  return out;
}

/// A status read ended: `status` a string, or null/undefined for none (V4).
val watch_on_status(int handle, double index, val status, double now_ms) {
  WatchSchedule* schedule = checked(handle, index);
  if (!schedule) return val::null();
  std::optional<std::string> text;
  if (status.isString()) text = status.as<std::string>();
  return update_value(schedule->on_status(static_cast<std::size_t>(index), text, now_ms));
}

/// A dataset read ended, listing `imports` (an array of { importId, status }) and leaving out
/// `omitted` more (getDataset's omittedImportCount; undefined for none). The update carries
/// `imports`: the jobs as the schedule now holds them, [{ importId, status }] in listed order.
val watch_on_dataset(int handle, double index, val imports, val omitted, double now_ms) {
  WatchSchedule* schedule = checked(handle, index);
  if (!schedule) return val::null();
  std::vector<WatchedImport> jobs;
  if (imports.isArray()) {
    auto length = imports["length"].as<unsigned>();
    for (unsigned i = 0; i < length && i < 100000; ++i) {
      val job = imports[i];
      if (!is_object(job) || !job["importId"].isString() || !job["status"].isString()) continue;
      jobs.push_back({job["importId"].as<std::string>(), job["status"].as<std::string>()});
    }
  }
  double left_out = omitted.isNumber() ? omitted.as<double>() : 0;
  std::size_t omitted_count =
      std::isfinite(left_out) && left_out > 0 ? static_cast<std::size_t>(std::min(left_out, 1e12)) : 0;
  auto position = static_cast<std::size_t>(index);
  val out = update_value(schedule->on_dataset(position, std::move(jobs), omitted_count, now_ms));
  val held = val::array();
  for (const WatchedImport& job : schedule->imports(position)) {
    val entry = val::object();
    entry.set("importId", job.import_id);
    entry.set("status", job.status);
    held.call<void>("push", entry);
  }
  out.set("imports", held);
  return out;
}

/// A read failed: `failure` is { kind, httpStatus?, retryAfterMs? } (kind as error_kind_name).
val watch_on_failure(int handle, double index, val failure, double now_ms) {
  WatchSchedule* schedule = checked(handle, index);
  if (!schedule || !is_object(failure)) return val::null();
  val kind = failure["kind"];
  std::optional<ErrorKind> error_kind = kind.isString() ? kind_from_name(kind.as<std::string>()) : std::nullopt;
  Error error = make_error(error_kind.value_or(ErrorKind::invalid_argument), "");
  double http_status = number_or(failure, "httpStatus", 0);
  error.http_status = std::isfinite(http_status) && http_status >= 0 && http_status < 1000 ? static_cast<int>(http_status) : 0;
  val retry_after = failure["retryAfterMs"];
  if (retry_after.isNumber()) error.retry_after_ms = retry_after.as<double>();
  return update_value(schedule->on_failure(static_cast<std::size_t>(index), error, now_ms));
}

bool watch_done(int handle) {
  WatchSchedule* schedule = find_schedule(handle);
  return !schedule || schedule->done();
}

/// Frees a schedule; safe to call twice.
void watch_close(int handle) {
  schedules().take(handle);
}

}  // namespace

EMSCRIPTEN_BINDINGS(prolific_watch) {
  emscripten::function("checkClientOptions", &check_client_options);
  emscripten::function("checkDatasetId", &check_dataset_id);
  emscripten::function("createWatch", &create_watch);
  emscripten::function("watchTakeDue", &watch_take_due);
  emscripten::function("watchNextWakeMs", &watch_next_wake_ms);
  emscripten::function("watchExpire", &watch_expire);
  emscripten::function("watchOnStatus", &watch_on_status);
  emscripten::function("watchOnDataset", &watch_on_dataset);
  emscripten::function("watchOnFailure", &watch_on_failure);
  emscripten::function("watchDone", &watch_done);
  emscripten::function("watchClose", &watch_close);
}

}  // namespace prolific::wasm
