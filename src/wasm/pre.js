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
var XMLHttpRequest = function() {
  if (typeof prolificXMLHttpRequest !== 'function') {
    throw new TypeError('this runtime has no XMLHttpRequest and none was handed to the module');
  }
  var request = new prolificXMLHttpRequest();
  if (prolificClaimedKey) {
    prolificRequests.set(prolificClaimedKey, request);
    prolificClaimedKey = 0;
  }
  return request;
};
