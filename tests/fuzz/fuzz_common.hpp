// Shared helpers of the libFuzzer targets: invariant checks and independent reference models.
// Every broken invariant ends in check() -> __builtin_trap(), which libFuzzer reports as a crash
// and saves the input under build/fuzz/crashes/ (see scripts/fuzz.sh).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

// The reference models are checks, not code under test: no coverage instrumentation (with its
// comparison tracing, it made them cost more than the code they check).
#define FUZZ_REFERENCE __attribute__((no_sanitize("coverage")))


// Prints what broke (visible in the libFuzzer log) and traps.
#define FUZZ_CHECK(condition)                                                          \
  do {                                                                                 \
    if (!(condition)) {                                                                \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, \
                   #condition);                                                        \
      __builtin_trap();                                                                \
    }                                                                                  \
  } while (0)

/// Tokens the targets redact, all header-safe (printable ASCII, no white space at either end).
/// They hold what makes spellings tricky: "/" (escaped as \/ by some JSON encoders), a backslash
/// before "/", "u0041", "\" and a quote (read as escapes by a redaction that decodes text that is
/// already decoded), one ending in a backslash, the separators the library joins texts with
/// (": ", "; ", ", ") and spaces, and one ("D]Zq") that the marker "[REDACTED]" and the text
/// after it can spell again. None is part of the marker itself. The long ones exercise the
/// snippet window: a body of repeated long tokens shrinks a lot when redacted.
inline constexpr std::string_view tokens[] = {
    "TOKEN-abc/123",
    "tok_9/Zz-LongSecret0123456789abcdefghijklmnopqrstuvwxyz/0123456789-ABCDEFGHIJ",
    "ab/cd",
    "Pq7wXy2LmN8kVb3HjT6rFd1SgZc9QeUo4AiKx5YpWn0MlJv2BhGt7RfDs3CkEa8NuZoLq1IwPy6XmHbVg4TjKr9SdFe"
    "0UcAnQi5OpWl2YxMz7Gh3JkBv8NtRs1DfCe6LaPq9KwUo4IyTx0EmZn5HgVb2SjQr7FdXc3AkLp8MwNu1OiYt6GzRe",
    R"(Ab\/Cd\u0041x\\y"z)",
    "AbCdEf: GhIj; Kl, Mn Op",
    R"(Zq9\)",
    "D]Zq",
};
inline constexpr std::size_t token_count = sizeof(tokens) / sizeof(tokens[0]);

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

/// True when `text` holds `needle` byte for byte, ASCII letters in any case.
FUZZ_REFERENCE inline bool contains(std::string_view text, std::string_view needle) {
  if (needle.empty() || needle.size() > text.size()) return false;
  for (std::size_t pos = 0; pos + needle.size() <= text.size(); ++pos) {
    std::size_t i = 0;
    while (i < needle.size() && lower(text[pos + i]) == lower(needle[i])) ++i;
    if (i == needle.size()) return true;
  }
  return false;
}

/// Length of the well-formed UTF-8 sequence (RFC 3629) at text[pos], or 0. Written independently
/// of src/core so the targets do not check the code with itself.
FUZZ_REFERENCE inline std::size_t utf8_length_at(std::string_view text, std::size_t pos) {
  auto b = [&](std::size_t i) -> unsigned { return static_cast<unsigned char>(text[i]); };
  unsigned lead = b(pos);
  if (lead < 0x80) return 1;
  std::size_t length;
  std::uint32_t code;
  if ((lead & 0xe0) == 0xc0) { length = 2; code = lead & 0x1f; }
  else if ((lead & 0xf0) == 0xe0) { length = 3; code = lead & 0x0f; }
  else if ((lead & 0xf8) == 0xf0) { length = 4; code = lead & 0x07; }
  else return 0;
  if (pos + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((b(pos + i) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (b(pos + i) & 0x3f);
  }
  static constexpr std::uint32_t min_code[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < min_code[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

FUZZ_REFERENCE inline bool valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = utf8_length_at(text, pos);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

/// UTF-16 code units of valid UTF-8 text (what JavaScript's String.length counts).
FUZZ_REFERENCE inline std::size_t utf16_units(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = utf8_length_at(text, pos);
    units += length == 4 ? 2 : 1;
    pos += length ? length : 1;
  }
  return units;
}

/// The token as a JSON encoder that escapes "/" writes it inside a string: \", \\ and \/.
inline std::string json_escaped(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '/' || c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

/// Bodies the core refuses before any parsing, whatever nlohmann/json would make of them: a raw
/// NUL byte anywhere (nlohmann would stop reading there), or a second byte order mark.
inline bool refused_before_parsing(std::string_view body) {
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (body.substr(0, 3) == bom) body.remove_prefix(3);
  return body.substr(0, 3) == bom || body.find('\0') != std::string_view::npos;
}

/// Reference matching, written independently of src/core. In decoded text (`json` false) the
/// token is its bytes, letters in any case. In JSON source every character may also be a JSON
/// escape (\/, \\, \", \uXXXX below U+0080); one start can then have several spellings. Returns
/// the end of the longest spelling starting at `pos`, or 0. Decoding is done on the fly, token
/// character by token character, so a mismatch costs one comparison: the targets call this at
/// every position of every text, and building a decoded candidate first made them slow.
FUZZ_REFERENCE inline std::size_t reference_match_end(std::string_view text, std::size_t pos, std::string_view token,
                                                      bool json) {
  if (token.empty() || pos >= text.size()) return 0;
  if (!json) {
    if (text.size() - pos < token.size()) return 0;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (lower(text[pos + i]) != lower(token[i])) return 0;
    }
    return pos + token.size();
  }
  if (text[pos] != '\\' && lower(text[pos]) != lower(token[0])) return 0;
  // Offsets (from pos) at which the rest of the token may start, as generation stamps in two
  // buffers that take turns: an offset is in the set of step g when its stamp is g. Nothing is
  // ever cleared or allocated again. Every spelling of a character is at most 6 bytes, so
  // offsets stay below 6 × token.size() + 1.
  static thread_local std::vector<std::uint64_t> stamps[2];
  static thread_local std::uint64_t generation = 0;
  const std::size_t width = 6 * token.size() + 1;
  for (auto& buffer : stamps) {
    if (buffer.size() < width) buffer.resize(width, 0);
  }
  std::uint64_t current = ++generation;
  std::vector<std::uint64_t>* now = &stamps[0];
  std::vector<std::uint64_t>* then = &stamps[1];
  (*now)[0] = current;
  std::size_t lowest = 0, highest = 0;  // bounds of the offsets in the set
  for (char expected : token) {
    const std::uint64_t following = ++generation;
    std::size_t new_lowest = width, new_highest = 0;
    auto mark = [&](std::size_t offset) {
      (*then)[offset] = following;
      new_lowest = std::min(new_lowest, offset);
      new_highest = std::max(new_highest, offset);
    };
    for (std::size_t offset = lowest; offset <= highest; ++offset) {
      if ((*now)[offset] != current) continue;
      std::size_t at = pos + offset;
      if (at >= text.size()) continue;
      if (lower(text[at]) == lower(expected)) mark(offset + 1);
      if (text[at] != '\\' || at + 1 >= text.size()) continue;
      char e = text[at + 1];
      if ((e == '/' || e == '\\' || e == '"') && lower(e) == lower(expected)) mark(offset + 2);
      if (e == 'u' && at + 5 < text.size()) {
        unsigned value = 0;
        bool hex = true;
        for (std::size_t i = at + 2; i < at + 6; ++i) {
          char h = lower(text[i]);
          if (h >= '0' && h <= '9') value = value * 16 + static_cast<unsigned>(h - '0');
          else if (h >= 'a' && h <= 'f') value = value * 16 + static_cast<unsigned>(h - 'a' + 10);
          else hex = false;
        }
        if (hex && value > 0 && value < 0x80 && lower(static_cast<char>(value)) == lower(expected)) mark(offset + 6);
      }
    }
    if (new_lowest == width) return 0;
    std::swap(now, then);
    current = following;
    lowest = new_lowest;
    highest = new_highest;
  }
  return pos + highest;
}

/// True when `text` holds a spelling of `token` (see reference_match_end).
FUZZ_REFERENCE inline bool contains_spelling(std::string_view text, std::string_view token, bool json) {
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    if (reference_match_end(text, pos, token, json)) return true;
  }
  return false;
}

/// One round of reference redaction: the intervals of every spelling are collected, those that
/// overlap are merged, and each merged interval becomes "[REDACTED]".
FUZZ_REFERENCE inline std::string reference_redact_round(std::string_view text, std::string_view token, bool json) {
  std::string out;
  std::size_t copied = 0;
  std::size_t run_start = 0, run_end = 0;
  bool in_run = false;
  for (std::size_t pos = 0; pos <= text.size(); ++pos) {
    std::size_t end = pos < text.size() ? reference_match_end(text, pos, token, json) : 0;
    if (in_run && (pos >= run_end)) {
      out.append(text, copied, run_start - copied);
      out += "[REDACTED]";
      copied = run_end;
      in_run = false;
    }
    if (end == 0) continue;
    if (in_run) {
      run_end = std::max(run_end, end);
    } else {
      in_run = true;
      run_start = pos;
      run_end = end;
    }
  }
  out.append(text, copied, std::string::npos);
  return out;
}

/// Reference redact(): rounds until no spelling is left; after 16 the whole text is the marker.
FUZZ_REFERENCE inline std::string reference_redact(std::string_view text, std::string_view token, bool json = false) {
  std::string current(text);
  if (token.empty()) return current;
  for (int round = 0; round < 16; ++round) {
    if (!contains_spelling(current, token, json)) return current;
    current = reference_redact_round(current, token, json);
  }
  return contains_spelling(current, token, json) ? std::string("[REDACTED]") : current;
}

/// Decodes as UTF-8 replacing each invalid byte by U+FFFD, keeping the first `max_units` UTF-16 units.
FUZZ_REFERENCE inline std::string reference_cut(std::string_view text, std::size_t max_units) {
  std::string out;
  std::size_t units = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = utf8_length_at(text, pos);
    std::size_t cost = length == 4 ? 2 : 1;
    if (units + cost > max_units) break;
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      pos += 1;
    } else {
      out.append(text, pos, length);
      pos += length;
    }
    units += cost;
  }
  return out;
}

/// Reference body_snippet, straight from its documentation: one round of redaction (JSON source)
/// over the WHOLE body, decoded and cut; when the cut text still spells the token, redacted again
/// (to the end) and cut again.
FUZZ_REFERENCE inline std::string reference_snippet(std::string_view body, std::string_view token, std::size_t max_units) {
  if (body.find('\0') != std::string_view::npos) return std::string();  // UTF-16/32 or binary: not shown
  std::string out = reference_cut(token.empty() ? std::string(body) : reference_redact_round(body, token, true), max_units);
  if (!token.empty() && contains_spelling(out, token, true)) out = reference_cut(reference_redact(out, token, true), max_units);
  return out;
}

/// The token as it may hide in JSON: first character as a \u escape, "/", "\" and '"' escaped. A JSON
/// parser decodes it back to the token, so decoded strings must be redacted after decoding.
inline std::string json_unicode_escaped(std::string_view token) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    auto c = static_cast<unsigned char>(token[i]);
    if (i == 0) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else if (c == '/' || c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

/// The piece spliced into bodies: 0 the raw token, 1 "/" escaped, 2 \u-escaped, 3 a whole
/// `"status"` member holding the \u-escaped token.
inline std::string token_piece(std::string_view token, unsigned kind) {
  switch (kind & 3) {
    case 0: return std::string(token);
    case 1: return json_escaped(token);
    case 2: return json_unicode_escaped(token);
    default: return "\"status\":\"" + json_unicode_escaped(token) + "\",";
  }
}

/// Inserts `count` copies of `piece` into `text` at positions of the original text drawn from
/// `seed` (a tiny LCG), never inside another copy, so the fuzzer reaches bodies holding the token
/// many times without having to build them itself.
inline std::string splice(const std::string& text, std::string_view piece, unsigned count, unsigned seed) {
  std::uint32_t state = seed * 2654435761u + 1;
  std::size_t positions[16];
  count = count > 16 ? 16 : count;
  for (unsigned i = 0; i < count; ++i) {
    state = state * 1664525u + 1013904223u;
    positions[i] = (state >> 8) % (text.size() + 1);
  }
  std::sort(positions, positions + count);
  std::string out;
  std::size_t from = 0;
  for (unsigned i = 0; i < count; ++i) {
    out.append(text, from, positions[i] - from);
    out.append(piece);
    from = positions[i];
  }
  out.append(text, from, std::string::npos);
  return out;
}

}  // namespace fuzz
