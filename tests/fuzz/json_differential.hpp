// The JSON reading of src/core (a SAX-built JsonValue, written by write_json) checked against
// nlohmann/json's DOM, kept here as the independent reference: for every input both accept or
// both refuse, hold the same tree (types, numbers, strings, keys, duplicates resolved the same
// way) and write the same text as dump(-1, ' ', false, error_handler_t::replace).
// Shared by the native tests (tests/native/json_value_test.cpp) and the json_value fuzz target.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "json_value.hpp"

namespace json_differential {

using prolific::detail::JsonValue;

inline std::string dom_dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Empty when `ours` holds what `dom` holds, else the path of the first difference.
inline std::string difference(const JsonValue& ours, const nlohmann::json& dom, const std::string& path = "$") {
  using Type = JsonValue::Type;
  switch (dom.type()) {
    case nlohmann::json::value_t::null:
      return ours.type() == Type::null ? "" : path + ": not null";
    case nlohmann::json::value_t::boolean:
      return ours.type() == Type::boolean && ours.boolean() == dom.get<bool>() ? "" : path + ": boolean";
    case nlohmann::json::value_t::number_integer:
      return ours.type() == Type::integer && ours.signed_value() == dom.get<long long>() ? "" : path + ": integer";
    case nlohmann::json::value_t::number_unsigned:
      return ours.type() == Type::unsigned_integer && ours.unsigned_value() == dom.get<unsigned long long>()
                 ? ""
                 : path + ": unsigned";
    case nlohmann::json::value_t::number_float: {
      double expected = dom.get<double>();
      bool same = ours.type() == Type::floating && ours.double_value() == expected &&
                  std::signbit(ours.double_value()) == std::signbit(expected);
      return same ? "" : path + ": double";
    }
    case nlohmann::json::value_t::string:
      return ours.is_string() && ours.string() == dom.get_ref<const std::string&>() ? "" : path + ": string";
    case nlohmann::json::value_t::array: {
      if (!ours.is_array() || ours.items().size() != dom.size()) return path + ": array";
      for (std::size_t i = 0; i < dom.size(); ++i) {
        std::string d = difference(ours.items()[i], dom[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case nlohmann::json::value_t::object: {
      if (!ours.is_object() || ours.members().size() != dom.size()) return path + ": object";
      std::size_t i = 0;
      for (auto it = dom.begin(); it != dom.end(); ++it, ++i) {
        const auto& member = ours.members()[i];
        if (member.key != it.key()) return path + ": key " + it.key();
        std::string d = difference(member.value, it.value(), path + "." + it.key());
        if (!d.empty()) return d;
        if (ours.find(it.key()) != &member.value) return path + ": find " + it.key();
      }
      return "";
    }
    default:
      return path + ": unexpected DOM type";
  }
}

/// Empty when parse_json_value and write_json agree with nlohmann's DOM parse and dump on
/// `text`, else what differs.
inline std::string check(std::string_view text) {
  JsonValue ours;
  bool parsed = prolific::detail::parse_json_value(text, &ours);
  nlohmann::json dom = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed == dom.is_discarded()) return parsed ? "accepted, the DOM refused" : "refused, the DOM accepted";
  if (!parsed) return ours.is_null() ? "" : "refused but left a value";
  std::string d = difference(ours, dom);
  if (!d.empty()) return d;
  if (prolific::detail::to_json_text(ours) != dom_dump(dom)) return "written text differs from dump()";
  return "";
}

/// Empty when write_json writes a string of arbitrary bytes (invalid UTF-8 included) as dump()
/// does, else what differs.
inline std::string check_string(const std::string& bytes) {
  std::string ours = prolific::detail::to_json_text(JsonValue(bytes));
  std::string dom = dom_dump(nlohmann::json(bytes));
  return ours == dom ? "" : "string written as " + ours + ", dump() wrote " + dom;
}

}  // namespace json_differential
