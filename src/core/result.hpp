// Errors as values for the Prolific client core.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace prolific {

/// What went wrong, one value per public JavaScript error class (DESIGN.md, "Errors").
enum class ErrorKind {
  invalid_argument,    ///< bad input from the caller; nothing was sent (JS: TypeError)
  api,                 ///< the API answered non-2xx (JS: ProlificApiError)
  network,             ///< no HTTP answer: refused, reset, DNS, CORS, redirects (JS: NetworkError)
  timeout,             ///< an attempt or a whole wait ran past its limit (JS: TimeoutError)
  invalid_response,    ///< 2xx whose body is not the documented shape (JS: InvalidResponseError)
  dataset_processing,  ///< waitForDataset read the status ERROR (JS: DatasetProcessingError)
  no_status,           ///< waitForDataset read no status (null or absent): a V4 dataset, whose
                       ///< progress lives in its import jobs (JS: ProlificError, status null)
};

/// Stable lower-case name of an ErrorKind, as handed to JavaScript ("api", "network", ...).
const char* error_kind_name(ErrorKind kind);

/// One failure. Only the fields that belong to `kind` are filled; the others keep their defaults.
/// Every text field is already redacted: it never holds the API token.
struct Error {
  ErrorKind kind = ErrorKind::invalid_argument;
  std::string message;                      ///< readable, one line
  int http_status = 0;                      ///< api, invalid_response: the HTTP status code
  std::optional<long long> error_code;      ///< api: Prolific's numeric `error_code`
  std::string title;                        ///< api: error title (or the reason phrase)
  std::string detail;                       ///< api: detail flattened to text
  std::string additional_information;       ///< api: `additional_information`
  std::optional<double> retry_after_ms;     ///< api: what Retry-After asked for, in ms
  std::string body_snippet;                 ///< invalid_response: at most 200 UTF-16 units
  std::string cause;                        ///< network: what the transport reported, if known
  double timeout_ms = 0;                    ///< timeout: the limit that was passed, in ms
  std::string dataset_id;                   ///< dataset_processing, no_status, and every error of a read
  std::string status;                       ///< dataset_processing: the terminal status read
};

/// Builds an Error of `kind` with `message`.
Error make_error(ErrorKind kind, std::string message);

/// Either a value of T or an Error (the cpr style: errors are values, never exceptions).
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  /// True when the result holds a value.
  bool ok() const { return data_.index() == 0; }
  /// The value; only valid when ok().
  const T& value() const { return std::get<0>(data_); }
  T& value() { return std::get<0>(data_); }
  /// The error; only valid when !ok().
  const Error& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, Error> data_;
};

}  // namespace prolific
