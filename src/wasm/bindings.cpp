// The embind face of the module: getDatasetStatus returns a JS Promise that always resolves
// with a result value ({ ok: true, status } or { ok: false, error }); the package maps it to the
// public classes. Each call is a prolific::StatusOperation driven by fetch results and timers.
#include <emscripten.h>
#include <emscripten/bind.h>
#include <emscripten/eventloop.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "id_table.hpp"
#include "lifecycle.hpp"
#include "operation.hpp"
#include "operation_kinds.hpp"
#include "order.hpp"
#include "response.hpp"
#include "transport.hpp"

// src/wasm/library_transport.js
extern "C" {
emscripten::EM_VAL prolific_create_deferred(emscripten::EM_VAL* resolve);
void prolific_resolve_ok(emscripten::EM_VAL resolve, const char* status, const char* json);
}

namespace prolific::wasm {
namespace {

using emscripten::val;

enum class TimerPurpose { none, attempt_timeout, sleep };

// setTimeout holds delays up to 2^31 - 1 ms; a longer one fires at once (Node also warns). Longer
// delays are armed in steps of at most this, until their due time.
constexpr double max_timer_ms = 2147483647.0;

struct PendingOperation {
  int id = 0;
  StatusOperation operation;
  val resolve = val::undefined();    // the resolve function of the operation's promise
  val on_status = val::undefined();  // function(report) or undefined
  emscripten_fetch_t* fetch = nullptr;
  bool in_flight = false;
  TimerPurpose timer_purpose = TimerPurpose::none;
  double timer_due_ms = 0;  // emscripten_get_now() time the timer is for (see ModuleTimer)
};

// The running operations by id (src/wasm/id_table.hpp: a sorted vector, smaller in the module
// than std::map, itself 3 KB smaller than std::unordered_map; docs/PERFORMANCE.md).
IdTable<PendingOperation>& operations() {
  static auto* table = new IdTable<PendingOperation>();
  return *table;
}

PendingOperation* find_operation(int id) { return operations().find(id); }

// One JS timer for the whole module instead of one setTimeout/clearTimeout per attempt: each
// operation keeps the due time of its own timer (an attempt's timeout, or the sleep before a
// retry or the next poll), and one setTimeout is armed for the earliest of them. An answer that
// comes before its attempt's timeout costs no timer call; the timer is cleared when no operation
// holds a due time any more (Node's event loop is not kept alive by it). docs/PERFORMANCE.md.
struct ModuleTimer {
  long handle = 0;
  bool armed = false;
  double fires_ms = 0;    // emscripten_get_now() time the armed timer fires at
  int operations = 0;     // operations whose timer_purpose is not none
};
ModuleTimer g_timer;

void on_module_timer(void* data);

// Arms the module's timer for `due_ms` unless it already fires at or before then. Delays past
// 2^31 - 1 ms are armed in steps (max_timer_ms): the timer then finds nothing due and re-arms.
void arm_module_timer(double due_ms) {
  if (g_timer.armed && g_timer.fires_ms <= due_ms) return;
  if (g_timer.armed) emscripten_clear_timeout(g_timer.handle);
  double delay = std::min(std::max(due_ms - emscripten_get_now(), 0.0), max_timer_ms);
  g_timer.armed = true;
  g_timer.fires_ms = emscripten_get_now() + delay;
  g_timer.handle = emscripten_set_timeout(on_module_timer, delay, nullptr);
}

void clear_timer(PendingOperation& pending) {
  if (pending.timer_purpose == TimerPurpose::none) return;
  pending.timer_purpose = TimerPurpose::none;
  if (--g_timer.operations == 0 && g_timer.armed) {
    emscripten_clear_timeout(g_timer.handle);
    g_timer.armed = false;
  }
}

val optional_number(const std::optional<double>& value) { return value ? val(*value) : val::undefined(); }

val error_value(const Error& error) {
  val out = val::object();
  out.set("kind", std::string(error_kind_name(error.kind)));
  out.set("message", error.message);
  out.set("datasetId", error.dataset_id);
  switch (error.kind) {
    case ErrorKind::api:
      out.set("httpStatus", error.http_status);
      out.set("errorCode", error.error_code ? val(static_cast<double>(*error.error_code)) : val::undefined());
      out.set("title", error.title);
      out.set("detail", error.detail);
      out.set("additionalInformation", error.additional_information.empty() ? val::undefined()
                                                                              : val(error.additional_information));
      out.set("retryAfterMs", optional_number(error.retry_after_ms));
      break;
    case ErrorKind::invalid_response:
      out.set("httpStatus", error.http_status);
      out.set("bodySnippet", error.body_snippet);
      break;
    case ErrorKind::network:
      out.set("cause", error.cause.empty() ? val::undefined() : val(error.cause));
      break;
    case ErrorKind::timeout:
      out.set("timeoutMs", error.timeout_ms);
      break;
    case ErrorKind::dataset_processing:
      out.set("status", error.status);
      break;
    case ErrorKind::no_status:
      out.set("status", val::null());
      break;
    case ErrorKind::invalid_argument:
      break;
  }
  return out;
}

val failure_value(val error) {
  val out = val::object();
  out.set("ok", false);
  out.set("error", error);
  return out;
}

// Settles the operation's promise and forgets the operation.
void settle(int id, val result) {
  std::unique_ptr<PendingOperation> pending = operations().take(id);
  if (!pending) return;
  clear_timer(*pending);
  pending->resolve(result);
}

// Settles operation `id` with a success, { ok: true, status, json? }, built by one JS call
// instead of an object and its properties set one by one through embind. A null status is
// `status_null`; an empty `json` is left out.
void settle_ok(int id, const std::string* status, bool status_null, const std::string& json) {
  std::unique_ptr<PendingOperation> pending = operations().take(id);
  if (!pending) return;
  clear_timer(*pending);
  if (status && !status_null && status->find('\0') != std::string::npos) {
    // A status may hold an escaped NUL ("\u0000"), which a C string would cut short ("READY\u0000x"
    // read as READY): such a status goes through embind, which carries std::string whole.
    val result = val::object();
    result.set("ok", true);
    result.set("status", *status);
    if (!json.empty()) result.set("json", json);
    pending->resolve(result);
    return;
  }
  prolific_resolve_ok(pending->resolve.as_handle(), status_null || !status ? nullptr : status->c_str(),
                      json.empty() ? nullptr : json.c_str());
}

void on_fetch_result(int id, const emscripten_fetch_t* fetch, TransportResult result);

void arm_timer(PendingOperation& pending, TimerPurpose purpose, double delay_ms) {
  if (pending.timer_purpose == TimerPurpose::none) ++g_timer.operations;
  pending.timer_purpose = purpose;
  pending.timer_due_ms = emscripten_get_now() + delay_ms;
  arm_module_timer(pending.timer_due_ms);
}

// Carries out `action` and whatever follows from it at once.
void perform(int id, Action action) {
  PendingOperation* pending = find_operation(id);
  if (!pending) return;
  if (action.report && pending->on_status.typeOf().as<std::string>() == "function") {
    val report = val::object();
    report.set("status", action.report->status_null ? val::null() : val(action.report->status));
    report.set("attempt", action.report->attempt);
    report.set("elapsedMs", action.report->elapsed_ms);
    if (!action.report->json.empty()) report.set("json", action.report->json);
    // The package's onStatus adapter defers the caller's function, so nothing re-enters here.
    pending->on_status(report);
    pending = find_operation(id);
    if (!pending) return;
  }
  switch (action.type) {
    case Action::Type::send: {
      pending->in_flight = true;
      pending->fetch = start_fetch(action.request, id);
      if (action.request.timeout_ms > 0) arm_timer(*pending, TimerPurpose::attempt_timeout, action.request.timeout_ms);
      return;
    }
    case Action::Type::sleep:
      arm_timer(*pending, TimerPurpose::sleep, action.delay_ms);
      return;
    case Action::Type::finish: {
      if (action.status) {
        settle_ok(id, &*action.status, action.status_null, action.json);
      } else {
        settle(id, failure_value(error_value(*action.error)));
      }
      return;
    }
  }
}

void on_fetch_result(int id, const emscripten_fetch_t* fetch, TransportResult result) {
  PendingOperation* pending = find_operation(id);
  if (!pending || !pending->in_flight || pending->fetch != fetch) return;
  pending->in_flight = false;
  pending->fetch = nullptr;
  clear_timer(*pending);
  perform(id, pending->operation.on_transport_result(result, emscripten_get_now()));
}

// The timer of operation `id` is due: its attempt timed out, or its sleep ended.
void on_timer(int id) {
  PendingOperation* pending = find_operation(id);
  if (!pending) return;
  TimerPurpose purpose = pending->timer_purpose;
  clear_timer(*pending);
  if (purpose == TimerPurpose::attempt_timeout) {
    cancel_fetch(pending->fetch);
    pending->fetch = nullptr;
    pending->in_flight = false;
    TransportResult timeout;
    timeout.kind = TransportResult::Kind::timeout;
    perform(id, pending->operation.on_transport_result(timeout, emscripten_get_now()));
  } else if (purpose == TimerPurpose::sleep) {
    perform(id, pending->operation.on_timer(emscripten_get_now()));
  }
}

// A timer due within this many ms counts as due (a JS timer may fire a little before
// emscripten_get_now() reaches the due time).
constexpr double timer_slack_ms = 1;

// The module's timer fired: runs every operation timer that is due, earliest first, then arms the
// timer for the earliest one left (a long delay armed in steps finds nothing due yet).
void on_module_timer(void*) {
  g_timer.armed = false;
  double now = emscripten_get_now();
  const IdTable<PendingOperation>& all = operations();
  std::vector<std::size_t> due;  // positions in `all` (increasing id order), then ids
  double next_due = 0;
  bool any_left = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const PendingOperation& pending = all.at(i);
    if (pending.timer_purpose == TimerPurpose::none) continue;
    if (pending.timer_due_ms - now <= timer_slack_ms) {
      due.push_back(i);
    } else if (!any_left || pending.timer_due_ms < next_due) {
      next_due = pending.timer_due_ms;
      any_left = true;
    }
  }
  // Earliest due time first, equal ones by operation id (src/core/order.hpp, tested natively).
  sort_by_key(due, [&all](std::size_t i) { return all.at(i).timer_due_ms; });
  // Running a timer may end its operation, which moves the positions after it: go by id.
  for (std::size_t& entry : due) entry = static_cast<std::size_t>(all.id_at(entry));
  for (std::size_t id : due) {
    PendingOperation* pending = find_operation(static_cast<int>(id));
    // Each operation's work touches only its own timer; check anyway that this one is still due.
    if (pending && pending->timer_purpose != TimerPurpose::none && pending->timer_due_ms - now <= timer_slack_ms) {
      on_timer(static_cast<int>(id));
    }
  }
  if (any_left) arm_module_timer(next_due);
}

// One call into JS for the common types, with no string made; typeof for the others.
bool is_type(const val& value, std::string_view type) {
  if (type == "string") return value.isString();
  if (type == "number") return value.isNumber();
  if (type == "undefined") return value.isUndefined();
  return value.typeOf().as<std::string>() == type;
}

std::optional<double> number_field(const val& object, const char* name) {
  val value = object[name];
  if (!is_type(value, "number")) return std::nullopt;
  return value.as<double>();
}

val invalid_argument(const std::string& message) {
  return failure_value(error_value(make_error(ErrorKind::invalid_argument, message)));
}

std::optional<Error> set_max_retries(ClientOptions& options, double retries) {
  if (!std::isfinite(retries) || retries < 0 || retries > 1000 || std::floor(retries) != retries) {
    return make_error(ErrorKind::invalid_argument, "maxRetries must be a whole number from 0 to 1000");
  }
  options.max_retries = static_cast<int>(retries);
  return std::nullopt;
}

// Reads the request object the package builds; the package has already checked the JS types,
// this checks again so that no value can make embind throw.
Result<ClientOptions> read_client_options(const val& request, bool needs_base_url) {
  ClientOptions options;
  val base_url = request["baseUrl"];
  if (is_type(base_url, "string")) {
    options.base_url = base_url.as<std::string>();
  } else if (needs_base_url) {
    return make_error(ErrorKind::invalid_argument, "baseUrl must be a string");
  }
  val token = request["token"];
  if (is_type(token, "string")) {
    options.token = token.as<std::string>();
  } else if (!is_type(token, "undefined")) {
    return make_error(ErrorKind::invalid_argument, "token must be a string");
  }
  if (auto timeout = number_field(request, "timeoutMs")) options.timeout_ms = *timeout;
  if (auto retries = number_field(request, "maxRetries")) {
    if (auto error = set_max_retries(options, *retries)) return *error;
  }
  return options;
}

std::optional<WaitOptions> read_wait_options(const val& request) {
  val wait = request["wait"];
  if (!is_type(wait, "object") || wait.isNull()) return std::nullopt;
  WaitOptions options;
  if (auto value = number_field(wait, "intervalMs")) options.interval_ms = *value;
  if (auto value = number_field(wait, "maxIntervalMs")) options.max_interval_ms = *value;
  if (auto value = number_field(wait, "deadlineMs")) options.deadline_ms = *value;
  return options;
}


}  // namespace

std::optional<std::string> optional_string(const val& object, const char* name) {
  val value = object[name];
  if (!is_type(value, "string")) return std::nullopt;
  return value.as<std::string>();
}

std::string required_string(const val& object, const char* name) { return optional_string(object, name).value_or(""); }

std::string dataset_subject(const std::string& dataset_id) { return "dataset " + quote_dataset_id(dataset_id); }

Result<StatusOperation> wrap(const OperationRules& rules, Result<HttpRequest> built, std::string dataset_id, std::string subject,
                             const ClientOptions& options, const std::optional<WaitOptions>& wait, std::uint64_t seed,
                             std::string filename) {
  if (!built.ok()) return built.error();
  if (wait) {
    if (auto error = validate_wait_options(*wait)) return *error;
  }
  return StatusOperation::for_request(rules, std::move(built.value()), std::move(dataset_id), std::move(subject),
                                      options.token.value_or(""), options.max_retries, wait, seed, std::move(filename));
}

std::string OperationInput::dataset_id() const { return required_string(request, "datasetId"); }

namespace {

const OperationKind operation_kinds[] = {
    {"datasetStatus", true, true,
     [](const OperationInput& in) {
       // The natively tested path (tests/native/operation_test.cpp).
       return StatusOperation::create(in.dataset_id(), in.options, in.wait, in.seed);
     }},
    {"dataset", true, true,
     [](const OperationInput& in) {
       std::string dataset_id = in.dataset_id();
       return wrap(dataset_rules, build_dataset_request(dataset_id, in.options), dataset_id,
                   dataset_subject(dataset_id), in.options, in.wait, in.seed);
     }},
};

// Kinds added by other embind files (the lifecycle calls of the full module).
struct KindTable {
  const OperationKind* kinds;
  std::size_t count;
};
KindTable added_kinds[2];
std::size_t added_kind_tables = 0;

const OperationKind* find_kind(const std::string& name) {
  for (const OperationKind& kind : operation_kinds) {
    if (name == kind.name) return &kind;
  }
  for (std::size_t table = 0; table < added_kind_tables; ++table) {
    for (std::size_t i = 0; i < added_kinds[table].count; ++i) {
      if (name == added_kinds[table].kinds[i].name) return &added_kinds[table].kinds[i];
    }
  }
  return nullptr;
}

// A new pending promise: the promise (returned to JS) and its resolve function.
struct Deferred {
  val promise;
  val resolve;
};

Deferred make_deferred() {
  emscripten::EM_VAL resolve = nullptr;
  val promise = val::take_ownership(prolific_create_deferred(&resolve));
  return {promise, val::take_ownership(resolve)};
}

// Resolves `deferred` at once with `result` and returns its promise (nothing was started).
val resolved(Deferred& deferred, val result) {
  deferred.resolve(result);
  return deferred.promise;
}

// Checks an operation id from JS; an error message, or null when it can be used.
const char* operation_id_problem(double id) {
  if (!(id >= 1 && id <= 2147483647 && std::floor(id) == id)) return "operationId must be a positive whole number";
  if (find_operation(static_cast<int>(id))) return "operationId is already in use";
  return nullptr;
}

// Files `operation` under `id` and carries out its first action; returns its promise.
val launch(int id, Deferred& deferred, Result<StatusOperation> operation, val on_status) {
  if (!operation.ok()) return resolved(deferred, failure_value(error_value(operation.error())));
  auto pending = std::make_unique<PendingOperation>(PendingOperation{id, std::move(operation.value())});
  pending->resolve = deferred.resolve;
  pending->on_status = std::move(on_status);
  PendingOperation* raw = pending.get();
  operations().put(id, std::move(pending));
  perform(id, raw->operation.start(emscripten_get_now()));
  return deferred.promise;
}

std::uint64_t operation_seed(int id) {
  return static_cast<std::uint64_t>(emscripten_random() * 9007199254740992.0) ^ static_cast<std::uint64_t>(id);
}

val start(val request, const char* forced_kind) {
  Deferred deferred = make_deferred();
  auto fail_now = [&](const Error& error) { return resolved(deferred, failure_value(error_value(error))); };
  if (!is_type(request, "object") || request.isNull()) return resolved(deferred, invalid_argument("request must be an object"));
  std::optional<double> operation_id = number_field(request, "operationId");
  if (const char* problem = operation_id_problem(operation_id.value_or(0))) {
    return resolved(deferred, invalid_argument(problem));
  }
  int id = static_cast<int>(*operation_id);
  const OperationKind* kind = find_kind(forced_kind ? forced_kind : required_string(request, "kind"));
  if (!kind) return resolved(deferred, invalid_argument("unknown request kind"));
  if (kind->needs_dataset_id && !is_type(request["datasetId"], "string")) {
    return resolved(deferred, invalid_argument("dataset id must be a string"));
  }
  Result<ClientOptions> options = read_client_options(request, kind->needs_base_url);
  if (!options.ok()) return fail_now(options.error());
  std::optional<WaitOptions> wait = read_wait_options(request);
  Result<StatusOperation> operation = kind->create(OperationInput{request, options.value(), wait, operation_seed(id)});
  return launch(id, deferred, std::move(operation), request["onStatus"]);
}

}  // namespace

void add_operation_kinds(const OperationKind* kinds, std::size_t count) {
  if (added_kind_tables < sizeof added_kinds / sizeof added_kinds[0]) added_kinds[added_kind_tables++] = {kinds, count};
}

/// Starts one read (or, with `request.wait`, a wait) of a dataset status.
/// `request`: { operationId: positive integer unique among running operations, datasetId: string,
/// baseUrl: string, token?: string, timeoutMs?: number (ms, 0 = none), maxRetries?: integer,
/// wait?: { intervalMs, maxIntervalMs, deadlineMs } (ms), onStatus?: function(report) }.
/// Returns a Promise that always resolves, exactly once, with { ok: true, status } or
/// { ok: false, error: { kind, message, ...fields of that kind } }; kind is one of
/// invalid_argument, api, network, timeout, invalid_response, dataset_processing, aborted.
val get_dataset_status(val request) { return start(request, "datasetStatus"); }

/// Starts any request of the dataset lifecycle: `request.kind` is "datasetStatus", "dataset"
/// (datasetId), and in the full module only (src/wasm/lifecycle_bindings.cpp; the status-only
/// module answers "unknown request kind") "importStatus" (datasetId, importId; `wait` polls to a
/// terminal import status), "createDataset" (name, workspaceId, schemaJson?), "uploadUrl"
/// (datasetId, filename) or "upload" (uploadUrl, contentType?, body: Uint8Array of at most
/// 256 MiB; no token is ever sent).
/// Same promise and result as getDatasetStatus; results other than a dataset status come as JSON
/// text in `json` (see src/core/lifecycle.hpp for the fields).
val start_operation(val request) { return start(request, nullptr); }

/// The hot path of getDatasetStatus: one read of a dataset status (no wait, no onStatus), with
/// typed arguments, so the module reads no property of a JS object (docs/PERFORMANCE.md).
/// Same checks, promise and result as getDatasetStatus(request) with these fields:
/// `operation_id` (positive integer unique among running operations), `dataset_id`, `base_url`,
/// `token` (sent only when `has_token`), `timeout_ms` (ms per attempt, 0 = none), `max_retries`
/// (whole number from 0 to 1000).
val read_dataset_status(double operation_id, std::string dataset_id, std::string base_url, std::string token,
                        bool has_token, double timeout_ms, double max_retries) {
  Deferred deferred = make_deferred();
  if (const char* problem = operation_id_problem(operation_id)) return resolved(deferred, invalid_argument(problem));
  int id = static_cast<int>(operation_id);
  ClientOptions options;
  options.base_url = std::move(base_url);
  if (has_token) options.token = std::move(token);
  options.timeout_ms = timeout_ms;
  if (auto error = set_max_retries(options, max_retries)) {
    return resolved(deferred, failure_value(error_value(*error)));
  }
  return launch(id, deferred, StatusOperation::create(dataset_id, options, std::nullopt, operation_seed(id)),
                val::undefined());
}

/// Stops operation `operation_id` wherever it is (waiting for an answer, or between attempts):
/// its request is aborted, its timers cleared, and its promise resolves with
/// { ok: false, error: { kind: "aborted" } }. Returns false when no such operation runs.
bool abort_operation(int operation_id) {
  PendingOperation* pending = find_operation(operation_id);
  if (!pending) return false;
  clear_timer(*pending);
  cancel_fetch(pending->fetch);
  pending->fetch = nullptr;
  pending->in_flight = false;
  val error = val::object();
  error.set("kind", std::string("aborted"));
  error.set("message", std::string("The operation was aborted"));
  settle(operation_id, failure_value(error));
  return true;
}

/// Memory figures for leak checks: { usedBytes: bytes allocated by malloc now, heapBytes: size of
/// the WebAssembly memory, operations: operations still running }.
val heap_stats() {
  struct mallinfo info = mallinfo();
  val stats = val::object();
  stats.set("usedBytes", static_cast<double>(info.uordblks));
  stats.set("heapBytes", static_cast<double>(emscripten_get_heap_size()));
  stats.set("operations", static_cast<double>(operations().size()));
  return stats;
}

EMSCRIPTEN_BINDINGS(prolific_dataset_status) {
  set_fetch_listener(on_fetch_result);
  emscripten::function("getDatasetStatus", &get_dataset_status);
  emscripten::function("startOperation", &start_operation);
  emscripten::function("readDatasetStatus", &read_dataset_status);
  emscripten::function("abortOperation", &abort_operation);
  emscripten::function("heapStats", &heap_stats);
}

}  // namespace prolific::wasm
