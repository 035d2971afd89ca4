// Reading a stream_log RunState ({id, streamed_output, final_output, logs,
// name, type}) for display. Pure functions, tested under Node.

const MESSAGE_LIKE = new Set([
  "ai", "human", "system", "tool", "function", "chat",
  "AIMessageChunk", "HumanMessageChunk", "SystemMessageChunk",
  "ToolMessageChunk", "FunctionMessageChunk", "ChatMessageChunk",
]);

/** isMessage reports whether v looks like a serialized LangChain message. */
export function isMessage(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) &&
    "content" in v && MESSAGE_LIKE.has(v.type);
}

/** isDocument reports whether v looks like a serialized Document. */
export function isDocument(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) &&
    typeof v.page_content === "string" && (v.type === "Document" || "metadata" in v);
}

/**
 * messageText returns the text of a message's content: a string, or the
 * text parts of a list of content blocks.
 */
export function messageText(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => {
      if (typeof part === "string") return part;
      if (part && typeof part === "object" && typeof part.text === "string") return part.text;
      return "";
    })
    .join("");
}

const ROLES = ["human", "ai", "system", "tool", "function", "chat"];

/**
 * normalizeMessage turns any serialized message (full or minimal, chunk or
 * not) into {type, content} with a plain-text content, the shape the chat
 * views and the message editors work with.
 */
export function normalizeMessage(m) {
  if (!m || typeof m !== "object") return { type: "human", content: String(m ?? "") };
  let type = typeof m.type === "string" ? m.type : "human";
  const chunk = /^(Human|AI|System|Tool|Function|Chat)MessageChunk$/.exec(type);
  if (chunk) type = chunk[1] === "AI" ? "ai" : chunk[1].toLowerCase();
  if (!ROLES.includes(type)) type = "human";
  return { type, content: messageText(m.content) };
}

/**
 * streamedText concatenates streamed chunks when they are text: strings,
 * or message chunks (by content). It returns null when a chunk is anything
 * else, so the caller shows the structured output instead.
 * @param {any[]} chunks
 * @returns {string|null}
 */
export function streamedText(chunks) {
  if (!Array.isArray(chunks) || chunks.length === 0) return null;
  let text = "";
  for (const c of chunks) {
    if (typeof c === "string") text += c;
    else if (isMessage(c)) text += messageText(c.content);
    else return null;
  }
  return text;
}

/**
 * functionCallText shows a tool or function call of a message that has no
 * text, which is what an agent's model step usually streams.
 */
export function functionCallText(message) {
  if (!isMessage(message)) return null;
  const calls = [];
  const fc = message.additional_kwargs?.function_call;
  if (fc) calls.push(`${fc.name ?? "function"}(${fc.arguments ?? ""})`);
  for (const tc of message.tool_calls ?? []) {
    calls.push(`${tc.name}(${JSON.stringify(tc.args ?? {})})`);
  }
  return calls.length ? calls.join("\n") : null;
}

/**
 * currentOutput is what the output pane shows while (and after) a run
 * streams: the final output when the server has one, else the streamed
 * text or the last streamed chunk.
 * @returns {{text: string|null, value: any}}
 */
export function currentOutput(state) {
  if (!state || typeof state !== "object") return { text: null, value: null };
  const streamed = streamedText(state.streamed_output);
  const final = state.final_output;
  if (typeof final === "string") return { text: final, value: final };
  if (isMessage(final)) {
    const t = messageText(final.content);
    return { text: t || functionCallText(final), value: final };
  }
  if (final !== null && final !== undefined) return { text: null, value: final };
  if (streamed !== null) return { text: streamed, value: streamed };
  const chunks = state.streamed_output;
  return { text: null, value: Array.isArray(chunks) && chunks.length ? chunks[chunks.length - 1] : null };
}

/**
 * duration is end - start in milliseconds, or null when either time is
 * missing or unreadable.
 */
export function duration(start, end) {
  if (typeof start !== "string" || typeof end !== "string") return null;
  const a = Date.parse(start);
  const b = Date.parse(end);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return b - a;
}

/** formatDuration renders milliseconds for people: "850 ms", "1.25 s". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * steps lists the nested runs of a RunState in start order, for the
 * "Intermediate steps" view.
 * @returns {{key: string, id: string, name: string, type: string,
 *   hasInput: boolean, input: any, output: any, done: boolean,
 *   startTime: string|null, durationMs: number|null}[]}
 */
export function steps(state) {
  const logs = state && typeof state.logs === "object" && state.logs ? state.logs : {};
  const out = Object.entries(logs).map(([key, e], order) => {
    const entry = e && typeof e === "object" ? e : {};
    const hasInput = entry.inputs !== undefined && entry.inputs !== null;
    let output = entry.final_output;
    if ((output === null || output === undefined) && Array.isArray(entry.streamed_output) && entry.streamed_output.length) {
      output = streamedText(entry.streamed_output) ?? entry.streamed_output;
    }
    return {
      key,
      order,
      id: typeof entry.id === "string" ? entry.id : "",
      name: typeof entry.name === "string" ? entry.name : key,
      type: typeof entry.type === "string" ? entry.type : "",
      hasInput,
      input: hasInput ? entry.inputs : undefined,
      output: output ?? null,
      done: typeof entry.end_time === "string",
      startTime: typeof entry.start_time === "string" ? entry.start_time : null,
      durationMs: duration(entry.start_time, entry.end_time),
    };
  });
  out.sort((a, b) => {
    const ta = a.startTime ? Date.parse(a.startTime) : NaN;
    const tb = b.startTime ? Date.parse(b.startTime) : NaN;
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
    return a.order - b.order;
  });
  return out.map(({ order, ...rest }) => rest);
}
