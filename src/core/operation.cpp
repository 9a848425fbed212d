#include "operation.hpp"

#include <cmath>

#include "response.hpp"
#include "retry.hpp"

namespace prolific {
namespace {

std::string format_ms(double ms) { return std::to_string(static_cast<long long>(std::llround(ms))) + " ms"; }

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

}  // namespace

Result<StatusOperation> StatusOperation::create(std::string dataset_id, const ClientOptions& options,
                                                std::optional<WaitOptions> wait, std::uint64_t seed) {
  Result<HttpRequest> request = build_status_request(dataset_id, options);
  if (!request.ok()) return request.error();
  if (wait) {
    if (auto error = validate_wait_options(*wait)) return *error;
  }
  StatusOperation operation;
  operation.dataset_id_ = std::move(dataset_id);
  operation.token_ = options.token.value_or("");
  operation.request_ = std::move(request.value());
  operation.max_retries_ = options.max_retries;
  operation.wait_ = wait;
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
  Action action;
  action.type = Action::Type::finish;
  action.error = std::move(error);
  return action;
}

Action StatusOperation::finish_status(std::string status) {
  Action action;
  action.type = Action::Type::finish;
  action.status = std::move(status);
  return action;
}

Action StatusOperation::deadline_passed() {
  Error error = make_error(ErrorKind::timeout,
                           "Dataset " + quote_dataset_id(dataset_id_) + " was not READY or ERROR within " +
                               format_ms(wait_->deadline_ms) +
                               (last_status_.empty() ? std::string() : " (last status " + last_status_ + ")"));
  error.timeout_ms = wait_->deadline_ms;
  return finish(std::move(error));
}

Error StatusOperation::error_from(const TransportResult& result) const {
  const std::string origin = request_.url.substr(0, request_.url.find('/', request_.url.find("://") + 3));
  switch (result.kind) {
    case TransportResult::Kind::network_error: {
      Error error = make_error(ErrorKind::network,
                               "Could not reach " + origin + " for dataset " + quote_dataset_id(dataset_id_) +
                                   (result.cause.empty() ? std::string(" (connection failed, refused by CORS, or a redirect was refused)")
                                                         : ": " + redact(result.cause, token_)));
      error.cause = redact(result.cause, token_);
      return error;
    }
    case TransportResult::Kind::timeout: {
      Error error = make_error(ErrorKind::timeout, "No answer from " + origin + " for dataset " +
                                                       quote_dataset_id(dataset_id_) + " within " +
                                                       format_ms(attempt_timeout_ms_));
      error.timeout_ms = attempt_timeout_ms_;
      return error;
    }
    case TransportResult::Kind::body_too_large: {
      Error error = make_error(ErrorKind::invalid_response,
                               "The answer for dataset " + quote_dataset_id(dataset_id_) + " is larger than " +
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
  return parse_error_response(result.http_status, result.body, retry_after_ms, token_, dataset_id_);
}

Action StatusOperation::on_transport_result(const TransportResult& result, double now_ms) {
  if (result.kind == TransportResult::Kind::timeout && wait_ && attempt_capped_by_deadline_) {
    return deadline_passed();
  }
  if (result.kind == TransportResult::Kind::response && result.http_status >= 200 && result.http_status < 300) {
    Result<std::string> status = parse_status_body(result.http_status, result.body, token_);
    if (!status.ok()) {
      Error error = status.error();
      error.message += " (dataset " + quote_dataset_id(dataset_id_) + ")";
      return finish(std::move(error));
    }
    return after_read(std::move(status.value()), now_ms);
  }
  return after_failure(error_from(result), now_ms);
}

Action StatusOperation::after_failure(Error error, double now_ms) {
  bool retry = is_retryable(error) && (wait_ || failures_in_a_row_ < max_retries_);
  if (!retry) return finish(std::move(error));
  double delay = retry_delay_ms(error.retry_after_ms, failures_in_a_row_, next_random());
  ++failures_in_a_row_;
  if (wait_) {
    double remaining = remaining_ms(now_ms);
    if (remaining <= 0) return deadline_passed();
    delay = std::min(delay, remaining);
  }
  Action action;
  action.type = Action::Type::sleep;
  action.delay_ms = delay;
  return action;
}

Action StatusOperation::after_read(std::string status, double now_ms) {
  failures_in_a_row_ = 0;
  if (!wait_) return finish_status(std::move(status));
  ++reads_;
  last_status_ = status;
  StatusReport report{status, reads_, now_ms - start_ms_};
  Action action;
  if (status == "READY") {
    action = finish_status(status);
  } else if (status == "ERROR") {
    Error error = make_error(ErrorKind::dataset_processing,
                             "Processing of dataset " + quote_dataset_id(dataset_id_) +
                                 " failed: the Prolific API reports status ERROR");
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

Action StatusOperation::on_timer(double now_ms) {
  if (wait_ && remaining_ms(now_ms) <= 0) return deadline_passed();
  return send(now_ms);
}

}  // namespace prolific
