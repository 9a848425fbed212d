#include "retry.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace prolific {
namespace {

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// Reads exactly `count` digits at `text[pos]`.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!is_digit(text[pos + i])) return std::nullopt;
    value = value * 10 + (text[pos + i] - '0');
  }
  return value;
}

std::optional<int> month_index(std::string_view name) {
  static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (name == months[i]) return static_cast<int>(i) + 1;
  }
  return std::nullopt;
}

bool is_day_name(std::string_view name, bool long_form) {
  static constexpr std::array<std::string_view, 7> short_names = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 7> long_names = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                                "Friday", "Saturday", "Sunday"};
  const auto& names = long_form ? long_names : short_names;
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
long long days_from_civil(long long year, int month, int day) {
  year -= month <= 2;
  const long long era = (year >= 0 ? year : year - 399) / 400;
  const long long year_of_era = year - era * 400;
  const long long day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// "HH:MM:SS" at text[pos].
bool read_time(std::string_view text, std::size_t pos, int* hour, int* minute, int* second) {
  auto h = read_digits(text, pos, 2), m = read_digits(text, pos + 3, 2), s = read_digits(text, pos + 6, 2);
  if (!h || !m || !s || text[pos + 2] != ':' || text[pos + 5] != ':') return false;
  if (*h > 23 || *m > 59 || *s > 60) return false;
  *hour = *h;
  *minute = *m;
  *second = *s;
  return true;
}

std::optional<double> to_epoch_ms(int year, int month, int day, int hour, int minute, int second) {
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  long long seconds = days_from_civil(year, month, day) * 86400LL + hour * 3600LL + minute * 60LL + second;
  return static_cast<double>(seconds) * 1000.0;
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<double> parse_imf_fixdate(std::string_view text) {
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return std::nullopt;
  if (!is_day_name(text.substr(0, 3), false) || text[7] != ' ' || text[11] != ' ' || text[16] != ' ') return std::nullopt;
  auto day = read_digits(text, 5, 2), year = read_digits(text, 12, 4);
  auto month = month_index(text.substr(8, 3));
  int hour, minute, second;
  if (!day || !year || !month || !read_time(text, 17, &hour, &minute, &second)) return std::nullopt;
  return to_epoch_ms(*year, *month, *day, hour, minute, second);
}

// RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year more than 50 years in the future
// is read as the past century (RFC 9110 §5.6.7).
std::optional<double> parse_rfc850_date(std::string_view text, double now_ms) {
  if (!std::isfinite(now_ms)) return std::nullopt;  // no current century to read "94" in
  std::size_t comma = text.find(", ");
  if (comma == std::string_view::npos || !is_day_name(text.substr(0, comma), true)) return std::nullopt;
  std::string_view rest = text.substr(comma + 2);
  if (rest.size() != 22 || rest[2] != '-' || rest[6] != '-' || rest[9] != ' ' || rest.substr(18) != " GMT") {
    return std::nullopt;
  }
  auto day = read_digits(rest, 0, 2), short_year = read_digits(rest, 7, 2);
  auto month = month_index(rest.substr(3, 3));
  int hour, minute, second;
  if (!day || !short_year || !month || !read_time(rest, 10, &hour, &minute, &second)) return std::nullopt;
  // Kept within 0..9999 (HTTP-date years): converting an out-of-range double to int is undefined
  // behaviour (and a trap in WebAssembly), and the century arithmetic below must not overflow.
  double years_since_1970 = std::trunc(now_ms / 1000.0 / 86400.0 / 365.2425);
  int current_year = 1970 + static_cast<int>(std::clamp(years_since_1970, -1970.0, 8029.0));
  int year = current_year / 100 * 100 + *short_year;
  if (year > current_year + 50) year -= 100;
  return to_epoch_ms(year, *month, *day, hour, minute, second);
}

// asctime: "Sun Nov  6 08:49:37 1994"
std::optional<double> parse_asctime_date(std::string_view text) {
  if (text.size() != 24 || text[3] != ' ' || text[7] != ' ' || text[10] != ' ' || text[19] != ' ') return std::nullopt;
  if (!is_day_name(text.substr(0, 3), false)) return std::nullopt;
  auto month = month_index(text.substr(4, 3));
  std::optional<int> day = text[8] == ' ' ? read_digits(text, 9, 1) : read_digits(text, 8, 2);
  auto year = read_digits(text, 20, 4);
  int hour, minute, second;
  if (!day || !year || !month || !read_time(text, 11, &hour, &minute, &second)) return std::nullopt;
  return to_epoch_ms(*year, *month, *day, hour, minute, second);
}

}  // namespace

std::optional<double> parse_http_date(std::string_view value) {
  value = trim(value);
  if (auto date = parse_imf_fixdate(value)) return date;
  if (auto date = parse_asctime_date(value)) return date;
  return std::nullopt;
}

std::optional<double> parse_retry_after(std::string_view value, double now_ms) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), is_digit)) {
    // Saturate rather than overflow: anything past ~31 years is simply "very long".
    double seconds = 0;
    for (char c : value) seconds = std::min(seconds * 10 + (c - '0'), 1e9);
    return seconds * 1000.0;
  }
  // A date is only a delay relative to a real clock: with a NaN or infinite `now_ms` it is unusable
  // (the difference would be NaN or infinite), as if garbled.
  if (!std::isfinite(now_ms)) return std::nullopt;
  std::optional<double> date = parse_http_date(value);
  if (!date) date = parse_rfc850_date(value, now_ms);
  if (!date) return std::nullopt;
  return std::max(0.0, *date - now_ms);
}

std::optional<std::string> find_header(std::string_view raw_headers, std::string_view name) {
  std::size_t pos = 0;
  while (pos < raw_headers.size()) {
    std::size_t end = raw_headers.find('\n', pos);
    if (end == std::string_view::npos) end = raw_headers.size();
    std::string_view line = raw_headers.substr(pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && equals_ignoring_case(trim(line.substr(0, colon)), name)) {
      return std::string(trim(line.substr(colon + 1)));
    }
    pos = end + 1;
  }
  return std::nullopt;
}

bool is_retryable_http_status(int http_status) {
  switch (http_status) {
    case 408: case 429: case 500: case 502: case 503: case 504: return true;
    default: return false;
  }
}

bool is_retryable(const Error& error) {
  switch (error.kind) {
    case ErrorKind::network:
    case ErrorKind::timeout:
      return true;
    case ErrorKind::api:
      return is_retryable_http_status(error.http_status);
    default:
      return false;
  }
}

double backoff_delay_ms(int retry_index, double random01) {
  double base = std::ldexp(initial_backoff_ms, std::min(retry_index, 30));  // exact; no pow() linked
  return std::min(base, max_backoff_ms) * (1.0 - 0.25 * random01);
}

double retry_delay_ms(std::optional<double> retry_after_ms, int retry_index, double random01) {
  const double backoff = backoff_delay_ms(retry_index, random01);
  // A value that is not finite is not a usable delay (std::clamp would even hand NaN back).
  if (!retry_after_ms || !std::isfinite(*retry_after_ms)) return backoff;
  return std::max(backoff, std::clamp(*retry_after_ms, 0.0, max_retry_after_delay_ms));
}

double poll_delay_ms(int read_index, double interval_ms, double max_interval_ms, double random01) {
  double cap = std::max(max_interval_ms, 0.0);
  if (read_index <= 0) return std::min(interval_ms, cap);
  double base = interval_ms;
  for (int i = 0; i < std::min(read_index, 200) && base < cap; ++i) base *= poll_interval_growth;
  base = std::min(base, cap);
  return base * (0.8 + 0.2 * random01);
}

}  // namespace prolific
