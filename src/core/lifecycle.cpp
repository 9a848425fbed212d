#include "lifecycle.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "json_reading.hpp"
#include "response.hpp"

namespace prolific {
namespace {

using detail::JsonValue;
using detail::integer_field;
using detail::string_field;

Error invalid(std::string message) { return make_error(ErrorKind::invalid_argument, std::move(message)); }

// The checks every Prolific API request shares: base URL, token rules, numbers. Returns the
// request with its URL prefix (origin + path prefix) and headers set.
Result<HttpRequest> api_request(const char* method, const std::string& path, const ClientOptions& options) {
  // build_status_request holds the base URL and token rules; reuse it with a placeholder id and
  // swap the path.
  Result<HttpRequest> request = build_status_request("x", options);
  if (!request.ok()) return request;
  HttpRequest out = std::move(request.value());
  const std::string status_path = "/api/v1/data-collection/datasets/x/status";
  out.url.replace(out.url.size() - status_path.size(), status_path.size(), path);
  out.method = method;
  return out;
}

std::optional<Error> validate_path_id(std::string_view id, const char* what) {
  if (auto error = validate_dataset_id(id)) {
    std::string message = error->message;
    if (message.rfind("dataset id", 0) == 0) message.replace(0, 10, what);
    return invalid(message);
  }
  return std::nullopt;
}

std::string datasets_path(std::string_view dataset_id) {
  return "/api/v1/data-collection/datasets/" + percent_encode_path_segment(dataset_id);
}

void put_string(JsonValue& out, const char* key, const std::string& value, std::string_view token) {
  if (!value.empty()) out.set(key, JsonValue(redact(value, token)));
}

void put_count(JsonValue& out, const char* key, const JsonValue& source, const char* source_key) {
  if (auto count = integer_field(source, source_key); count && *count >= 0) out.set(key, JsonValue::integer(*count));
}

using detail::to_json_text;

// Longest readable text kept for one record error or a reason, in bytes.
constexpr std::size_t max_error_text_bytes = 1000;

// One entry of an import job's `errors` (docs/openapi `ImportRecordError`: {record_index (0-based),
// field?, reason}) read into {"recordIndex"?, "field"?, "reason"} and one readable line,
// `record 3, field "text": reason`, where N counts records from 1 (record_index + 1). An entry of
// another shape keeps its text as the reason and has no recordIndex.
std::pair<JsonValue, std::string> read_record_error(const JsonValue& entry, std::string_view token) {
  JsonValue structured = JsonValue::object();
  std::string field;
  std::string reason;
  std::optional<long long> index;
  if (entry.is_object()) {
    index = integer_field(entry, "record_index");
    if (index && *index < 0) index.reset();
    field = detail::truncate_utf8(redact(string_field(entry, "field"), token), max_error_text_bytes);
    reason = string_field(entry, "reason");
    if (reason.empty()) {
      if (const JsonValue* nested = entry.find("reason"); nested != nullptr && !nested->is_null()) {
        reason = detail::flatten_detail(*nested, 1);
      }
    }
    if (reason.empty() && !index) {
      JsonValue rest = entry;
      rest.erase("field");
      reason = detail::flatten_detail(rest, 1);
    }
  } else {
    reason = detail::flatten_detail(entry, 1);
  }
  reason = detail::truncate_utf8(redact(reason, token), max_error_text_bytes);
  std::string line;
  if (index) {
    line = "record " + std::to_string(*index + 1);
    structured.set("recordIndex", JsonValue::integer(*index));
  }
  if (!field.empty()) {
    line += (line.empty() ? "field \"" : ", field \"") + field + "\"";
    structured.set("field", JsonValue(field));
  }
  if (!line.empty()) line += ": ";
  line += reason.empty() ? std::string("rejected") : reason;
  structured.set("reason", JsonValue(reason));
  return {std::move(structured), std::move(line)};
}

// The content type Prolific's upload URL answer gives for a file of that name (docs/openapi
// `UploadUrl.content_type`): .csv text/csv, .jsonl application/x-ndjson, .zip application/zip
// (letter case ignored), else "".
std::string content_type_for(std::string_view filename) {
  std::size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos) return "";
  std::string extension;
  for (char c : filename.substr(dot + 1)) extension += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  if (extension == "csv") return "text/csv";
  if (extension == "jsonl") return "application/x-ndjson";
  if (extension == "zip") return "application/zip";
  return "";
}

}  // namespace

Result<HttpRequest> build_create_dataset_request(const CreateDatasetInput& input, const ClientOptions& options) {
  if (input.name.empty()) return invalid("name must be a non-empty string");
  if (input.workspace_id.empty()) return invalid("workspaceId must be a non-empty string");
  JsonValue body = JsonValue::object();
  body.set("name", JsonValue(input.name));
  body.set("workspace_id", JsonValue(input.workspace_id));
  if (input.schema_json) {
    std::string problem;
    JsonValue schema;
    if (!detail::parse_json(*input.schema_json, &schema, &problem)) return invalid("schema cannot be sent: " + problem);
    if (!schema.is_object()) return invalid("schema must be a JSON object");
    body.set("schema", std::move(schema));
  }
  Result<HttpRequest> request = api_request("POST", "/api/v1/data-collection/datasets", options);
  if (!request.ok()) return request;
  request.value().headers.emplace_back("Content-Type", "application/json");
  request.value().body = to_json_text(body);
  return request;
}

Result<HttpRequest> build_dataset_request(std::string_view dataset_id, const ClientOptions& options) {
  if (auto error = validate_dataset_id(dataset_id)) return *error;
  return api_request("GET", datasets_path(dataset_id), options);
}

Result<HttpRequest> build_upload_url_request(std::string_view dataset_id, std::string_view filename,
                                             const ClientOptions& options) {
  if (auto error = validate_dataset_id(dataset_id)) return *error;
  if (filename.empty() || filename == "." || filename == ".." || filename.size() > max_filename_bytes ||
      filename.find_first_of("/\\") != std::string_view::npos) {
    return invalid("filename must be a plain file name (no folders, at most " + std::to_string(max_filename_bytes) +
                   " bytes)");
  }
  return api_request("GET", datasets_path(dataset_id) + "/upload-url/" + percent_encode_path_segment(filename),
                     options);
}

Result<HttpRequest> build_import_status_request(std::string_view dataset_id, std::string_view import_id,
                                                const ClientOptions& options) {
  if (auto error = validate_dataset_id(dataset_id)) return *error;
  if (auto error = validate_path_id(import_id, "import id")) return *error;
  return api_request("GET", datasets_path(dataset_id) + "/imports/" + percent_encode_path_segment(import_id),
                     options);
}

Result<HttpRequest> build_upload_request(std::string_view upload_url, std::string_view content_type,
                                         double timeout_ms) {
  Result<BaseUrl> origin = parse_presigned_url(upload_url);
  if (!origin.ok()) return origin.error();
  if (!std::isfinite(timeout_ms) || timeout_ms < 0) {
    return invalid("timeoutMs must be a finite number of milliseconds, 0 or more");
  }
  HttpRequest request;
  request.method = "PUT";
  request.url = std::string(upload_url);
  request.timeout_ms = timeout_ms;
  if (!content_type.empty()) {
    for (char c : content_type) {
      auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte >= 0x7f) return invalid("contentType cannot go in an HTTP header");
    }
    request.headers.emplace_back("Content-Type", std::string(content_type));
  }
  return request;
}

bool is_terminal_import_status(std::string_view status) {
  return status == "complete" || status == "partial" || status == "failed" || status == "pending_schema";
}

namespace {

// The dataset fields shared by creation and reading; `what` names the expected body in errors.
Result<JsonValue> read_dataset(int http_status, std::string_view body, std::string_view token, const char* what,
                               JsonValue* source) {
  std::string problem;
  JsonValue value;
  auto failure = [&](const std::string& reason) {
    return detail::invalid_response(http_status, body, token, reason, what);
  };
  if (!detail::parse_json(body, &value, &problem)) return failure(body.empty() ? "the body is empty" : problem);
  if (!value.is_object()) return failure("the JSON is not an object");
  std::string id = string_field(value, "id");
  if (id.empty()) return failure("it has no \"id\" string");
  JsonValue out = JsonValue::object();
  out.set("id", JsonValue(redact(id, token)));
  out.set("name", JsonValue(redact(string_field(value, "name"), token)));
  put_string(out, "workspaceId", string_field(value, "workspace_id"), token);
  put_string(out, "status", string_field(value, "status"), token);
  put_string(out, "createdAt", string_field(value, "created_at"), token);
  put_string(out, "createdBy", string_field(value, "created_by"), token);
  if (auto version = integer_field(value, "schema_version")) out.set("schemaVersion", JsonValue::integer(*version));
  put_count(out, "totalDatapointCount", value, "total_datapoint_count");
  *source = std::move(value);
  return out;
}

// How much a listed import job matters to a wait, most first: 0 unfinished (or an unknown status),
// 1 failed or pending_schema, 2 partial, 3 complete, 4 not an import job.
int import_rank(const JsonValue& job) {
  if (!job.is_object()) return 4;
  const JsonValue* status = job.find("status");
  if (status == nullptr || !status->is_string()) return 4;
  const std::string& text = status->string();
  if (!is_terminal_import_status(text)) return 0;
  if (text == "failed" || text == "pending_schema") return 1;
  return text == "partial" ? 2 : 3;
}

// The import job fields of parse_import_status, from an object whose "status" is a non-empty
// string.
JsonValue read_import_fields(const JsonValue& value, const std::string& status, std::string_view token);

// An import job object (from a dataset's `imports`) in the shape of parse_import_status. A job is
// read as parse_import_status would read it sent alone: one whose JSON text would be larger than
// max_body_bytes (a number such as 1e9 is written longer than it was sent) is skipped.
std::optional<JsonValue> read_import_job(const JsonValue& job, std::string_view token) {
  if (!job.is_object()) return std::nullopt;
  if (detail::to_json_text(job).size() > max_body_bytes) return std::nullopt;
  std::string status = string_field(job, "status");
  if (status.empty()) return std::nullopt;
  return read_import_fields(job, status, token);
}

}  // namespace

Result<std::string> parse_created_dataset(int http_status, std::string_view body, std::string_view token) {
  JsonValue source;
  Result<JsonValue> dataset = read_dataset(http_status, body, token, "a created dataset", &source);
  if (!dataset.ok()) return dataset.error();
  return to_json_text(dataset.value());
}

Result<std::string> parse_dataset(int http_status, std::string_view body, std::string_view token) {
  JsonValue source;
  Result<JsonValue> dataset = read_dataset(http_status, body, token, "a dataset", &source);
  if (!dataset.ok()) return dataset.error();
  if (const JsonValue* found = source.find("imports"); found != nullptr && found->is_array()) {
    const std::vector<JsonValue>* jobs = &found->items();
    // Past max_listed_imports, the jobs that decide a wait are kept first: unfinished ones, then
    // failed or pending_schema, then partial, then complete. A cut list then never makes a watch
    // finish early or hides a failure. The kept jobs stay in the API's order.
    std::vector<std::size_t> order;
    if (jobs->size() <= max_listed_imports) {
      for (std::size_t i = 0; i < jobs->size(); ++i) order.push_back(i);
    } else {
      std::vector<int> rank(jobs->size());
      for (std::size_t i = 0; i < jobs->size(); ++i) rank[i] = import_rank((*jobs)[i]);
      std::vector<bool> keep(jobs->size());
      std::size_t kept = 0;
      for (int wanted = 0; wanted <= 4; ++wanted) {
        for (std::size_t i = 0; i < jobs->size() && kept < max_listed_imports; ++i) {
          if (rank[i] == wanted) {
            keep[i] = true;
            ++kept;
          }
        }
      }
      for (std::size_t i = 0; i < jobs->size(); ++i) {
        if (keep[i]) order.push_back(i);
      }
    }
    JsonValue list = JsonValue::array();
    for (std::size_t index : order) {
      if (auto read = read_import_job((*jobs)[index], token)) list.push_back(std::move(*read));
    }
    dataset.value().set("imports", std::move(list));
    if (jobs->size() > order.size()) {
      dataset.value().set("omittedImportCount", JsonValue::integer(static_cast<long long>(jobs->size() - order.size())));
    }
  }
  return to_json_text(dataset.value());
}

Result<std::string> parse_upload_url(int http_status, std::string_view body, std::string_view token,
                                     std::string_view filename) {
  std::string problem;
  JsonValue value;
  auto failure = [&](const std::string& what) {
    return detail::invalid_response(http_status, body, token, what, "an upload URL");
  };
  if (!detail::parse_json(body, &value, &problem)) return failure(body.empty() ? "the body is empty" : problem);
  if (!value.is_object()) return failure("the JSON is not an object");
  std::string upload_url = string_field(value, "upload_url");
  if (upload_url.empty()) return failure("it has no \"upload_url\" string");
  // The storage URL is used as it is, so it cannot be redacted: one that carries the API token
  // (an echo, or a server trying to send it elsewhere) is refused.
  if (contains_token(upload_url, token)) return failure("\"upload_url\" carries the API token");
  Result<BaseUrl> origin = parse_presigned_url(upload_url);
  if (!origin.ok()) return failure("\"upload_url\" is not usable: " + origin.error().message);
  std::string method = string_field(value, "http_method");
  if (!method.empty() && method != "PUT") return failure("\"http_method\" is not PUT");
  std::string content_type = string_field(value, "content_type");
  std::string content_type_source = "api";
  if (content_type.empty()) {
    content_type = content_type_for(filename);
    content_type_source = "filename";
  }
  if (content_type.empty()) {
    return failure("it has no \"content_type\", and the file name's extension names none (.csv, .jsonl or .zip)");
  }
  JsonValue out = JsonValue::object();
  out.set("uploadUrl", JsonValue(upload_url));
  out.set("httpMethod", JsonValue("PUT"));
  put_string(out, "expiresAt", string_field(value, "expires_at"), token);
  out.set("contentType", JsonValue(redact(content_type, token)));
  out.set("contentTypeSource", JsonValue(content_type_source));
  put_string(out, "fileKey", string_field(value, "file_key"), token);
  put_string(out, "importId", string_field(value, "import_id"), token);
  return to_json_text(out);
}

Result<ImportStatus> parse_import_status(int http_status, std::string_view body, std::string_view token) {
  std::string problem;
  JsonValue value;
  auto failure = [&](const std::string& what) {
    return detail::invalid_response(http_status, body, token, what, "an import job");
  };
  if (!detail::parse_json(body, &value, &problem)) return failure(body.empty() ? "the body is empty" : problem);
  if (!value.is_object()) return failure("the JSON is not an object");
  std::string status = string_field(value, "status");
  if (status.empty()) return failure("it has no \"status\" string");
  JsonValue out = read_import_fields(value, status, token);
  return ImportStatus{out.find("status")->string(), to_json_text(out)};
}

namespace {

JsonValue read_import_fields(const JsonValue& value, const std::string& status, std::string_view token) {
  JsonValue out = JsonValue::object();
  put_string(out, "importId", string_field(value, "import_id"), token);
  put_string(out, "type", string_field(value, "type"), token);
  put_string(out, "filename", string_field(value, "filename"), token);
  out.set("status", JsonValue(redact(status, token)));
  put_count(out, "acceptedCount", value, "accepted_count");
  put_count(out, "rejectedCount", value, "rejected_count");
  put_count(out, "duplicateCount", value, "duplicate_count");
  if (const JsonValue* errors = value.find("errors"); errors != nullptr && errors->is_array()) {
    JsonValue lines = JsonValue::array();
    JsonValue records = JsonValue::array();
    for (const JsonValue& entry : errors->items()) {
      if (lines.items().size() >= 1000) break;
      auto [structured, line] = read_record_error(entry, token);
      lines.push_back(JsonValue(std::move(line)));
      records.push_back(std::move(structured));
    }
    out.set("errors", std::move(lines));
    out.set("recordErrors", std::move(records));
  }
  put_string(out, "createdAt", string_field(value, "created_at"), token);
  put_string(out, "updatedAt", string_field(value, "updated_at"), token);
  std::string reason = string_field(value, "reason");
  if (reason.empty()) {
    if (const JsonValue* nested = value.find("reason"); nested != nullptr && !nested->is_null()) {
      reason = detail::flatten_detail(*nested, 1);
    }
  }
  // Redact, then cut: cutting first could keep the start of a token that straddles the cut.
  if (!reason.empty()) out.set("reason", JsonValue(detail::truncate_utf8(redact(reason, token), 2000)));
  return out;
}

Result<Answer> json_answer(Result<std::string> json) {
  if (!json.ok()) return json.error();
  return Answer{"", false, std::move(json.value())};
}

}  // namespace

const OperationRules dataset_rules{
    RequestKind::dataset, [](int http_status, std::string_view body, std::string_view token, std::string_view) {
      return json_answer(parse_dataset(http_status, body, token));
    },
    nullptr};

const OperationRules import_status_rules{
    RequestKind::import_status,
    [](int http_status, std::string_view body, std::string_view token, std::string_view) -> Result<Answer> {
      Result<ImportStatus> job = parse_import_status(http_status, body, token);
      if (!job.ok()) return job.error();
      return Answer{std::move(job.value().status), false, std::move(job.value().json)};
    },
    nullptr};

const OperationRules create_dataset_rules{
    RequestKind::create_dataset, [](int http_status, std::string_view body, std::string_view token, std::string_view) {
      return json_answer(parse_created_dataset(http_status, body, token));
    },
    nullptr};

const OperationRules upload_url_rules{
    RequestKind::upload_url,
    [](int http_status, std::string_view body, std::string_view token, std::string_view filename) {
      return json_answer(parse_upload_url(http_status, body, token, filename));
    },
    nullptr};

const OperationRules upload_rules{
    RequestKind::upload,
    [](int http_status, std::string_view, std::string_view, std::string_view) -> Result<Answer> {
      return Answer{"", false, "{\"httpStatus\":" + std::to_string(http_status) + "}"};
    },
    [](Error* error) {
      // The presigned URL belongs to the storage host, not to the Prolific API.
      const std::string api = "The Prolific API answered";
      if (error->message.rfind(api, 0) == 0) error->message.replace(0, api.size(), "The storage host answered");
    }};

}  // namespace prolific
