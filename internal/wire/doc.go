// Package wire holds LangServe's JSON wire formats that are built from run
// events: the orjson-like encoding of values ([Marshal]), the RunLogPatch
// stream of /stream_log ([LogStream]), the StreamEvent objects of
// /stream_events v1 and v2 ([EventStream]), and the callback events of
// invoke/batch responses ([CallbackEvents]).
//
// The shapes reproduce LangServe 0.3.3 (langchain-core's
// LogStreamCallbackHandler and astream_events) byte for byte where that is
// cheap, and structurally otherwise: clients parse JSON, so object key order
// only matters for humans diffing transcripts.
package wire
