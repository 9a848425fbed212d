// Runs inside the module factory, before the rest of the Emscripten glue.
// Node has no XMLHttpRequest, which emscripten/fetch.h needs: the Node loader hands the module a
// stand-in as Module.XMLHttpRequest. This local name shadows the global for this module only, so
// no global is read or written in Node, and browsers keep their own XMLHttpRequest.
var XMLHttpRequest = Module['XMLHttpRequest'] || globalThis.XMLHttpRequest;
