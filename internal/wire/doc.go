// Package wire holds LangServe's JSON wire formats that are built from run
// events, so that the serve package can answer like LangServe 0.3.3 on
// langchain-core 0.3:
//
//   - [Marshal] encodes values as LangServe's orjson does (compact, raw
//     UTF-8, no HTML escaping);
//   - [LogStream] turns the run events of a /stream_log request into
//     RunLogPatch documents, as LangChain's LogStreamCallbackHandler;
//   - [EventStream] turns them into /stream_events objects, version "v2"
//     (_AstreamEventsCallbackHandler) or "v1" (the older run-log based
//     implementation);
//   - [CallbackEvents] records them as the callback_events of an
//     invoke or batch response.
//
// Each is a [runnable.Handler]: serve passes it to the runnable with
// runnable.WithCallbacks and writes what it emits as SSE data events.
//
// # Fidelity
//
// The tests replay the reference routes of the golden transcripts (chat
// chains with a fake chat model, a retriever, lambdas, a failing route)
// and compare every payload with the Python server's after masking run ids,
// message ids and timestamps, including the order of object keys, which
// LangChain varies from one event kind to another. Go maps (run metadata,
// dict outputs) are written with sorted keys where Python keeps insertion
// order; clients parse JSON, so only humans diffing transcripts notice.
//
// LangChain quirks are kept on purpose: stream_log reports chat models
// with type "llm", wraps non-dict outputs as {"output": …}; stream_events
// v2 gives the request input to whichever event is sent first and drops it
// from that run's end, and reports a falsy chain input as {}. The one
// deliberate difference: log keys are escaped in JSON Pointer paths
// (LangChain writes a run name containing "/" unescaped, which breaks
// clients' patching).
package wire
