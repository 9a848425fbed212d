#include "result.hpp"

namespace prolific {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_argument: return "invalid_argument";
    case ErrorKind::api: return "api";
    case ErrorKind::network: return "network";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::invalid_response: return "invalid_response";
    case ErrorKind::dataset_processing: return "dataset_processing";
    case ErrorKind::no_status: return "no_status";
  }
  return "invalid_argument";
}

Error make_error(ErrorKind kind, std::string message) {
  Error error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

}  // namespace prolific
