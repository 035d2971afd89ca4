import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SSEParser } from "../js/sse.js";
import { applyPatch } from "../js/jsonpatch.js";
import {
  currentOutput, steps, streamedText, duration, formatDuration, isMessage,
  isDocument, messageText, normalizeMessage, functionCallText,
} from "../js/runlog.js";

function replay(file, upTo = Infinity) {
  const text = readFileSync(new URL(`testdata/${file}`, import.meta.url), "utf8");
  let state = null;
  let n = 0;
  const p = new SSEParser((ev) => {
    if (ev.event === "data" && n++ < upTo) state = applyPatch(state, JSON.parse(ev.data).ops);
  });
  p.feed(text);
  p.end();
  return state;
}

const AI_CHUNK = (content) => ({ content, additional_kwargs: {}, response_metadata: {}, type: "AIMessageChunk", name: null, id: "run-1", tool_calls: [], invalid_tool_calls: [], usage_metadata: null, tool_call_chunks: [] });

test("golden chat stream_log: final state", () => {
  const state = replay("chat_stream_log.sse");
  assert.equal(state.name, "/chat");
  assert.equal(state.final_output, "Bonjour le monde, ceci est une réponse fixe.");
  assert.equal(streamedText(state.streamed_output), state.final_output);
  assert.deepEqual(currentOutput(state), { text: state.final_output, value: state.final_output });
  const s = steps(state);
  assert.deepEqual(s.map((x) => [x.name, x.type, x.done]), [
    ["ChatPromptTemplate", "prompt", true],
    ["GenericFakeChatModel", "llm", true],
    ["StrOutputParser", "parser", true],
  ]);
  assert.deepEqual(s.map((x) => x.durationMs), [0, 4, 5]);
  assert.equal(s[0].hasInput, false, "this langchain-core sends no inputs");
  assert.equal(s[0].output.messages[0].content, "Translate to French: hello");
  assert.equal(s[1].output.type, "LLMResult");
  assert.deepEqual(s[2].output, { output: "Bonjour le monde, ceci est une réponse fixe." });
});

test("golden chat stream_log: mid-stream", () => {
  const state = replay("chat_stream_log.sse", 11);
  assert.equal(currentOutput(state).text, "Bonjour ");
  const s = steps(state);
  const model = s.find((x) => x.name === "GenericFakeChatModel");
  assert.equal(model.done, false);
  assert.equal(model.durationMs, null);
  assert.equal(model.output, "Bonjour ", "a running step shows its streamed text");
});

test("streamedText", () => {
  assert.equal(streamedText(["a", "b"]), "ab");
  assert.equal(streamedText([AI_CHUNK("He"), AI_CHUNK("llo")]), "Hello");
  assert.equal(streamedText([AI_CHUNK([{ type: "text", text: "x" }, { type: "image_url" }])]), "x");
  assert.equal(streamedText([{ a: 1 }]), null);
  assert.equal(streamedText([1, 2]), null);
  assert.equal(streamedText([]), null);
});

test("currentOutput prefers the final output", () => {
  assert.deepEqual(currentOutput(null), { text: null, value: null });
  assert.deepEqual(currentOutput({ streamed_output: [{ a: 1 }, { a: 2 }], final_output: null }), { text: null, value: { a: 2 } });
  assert.deepEqual(currentOutput({ streamed_output: [{ a: 1 }], final_output: { a: 1, b: 2 } }), { text: null, value: { a: 1, b: 2 } });
  assert.deepEqual(currentOutput({ streamed_output: ["a", "b"], final_output: null }), { text: "ab", value: "ab" });
  const msg = AI_CHUNK("Hello");
  assert.deepEqual(currentOutput({ streamed_output: [msg], final_output: msg }), { text: "Hello", value: msg });
  const call = { ...AI_CHUNK(""), tool_calls: [{ name: "search", args: { q: "go" }, id: "1", type: "tool_call" }] };
  assert.deepEqual(currentOutput({ streamed_output: [call], final_output: call }), { text: 'search({"q":"go"})', value: call });
  assert.deepEqual(currentOutput({ streamed_output: [2], final_output: 2 }), { text: null, value: 2 });
});

test("steps: order, inputs, durations", () => {
  const state = {
    logs: {
      b: { id: "2", name: "b", type: "tool", start_time: "2024-01-01T00:00:01.000+00:00", end_time: null, inputs: null, final_output: null, streamed_output: [] },
      a: { id: "1", name: "a", type: "chain", start_time: "2024-01-01T00:00:00.000+00:00", end_time: "2024-01-01T00:00:01.250+00:00", inputs: { x: 1 }, final_output: 2 },
      "a:2": { name: "a" },
    },
  };
  assert.deepEqual(steps(state), [
    { key: "a", id: "1", name: "a", type: "chain", hasInput: true, input: { x: 1 }, output: 2, done: true, startTime: "2024-01-01T00:00:00.000+00:00", durationMs: 1250 },
    { key: "b", id: "2", name: "b", type: "tool", hasInput: false, input: undefined, output: null, done: false, startTime: "2024-01-01T00:00:01.000+00:00", durationMs: null },
    { key: "a:2", id: "", name: "a", type: "", hasInput: false, input: undefined, output: null, done: false, startTime: null, durationMs: null },
  ]);
  assert.deepEqual(steps(null), []);
  assert.deepEqual(steps({ logs: null }), []);
});

test("durations", () => {
  assert.equal(duration("2024-01-01T00:00:00+00:00", "2024-01-01T00:00:02.5+00:00"), 2500);
  assert.equal(duration("x", "2024-01-01T00:00:00+00:00"), null);
  assert.equal(duration(null, null), null);
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(1250), "1.25 s");
  assert.equal(formatDuration(null), "");
});

test("messages and documents", () => {
  assert.ok(isMessage({ type: "human", content: "hi" }));
  assert.ok(isMessage(AI_CHUNK("x")));
  assert.ok(!isMessage({ type: "Document", content: "x" }));
  assert.ok(!isMessage({ type: "ai" }));
  assert.ok(isDocument({ id: null, metadata: {}, page_content: "x", type: "Document" }));
  assert.ok(!isDocument({ page_content: 1 }));
  assert.equal(messageText(["a", { type: "text", text: "b" }, { type: "image" }]), "ab");
  assert.deepEqual(normalizeMessage(AI_CHUNK("x")), { type: "ai", content: "x" });
  assert.deepEqual(normalizeMessage({ type: "generic", content: "x" }), { type: "human", content: "x" });
  assert.deepEqual(normalizeMessage("text"), { type: "human", content: "text" });
  assert.equal(functionCallText({ ...AI_CHUNK(""), additional_kwargs: { function_call: { name: "f", arguments: "{}" } } }), "f({})");
  assert.equal(functionCallText(AI_CHUNK("x")), null);
});
