import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chatInput, replyText } from "../js/chat.js";
import { SSEParser } from "../js/sse.js";
import { applyPatch } from "../js/jsonpatch.js";

const history = [
  { type: "human", content: "hi", extra: "dropped" },
  { type: "ai", content: "hello" },
  { type: "human", content: "how are you?" },
];

test("chatInput: messages only", () => {
  assert.deepEqual(chatInput({ messagesKey: "messages" }, history), {
    messages: [
      { type: "human", content: "hi" },
      { type: "ai", content: "hello" },
      { type: "human", content: "how are you?" },
    ],
  });
});

test("chatInput: history plus the newest text", () => {
  assert.deepEqual(chatInput({ messagesKey: "chat_history", inputKey: "question" }, history), {
    chat_history: [{ type: "human", content: "hi" }, { type: "ai", content: "hello" }],
    question: "how are you?",
  });
});

test("replyText", () => {
  assert.equal(replyText(null), "");
  assert.equal(replyText({ streamed_output: ["a", "b"], final_output: "ab" }), "ab");
  assert.equal(replyText({ streamed_output: [], final_output: { type: "AIMessageChunk", content: "x", additional_kwargs: {} } }), "x");
  assert.equal(replyText({ streamed_output: [{ type: "AIMessageChunk", content: "y" }], final_output: null }), "y");
  assert.equal(replyText({ streamed_output: [{ n: 1 }], final_output: null }), '{"n":1}');
  let state = null;
  const p = new SSEParser((ev) => {
    if (ev.event === "data") state = applyPatch(state, JSON.parse(ev.data).ops);
  });
  p.feed(readFileSync(new URL("testdata/chat_stream_log.sse", import.meta.url), "utf8"));
  assert.equal(replyText(state), "Bonjour le monde, ceci est une réponse fixe.");
});
