import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SSEParser, postSSE, HTTPError, StreamError, IncompleteStreamError, formatDetail, errorText } from "../js/sse.js";

function parseAll(chunks) {
  const events = [];
  const p = new SSEParser((e) => events.push(e));
  for (const c of chunks) p.feed(c);
  p.end();
  return events;
}

test("LangServe framing: CRLF, end without data, comments", () => {
  const text = 'event: metadata\r\ndata: {"run_id": "x"}\r\n\r\n: ping - 2024-05-01 12:00:00\r\n\r\nevent: data\r\ndata: 2\r\n\r\nevent: end\r\n\r\n';
  assert.deepEqual(parseAll([text]), [
    { event: "metadata", data: '{"run_id": "x"}' },
    { event: "data", data: "2" },
    { event: "end", data: "" },
  ]);
});

test("any chunking gives the same events", () => {
  const text = 'event: data\r\ndata: {"a":"b\\u00e9"}\r\n\r\nevent: end\r\n\r\n';
  const want = parseAll([text]);
  for (let size = 1; size <= text.length; size++) {
    const chunks = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    assert.deepEqual(parseAll(chunks), want, `chunk size ${size}`);
  }
  // Split exactly between CR and LF.
  assert.deepEqual(parseAll(["event: data\r", "\ndata: 1\r", "\n\r", "\n"]), [{ event: "data", data: "1" }]);
});

test("LF and CR line endings, multi-line data, field rules", () => {
  assert.deepEqual(parseAll(["data: a\ndata: b\n\n"]), [{ event: "message", data: "a\nb" }]);
  assert.deepEqual(parseAll(["event: x\rdata:no-space\r\r"]), [{ event: "x", data: "no-space" }]);
  assert.deepEqual(parseAll(["data:  two spaces\n\n"]), [{ event: "message", data: " two spaces" }]);
  assert.deepEqual(parseAll(["id: 7\ndata\n\n"]), [{ event: "message", data: "", id: "7" }]);
  assert.deepEqual(parseAll(["retry: 10\n\n"]), [], "no event or data field: nothing dispatched");
  assert.deepEqual(parseAll(["event: end"]), [{ event: "end", data: "" }], "unterminated last event is flushed");
});

test("golden chat stream_log body parses into 51 data events and end", () => {
  const text = readFileSync(new URL("testdata/chat_stream_log.sse", import.meta.url), "utf8");
  const events = parseAll([text]);
  assert.equal(events.at(-1).event, "end");
  const data = events.filter((e) => e.event === "data");
  assert.equal(data.length, events.length - 1);
  for (const e of data) assert.ok(Array.isArray(JSON.parse(e.data).ops));
});

test("formatDetail", () => {
  assert.equal(formatDetail('{"detail":"Invalid config hash"}'), "Invalid config hash");
  assert.equal(
    formatDetail('{"detail":[{"type":"missing","loc":["input","text"],"msg":"Field required"}]}'),
    "input.text: Field required",
  );
  assert.equal(formatDetail('{"detail":["Invalid JSON body"]}'), "Invalid JSON body");
  assert.equal(formatDetail("Internal Server Error"), "Internal Server Error");
  assert.equal(formatDetail(""), "(empty response)");
});

function fakeResponse(status, type, body, chunkSize = 7) {
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunkSize) c.enqueue(bytes.slice(i, i + chunkSize));
      c.close();
    },
  });
  return new Response(stream, { status, headers: { "Content-Type": type } });
}

test("postSSE delivers data events and stops at end", async () => {
  let request;
  const got = [];
  await postSSE("/x/stream_log", { input: 1 }, {
    fetch: async (url, init) => {
      request = { url, init };
      return fakeResponse(200, "text/event-stream; charset=utf-8", "event: data\r\ndata: 1\r\n\r\nevent: end\r\n\r\nevent: data\r\ndata: 2\r\n\r\n");
    },
    onEvent: (e) => got.push(e),
  });
  assert.equal(request.url, "/x/stream_log");
  assert.equal(request.init.method, "POST");
  assert.equal(request.init.headers["Content-Type"], "application/json");
  assert.deepEqual(JSON.parse(request.init.body), { input: 1 });
  assert.deepEqual(got, [{ event: "data", data: "1" }]);
});

test("postSSE turns the golden error stream into a StreamError", async () => {
  const text = readFileSync(new URL("testdata/fail_stream_log.sse", import.meta.url), "utf8");
  const got = [];
  await assert.rejects(
    postSSE("/fail/stream_log", {}, { fetch: async () => fakeResponse(200, "text/event-stream; charset=utf-8", text), onEvent: (e) => got.push(e) }),
    (e) => e instanceof StreamError && e.status === 500 && /Internal Server Error/.test(e.message),
  );
  assert.equal(got.length, 1, "the data event before the error is delivered");
});

test("postSSE reports HTTP errors with the detail", async () => {
  await assert.rejects(
    postSSE("/chat/stream_log", {}, {
      fetch: async () => fakeResponse(422, "application/json", '{"detail":[{"type":"model_type","loc":[],"msg":"Input should be a valid dictionary or instance of PromptInput"}]}'),
      onEvent() {},
    }),
    (e) => e instanceof HTTPError && e.status === 422 && e.detail === "Input should be a valid dictionary or instance of PromptInput",
  );
  await assert.rejects(
    postSSE("/x", {}, { fetch: async () => fakeResponse(200, "application/json", "{}"), onEvent() {} }),
    (e) => e instanceof HTTPError && /expected an event stream/.test(e.detail),
  );
});

test("errorText", () => {
  assert.equal(errorText(new HTTPError(400, "Invalid config hash")), "The server answered 400: Invalid config hash");
  assert.match(errorText(new TypeError("Failed to fetch")), /Is the server running/);
});

test("postSSE rejects a stream that closes before its end event", async () => {
  const got = [];
  await assert.rejects(
    postSSE("/x/stream_log", {}, {
      fetch: async () => fakeResponse(200, "text/event-stream; charset=utf-8", "event: data\r\ndata: 1\r\n\r\n"),
      onEvent: (e) => got.push(e),
    }),
    (e) => e instanceof IncompleteStreamError && /may be incomplete/.test(errorText(e)),
  );
  assert.deepEqual(got, [{ event: "data", data: "1" }], "the data before the break is delivered");
});
