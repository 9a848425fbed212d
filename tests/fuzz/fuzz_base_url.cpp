// libFuzzer target: parse_base_url, build_status_request, percent_encode_path_segment,
// validate_token, validate_dataset_id, and (on the same first line) parse_presigned_url and
// build_upload_request.
//
// Input layout (seeds in tests/fuzz/corpus/base_url/): "<base URL>\n<dataset id>[\n<token>]".
// Without a newline the whole input is the base URL and the dataset id is "ds-1". The request is
// built three times: without a token, with fuzz::tokens[0], and with the third line as token
// (when there is one).
//
// Invariants:
//   * an accepted base URL is canonical: http/https, a lower-case host that is a DNS name, a
//     dotted quad or a bracketed IPv6 literal, a port 1..65535 without leading zeros that is not
//     the scheme's default, a path prefix "" or "/..." without trailing slash, query, fragment,
//     dot segment (plain or percent-encoded) or character outside printable ASCII; loopback is
//     set exactly for localhost, 127.0.0.0/8 and [::1]; origin() + path_prefix parses back to
//     the same BaseUrl;
//   * a built request's URL is exactly origin + prefix + "/api/v1/data-collection/datasets/" +
//     <encoded> + "/status", where <encoded> holds only unreserved characters and %XX, no '/',
//     '?' or '#', and decodes back to the dataset id; Authorization is "Token <token>" exactly
//     when a token was given, and is only ever sent over https or to a loopback host;
//   * build_status_request succeeds exactly when the base URL, the dataset id and the token are
//     valid and the token rules allow it; its error messages never contain the token;
//   * an accepted presigned upload URL is https (or http to a loopback host), printable ASCII,
//     without fragment, backslash or user information, its origin is what parse_base_url reads
//     from the text before the path, and its PUT request never carries Authorization.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "lifecycle.hpp"
#include "request.hpp"

namespace {

using prolific::BaseUrl;

bool is_printable_ascii(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return false;
  }
  return true;
}

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes an encoded segment; nothing when it holds anything but unreserved characters and %XX.
std::optional<std::string> percent_decode_strict(std::string_view encoded) {
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '%') {
      if (i + 2 >= encoded.size()) return std::nullopt;
      int high = hex_value(encoded[i + 1]), low = hex_value(encoded[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (is_unreserved(c)) {
      out += c;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_dotted_quad(std::string_view host, unsigned* first_octet) {
  int parts = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t end = host.find('.', pos);
    if (end == std::string_view::npos) end = host.size();
    std::string_view part = host.substr(pos, end - pos);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    unsigned value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 255) return false;
    if (parts == 0) *first_octet = value;
    ++parts;
    if (end == host.size()) break;
    pos = end + 1;
  }
  return parts == 4;
}

void check_base_url(const BaseUrl& url) {
  FUZZ_CHECK(url.scheme == "http" || url.scheme == "https");
  // Host.
  FUZZ_CHECK(!url.host.empty());
  FUZZ_CHECK(is_printable_ascii(url.host));
  FUZZ_CHECK(url.host == lower(url.host));
  if (url.host.front() == '[') {
    FUZZ_CHECK(url.host.back() == ']' && url.host.size() >= 4);
    for (char c : url.host.substr(1, url.host.size() - 2)) FUZZ_CHECK(hex_value(c) >= 0 || c == ':' || c == '.');
  } else {
    FUZZ_CHECK(url.host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") == std::string::npos);
    FUZZ_CHECK(url.host.front() != '.' && url.host.back() != '.' && url.host.find("..") == std::string::npos);
    // A last label WHATWG URL reads as a number means the whole host must be a dotted quad.
    std::string_view last(url.host);
    last = last.substr(last.rfind('.') + 1);
    bool numeric = last.find_first_not_of("0123456789") == std::string_view::npos ||
                   (last.size() >= 2 && last[0] == '0' && last[1] == 'x' &&
                    last.substr(2).find_first_not_of("0123456789abcdef") == std::string_view::npos);
    unsigned first_octet = 0;
    if (numeric) FUZZ_CHECK(is_dotted_quad(url.host, &first_octet));
  }
  // Port.
  if (!url.port.empty()) {
    FUZZ_CHECK(url.port.size() <= 5 && url.port[0] != '0');
    FUZZ_CHECK(url.port.find_first_not_of("0123456789") == std::string::npos);
    unsigned long value = std::stoul(url.port);
    FUZZ_CHECK(value >= 1 && value <= 65535);
    FUZZ_CHECK(!(url.scheme == "http" && value == 80) && !(url.scheme == "https" && value == 443));
  }
  // Path prefix.
  const std::string& path = url.path_prefix;
  if (!path.empty()) {
    FUZZ_CHECK(path.front() == '/' && path.back() != '/');
    FUZZ_CHECK(is_printable_ascii(path));
    FUZZ_CHECK(path.find_first_of("?#\\\"<>^`{|}[]") == std::string::npos);
    const std::string lowered = lower(path);
    FUZZ_CHECK(lowered.find("%2e") == std::string::npos && lowered.find("%2f") == std::string::npos &&
               lowered.find("%5c") == std::string::npos);
    for (std::size_t pos = 0; pos <= path.size();) {
      std::size_t end = path.find('/', pos);
      if (end == std::string::npos) end = path.size();
      std::string_view segment(path.data() + pos, end - pos);
      FUZZ_CHECK(segment != "." && segment != "..");
      pos = end + 1;
    }
  }
  // Loopback.
  unsigned first_octet = 0;
  bool loopback = url.host == "localhost" || url.host == "[::1]" ||
                  (is_dotted_quad(url.host, &first_octet) && first_octet == 127);
  FUZZ_CHECK(url.loopback == loopback);
  FUZZ_CHECK(prolific::is_loopback_host(url.host) == loopback);
  // Canonical form parses back to itself.
  auto again = prolific::parse_base_url(url.origin() + url.path_prefix);
  FUZZ_CHECK(again.ok());
  const BaseUrl& other = again.value();
  FUZZ_CHECK(other.scheme == url.scheme && other.host == url.host && other.port == url.port &&
             other.path_prefix == url.path_prefix && other.loopback == url.loopback);
}

void check_request(std::string_view base_text, std::string_view dataset_id, std::optional<std::string_view> token,
                   double timeout_ms) {
  prolific::ClientOptions options;
  options.base_url = std::string(base_text);
  if (token) options.token = std::string(*token);
  options.timeout_ms = timeout_ms;
  options.max_retries = 2;
  auto request = prolific::build_status_request(dataset_id, options);

  auto base = prolific::parse_base_url(base_text);
  bool expected_ok = base.ok() && !prolific::validate_dataset_id(dataset_id);
  if (expected_ok && token) {
    expected_ok = !prolific::validate_token(*token) && (base.value().scheme == "https" || base.value().loopback);
  }
  if (expected_ok && !token) expected_ok = !prolific::is_prolific_api(base.value());
  FUZZ_CHECK(request.ok() == expected_ok);

  if (!request.ok()) {
    const prolific::Error& error = request.error();
    FUZZ_CHECK(error.kind == prolific::ErrorKind::invalid_argument);
    FUZZ_CHECK(fuzz::valid_utf8(error.message));
    FUZZ_CHECK(!fuzz::contains(error.message, fuzz::tokens[0]));
    return;
  }
  const prolific::HttpRequest& http = request.value();
  const BaseUrl& url = base.value();
  FUZZ_CHECK(http.method == "GET");
  FUZZ_CHECK(http.timeout_ms == timeout_ms);
  FUZZ_CHECK(is_printable_ascii(http.url));

  const std::string head = url.origin() + url.path_prefix + "/api/v1/data-collection/datasets/";
  const std::string tail = "/status";
  FUZZ_CHECK(http.url.size() > head.size() + tail.size());
  FUZZ_CHECK(http.url.compare(0, head.size(), head) == 0);
  FUZZ_CHECK(http.url.compare(http.url.size() - tail.size(), tail.size(), tail) == 0);
  std::string_view encoded(http.url);
  encoded = encoded.substr(head.size(), encoded.size() - head.size() - tail.size());
  FUZZ_CHECK(encoded.find_first_of("/?#") == std::string_view::npos);
  FUZZ_CHECK(encoded != "." && encoded != "..");
  std::optional<std::string> decoded = percent_decode_strict(encoded);
  FUZZ_CHECK(decoded && *decoded == dataset_id);
  FUZZ_CHECK(encoded == prolific::percent_encode_path_segment(dataset_id));

  // Nothing but the documented path follows the prefix: the URL splits back into origin, prefix.
  FUZZ_CHECK(http.url.find_first_of("?#") == std::string::npos);

  std::size_t authorizations = 0;
  bool accept = false;
  for (const auto& [name, value] : http.headers) {
    if (name == "Accept") accept = value == "application/json";
    if (name == "Authorization") {
      ++authorizations;
      FUZZ_CHECK(token && value == "Token " + std::string(*token));
      FUZZ_CHECK(value.find_first_of(std::string("\r\n\0", 3)) == std::string::npos);
    }
  }
  FUZZ_CHECK(accept);
  FUZZ_CHECK(authorizations == (token ? 1u : 0u));
  if (token) FUZZ_CHECK(url.scheme == "https" || url.loopback);
  else FUZZ_CHECK(!prolific::is_prolific_api(url));
  FUZZ_CHECK(!prolific::is_https_downgrade(http.url, http.url));
}

void check_token(std::string_view token) {
  auto error = prolific::validate_token(token);
  bool valid = !token.empty() && token.front() != ' ' && token.back() != ' ';
  for (char c : token) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) valid = false;
  }
  FUZZ_CHECK(!error == valid);
  if (error) FUZZ_CHECK(error->kind == prolific::ErrorKind::invalid_argument);
}

// parse_presigned_url and build_upload_request: the upload URL is opaque past its origin, but
// is only accepted over https (or http to a loopback host), printable, without fragment or user
// information, and its origin is what parse_base_url reads from the same text.
void check_presigned(std::string_view text) {
  auto origin = prolific::parse_presigned_url(text);
  auto upload = prolific::build_upload_request(text, "text/csv", 0);
  FUZZ_CHECK(upload.ok() == origin.ok());
  if (!origin.ok()) {
    FUZZ_CHECK(origin.error().kind == prolific::ErrorKind::invalid_argument);
    FUZZ_CHECK(fuzz::valid_utf8(origin.error().message));
    return;
  }
  const BaseUrl& url = origin.value();
  FUZZ_CHECK(url.scheme == "https" || url.loopback);
  FUZZ_CHECK(is_printable_ascii(text));
  FUZZ_CHECK(text.find_first_of("#\\") == std::string_view::npos);
  std::size_t authority_start = text.find("://");
  FUZZ_CHECK(authority_start != std::string_view::npos);
  authority_start += 3;
  std::size_t authority_end = text.find_first_of("/?", authority_start);
  std::string_view authority = text.substr(authority_start, authority_end == std::string_view::npos
                                                                ? std::string_view::npos
                                                                : authority_end - authority_start);
  FUZZ_CHECK(authority.find('@') == std::string_view::npos);
  auto base = prolific::parse_base_url(text.substr(0, authority_end));
  FUZZ_CHECK(base.ok() && base.value().origin() == url.origin());
  check_base_url(url);
  const prolific::HttpRequest& request = upload.value();
  FUZZ_CHECK(request.method == "PUT" && request.url == text);
  for (const auto& header : request.headers) FUZZ_CHECK(header.first != "Authorization");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view base_text = input;
  std::string_view dataset_id = "ds-1";
  std::optional<std::string_view> fuzzed_token;
  if (std::size_t newline = input.find('\n'); newline != std::string_view::npos) {
    base_text = input.substr(0, newline);
    dataset_id = input.substr(newline + 1);
    if (std::size_t second = dataset_id.find('\n'); second != std::string_view::npos) {
      fuzzed_token = dataset_id.substr(second + 1);
      dataset_id = dataset_id.substr(0, second);
    }
  }

  auto base = prolific::parse_base_url(base_text);
  if (base.ok()) {
    FUZZ_CHECK(is_printable_ascii(base_text));
    check_base_url(base.value());
  } else {
    FUZZ_CHECK(base.error().kind == prolific::ErrorKind::invalid_argument);
    FUZZ_CHECK(fuzz::valid_utf8(base.error().message));
  }

  check_presigned(base_text);

  const std::string encoded = prolific::percent_encode_path_segment(dataset_id);
  FUZZ_CHECK(encoded.find_first_of("/?#") == std::string::npos);
  FUZZ_CHECK(percent_decode_strict(encoded) == std::string(dataset_id));

  const double timeout = static_cast<double>(size % 3) * 15000;
  check_request(base_text, dataset_id, std::nullopt, timeout);
  check_request(base_text, dataset_id, fuzz::tokens[0], timeout);
  if (fuzzed_token) {
    check_token(*fuzzed_token);
    check_request(base_text, dataset_id, *fuzzed_token, timeout);
  }
  return 0;
}
