// When to retry and how long to wait: Retry-After, exponential backoff with jitter, poll intervals.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"

namespace prolific {

/// Longest delay taken from a Retry-After header before a retry, in ms (DESIGN.md: 0…60 s).
inline constexpr double max_retry_after_delay_ms = 60000;
/// First backoff delay, in ms; it doubles on every retry.
inline constexpr double initial_backoff_ms = 500;
/// Longest backoff delay, in ms.
inline constexpr double max_backoff_ms = 8000;
/// Growth of the waitForDataset poll interval between reads.
inline constexpr double poll_interval_growth = 1.5;

/// Parses a Retry-After value (RFC 9110 §10.2.3): delay-seconds (1*DIGIT) or an HTTP-date in any
/// of the three formats of RFC 9110 §5.6.7 (IMF-fixdate, RFC 850, asctime), compared with
/// `now_ms` (ms since the Unix epoch). Returns the delay in ms, never negative (a date in the past
/// is 0), not clamped above; nothing for an empty, garbled or negative value.
std::optional<double> parse_retry_after(std::string_view value, double now_ms);

/// Parses an HTTP-date (RFC 9110 §5.6.7) into ms since the Unix epoch.
std::optional<double> parse_http_date(std::string_view value);

/// The value of header `name` (case-insensitive) in `raw_headers`, the "name: value\r\n" lines of
/// XMLHttpRequest.getAllResponseHeaders(), with surrounding white space removed.
std::optional<std::string> find_header(std::string_view raw_headers, std::string_view name);

/// True for the HTTP statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool is_retryable_http_status(int http_status);

/// True when a failed attempt may be tried again: network errors, per-attempt timeouts and API
/// errors with a retryable status. Invalid responses and invalid arguments are final.
bool is_retryable(const Error& error);

/// Exponential backoff before retry number `retry_index` (0 for the first retry), in ms:
/// min(8000, 500 × 2^retry_index) × (1 − 0.25 × random01), where random01 is in [0, 1).
double backoff_delay_ms(int retry_index, double random01);

/// The delay before retry number `retry_index` (0 for the first retry), in ms: the larger of
/// backoff_delay_ms(retry_index, random01) and the server's Retry-After (`retry_after_ms`, as
/// parse_retry_after read it; nothing when absent or garbled) clamped to 0…60000. The backoff is
/// a floor: a server asking for less (`Retry-After: 0`, a date in the past) is not polled faster
/// than the backoff schedule (DESIGN.md, "Retries"). The one delay computation of every retry:
/// single reads, waits, lifecycle calls and watches all take their delays from here.
double retry_delay_ms(std::optional<double> retry_after_ms, int retry_index, double random01);

/// The delay before waitForDataset's read number `read_index + 1`, in ms: `interval_ms` before the
/// second read, then × 1.5 per read with jitter (× 0.8…1.0), never above `max_interval_ms`.
double poll_delay_ms(int read_index, double interval_ms, double max_interval_ms, double random01);

}  // namespace prolific
