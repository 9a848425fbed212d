#include "request.hpp"

#include <cmath>

namespace prolific {
namespace {

Error invalid(std::string message) { return make_error(ErrorKind::invalid_argument, std::move(message)); }

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex_digit(char c) { return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = to_lower(c);
  return out;
}

// Parses "a.b.c.d" with four decimal parts 0..255 and no leading zeros.
std::optional<unsigned> parse_dotted_quad(std::string_view host) {
  unsigned address = 0;
  int parts = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t end = host.find('.', pos);
    if (end == std::string_view::npos) end = host.size();
    std::string_view part = host.substr(pos, end - pos);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    unsigned value = 0;
    for (char c : part) {
      if (!is_ascii_digit(c)) return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 255) return std::nullopt;
    address = (address << 8) | value;
    ++parts;
    if (end == host.size()) break;
    if (parts == 4) return std::nullopt;
    pos = end + 1;
  }
  if (parts != 4) return std::nullopt;
  return address;
}

// A label WHATWG URL would treat as a number: decimal digits, or 0x followed by hex digits.
bool looks_numeric(std::string_view label) {
  if (label.empty()) return false;
  if (label.size() >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X')) {
    for (char c : label.substr(2)) if (!is_hex_digit(c)) return false;
    return true;
  }
  for (char c : label) if (!is_ascii_digit(c)) return false;
  return true;
}

std::optional<Error> validate_host(std::string_view host) {
  if (host.empty()) return invalid("base URL has no host");
  if (host.front() == '[') {
    if (host.size() < 4 || host.back() != ']') return invalid("base URL has a malformed IPv6 address");
    for (char c : host.substr(1, host.size() - 2)) {
      if (!is_hex_digit(c) && c != ':' && c != '.') return invalid("base URL has a malformed IPv6 address");
    }
    return std::nullopt;
  }
  std::size_t pos = 0;
  std::string_view last_label;
  while (true) {
    std::size_t end = host.find('.', pos);
    if (end == std::string_view::npos) end = host.size();
    std::string_view label = host.substr(pos, end - pos);
    if (label.empty() || label.size() > 63) return invalid("base URL host is not a valid host name");
    for (char c : label) {
      if (!is_ascii_alpha(c) && !is_ascii_digit(c) && c != '-') {
        return invalid("base URL host is not a valid host name");
      }
    }
    last_label = label;
    if (end == host.size()) break;
    pos = end + 1;
  }
  if (looks_numeric(last_label) && !parse_dotted_quad(host)) {
    return invalid("base URL host is a numeric address that is not a dotted-quad IPv4 address");
  }
  return std::nullopt;
}

bool is_path_char(char c) {
  if (is_ascii_alpha(c) || is_ascii_digit(c)) return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '/': case '!': case '$': case '&': case '\'':
    case '(': case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '@':
      return true;
    default:
      return false;
  }
}

std::optional<Error> validate_path_prefix(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size() || !is_hex_digit(path[i + 1]) || !is_hex_digit(path[i + 2])) {
        return invalid("base URL path has a malformed percent-encoding");
      }
      std::string escaped = lower(path.substr(i + 1, 2));
      if (escaped == "2e" || escaped == "2f" || escaped == "5c") {
        return invalid("base URL path has an encoded dot or slash");
      }
      i += 2;
    } else if (!is_path_char(c)) {
      return invalid("base URL path has a character that is not allowed in a URL path");
    }
  }
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    if (segment == "." || segment == "..") return invalid("base URL path has a dot segment");
    pos = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::string BaseUrl::origin() const {
  std::string out = scheme + "://" + host;
  if (!port.empty()) out += ":" + port;
  return out;
}

Result<BaseUrl> parse_base_url(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return invalid("base URL contains white space, a control character or a non-ASCII character");
    }
    if (c == '\\') return invalid("base URL contains a backslash");
  }
  std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return invalid("base URL must start with http:// or https://");
  BaseUrl url;
  url.scheme = lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    return invalid("base URL must use http: or https:");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return invalid("base URL must not have a query or a fragment");
  }
  std::size_t authority_end = rest.find('/');
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return invalid("base URL must not contain user information");
  }
  std::string_view host = authority;
  std::string_view port;
  std::size_t colon = authority.rfind(':');
  std::size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5) return invalid("base URL has an invalid port");
    unsigned value = 0;
    for (char c : port) {
      if (!is_ascii_digit(c)) return invalid("base URL has an invalid port");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return invalid("base URL has an invalid port");
  }
  url.host = lower(host);
  if (auto error = validate_host(url.host)) return *error;
  url.port = std::string(port);
  while (!url.port.empty() && url.port.size() > 1 && url.port[0] == '0') url.port.erase(0, 1);
  if ((url.scheme == "https" && url.port == "443") || (url.scheme == "http" && url.port == "80")) url.port.clear();
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (auto error = validate_path_prefix(path)) return *error;
  url.path_prefix = std::string(path);
  url.loopback = is_loopback_host(url.host);
  return url;
}

Result<BaseUrl> parse_presigned_url(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' ||
        c == '}' || c == '|' || c == '^') {
      return invalid("upload URL contains a character that is not allowed in a URL");
    }
  }
  if (text.find('#') != std::string_view::npos) return invalid("upload URL must not have a fragment");
  std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return invalid("upload URL must start with https://");
  std::size_t origin_end = text.find_first_of("/?", scheme_end + 3);
  std::string_view rest = origin_end == std::string_view::npos ? std::string_view() : text.substr(origin_end);
  if (!rest.empty() && rest.front() == '?') return invalid("upload URL has no path");
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && (i + 2 >= rest.size() || !is_hex_digit(rest[i + 1]) || !is_hex_digit(rest[i + 2]))) {
      return invalid("upload URL has a malformed percent-encoding");
    }
  }
  Result<BaseUrl> origin = parse_base_url(text.substr(0, origin_end));
  if (!origin.ok()) {
    Error error = origin.error();
    std::size_t base = error.message.find("base URL");
    if (base == 0) error.message.replace(0, 8, "upload URL");
    return error;
  }
  if (origin.value().scheme == "http" && !origin.value().loopback) {
    return invalid("upload URL must use https (plain http only to a loopback host)");
  }
  return origin;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  std::optional<unsigned> address = parse_dotted_quad(host);
  return address && (*address >> 24) == 127;
}

bool is_prolific_api(const BaseUrl& base_url) {
  return base_url.scheme == "https" && base_url.host == "api.prolific.com" && base_url.port.empty();
}

std::optional<Error> validate_token(std::string_view token) {
  if (token.empty()) return invalid("token is empty");
  for (char c : token) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      return invalid("token contains a character that cannot go in an HTTP header "
                     "(a control character, a line break or a non-ASCII character)");
    }
  }
  if (token.front() == ' ' || token.back() == ' ') {
    return invalid("token starts or ends with white space");
  }
  return std::nullopt;
}

std::optional<Error> validate_dataset_id(std::string_view dataset_id) {
  if (dataset_id.empty()) return invalid("dataset id is empty");
  if (dataset_id.size() > max_dataset_id_bytes) {
    return invalid("dataset id is longer than " + std::to_string(max_dataset_id_bytes) + " bytes");
  }
  if (dataset_id == "." || dataset_id == "..") return invalid("dataset id cannot be \".\" or \"..\"");
  return std::nullopt;
}

std::string percent_encode_path_segment(std::string_view segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size() * 3);
  for (char c : segment) {
    if (is_ascii_alpha(c) || is_ascii_digit(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0x0f];
    }
  }
  return out;
}

Result<HttpRequest> build_status_request(std::string_view dataset_id, const ClientOptions& options) {
  if (auto error = validate_dataset_id(dataset_id)) return *error;
  if (!std::isfinite(options.timeout_ms) || options.timeout_ms < 0) {
    return invalid("timeoutMs must be a finite number of milliseconds, 0 or more");
  }
  if (options.max_retries < 0) return invalid("maxRetries must be 0 or more");
  Result<BaseUrl> base_url = parse_base_url(options.base_url);
  if (!base_url.ok()) return base_url.error();
  const BaseUrl& base = base_url.value();
  HttpRequest request;
  request.timeout_ms = options.timeout_ms;
  request.url = base.origin() + base.path_prefix + "/api/v1/data-collection/datasets/" +
                percent_encode_path_segment(dataset_id) + "/status";
  request.headers.emplace_back("Accept", "application/json");
  if (options.token) {
    if (auto error = validate_token(*options.token)) return *error;
    if (base.scheme == "http" && !base.loopback) {
      return invalid("refusing to send the token over plain http to " + base.origin() +
                     ": use https, or a loopback host (localhost, 127.0.0.1, [::1])");
    }
    request.headers.emplace_back("Authorization", "Token " + *options.token);
  } else if (is_prolific_api(base)) {
    return invalid("no token: set PROLIFIC_TOKEN or pass options.token "
                   "(Prolific's API needs one; a proxy base URL does not)");
  }
  return request;
}

bool is_https_downgrade(std::string_view request_url, std::string_view final_url) {
  auto starts_with_ignoring_case = [](std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && lower(text.substr(0, prefix.size())) == prefix;
  };
  return starts_with_ignoring_case(request_url, "https:") && starts_with_ignoring_case(final_url, "http:");
}

}  // namespace prolific
