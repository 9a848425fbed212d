// libFuzzer target: parse_retry_after, parse_http_date, find_header and retry_delay_ms.
//
// Input layout (seeds in tests/fuzz/corpus/retry_after/):
//   byte 0  bits 0-2 "now" (index into `nows`; 7 = the next 8 bytes as a raw double, so NaN,
//           infinities and absurd clocks are tried too)
//   rest    the Retry-After value
//
// Invariants: parse_retry_after never returns a negative or NaN delay; all-digit values give
// exactly min(value, 1e9) s; an HTTP-date gives max(0, date - now) (nothing when now is NaN or
// infinite); parse_http_date returns a
// finite whole second that formats back (gmtime) to the same date and time; find_header finds
// the value, trimmed, among other header lines whatever the case of the name; retry_delay_ms of
// the result stays within 0..60000 ms.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "retry.hpp"

namespace {

constexpr double nows[7] = {
    0,                  // the epoch
    784111777000,       // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)
    1.7e12,             // 2023
    4102444800000,      // 2100-01-01
    -1e12,              // 1938
    253402300799000,    // 9999-12-31 23:59:59
    1e15,               // year ~33658
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

const char* const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The date and time of `ms` in IMF-fixdate and asctime layouts, without the day name (the parser
// does not check it against the date).
bool format_dates(double ms, std::string* imf_tail, std::string* asctime_tail) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (!gmtime_r(&seconds, &tm)) return false;
  char imf[64], asc[64];
  std::snprintf(imf, sizeof imf, "%02d %s %04d %02d:%02d:%02d GMT", tm.tm_mday, month_names[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::snprintf(asc, sizeof asc, "%s %2d %02d:%02d:%02d %04d", month_names[tm.tm_mon], tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
  *imf_tail = imf;
  *asctime_tail = asc;
  return true;
}

// asctime's date3 is "2DIGIT / ( SP DIGIT )": "Nov  6" and "Nov 06" are the same day.
std::string zero_padded(std::string asctime_tail) {
  if (asctime_tail.size() > 4 && asctime_tail[4] == ' ') asctime_tail[4] = '0';
  return asctime_tail;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  double now;
  std::size_t skip = 1;
  if ((data[0] & 7) == 7) {
    if (size < 9) return 0;
    std::memcpy(&now, data + 1, sizeof now);
    skip = 9;
  } else {
    now = nows[data[0] & 7];
  }
  const std::string_view value(reinterpret_cast<const char*>(data + skip), size - skip);
  const std::string_view trimmed = trim(value);

  const std::optional<double> delay = prolific::parse_retry_after(value, now);
  if (delay) {
    FUZZ_CHECK(!std::isnan(*delay));
    FUZZ_CHECK(*delay >= 0);
    const double retry = prolific::retry_delay_ms(delay, 0, 0.5);
    FUZZ_CHECK(retry >= 0 && retry <= prolific::max_retry_after_delay_ms);
  }
  if (trimmed.empty()) FUZZ_CHECK(!delay);

  if (all_digits(trimmed)) {
    double seconds = 0;
    for (char c : trimmed) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > 1e9) seconds = 1e9;
    }
    FUZZ_CHECK(delay && *delay == seconds * 1000);
  }

  const std::optional<double> date = prolific::parse_http_date(value);
  if (date) {
    FUZZ_CHECK(std::isfinite(*date));
    FUZZ_CHECK(std::fmod(*date, 1000) == 0);
    FUZZ_CHECK(trimmed.size() == 29 || trimmed.size() == 24);
    // A date needs a real clock: with a NaN or infinite now it is unusable, like a garbled value.
    if (std::isfinite(now)) FUZZ_CHECK(delay && *delay == std::max(0.0, *date - now));
    else FUZZ_CHECK(!delay);
    std::string imf_tail, asctime_tail;
    const bool leap_second = trimmed.size() == 29 ? trimmed.substr(23, 2) == "60" : trimmed.substr(17, 2) == "60";
    if (!leap_second && format_dates(*date, &imf_tail, &asctime_tail)) {
      if (trimmed.size() == 29) FUZZ_CHECK(trimmed.substr(5) == imf_tail);
      else FUZZ_CHECK(trimmed.substr(4) == asctime_tail || trimmed.substr(4) == zero_padded(asctime_tail));
    }
  }

  if (value.find('\n') == std::string_view::npos) {
    std::string headers = "content-type: text/plain\r\nRetry-After-Not: 1\r\nRETRY-after:" + std::string(value) +
                          "\r\nretry-after: 7\r\n";
    std::optional<std::string> found = prolific::find_header(headers, "retry-after");
    FUZZ_CHECK(found && *found == trim(value));
    std::optional<double> again = prolific::parse_retry_after(*found, now);
    FUZZ_CHECK(again.has_value() == delay.has_value());
    if (again && delay) FUZZ_CHECK(*again == *delay);
  }
  return 0;
}
