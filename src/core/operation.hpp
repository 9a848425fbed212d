// One getDatasetStatus or waitForDataset call as a state machine: the transport reports what
// happened, the operation answers with what to do next. No clock, no I/O, no randomness of its own,
// so every path is tested natively with made-up times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "request.hpp"
#include "result.hpp"

namespace prolific {

/// Options of waitForDataset (DESIGN.md), in ms.
struct WaitOptions {
  double interval_ms = 2000;         ///< delay before the second read
  double max_interval_ms = 30000;    ///< longest delay between reads
  double deadline_ms = 15 * 60000;   ///< the whole wait
};

/// What the transport saw for one HTTP attempt.
struct TransportResult {
  enum class Kind {
    response,        ///< an HTTP answer, complete
    network_error,   ///< no HTTP answer (refused, reset, DNS, CORS, redirect refused)
    timeout,         ///< the attempt's timeout_ms passed
    body_too_large,  ///< the body passed max_body_bytes and was not read further
  };
  Kind kind = Kind::response;
  int http_status = 0;
  std::string headers;  ///< raw "name: value\r\n" lines
  std::string body;
  std::string cause;    ///< network_error: what the runtime reported, if anything
  double wall_clock_ms = 0;  ///< ms since the Unix epoch when it ended (for an HTTP-date Retry-After)
};

/// Checks wait options: intervalMs finite and above 0; maxIntervalMs and deadlineMs finite, 0 or
/// more. Returns an invalid_argument Error or nothing.
std::optional<Error> validate_wait_options(const WaitOptions& wait);

/// What one operation asks the API for; it decides how answers are read and what is retried.
enum class RequestKind {
  dataset_status,   ///< GET .../datasets/{id}/status → a status string
  import_status,    ///< GET .../datasets/{id}/imports/{import_id} → ImportStatus JSON
  dataset,          ///< GET .../datasets/{id} → dataset JSON (V4: with its import jobs)
  create_dataset,   ///< POST .../datasets → created dataset JSON
  upload_url,       ///< GET .../datasets/{id}/upload-url/{filename} → upload URL JSON
  upload,           ///< PUT {upload_url} → {"httpStatus": n}
};

/// True for the kinds whose request may be repeated safely (RFC 9110 §9.2.2): the reads.
/// Others (dataset creation; the upload-URL request, which creates an import job each time; the
/// upload) are retried only when the server asks for it: 429, or 503 with a Retry-After.
bool is_idempotent(RequestKind kind);

/// What a 2xx answer of one kind of request reads into.
struct Answer {
  std::string status;        ///< dataset_status, import_status: the status read; others ""
  bool status_null = false;  ///< dataset_status: the API sent no status (null or absent)
  std::string json;          ///< all but dataset_status: the result as JSON text
};

/// One kind of request as StatusOperation runs it: its kind (what is retried, what a wait ends
/// at, the wording of messages) and the core function that reads its 2xx answers. Each kind has
/// one constant, next to its parser (dataset_status_rules here, the others in lifecycle.hpp); the
/// code that starts a kind names its constant, so a program links the parsers (and the other
/// rules of this struct) of the kinds it starts only.
struct OperationRules {
  RequestKind kind;
  /// Reads a 2xx answer. `filename` is the file an upload URL is for ("" for other kinds).
  /// Errors (invalid_response): see the kind's parser.
  Result<Answer> (*read_answer)(int http_status, std::string_view body, std::string_view token,
                                std::string_view filename);
  /// Rewrites the api Error of a non-2xx answer (upload: it names the storage host instead of the
  /// Prolific API), or nullptr.
  void (*adjust_api_error)(Error* error);
};

/// GET .../datasets/{id}/status, read by parse_status_body.
extern const OperationRules dataset_status_rules;

/// A successful read handed to onStatus while waiting.
struct StatusReport {
  std::string status;     ///< dataset_status: "" when status_null
  std::string json;       ///< import_status: the whole import job as JSON text
  int attempt = 0;        ///< 1 for the first read
  double elapsed_ms = 0;  ///< since the wait started
  bool status_null = false;  ///< dataset_status: the API sent no status (null or absent)
};

/// The next step. `report`, when present, goes to onStatus before the step is carried out.
struct Action {
  enum class Type {
    send,    ///< send `request` (its timeout_ms is this attempt's limit)
    sleep,   ///< call on_timer() after `delay_ms`
    finish,  ///< settle with `status` or `error`
  };
  Type type = Type::finish;
  HttpRequest request;
  double delay_ms = 0;
  std::optional<StatusReport> report;
  std::optional<std::string> status;  ///< finish: dataset_status: the status; others: the status or ""
  bool status_null = false;           ///< finish: dataset_status read no status (null or absent); status is ""
  std::string json;                   ///< finish: the result of other kinds as JSON text
  std::optional<Error> error;
};

/// One call to the API (with retries), or, with WaitOptions, polling until a terminal status:
/// READY/ERROR for datasets, complete/partial/failed/pending_schema for import jobs. A wait on a
/// dataset that reads no status (null or absent: a V4 dataset) ends at once with a no_status
/// Error: such a dataset never reaches READY on /status and is waited for through its import jobs.
class StatusOperation {
 public:
  /// Wraps an already built and checked `request` of the kind `rules` names (a constant such as
  /// dataset_status_rules; it must outlive the operation). `subject` names what the call is
  /// about in messages (e.g. `dataset "abc"`); `dataset_id` fills Error::dataset_id.
  /// `wait` is honoured for dataset_status and import_status only. `filename` (upload_url only)
  /// is the file the URL is for; it gives the content type when the answer has none.
  static StatusOperation for_request(const OperationRules& rules, HttpRequest request, std::string dataset_id,
                                     std::string subject, std::string token, int max_retries,
                                     std::optional<WaitOptions> wait, std::uint64_t seed,
                                     std::string filename = "");

  /// Validates the arguments and prepares the request (see build_status_request for the errors,
  /// plus invalid_argument for wait options that are negative or not finite, or an interval of 0).
  /// With `wait`, the operation polls until READY or ERROR; without it, it reads once.
  /// `seed` drives the jitter.
  static Result<StatusOperation> create(std::string dataset_id, const ClientOptions& options,
                                        std::optional<WaitOptions> wait, std::uint64_t seed);

  /// Starts at `now_ms` (any monotonic clock, in ms). Returns the first send, or finish.
  Action start(double now_ms);
  /// Reports the end of the attempt asked for by the last send.
  Action on_transport_result(const TransportResult& result, double now_ms);
  /// Reports the end of the delay asked for by the last sleep.
  Action on_timer(double now_ms);

  const std::string& dataset_id() const { return dataset_id_; }

 private:
  StatusOperation() = default;

  Action send(double now_ms);
  Action finish(Error error);
  Action finish_status(std::string status, std::string json = "");
  Action after_null_status(double now_ms);
  bool should_retry(const Error& error) const;
  Action after_failure(Error error, double now_ms);
  Action after_read(std::string status, std::string json, double now_ms);
  Action deadline_passed();
  Error error_from(const TransportResult& result) const;
  double remaining_ms(double now_ms) const;
  double next_random();

  const OperationRules* rules_ = &dataset_status_rules;
  std::string dataset_id_;
  std::string subject_;
  std::string token_;
  std::string filename_;
  HttpRequest request_;
  int max_retries_ = 0;
  std::optional<WaitOptions> wait_;
  std::uint64_t random_state_ = 0;
  double start_ms_ = 0;
  double attempt_timeout_ms_ = 0;
  bool attempt_capped_by_deadline_ = false;
  int failures_in_a_row_ = 0;
  bool retry_past_deadline_ = false;  ///< the current sleep is a retry the deadline cut short
  int reads_ = 0;
  std::string last_status_;
};

}  // namespace prolific
