#include "transport.hpp"

#include <emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/val.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "response.hpp"

extern "C" {
void prolific_abort_xhr(unsigned int id);
emscripten::EM_VAL prolific_xhr_details(unsigned int id);
}

namespace prolific::wasm {
namespace {

FetchListener g_listener = nullptr;

// A fetch being stopped by cancel_fetch: emscripten_fetch_close() calls onerror on it once more,
// which must be ignored.
const emscripten_fetch_t* g_closing = nullptr;

int owner_of(const emscripten_fetch_t* fetch) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(fetch->userData));
}

std::string response_headers(emscripten_fetch_t* fetch) {
  std::size_t length = emscripten_fetch_get_response_headers_length(fetch);
  if (length == 0) return "";
  std::string headers(length, '\0');
  emscripten_fetch_get_response_headers(fetch, headers.data(), length);
  headers.resize(std::strlen(headers.c_str()));
  return headers;
}

struct XhrDetails {
  std::string response_url;
  std::string cause;
};

XhrDetails xhr_details(const emscripten_fetch_t* fetch) {
  emscripten::val details = emscripten::val::take_ownership(prolific_xhr_details(fetch->id));
  return {details["responseUrl"].as<std::string>(), details["cause"].as<std::string>()};
}

// True while emscripten_fetch() runs: a failure reported that early is delivered from a timer, so
// the listener never runs before start_fetch() has returned.
bool g_starting = false;
bool g_failed_while_starting = false;

struct DeferredResult {
  int owner;
  TransportResult result;
};

void deliver_deferred(void* user_data) {
  std::unique_ptr<DeferredResult> deferred(static_cast<DeferredResult*>(user_data));
  if (g_listener) g_listener(deferred->owner, nullptr, std::move(deferred->result));
}

// Reads what a finished fetch holds, closes it, and hands the result to the listener.
void finish(emscripten_fetch_t* fetch, TransportResult result) {
  int owner = owner_of(fetch);
  g_closing = fetch;
  emscripten_fetch_close(fetch);
  g_closing = nullptr;
  if (g_starting) {
    g_failed_while_starting = true;
    emscripten_set_timeout(deliver_deferred, 0, new DeferredResult{owner, std::move(result)});
    return;
  }
  if (g_listener) g_listener(owner, fetch, std::move(result));
}

void on_fetch_done(emscripten_fetch_t* fetch) {
  if (fetch == g_closing) return;
  TransportResult result;
  result.wall_clock_ms = emscripten_date_now();
  XhrDetails details = xhr_details(fetch);
  if (fetch->status == 0) {
    result.kind = TransportResult::Kind::network_error;
    result.cause = details.cause;
  } else if (is_https_downgrade(fetch->url, details.response_url)) {
    result.kind = TransportResult::Kind::network_error;
    result.cause = "ERR_REDIRECT_DOWNGRADE: a redirect led from https to plain http";
  } else {
    result.kind = TransportResult::Kind::response;
    result.http_status = fetch->status;
    result.headers = response_headers(fetch);
    if (fetch->numBytes > max_body_bytes) {
      bool success = fetch->status >= 200 && fetch->status < 300;
      result.kind = success ? TransportResult::Kind::body_too_large : TransportResult::Kind::response;
      if (success) result.body.assign(fetch->data, 1024);
    } else if (fetch->data && fetch->numBytes > 0) {
      result.body.assign(fetch->data, static_cast<std::size_t>(fetch->numBytes));
    }
  }
  finish(fetch, std::move(result));
}

void on_fetch_progress(emscripten_fetch_t* fetch) {
  if (fetch == g_closing) return;
  if (fetch->dataOffset <= max_body_bytes && fetch->totalBytes <= max_body_bytes) return;
  TransportResult result;
  result.wall_clock_ms = emscripten_date_now();
  result.http_status = fetch->status;
  result.headers = response_headers(fetch);
  bool success = fetch->status >= 200 && fetch->status < 300;
  result.kind = success ? TransportResult::Kind::body_too_large : TransportResult::Kind::response;
  prolific_abort_xhr(fetch->id);
  finish(fetch, std::move(result));
}

}  // namespace

void set_fetch_listener(FetchListener listener) { g_listener = listener; }

emscripten_fetch_t* start_fetch(const HttpRequest& request, int owner) {
  emscripten_fetch_attr_t attributes;
  emscripten_fetch_attr_init(&attributes);
  std::strncpy(attributes.requestMethod, request.method.c_str(), sizeof(attributes.requestMethod) - 1);
  attributes.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_REPLACE;
  attributes.userData = reinterpret_cast<void*>(static_cast<std::intptr_t>(owner));
  attributes.onsuccess = on_fetch_done;
  attributes.onerror = on_fetch_done;
  attributes.onprogress = on_fetch_progress;
  attributes.timeoutMSecs = 0;  // attempt timeouts are timers of the caller, which then cancels
  std::vector<const char*> headers;
  for (const auto& [name, value] : request.headers) {
    headers.push_back(name.c_str());
    headers.push_back(value.c_str());
  }
  headers.push_back(nullptr);
  attributes.requestHeaders = headers.data();
  // Fetch.js copies the body out of the heap while emscripten_fetch() runs, so the request's own
  // string only has to live until this function returns.
  if (!request.body.empty()) {
    attributes.requestData = request.body.data();
    attributes.requestDataSize = request.body.size();
  }
  g_starting = true;
  g_failed_while_starting = false;
  emscripten_fetch_t* fetch = emscripten_fetch(&attributes, request.url.c_str());
  g_starting = false;
  return g_failed_while_starting ? nullptr : fetch;
}

void cancel_fetch(emscripten_fetch_t* fetch) {
  if (!fetch) return;
  prolific_abort_xhr(fetch->id);
  g_closing = fetch;
  emscripten_fetch_close(fetch);
  g_closing = nullptr;
}

}  // namespace prolific::wasm
