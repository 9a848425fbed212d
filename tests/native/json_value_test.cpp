// JsonValue (SAX-built) against nlohmann/json's DOM, the independent reference: hand-written
// bodies, every seed of the fuzz corpora, and generated bodies (valid JSON, then mutated bytes).
#include <gtest/gtest.h>

#include <dirent.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../fuzz/json_differential.hpp"
#include "json_value.hpp"

namespace {

using prolific::detail::JsonValue;
using prolific::detail::parse_json_value;
using prolific::detail::to_json_text;

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> out;
  DIR* dir = opendir(folder.c_str());
  if (dir == nullptr) return out;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::ifstream file(folder + "/" + name, std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    out.push_back(bytes.str());
  }
  closedir(dir);
  return out;
}

TEST(JsonValue, HandWrittenBodiesMatchTheDom) {
  const char* bodies[] = {
      R"({"status":"READY"})",
      R"({"status":null})",
      "{}",
      "[]",
      "null",
      "true",
      "false",
      "0",
      "-0",
      "-0.0",
      "1e400",
      "-1e400",
      "1e-400",
      "1E2",
      "1.5e-7",
      "123456789012345678901234567890",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-9223372036854775809",
      "9007199254740993",
      "0.1",
      "5e-324",
      "1.7976931348623157e308",
      R"({"b":1,"a":2,"b":3})",
      R"({"status":"READY","status":"ERROR"})",
      R"({"a":{"x":1},"a":[1,2]})",
      R"({"":1,"\u0000":2,"é":3,"e":4,"E":5})",
      R"(["\u0000\u001f\b\t\n\f\r\"\\\/","\ud83d\ude00","é"])",
      R"(["\ud800"])",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "[1] x",
      "[1] ",
      " \t\r\n{} \n",
      "\"\xff\"",
      "\"\xed\xa0\x80\"",
      "\"\xc3\"",
      "\"\x01\"",
      "// comment\n{}",
      "{\"error\":{\"status\":422,\"error_code\":140001,\"title\":\"Invalid\",\"detail\":{\"name\":[\"required\"],"
      "\"size\":[1.0,2e3,true,null]}}}",
      "",
      " ",
      "nul",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
  };
  for (const char* body : bodies) {
    EXPECT_EQ(json_differential::check(body), "") << body;
  }
}

TEST(JsonValue, DuplicateKeysKeepTheLastValueAndKeysSortByByte) {
  JsonValue value;
  ASSERT_TRUE(parse_json_value(R"({"b":1,"a":2,"b":{"c":3},"\u00e9":4,"Z":5})", &value));
  EXPECT_EQ(to_json_text(value), "{\"Z\":5,\"a\":2,\"b\":{\"c\":3},\"\xC3\xA9\":4}");
  ASSERT_NE(value.find("b"), nullptr);
  EXPECT_TRUE(value.find("b")->is_object());
  EXPECT_EQ(value.find("missing"), nullptr);
}

TEST(JsonValue, AValueIsSmall) {
  // A type, a number and a pointer to the payload of strings, arrays and objects: 1 MiB of tiny
  // values from a hostile server then takes about what nlohmann's DOM took (16 bytes a value),
  // not the 64 to 96 of a value that holds a string and two vectors itself.
  EXPECT_LE(sizeof(JsonValue), 24u);
}

TEST(JsonValue, RefusedTextLeavesNull) {
  JsonValue value = JsonValue("before");
  EXPECT_FALSE(parse_json_value("{\"a\":[1,2", &value));
  EXPECT_TRUE(value.is_null());
}

TEST(JsonValue, SetEraseKeepKeysSorted) {
  JsonValue value = JsonValue::object();
  value.set("b", JsonValue::integer(1));
  value.set("a", JsonValue("x"));
  value.set("c", JsonValue::array());
  value.set("b", JsonValue::integer(-2));
  value.erase("c");
  value.erase("none");
  EXPECT_EQ(to_json_text(value), R"({"a":"x","b":-2})");
}

TEST(JsonValue, FuzzCorporaMatchTheDom) {
  std::size_t checked = 0;
  for (const char* target : {"status_body", "error_body"}) {
    for (const std::string& seed : files_in(std::string(PROLIFIC_SOURCE_DIR "/tests/fuzz/corpus/") + target)) {
      // The seeds start with control bytes (see the targets); every suffix is tried as a body.
      for (std::size_t skip = 0; skip <= 3 && skip <= seed.size(); ++skip) {
        std::string body = seed.substr(skip);
        EXPECT_EQ(json_differential::check(body), "") << target << ": " << body;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100u);
}

// Random JSON text with what makes the two readers differ if anything does: repeated keys,
// escapes, surrogates, controls, numbers at the edges of each type, nesting.
class Generator {
 public:
  explicit Generator(std::uint32_t seed) : random_(seed) {}

  std::string value(int depth) {
    switch (pick(depth > 6 ? 4 : 7)) {
      case 0: return number();
      case 1: return string();
      case 2: return pick(2) ? "true" : (pick(2) ? "false" : "null");
      case 3: return string();
      case 4: case 5: {
        std::string out = "{";
        int count = pick(6);
        for (int i = 0; i < count; ++i) {
          if (i) out += ",";
          out += pick(3) ? key() : string();
          out += ":" + value(depth + 1);
        }
        return out + "}";
      }
      default: {
        std::string out = "[";
        int count = pick(6);
        for (int i = 0; i < count; ++i) {
          if (i) out += ",";
          out += value(depth + 1);
        }
        return out + "]";
      }
    }
  }

  std::string mutate(std::string text) {
    int edits = 1 + pick(3);
    for (int i = 0; i < edits && !text.empty(); ++i) {
      std::size_t at = static_cast<std::size_t>(pick(static_cast<int>(text.size())));
      switch (pick(4)) {
        case 0: text[at] = static_cast<char>(pick(256)); break;
        case 1: text.erase(at, 1); break;
        case 2: text.insert(at, 1, "{}[],:\"\\0e-."[pick(12)]); break;
        default: text.resize(at); break;
      }
    }
    return text;
  }

 private:
  int pick(int n) { return static_cast<int>(random_() % static_cast<std::uint32_t>(n)); }

  std::string key() {
    static const char* keys[] = {"\"status\"", "\"a\"", "\"b\"", "\"detail\"", "\"\"", "\"A\"", "\"\\u0061\""};
    return keys[pick(7)];
  }

  std::string number() {
    static const char* edges[] = {"0", "-0", "-0.0", "1e308", "1e-320", "4.9e-324", "9223372036854775807",
                                  "9223372036854775808", "-9223372036854775808", "18446744073709551615",
                                  "18446744073709551616", "9007199254740993", "0.30000000000000004", "1E+2",
                                  "123.456e-7", "2.2250738585072011e-308", "1e309", "01", "1.", ".5", "-"};
    if (pick(3) == 0) return edges[pick(21)];
    std::string out = pick(3) == 0 ? "-" : "";
    out += std::to_string(random_() % 100000);
    if (pick(2)) out += "." + std::to_string(random_() % 1000000);
    if (pick(3) == 0) out += std::string("e") + (pick(2) ? "-" : "+") + std::to_string(pick(330));
    return out;
  }

  std::string string() {
    static const char* pieces[] = {"a", "é", "\\n", "\\\"", "\\\\", "\\/", "\\u0000", "\\u001f", "\\ud83d\\ude00",
                                   "\\ud800", "\\udc00x", "\xf0\x9f\x98\x80", "\x7f", "\\u00e9", "\\b\\f\\r\\t",
                                   "\xe2\x80\xa6", " ", "\xc3", "\xff", "\xed\xa0\x80"};
    std::string out = "\"";
    int count = pick(6);
    for (int i = 0; i < count; ++i) out += pieces[pick(20)];
    return out + "\"";
  }

  std::mt19937 random_;
};

TEST(JsonValue, GeneratedBodiesMatchTheDom) {
  Generator generator(20261202);
  std::size_t accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string body = generator.value(0);
    std::string mutated = generator.mutate(body);
    std::string d = json_differential::check(body);
    EXPECT_EQ(d, "") << body;
    EXPECT_EQ(json_differential::check(mutated), "") << mutated;
    if (d.empty() && nlohmann::json::accept(body)) ++accepted;
    if (::testing::Test::HasFailure()) break;
  }
  // Most generated bodies are valid JSON: the comparison covers full trees, not only refusals.
  EXPECT_GT(accepted, 1000u);
}

TEST(JsonValue, StringsOfArbitraryBytesAreWrittenAsDump) {
  std::mt19937 random(17);
  const std::string samples[] = {"", "plain", "\xc3\xa9", "\xc3", "\xc3(", "\xe2\x82", "\xe2\x82(", "\xf0\x9f\x98",
                                 "\xf4\x90\x80\x80", "\xed\xa0\x80", "\xc0\xaf", "\xff\xfe", "\x80\x80",
                                 "a\x01\x1f\x7f\"\\/", "\xe0\x80\x80", "\xf0\x80\x80\x80"};
  for (const std::string& sample : samples) EXPECT_EQ(json_differential::check_string(sample), "") << sample;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    int length = static_cast<int>(random() % 12);
    for (int j = 0; j < length; ++j) {
      // Mostly bytes around the UTF-8 boundaries.
      static const unsigned char interesting[] = {0x00, 0x1f, 0x22, 0x5c, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
                                                  0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0,
                                                  0xf4, 0xf5, 0xff};
      bytes += static_cast<char>(random() % 2 ? interesting[random() % sizeof interesting] : random() % 256);
    }
    std::string d = json_differential::check_string(bytes);
    ASSERT_EQ(d, "");
  }
}

}  // namespace
