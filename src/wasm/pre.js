// Runs inside the module factory, before the rest of the Emscripten glue.
//
// emscripten/fetch.h makes one `new XMLHttpRequest()` per request, synchronously inside
// emscripten_fetch(). This local name shadows the global for this module only: no global is read
// or written where the package hands the module its own transport (Module.XMLHttpRequest: the
// Node stand-in over node:http, or the stand-in over fetch() where the runtime has no
// XMLHttpRequest), and browsers keep their own.
//
// The transport keeps, per request, what it needs later (the final URL, how to abort it) in
// prolificRequests, under a key chosen by src/wasm/transport.cpp: it claims the key just before
// emscripten_fetch() and the request made during that call is filed under it. Nothing reads
// Emscripten's own bookkeeping (Fetch.xhrs), whose layout changed twice after 3.1.6.
var prolificXMLHttpRequest = Module['XMLHttpRequest'] || globalThis.XMLHttpRequest;
var prolificRequests = new Map();
var prolificClaimedKey = 0;
var prolificBodyLimit = 0;

// The send() of a request the transport filed. By then emscripten/fetch.h has set its handlers;
// two of them are narrowed to what the transport uses, which saves JS events and a call into the
// module per answer without reading or changing any of the glue's state:
// - readystatechange only copies readyState and status into the emscripten_fetch_t, which the
//   load and error handlers copy again before the transport reads them: not listened to.
// - progress matters to the transport only once a body passes the limit (transport.cpp
//   on_fetch_progress stops it): it runs only then, with the same test (bytes loaded, or the
//   announced total, above the limit).
function prolificSend(body) {
  var request = this;
  var progress = request['onprogress'];
  var limit = prolificBodyLimit;
  request['onreadystatechange'] = null;
  if (progress) {
    request['onprogress'] = function(event) {
      if (event['loaded'] > limit || event['total'] > limit) progress.call(request, event);
    };
  }
  return Object.getPrototypeOf(request)['send'].call(request, body);
}
// Stops a filed request for good: every handler is detached first (their callbacks would run into
// freed memory, or into a dead runtime), then the request is aborted.
function prolificStop(request) {
  request.onload = request.onerror = request.ontimeout = request.onprogress = request.onreadystatechange = null;
  try { request.abort(); } catch (e) { /* already finished */ }
}
// When the runtime dies (Module.onAbort: out of memory, an internal fault) the calls in flight fail
// at once (src/js/api.js); the requests it still holds are stopped too, so that none of them stays
// open, is answered into the dead module, or reaches the server after its call has failed.
var prolificOnAbort = Module['onAbort'];
Module['onAbort'] = function(what) {
  var requests = Array.from(prolificRequests.values());
  prolificRequests.clear();
  prolificClaimedKey = 0;
  requests.forEach(prolificStop);
  if (prolificOnAbort) prolificOnAbort(what);
};
var XMLHttpRequest = function() {
  if (typeof prolificXMLHttpRequest !== 'function') {
    throw new TypeError('this runtime has no XMLHttpRequest and none was handed to the module');
  }
  var request = new prolificXMLHttpRequest();
  if (prolificClaimedKey) {
    prolificRequests.set(prolificClaimedKey, request);
    prolificClaimedKey = 0;
    request['send'] = prolificSend;
  }
  return request;
};
