#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <nlohmann/json.hpp>

#include "lifecycle.hpp"
#include "operation.hpp"

using namespace prolific;
using nlohmann::json;

namespace {

ClientOptions options() {
  ClientOptions options;
  options.base_url = "http://127.0.0.1:9999/gateway";
  options.token = "tok-1";
  return options;
}

std::string header(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

TransportResult response(int status, std::string body, std::string headers = "") {
  TransportResult result;
  result.http_status = status;
  result.body = std::move(body);
  result.headers = std::move(headers);
  return result;
}

}  // namespace

TEST(CreateDataset, PostsNameWorkspaceAndSchema) {
  auto request = build_create_dataset_request({"My set", "ws-1", std::string(R"({"fields":[{"name":"text"}]})")}, options());
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().method, "POST");
  EXPECT_EQ(request.value().url, "http://127.0.0.1:9999/gateway/api/v1/data-collection/datasets");
  EXPECT_EQ(header(request.value(), "Content-Type"), "application/json");
  EXPECT_EQ(header(request.value(), "Authorization"), "Token tok-1");
  json body = json::parse(request.value().body);
  EXPECT_EQ(body["name"], "My set");
  EXPECT_EQ(body["workspace_id"], "ws-1");
  EXPECT_EQ(body["schema"]["fields"][0]["name"], "text");
  auto v3 = build_create_dataset_request({"n", "w", std::nullopt}, options());
  EXPECT_FALSE(json::parse(v3.value().body).contains("schema"));
}

TEST(CreateDataset, RefusesBadInput) {
  EXPECT_FALSE(build_create_dataset_request({"", "ws", std::nullopt}, options()).ok());
  EXPECT_FALSE(build_create_dataset_request({"n", "", std::nullopt}, options()).ok());
  EXPECT_FALSE(build_create_dataset_request({"n", "w", std::string("[1]")}, options()).ok());
  EXPECT_FALSE(build_create_dataset_request({"n", "w", std::string("{")}, options()).ok());
  ClientOptions http = options();
  http.base_url = "http://example.com";
  EXPECT_FALSE(build_create_dataset_request({"n", "w", std::nullopt}, http).ok());
}

TEST(UploadUrl, EncodesDatasetAndFileName) {
  auto request = build_upload_url_request("ds 1", "my data.jsonl", options());
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().method, "GET");
  EXPECT_EQ(request.value().url,
            "http://127.0.0.1:9999/gateway/api/v1/data-collection/datasets/ds%201/upload-url/my%20data.jsonl");
  for (const char* name : {"", ".", "..", "a/b.csv", "a\\b.csv"}) {
    EXPECT_FALSE(build_upload_url_request("ds", name, options()).ok()) << name;
  }
}

TEST(ImportStatus, BuildsTheJobUrl) {
  auto request = build_import_status_request("ds", "imp/1", options());
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().url, "http://127.0.0.1:9999/gateway/api/v1/data-collection/datasets/ds/imports/imp%2F1");
  EXPECT_FALSE(build_import_status_request("ds", "", options()).ok());
  EXPECT_FALSE(build_import_status_request("ds", "..", options()).ok());
}

TEST(Upload, PutsWithoutAuthorization) {
  auto request = build_upload_request("https://bucket.s3.example.com/raw/a%2Fb.jsonl?X-Amz-Signature=abc&x=1",
                                      "application/jsonl", 60000);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request.value().method, "PUT");
  EXPECT_EQ(header(request.value(), "Authorization"), "");
  EXPECT_EQ(header(request.value(), "Content-Type"), "application/jsonl");
  EXPECT_TRUE(build_upload_request("http://127.0.0.1:5000/upload/x?sig=1", "", 0).ok());
  for (const char* url : {"http://bucket.example.com/x", "https://user:pw@bucket.example.com/x", "https://b.example/x#f",
                          "https://b.example/x y", "ftp://b.example/x", "https://b.example/%zz", "https://b.example?x"}) {
    EXPECT_FALSE(build_upload_request(url, "", 0).ok()) << url;
  }
  EXPECT_FALSE(build_upload_request("https://b.example/x", "text/csv\r\nX: y", 0).ok());
}

TEST(ParseCreated, NormalisesFields) {
  auto created = parse_created_dataset(
      201, R"({"id":"d1","name":"n","workspace_id":"w","status":"UNINITIALISED","schema_version":4,"created_at":"2026-01-01T00:00:00Z","extra":[1]})",
      "");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(json::parse(created.value()),
            json::parse(R"({"id":"d1","name":"n","workspaceId":"w","status":"UNINITIALISED","schemaVersion":4,"createdAt":"2026-01-01T00:00:00Z"})"));
  EXPECT_FALSE(parse_created_dataset(201, R"({"name":"n"})", "").ok());
  EXPECT_FALSE(parse_created_dataset(201, "", "").ok());
  EXPECT_EQ(parse_created_dataset(201, "[]", "").error().kind, ErrorKind::invalid_response);
}

TEST(ParseUploadUrl, ChecksTheUrlAndMethod) {
  auto v4 = parse_upload_url(
      201, R"({"upload_url":"https://s3.example.com/k?sig=1","http_method":"PUT","expires_at":"soon","import_id":"i1","content_type":"text/csv"})",
      "", "a.jsonl");
  ASSERT_TRUE(v4.ok());
  json value = json::parse(v4.value());
  EXPECT_EQ(value["uploadUrl"], "https://s3.example.com/k?sig=1");
  EXPECT_EQ(value["importId"], "i1");
  EXPECT_EQ(value["contentType"], "text/csv");
  EXPECT_EQ(value["contentTypeSource"], "api");
  EXPECT_FALSE(value.contains("fileKey"));
  EXPECT_FALSE(parse_upload_url(201, R"({"upload_url":"http://evil.example/k","http_method":"PUT"})", "", "a.csv").ok());
  EXPECT_FALSE(parse_upload_url(201, R"({"upload_url":"https://s3.example.com/k","http_method":"POST"})", "", "a.csv").ok());
  EXPECT_FALSE(parse_upload_url(201, R"({"http_method":"PUT"})", "", "a.csv").ok());
}

TEST(ParseUploadUrl, WithoutContentTypeTheFileNameGivesIt) {
  // The reference's V4 example answer has no content_type; the upload must still carry the type
  // Prolific gives the file: inferred from the extension, or a clear error.
  const std::string body = R"({"upload_url":"https://s3.example.com/k?sig=1","http_method":"PUT","import_id":"i1"})";
  for (auto [filename, type] : {std::pair{"a.csv", "text/csv"}, std::pair{"b.JSONL", "application/x-ndjson"},
                                std::pair{"c.zip", "application/zip"}}) {
    auto result = parse_upload_url(201, body, "", filename);
    ASSERT_TRUE(result.ok()) << filename;
    json value = json::parse(result.value());
    EXPECT_EQ(value["contentType"], type);
    EXPECT_EQ(value["contentTypeSource"], "filename");
  }
  for (const char* filename : {"data.txt", "noextension", "archive.tar"}) {
    auto refused = parse_upload_url(201, body, "", filename);
    ASSERT_FALSE(refused.ok()) << filename;
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid_response);
    EXPECT_NE(refused.error().message.find("content_type"), std::string::npos) << refused.error().message;
  }
}

TEST(ParseImport, ReadsEveryDocumentedField) {
  // docs/openapi/prolific-datasets.yaml ImportJob (prolific-oss/cli model.DatasetImportJob).
  auto partial = parse_import_status(
      200, R"({"dataset_id":"d","import_id":"i1","type":"jsonl","filename":"a.jsonl","status":"partial",
               "accepted_count":8,"rejected_count":2,"duplicate_count":1,
               "errors":[{"record_index":2,"field":"text","reason":"must be a string"},{"record_index":0,"reason":"not JSON"}],
               "created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:01:00Z","processed_offset":11,"future":{"x":1}})",
      "");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial.value().status, "partial");
  json value = json::parse(partial.value().json);
  EXPECT_EQ(value, json::parse(R"({"importId":"i1","type":"jsonl","filename":"a.jsonl","status":"partial",
      "acceptedCount":8,"rejectedCount":2,"duplicateCount":1,
      "errors":["record 3, field \"text\": must be a string","record 1: not JSON"],
      "recordErrors":[{"recordIndex":2,"field":"text","reason":"must be a string"},{"recordIndex":0,"reason":"not JSON"}],
      "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:01:00Z"})"));
}

TEST(ParseImport, ReadsCountsErrorsAndReason) {
  auto partial = parse_import_status(
      200, R"({"status":"partial","accepted_count":8,"rejected_count":2,"errors":[{"field":"x","reason":"missing"},{"record_index":-1,"reason":"r"},{"record_index":"2","message":"odd"},"plain"]})",
      "");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial.value().status, "partial");
  json value = json::parse(partial.value().json);
  EXPECT_EQ(value["acceptedCount"], 8);
  EXPECT_EQ(value["rejectedCount"], 2);
  EXPECT_EQ(value["errors"], json::parse(R"(["field \"x\": missing","r","message: odd; record_index: 2","plain"])"));
  EXPECT_EQ(value["recordErrors"], json::parse(R"([{"field":"x","reason":"missing"},{"reason":"r"},{"reason":"message: odd; record_index: 2"},{"reason":"plain"}])"));
  auto failed = parse_import_status(200, R"({"status":"failed","reason":"File could not be parsed tok-1"})", "tok-1");
  EXPECT_EQ(json::parse(failed.value().json)["reason"], "File could not be parsed [REDACTED]");
  EXPECT_FALSE(parse_import_status(200, R"({"status":7})", "").ok());
  EXPECT_FALSE(parse_import_status(200, R"({"accepted_count":-1,"status":"complete"})", "").value().json.find("accepted") !=
               std::string::npos);
  for (const char* status : {"complete", "partial", "failed", "pending_schema"}) EXPECT_TRUE(is_terminal_import_status(status));
  for (const char* status : {"uninitialised", "queued", "processing", "READY"}) EXPECT_FALSE(is_terminal_import_status(status));
}

TEST(LifecycleOperation, WaitForImportEndsOnEveryTerminalStatus) {
  for (const char* terminal : {"complete", "partial", "failed", "pending_schema"}) {
    auto request = build_import_status_request("ds", "imp", options());
    WaitOptions wait;
    wait.interval_ms = 10;
    StatusOperation operation = StatusOperation::for_request(import_status_rules, request.value(), "ds",
                                                             "import \"imp\"", "tok-1", 2, wait, 7);
    operation.start(0);
    Action next = operation.on_transport_result(response(200, R"({"status":"queued"})"), 1);
    ASSERT_EQ(next.type, Action::Type::sleep);
    EXPECT_EQ(next.report->status, "queued");
    operation.on_timer(20);
    Action done = operation.on_transport_result(response(200, std::string(R"({"status":")") + terminal + "\"}"), 21);
    ASSERT_EQ(done.type, Action::Type::finish) << terminal;
    EXPECT_FALSE(done.error.has_value());
    EXPECT_EQ(done.status, terminal);
    EXPECT_EQ(json::parse(done.json)["status"], terminal);
  }
}

TEST(LifecycleOperation, NonIdempotentRequestsRetryOnlyWhenAsked) {
  auto request = build_create_dataset_request({"n", "w", std::nullopt}, options());
  auto make = [&] {
    return StatusOperation::for_request(create_dataset_rules, request.value(), "", "new dataset \"n\"", "tok-1",
                                        2, std::nullopt, 3);
  };
  for (int status : {500, 502, 503, 504, 408}) {
    StatusOperation operation = make();
    operation.start(0);
    EXPECT_EQ(operation.on_transport_result(response(status, ""), 1).type, Action::Type::finish) << status;
  }
  StatusOperation network = make();
  network.start(0);
  TransportResult refused;
  refused.kind = TransportResult::Kind::network_error;
  EXPECT_EQ(network.on_transport_result(refused, 1).type, Action::Type::finish);
  StatusOperation limited = make();
  limited.start(0);
  EXPECT_EQ(limited.on_transport_result(response(429, ""), 1).type, Action::Type::sleep);
  StatusOperation unavailable = make();
  unavailable.start(0);
  EXPECT_EQ(unavailable.on_transport_result(response(503, "", "Retry-After: 1\r\n"), 1).type, Action::Type::sleep);
  StatusOperation created = make();
  created.start(0);
  Action done = created.on_transport_result(response(201, R"({"id":"d9","name":"n"})"), 1);
  ASSERT_EQ(done.type, Action::Type::finish);
  EXPECT_EQ(json::parse(done.json)["id"], "d9");
}

TEST(LifecycleOperation, UploadReportsItsStatus) {
  auto request = build_upload_request("http://127.0.0.1:5000/u?sig=1", "", 0);
  StatusOperation operation =
      StatusOperation::for_request(upload_rules, request.value(), "ds", "upload", "", 0, std::nullopt, 1);
  operation.start(0);
  Action done = operation.on_transport_result(response(200, ""), 1);
  EXPECT_EQ(json::parse(done.json)["httpStatus"], 200);
  StatusOperation refused =
      StatusOperation::for_request(upload_rules, request.value(), "ds", "upload", "", 0, std::nullopt, 1);
  refused.start(0);
  Action error = refused.on_transport_result(response(403, "<Error><Code>AccessDenied</Code></Error>"), 1);
  ASSERT_TRUE(error.error.has_value());
  EXPECT_EQ(error.error->http_status, 403);
}

// ---- Regressions found by the fuzzers (tests/fuzz) ----

#include "response.hpp"

TEST(ImportStatus, ReasonIsRedactedBeforeItIsCut) {
  // fuzz_error_body: the reason was cut to 2000 bytes before redaction, so a token across the
  // cut was no longer whole, escaped redaction and kept its first characters.
  const std::string token = "tok_9/Zz-LongSecret0123456789abcdefghijklmnopqrstuvwxyz/0123456789-ABCDEFGHIJ";
  const std::string body = R"({"status":"failed","reason":")" + std::string(1995, 'r') + token + R"("})";
  auto job = parse_import_status(200, body, token);
  ASSERT_TRUE(job.ok());
  json out = json::parse(job.value().json);
  EXPECT_EQ(out["reason"], std::string(1995, 'r') + "[REDA\xE2\x80\xA6");  // 2000 bytes, then "…"
  EXPECT_EQ(job.value().json.find("tok_9"), std::string::npos);
}

TEST(ParseDataset, ReadsV4ImportJobs) {
  auto dataset = parse_dataset(
      200, R"({"id":"d","name":"n","created_by":"u1","schema_version":4,"status":null,"imports":[{"import_id":"i1","dataset_id":"d","filename":"a.jsonl","status":"complete","accepted_count":3},{"status":"queued"},{"status":5},"junk"]})",
      "");
  ASSERT_TRUE(dataset.ok());
  json value = json::parse(dataset.value());
  EXPECT_FALSE(value.contains("status"));
  EXPECT_EQ(value["createdBy"], "u1");
  EXPECT_EQ(value["imports"], json::parse(R"([{"importId":"i1","filename":"a.jsonl","status":"complete","acceptedCount":3},{"status":"queued"}])"));
  EXPECT_TRUE(build_dataset_request("d/1", options()).value().url.find("/datasets/d%2F1") != std::string::npos);
  EXPECT_FALSE(parse_dataset(200, R"({"imports":[]})", "").ok());
}

TEST(ParseDataset, ACutListKeepsTheJobsThatDecideAWait) {
  // 1,000 complete jobs listed before an unfinished one and a failed one: a list cut in the API's
  // order would end a watch at once and hide the failure.
  std::string body = R"({"id":"d","name":"n","status":null,"imports":[)";
  for (int i = 0; i < 1000; ++i) body += R"({"import_id":"c)" + std::to_string(i) + R"(","status":"complete"},)";
  body += R"({"import_id":"late","status":"processing"},{"import_id":"bad","status":"failed"},{"import_id":"p","status":"partial"}]})";
  auto dataset = parse_dataset(200, body, "");
  ASSERT_TRUE(dataset.ok());
  json value = json::parse(dataset.value());
  ASSERT_EQ(value["imports"].size(), max_listed_imports);
  EXPECT_EQ(value["omittedImportCount"], 3);
  const json& kept = value["imports"];
  // The API's order is kept: the 997 complete jobs first, then the three that matter.
  EXPECT_EQ(kept[996]["importId"], "c996");
  EXPECT_EQ(kept[997]["importId"], "late");
  EXPECT_EQ(kept[998]["importId"], "bad");
  EXPECT_EQ(kept[999]["importId"], "p");
  auto short_list = json::parse(parse_dataset(200, R"({"id":"d","name":"n","imports":[{"import_id":"a","status":"complete"}]})", "").value());
  EXPECT_FALSE(short_list.contains("omittedImportCount"));
}

TEST(ParseDataset, ACutListMatchesAStableSortByRank) {
  // Reference: the jobs stably sorted by how much they matter to a wait (unfinished, failed or
  // pending_schema, partial, complete, not a job), the first 1,000 kept in the API's order.
  const char* statuses[] = {"complete", "partial", "failed", "pending_schema", "processing", "queued", "", "odd"};
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    std::size_t count = 1001 + random() % 400;
    std::vector<int> ranks;
    std::string body = R"({"id":"d","name":"n","imports":[)";
    for (std::size_t i = 0; i < count; ++i) {
      if (i) body += ",";
      const char* status = statuses[random() % (round < 10 ? 2 : 8)];
      if (random() % 50 == 0) {
        body += "7";
        ranks.push_back(4);
        continue;
      }
      body += R"({"import_id":"j)" + std::to_string(i) + R"(","status":")" + status + R"("})";
      std::string text = status;
      // An empty status ranks as unfinished (a string that is no terminal status) but the job is
      // not listed (it is no import job).
      ranks.push_back(!is_terminal_import_status(text)               ? 0
                      : text == "failed" || text == "pending_schema" ? 1
                      : text == "partial"                            ? 2
                                                                     : 3);
    }
    body += "]}";
    std::vector<std::size_t> order(count);
    for (std::size_t i = 0; i < count; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranks[a] < ranks[b]; });
    order.resize(max_listed_imports);
    std::sort(order.begin(), order.end());
    std::vector<std::string> expected;
    for (std::size_t index : order) {
      if (ranks[index] != 4 && body.find("\"j" + std::to_string(index) + "\",\"status\":\"\"") == std::string::npos) {
        expected.push_back("j" + std::to_string(index));
      }
    }
    auto dataset = parse_dataset(200, body, "");
    ASSERT_TRUE(dataset.ok());
    json value = json::parse(dataset.value());
    std::vector<std::string> kept;
    for (const json& job : value["imports"]) kept.push_back(job["importId"].get<std::string>());
    EXPECT_EQ(kept, expected) << "round " << round;
    EXPECT_EQ(value["omittedImportCount"], count - max_listed_imports);
  }
}

TEST(Dataset, ImportJobsThatGrowPastTheBodyLimitWhenRedactedDoNotAbort) {
  // Found while extending fuzz_error_body to the lifecycle answers (too large for the fuzzer's
  // inputs): with a short token, redaction ("tok" -> "[REDACTED]") and JSON escaping made one
  // import job's JSON larger than max_body_bytes; reading it back gave a discarded value and
  // json::update() threw, i.e. abort() under JSON_NOEXCEPTION, from a 640 KB dataset body.
  std::string entry = "\"";
  for (int i = 0; i < 80; ++i) entry += "tok";
  for (int i = 0; i < 200; ++i) entry += "\\\"";
  entry += "\"";
  std::string errors;
  for (int i = 0; i < 1000; ++i) errors += (i ? "," : "") + entry;
  const std::string body =
      R"({"id":"ds","name":"n","imports":[{"import_id":"imp","status":"failed","errors":[)" + errors + "]}]}";
  ASSERT_LT(body.size(), max_body_bytes);
  auto dataset = parse_dataset(200, body, "tok");
  ASSERT_TRUE(dataset.ok());
  json out = json::parse(dataset.value());
  ASSERT_EQ(out["imports"].size(), 1u);
  EXPECT_EQ(out["imports"][0]["importId"], "imp");
  EXPECT_EQ(out["imports"][0]["status"], "failed");
  EXPECT_EQ(out["imports"][0]["errors"].size(), 1000u);
  EXPECT_EQ(dataset.value().find("tok"), std::string::npos);
}

TEST(ParseUploadUrl, RefusesAUrlCarryingTheToken) {
  for (const char* url : {"https://storage.example/k?X-Sig=tok-1", "https://storage.example/k?X-Sig=TOK-1",
                          "https://storage.example/k?X-Sig=\\u0074ok-1"}) {
    auto result = parse_upload_url(201, std::string(R"({"upload_url":")") + url + R"(","http_method":"PUT"})", "tok-1", "a.csv");
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.error().kind, ErrorKind::invalid_response);
    EXPECT_EQ(result.error().body_snippet.find("tok-1"), std::string::npos);
  }
}

TEST(CreateDataset, ASchemaOverTheLimitsSaysWhich) {
  std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  auto refused = build_create_dataset_request({"n", "w", deep}, options());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("nested deeper than"), std::string::npos) << refused.error().message;
}

TEST(LifecycleOperation, AStorageRefusalNamesTheStorageHost) {
  auto request = build_upload_request("http://127.0.0.1:5000/u?sig=1", "", 0);
  StatusOperation operation =
      StatusOperation::for_request(upload_rules, request.value(), "", "upload", "", 0, std::nullopt, 1);
  operation.start(0);
  Action done = operation.on_transport_result(response(403, "<Error/>"), 1);
  ASSERT_TRUE(done.error.has_value());
  EXPECT_EQ(done.error->message.rfind("The storage host answered HTTP 403", 0), 0u) << done.error->message;
}

TEST(LifecycleOperation, AnUploadUrlWithoutContentTypeUsesTheFileNameOfTheRequest) {
  const std::string body = R"({"upload_url":"https://s3.amazonaws.com/k?X-Amz-Signature=1","http_method":"PUT"})";
  auto request = build_upload_url_request("ds", "reviews.jsonl", options());
  ASSERT_TRUE(request.ok());
  StatusOperation operation = StatusOperation::for_request(upload_url_rules, request.value(), "ds", "upload URL",
                                                           "", 0, std::nullopt, 1, "reviews.jsonl");
  operation.start(0);
  Action done = operation.on_transport_result(response(201, body), 1);
  ASSERT_EQ(done.type, Action::Type::finish);
  ASSERT_FALSE(done.error.has_value()) << done.error->message;
  json value = json::parse(done.json);
  EXPECT_EQ(value["contentType"], "application/x-ndjson");
  EXPECT_EQ(value["contentTypeSource"], "filename");
  // Without a file name to go by, the answer cannot be used: a clear error, not an upload with no type.
  StatusOperation unnamed =
      StatusOperation::for_request(upload_url_rules, request.value(), "ds", "upload URL", "", 0, std::nullopt, 1);
  unnamed.start(0);
  Action refused = unnamed.on_transport_result(response(201, body), 1);
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_EQ(refused.error->kind, ErrorKind::invalid_response);
}

// Each kind's rules read its answers with that kind's parser, through the operation: a good answer
// gives the parser's result, a broken one the parser's error with the subject added.
TEST(LifecycleOperation, EachKindReadsItsAnswerWithItsOwnParser) {
  struct Case {
    const OperationRules* rules;
    RequestKind kind;
    std::string body;
    std::string filename;
    std::string status;  // the status the finish carries
    std::string json;    // its JSON result (empty: none)
  };
  const std::string dataset = R"({"id":"d1","name":"n","imports":[{"import_id":"i1","status":"queued"}]})";
  const std::string upload_url = R"({"upload_url":"https://s3.amazonaws.com/k?sig=1","http_method":"PUT"})";
  const Case cases[] = {
      {&dataset_status_rules, RequestKind::dataset_status, R"({"status":"PROCESSING"})", "", "PROCESSING", ""},
      {&import_status_rules, RequestKind::import_status, R"({"status":"queued"})", "", "queued",
       parse_import_status(200, R"({"status":"queued"})", "tok-1").value().json},
      {&dataset_rules, RequestKind::dataset, dataset, "", "", parse_dataset(200, dataset, "tok-1").value()},
      {&create_dataset_rules, RequestKind::create_dataset, R"({"id":"d2","name":"n"})", "", "",
       parse_created_dataset(201, R"({"id":"d2","name":"n"})", "tok-1").value()},
      {&upload_url_rules, RequestKind::upload_url, upload_url, "a.csv", "",
       parse_upload_url(201, upload_url, "tok-1", "a.csv").value()},
      {&upload_rules, RequestKind::upload, "ignored", "", "", R"({"httpStatus":201})"},
  };
  for (const Case& test : cases) {
    EXPECT_EQ(test.rules->kind, test.kind);
    auto request = build_status_request("ds", options());
    StatusOperation operation = StatusOperation::for_request(*test.rules, request.value(), "ds", "the subject",
                                                             "tok-1", 0, std::nullopt, 1, test.filename);
    operation.start(0);
    Action done = operation.on_transport_result(response(201, test.body), 1);
    ASSERT_EQ(done.type, Action::Type::finish);
    ASSERT_FALSE(done.error.has_value()) << done.error->message;
    EXPECT_EQ(done.status, test.status);
    EXPECT_EQ(done.json, test.json);
    if (test.rules == &upload_rules) continue;  // an upload's answer has no body to read
    StatusOperation broken = StatusOperation::for_request(*test.rules, request.value(), "ds", "the subject", "tok-1",
                                                          0, std::nullopt, 1, test.filename);
    broken.start(0);
    Action refused = broken.on_transport_result(response(200, "[]"), 1);
    ASSERT_TRUE(refused.error.has_value());
    EXPECT_EQ(refused.error->kind, ErrorKind::invalid_response);
    EXPECT_EQ(refused.error->dataset_id, "ds");
    const std::string end = " (the subject)";
    EXPECT_EQ(refused.error->message.substr(refused.error->message.size() - end.size()), end) << refused.error->message;
  }
}

TEST(ErrorKinds, NoStatusHasItsOwnName) { EXPECT_STREQ(error_kind_name(ErrorKind::no_status), "no_status"); }
