#include "transport.hpp"

#include <emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/html5.h>  // emscripten_date_now; fetch.h stopped including it in 3.1.69
#include <emscripten/val.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "response.hpp"

// src/wasm/library_transport.js: the package's own record of each request (never Fetch.xhrs).
extern "C" {
void prolific_request_claim(unsigned int key, unsigned int body_limit);
void prolific_request_release(unsigned int key, bool abort);
char* prolific_request_text(unsigned int key, int what);
}

namespace prolific::wasm {
namespace {

FetchListener g_listener = nullptr;

// A fetch being stopped by cancel_fetch: emscripten_fetch_close() calls onerror on it once more,
// which must be ignored.
const emscripten_fetch_t* g_closing = nullptr;

// What the transport keeps per request, as the fetch's userData: whose request it is, and the key
// the package's JS filed the request under.
struct RequestSlot {
  int owner;
  unsigned int key;
};

unsigned int g_last_key = 0;

RequestSlot& slot_of(const emscripten_fetch_t* fetch) { return *static_cast<RequestSlot*>(fetch->userData); }

// Forgets the JS record of `fetch` (aborting the request first when `abort`) and frees its slot.
// Returns the owner.
int release(emscripten_fetch_t* fetch, bool abort) {
  auto* slot = static_cast<RequestSlot*>(fetch->userData);
  fetch->userData = nullptr;
  if (!slot) return 0;
  int owner = slot->owner;
  prolific_request_release(slot->key, abort);
  delete slot;
  return owner;
}

// What request_text() reads from the package's own record of a request (library_transport.js).
enum class RequestText { response_url = 0, cause = 1, headers = 2 };

// One text of request `fetch` (its final URL, the stand-in's error cause, or the raw response
// headers), read from the package's own record of the request in one call; empty when unknown.
std::string request_text(const emscripten_fetch_t* fetch, RequestText what) {
  char* text = prolific_request_text(slot_of(fetch).key, static_cast<int>(what));
  if (!text) return "";
  std::string out(text);
  std::free(text);
  return out;
}

// Only a request sent over https can be led down to plain http by a redirect: the final URL is
// read for those only.
bool sent_over_https(const char* url) { return is_https_downgrade(url, "http:"); }

// The response headers are read only where something reads them: an answer other than 2xx, whose
// Retry-After the retry policy honours. A 2xx answer's headers are never used.
// With them goes the wall-clock time, which only an HTTP-date Retry-After needs.
void read_headers(const emscripten_fetch_t* fetch, TransportResult& result) {
  if (fetch->status >= 200 && fetch->status < 300) return;
  result.headers = request_text(fetch, RequestText::headers);
  result.wall_clock_ms = emscripten_date_now();
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
// With `abort`, the request is stopped first (a body that is not read further).
void finish(emscripten_fetch_t* fetch, TransportResult result, bool abort = false) {
  int owner = release(fetch, abort);
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
  if (fetch == g_closing || !fetch->userData) return;
  TransportResult result;
  if (fetch->status == 0) {
    result.kind = TransportResult::Kind::network_error;
    result.cause = request_text(fetch, RequestText::cause);
  } else if (sent_over_https(fetch->url) &&
             is_https_downgrade(fetch->url, request_text(fetch, RequestText::response_url))) {
    result.kind = TransportResult::Kind::network_error;
    result.cause = "ERR_REDIRECT_DOWNGRADE: a redirect led from https to plain http";
  } else {
    result.kind = TransportResult::Kind::response;
    result.http_status = fetch->status;
    read_headers(fetch, result);
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
  if (fetch == g_closing || !fetch->userData) return;
  if (fetch->dataOffset <= max_body_bytes && fetch->totalBytes <= max_body_bytes) return;
  TransportResult result;
  result.http_status = fetch->status;
  read_headers(fetch, result);
  bool success = fetch->status >= 200 && fetch->status < 300;
  result.kind = success ? TransportResult::Kind::body_too_large : TransportResult::Kind::response;
  finish(fetch, std::move(result), true);
}

}  // namespace

void set_fetch_listener(FetchListener listener) { g_listener = listener; }

emscripten_fetch_t* start_fetch(const HttpRequest& request, int owner) {
  emscripten_fetch_attr_t attributes;
  emscripten_fetch_attr_init(&attributes);
  std::strncpy(attributes.requestMethod, request.method.c_str(), sizeof(attributes.requestMethod) - 1);
  attributes.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_REPLACE;
  unsigned int key = g_last_key = g_last_key >= 0x7fffffffu ? 1 : g_last_key + 1;
  attributes.userData = new RequestSlot{owner, key};
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
  prolific_request_claim(key, static_cast<unsigned int>(max_body_bytes));
  emscripten_fetch_t* fetch = emscripten_fetch(&attributes, request.url.c_str());
  prolific_request_claim(0, 0);
  g_starting = false;
  return g_failed_while_starting ? nullptr : fetch;
}

void cancel_fetch(emscripten_fetch_t* fetch) {
  if (!fetch) return;
  release(fetch, true);
  g_closing = fetch;
  emscripten_fetch_close(fetch);
  g_closing = nullptr;
}

}  // namespace prolific::wasm
