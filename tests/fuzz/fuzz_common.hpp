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

namespace fuzz {

// Prints what broke (visible in the libFuzzer log) and traps.
#define FUZZ_CHECK(condition)                                                          \
  do {                                                                                 \
    if (!(condition)) {                                                                \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, \
                   #condition);                                                        \
      __builtin_trap();                                                                \
    }                                                                                  \
  } while (0)

/// Tokens the targets redact. None holds "[" or "]", so "[REDACTED]" can never help form one
/// (a token made of the marker's letters would make "never contains the token" meaningless).
/// The long ones exercise the snippet window: a body of repeated long tokens shrinks a lot
/// when redacted.
inline constexpr std::string_view tokens[] = {
    "TOKEN-abc/123",
    "tok_9/Zz-LongSecret0123456789abcdefghijklmnopqrstuvwxyz/0123456789-ABCDEFGHIJ",
    "ab/cd",
    "Pq7wXy2LmN8kVb3HjT6rFd1SgZc9QeUo4AiKx5YpWn0MlJv2BhGt7RfDs3CkEa8NuZoLq1IwPy6XmHbVg4TjKr9SdFe"
    "0UcAnQi5OpWl2YxMz7Gh3JkBv8NtRs1DfCe6LaPq9KwUo4IyTx0EmZn5HgVb2SjQr7FdXc3AkLp8MwNu1OiYt6GzRe"};
inline constexpr std::size_t token_count = sizeof(tokens) / sizeof(tokens[0]);

inline bool contains(std::string_view text, std::string_view needle) {
  return !needle.empty() && text.find(needle) != std::string_view::npos;
}

/// Length of the well-formed UTF-8 sequence (RFC 3629) at text[pos], or 0. Written independently
/// of src/core so the targets do not check the code with itself.
inline std::size_t utf8_length_at(std::string_view text, std::size_t pos) {
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

inline bool valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = utf8_length_at(text, pos);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

/// UTF-16 code units of valid UTF-8 text (what JavaScript's String.length counts).
inline std::size_t utf16_units(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = utf8_length_at(text, pos);
    units += length == 4 ? 2 : 1;
    pos += length ? length : 1;
  }
  return units;
}

/// The token as a JSON encoder that escapes "/" writes it.
inline std::string json_escaped(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '/') out += '\\';
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

/// Reference redaction: one left-to-right pass over the WHOLE text, replacing the token written
/// in any spelling (ASCII letters in either case; any character also as the JSON escapes \/, \\,
/// \" or \uXXXX below U+0080) by "[REDACTED]". Written independently of src/core: it decodes the
/// candidate spelling into a string first, then compares.
inline std::string reference_redact(std::string_view text, std::string_view token) {
  if (token.empty()) return std::string(text);
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  // Decodes token.size() characters from `pos`; returns the bytes used, 0 when text runs out.
  auto decode = [&](std::size_t pos, std::string* chars) -> std::size_t {
    std::size_t at = pos;
    while (chars->size() < token.size()) {
      if (at >= text.size()) return 0;
      if (text[at] == '\\' && at + 1 < text.size()) {
        char e = text[at + 1];
        if (e == '/' || e == '\\' || e == '"') {
          chars->push_back(e);
          at += 2;
          continue;
        }
        if (e == 'u' && at + 5 < text.size()) {
          unsigned value = 0;
          bool hex = true;
          for (std::size_t i = at + 2; i < at + 6; ++i) {
            char h = lower(text[i]);
            if (h >= '0' && h <= '9') value = value * 16 + static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f') value = value * 16 + static_cast<unsigned>(h - 'a' + 10);
            else hex = false;
          }
          if (hex && value > 0 && value < 0x80) {
            chars->push_back(static_cast<char>(value));
            at += 6;
            continue;
          }
        }
      }
      chars->push_back(text[at++]);
    }
    return at - pos;
  };
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    std::string chars;
    std::size_t used = decode(pos, &chars);
    bool same = used != 0;
    for (std::size_t i = 0; same && i < token.size(); ++i) same = lower(chars[i]) == lower(token[i]);
    if (same) {
      out += "[REDACTED]";
      pos += used;
    } else {
      out += text[pos++];
    }
  }
  return out;
}

/// Reference body_snippet, straight from its documentation: redact the whole body, decode it as
/// UTF-8 replacing each invalid byte by U+FFFD, keep the first 200 UTF-16 units.
inline std::string reference_snippet(std::string_view body, std::string_view token, std::size_t max_units) {
  const std::string text = reference_redact(body, token);
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

/// The token as it may hide in JSON: first character as a \u escape, "/" as "\/". A JSON
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
    } else if (c == '/') {
      out += "\\/";
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
