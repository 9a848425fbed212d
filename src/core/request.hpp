// Building a dataset status request: validating the dataset id, token and base URL, and the URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.hpp"

namespace prolific {

/// Prolific's own API, the default base URL (Prolific API reference).
inline constexpr std::string_view default_base_url = "https://api.prolific.com";

/// A base URL split into parts; produced only by parse_base_url, so every part is checked.
struct BaseUrl {
  std::string scheme;       ///< "http" or "https"
  std::string host;         ///< lower-case; an IPv6 literal keeps its brackets: "[::1]"
  std::string port;         ///< digits, or empty for the scheme's default
  std::string path_prefix;  ///< "" or "/prefix" with no trailing slash
  bool loopback = false;    ///< host is localhost, 127.0.0.0/8 or [::1]

  /// "scheme://host[:port]", the origin the token may be sent to.
  std::string origin() const;
};

/// Parses a base URL: `http(s)://host[:port][/path/prefix]`.
/// Returns an invalid_argument Error when the scheme is not http or https, when the URL holds
/// user information, a query, a fragment, a dot segment, white space or any character outside
/// printable ASCII, when the port is not 1..65535, or when the host is not a DNS name, a
/// dotted-quad IPv4 address or a bracketed IPv6 address. Hosts that WHATWG URL parsers would read
/// as a shortened or hexadecimal IPv4 address ("127.1", "0x7f.0.0.1") are refused, so this parser
/// and the runtime's can never disagree about where a request goes.
Result<BaseUrl> parse_base_url(std::string_view text);

/// Checks a presigned upload URL handed out by the API (`upload_url`): `https://host[:port]/path?query`,
/// or plain http to a loopback host (a local test server). Path and query are opaque (S3 keys and
/// signatures) but must be printable ASCII without white space, backslashes, quotes or angle
/// brackets; user information and fragments are refused. Returns the URL's origin, or an
/// invalid_argument Error.
Result<BaseUrl> parse_presigned_url(std::string_view text);

/// True for the loopback hosts of DESIGN.md: "localhost", 127.0.0.0/8 as a dotted quad, "[::1]".
/// "0.0.0.0" is not loopback. `host` must be lower-case, as parse_base_url leaves it.
bool is_loopback_host(std::string_view host);

/// True when `base_url` is Prolific's own API (https://api.prolific.com, any path prefix).
bool is_prolific_api(const BaseUrl& base_url);

/// Checks that a token can go in an HTTP header value (RFC 9110 §5.5): non-empty, printable
/// ASCII with inner spaces allowed, no control characters or line breaks, no surrounding white
/// space. Returns an invalid_argument Error (whose message never contains the token) or nothing.
std::optional<Error> validate_token(std::string_view token);

/// Checks a dataset id: non-empty, at most max_dataset_id_bytes bytes, and not "." or ".."
/// (which URL parsers resolve as dot segments even when percent-encoded).
std::optional<Error> validate_dataset_id(std::string_view dataset_id);

/// The longest dataset id accepted, in bytes of UTF-8.
inline constexpr std::size_t max_dataset_id_bytes = 1024;

/// Percent-encodes every byte of `segment` except RFC 3986 unreserved characters
/// (ALPHA / DIGIT / "-" / "." / "_" / "~"), so the result is exactly one path segment.
std::string percent_encode_path_segment(std::string_view segment);

/// What a caller passes for one read (DESIGN.md, "Options"); defaults already applied by JS.
struct ClientOptions {
  std::string base_url = std::string(default_base_url);
  std::optional<std::string> token;  ///< absent: no Authorization header
  double timeout_ms = 30000;         ///< per HTTP attempt, in ms; 0 means no limit
  int max_retries = 2;               ///< extra attempts after a retryable failure
};

/// One HTTP request for the transport to send.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  double timeout_ms = 0;  ///< for this attempt, in ms; 0 means no limit
  std::string body;       ///< request body (JSON text or file bytes); empty for GET
};

/// Builds `GET {baseUrl}/api/v1/data-collection/datasets/{dataset_id}/status` with
/// `Authorization: Token <token>` (Prolific API reference) and `Accept: application/json`.
/// Errors (all invalid_argument, nothing is sent): a bad dataset id, base URL or token (see the
/// validators above); a negative or non-finite timeout or a negative max_retries; no token while
/// the base URL is Prolific's own API; a token while the base URL is plain http to a host that
/// is not loopback.
Result<HttpRequest> build_status_request(std::string_view dataset_id, const ClientOptions& options);

/// True when a request to `request_url` ended, through redirects, at `final_url` over plain http
/// although it started over https (the Fetch standard never lets a redirect downgrade the scheme
/// for us). An empty `final_url` (unknown) is not a downgrade.
bool is_https_downgrade(std::string_view request_url, std::string_view final_url);

}  // namespace prolific
