// One getDatasetStatus or waitForDataset call as a state machine: the transport reports what
// happened, the operation answers with what to do next. No clock, no I/O, no randomness of its own,
// so every path is tested natively with made-up times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

/// A successful read handed to waitForDataset's onStatus.
struct StatusReport {
  std::string status;
  int attempt = 0;        ///< 1 for the first read
  double elapsed_ms = 0;  ///< since the wait started
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
  std::optional<std::string> status;
  std::optional<Error> error;
};

/// Reads a dataset status once (with retries), or polls it until it is terminal.
class StatusOperation {
 public:
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
  Action finish_status(std::string status);
  Action after_failure(Error error, double now_ms);
  Action after_read(std::string status, double now_ms);
  Action deadline_passed();
  Error error_from(const TransportResult& result) const;
  double remaining_ms(double now_ms) const;
  double next_random();

  std::string dataset_id_;
  std::string token_;
  HttpRequest request_;
  int max_retries_ = 0;
  std::optional<WaitOptions> wait_;
  std::uint64_t random_state_ = 0;
  double start_ms_ = 0;
  double attempt_timeout_ms_ = 0;
  bool attempt_capped_by_deadline_ = false;
  int failures_in_a_row_ = 0;
  int reads_ = 0;
  std::string last_status_;
};

}  // namespace prolific
