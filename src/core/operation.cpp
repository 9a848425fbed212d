#include "operation.hpp"

#include <cmath>

#include "lifecycle.hpp"
#include "response.hpp"
#include "retry.hpp"

namespace prolific {
namespace {

std::string format_ms(double ms) { return std::to_string(static_cast<long long>(std::llround(ms))) + " ms"; }

}  // namespace

std::optional<Error> validate_wait_options(const WaitOptions& wait) {
  auto bad = [](double value) { return !std::isfinite(value) || value < 0; };
  if (bad(wait.interval_ms) || wait.interval_ms == 0) {
    return make_error(ErrorKind::invalid_argument, "intervalMs must be a finite number of milliseconds above 0");
  }
  if (bad(wait.max_interval_ms)) {
    return make_error(ErrorKind::invalid_argument, "maxIntervalMs must be a finite number of milliseconds, 0 or more");
  }
  if (bad(wait.deadline_ms)) {
    return make_error(ErrorKind::invalid_argument, "deadlineMs must be a finite number of milliseconds, 0 or more");
  }
  return std::nullopt;
}


bool is_idempotent(RequestKind kind) {
  return kind == RequestKind::dataset_status || kind == RequestKind::import_status || kind == RequestKind::dataset;
}

const OperationRules dataset_status_rules{
    RequestKind::dataset_status,
    [](int http_status, std::string_view body, std::string_view token, std::string_view) -> Result<Answer> {
      Result<std::optional<std::string>> status = parse_status_body(http_status, body, token);
      if (!status.ok()) return status.error();
      if (!status.value()) return Answer{"", true, ""};
      return Answer{std::move(*status.value()), false, ""};
    },
    nullptr};

Result<StatusOperation> StatusOperation::create(std::string dataset_id, const ClientOptions& options,
                                                std::optional<WaitOptions> wait, std::uint64_t seed) {
  Result<HttpRequest> request = build_status_request(dataset_id, options);
  if (!request.ok()) return request.error();
  if (wait) {
    if (auto error = validate_wait_options(*wait)) return *error;
  }
  std::string subject = "dataset " + quote_dataset_id(dataset_id);
  return for_request(dataset_status_rules, std::move(request.value()), std::move(dataset_id),
                     std::move(subject), options.token.value_or(""), options.max_retries, wait, seed);
}

StatusOperation StatusOperation::for_request(const OperationRules& rules, HttpRequest request, std::string dataset_id,
                                             std::string subject, std::string token, int max_retries,
                                             std::optional<WaitOptions> wait, std::uint64_t seed,
                                             std::string filename) {
  StatusOperation operation;
  operation.filename_ = std::move(filename);
  operation.rules_ = &rules;
  operation.dataset_id_ = std::move(dataset_id);
  operation.subject_ = std::move(subject);
  operation.token_ = std::move(token);
  operation.request_ = std::move(request);
  operation.max_retries_ = max_retries;
  if (rules.kind == RequestKind::dataset_status || rules.kind == RequestKind::import_status) operation.wait_ = wait;
  operation.random_state_ = seed ? seed : 0x9e3779b97f4a7c15ULL;
  return operation;
}

Action StatusOperation::start(double now_ms) {
  start_ms_ = now_ms;
  return send(now_ms);
}

double StatusOperation::remaining_ms(double now_ms) const {
  return wait_->deadline_ms - (now_ms - start_ms_);
}

double StatusOperation::next_random() {
  // xorshift64*: jitter only, not security.
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  return static_cast<double>((random_state_ * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

Action StatusOperation::send(double now_ms) {
  Action action;
  action.type = Action::Type::send;
  action.request = request_;
  attempt_timeout_ms_ = request_.timeout_ms;
  attempt_capped_by_deadline_ = false;
  if (wait_) {
    double remaining = remaining_ms(now_ms);
    if (remaining <= 0) return deadline_passed();
    if (attempt_timeout_ms_ == 0 || remaining < attempt_timeout_ms_) {
      attempt_timeout_ms_ = remaining;
      attempt_capped_by_deadline_ = true;
    }
  }
  action.request.timeout_ms = attempt_timeout_ms_;
  return action;
}

Action StatusOperation::finish(Error error) {
  if (error.dataset_id.empty()) error.dataset_id = dataset_id_;
  // Every error leaves through here: its texts are redacted once they are complete, whatever was
  // joined to them on the way (the subject, a cause, the last status read).
  redact_error(&error, token_);
  Action action;
  action.type = Action::Type::finish;
  action.error = std::move(error);
  return action;
}

Action StatusOperation::finish_status(std::string status, std::string json) {
  Action action;
  action.type = Action::Type::finish;
  action.status = std::move(status);
  action.json = std::move(json);
  return action;
}

Action StatusOperation::deadline_passed() {
  const char* terminal = rules_->kind == RequestKind::import_status ? "complete, partial, failed or pending_schema"
                                                             : "READY or ERROR";
  Error error = make_error(ErrorKind::timeout,
                           "The " + subject_ + " was not " + terminal + " within " + format_ms(wait_->deadline_ms) +
                               (last_status_.empty() ? std::string() : " (last status " + last_status_ + ")"));
  error.timeout_ms = wait_->deadline_ms;
  return finish(std::move(error));
}

Error StatusOperation::error_from(const TransportResult& result) const {
  const std::string origin = request_.url.substr(0, request_.url.find('/', request_.url.find("://") + 3));
  switch (result.kind) {
    case TransportResult::Kind::network_error: {
      Error error = make_error(ErrorKind::network,
                               "Could not reach " + origin + " for the " + subject_ +
                                   (result.cause.empty() ? std::string(" (connection failed, refused by CORS, or a redirect was refused)")
                                                         : ": " + redact(result.cause, token_)));
      error.cause = redact(result.cause, token_);
      return error;
    }
    case TransportResult::Kind::timeout: {
      Error error = make_error(ErrorKind::timeout, "No answer from " + origin + " for the " + subject_ +
                                                       " within " +
                                                       format_ms(attempt_timeout_ms_));
      error.timeout_ms = attempt_timeout_ms_;
      return error;
    }
    case TransportResult::Kind::body_too_large: {
      Error error = make_error(ErrorKind::invalid_response,
                               "The answer for the " + subject_ + " is larger than " +
                                   std::to_string(max_body_bytes) + " bytes");
      error.http_status = result.http_status;
      error.body_snippet = body_snippet(result.body, token_);
      return error;
    }
    case TransportResult::Kind::response:
      break;
  }
  std::optional<std::string> retry_after = find_header(result.headers, "retry-after");
  std::optional<double> retry_after_ms;
  if (retry_after) retry_after_ms = parse_retry_after(*retry_after, result.wall_clock_ms);
  Error error = parse_error_response(result.http_status, result.body, retry_after_ms, token_, subject_);
  if (rules_->adjust_api_error) rules_->adjust_api_error(&error);
  return error;
}

Action StatusOperation::on_transport_result(const TransportResult& result, double now_ms) {
  if (result.kind == TransportResult::Kind::timeout && wait_ && attempt_capped_by_deadline_) {
    return deadline_passed();
  }
  if (result.kind == TransportResult::Kind::response && (result.http_status < 100 || result.http_status > 599)) {
    // Not an HTTP status: no answer worth reading (browsers fail such responses as network errors).
    TransportResult broken;
    broken.kind = TransportResult::Kind::network_error;
    broken.cause = "invalid HTTP status " + std::to_string(result.http_status);
    return after_failure(error_from(broken), now_ms);
  }
  if (result.kind != TransportResult::Kind::response || result.http_status < 200 || result.http_status >= 300) {
    return after_failure(error_from(result), now_ms);
  }
  Result<Answer> answer = rules_->read_answer(result.http_status, result.body, token_, filename_);
  if (!answer.ok()) {
    Error error = answer.error();
    error.message += " (" + subject_ + ")";
    return finish(std::move(error));
  }
  if (answer.value().status_null) return after_null_status(now_ms);
  return after_read(std::move(answer.value().status), std::move(answer.value().json), now_ms);
}

bool StatusOperation::should_retry(const Error& error) const {
  if (is_idempotent(rules_->kind)) return is_retryable(error);
  if (error.kind != ErrorKind::api) return false;
  return error.http_status == 429 || (error.http_status == 503 && error.retry_after_ms.has_value());
}

Action StatusOperation::after_failure(Error error, double now_ms) {
  bool retry = should_retry(error) && (wait_ || failures_in_a_row_ < max_retries_);
  if (!retry) return finish(std::move(error));
  double delay = retry_delay_ms(error.retry_after_ms, failures_in_a_row_, next_random());
  ++failures_in_a_row_;
  if (wait_) {
    double remaining = remaining_ms(now_ms);
    if (remaining <= 0) return deadline_passed();
    // A retry that the backoff puts past the deadline never happens: the wait sleeps until the
    // deadline and ends there, even if the timer fires a little early (no last-moment request).
    retry_past_deadline_ = delay >= remaining;
    delay = std::min(delay, remaining);
  }
  Action action;
  action.type = Action::Type::sleep;
  action.delay_ms = delay;
  return action;
}

Action StatusOperation::after_read(std::string status, std::string json, double now_ms) {
  failures_in_a_row_ = 0;
  retry_past_deadline_ = false;
  if (!wait_) return finish_status(std::move(status), std::move(json));
  ++reads_;
  last_status_ = status;
  StatusReport report{status, json, reads_, now_ms - start_ms_};
  Action action;
  bool import_job = rules_->kind == RequestKind::import_status;
  if ((import_job && is_terminal_import_status(status)) || (!import_job && status == "READY")) {
    action = finish_status(status, std::move(json));
  } else if (!import_job && status == "ERROR") {
    Error error = make_error(ErrorKind::dataset_processing,
                             "Processing of the " + subject_ + " failed: the Prolific API reports status ERROR");
    error.status = status;
    action = finish(std::move(error));
  } else {
    double remaining = remaining_ms(now_ms);
    if (remaining <= 0) {
      action = deadline_passed();
    } else {
      action.type = Action::Type::sleep;
      action.delay_ms = std::min(poll_delay_ms(reads_ - 1, wait_->interval_ms, wait_->max_interval_ms, next_random()),
                                 remaining);
    }
  }
  action.report = std::move(report);
  return action;
}

Action StatusOperation::after_null_status(double now_ms) {
  failures_in_a_row_ = 0;
  if (!wait_) {
    Action action = finish_status("");
    action.status_null = true;
    return action;
  }
  ++reads_;
  StatusReport report{"", "", reads_, now_ms - start_ms_};
  report.status_null = true;
  Error error = make_error(ErrorKind::no_status,
                           "The " + subject_ +
                               " has no status of its own (the API answered status null): it is a V4 dataset, "
                               "which never reports READY; wait for its import jobs instead (watchDatasets or waitForImport)");
  Action action = finish(std::move(error));
  action.report = std::move(report);
  return action;
}

Action StatusOperation::on_timer(double now_ms) {
  if (wait_ && (remaining_ms(now_ms) <= 0 || retry_past_deadline_)) return deadline_passed();
  return send(now_ms);
}

}  // namespace prolific
