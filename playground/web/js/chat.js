// The chat playground: a conversation whose assistant turns stream in
// through /stream_log. The input is {<messages>: [...]} or, for a route
// with one extra string key, {<messages>: history, <key>: newest text}.

import { h, throttleFrame } from "./dom.js";
import { chatShape } from "./schema.js";
import { applyPatch } from "./jsonpatch.js";
import { postSSE, errorText } from "./sse.js";
import { currentOutput, steps as stepsOf, isMessage, messageText } from "./runlog.js";
import { StepsView } from "./render.js";
import { endpoint } from "./base.js";
import { feedbackBar } from "./feedback.js";

/**
 * chatInput builds the request input for a conversation whose last entry
 * is the newest human message.
 * @param {{messagesKey: string, inputKey?: string}} shape
 * @param {{type: string, content: string}[]} history
 */
export function chatInput(shape, history) {
  const msgs = history.map(({ type, content }) => ({ type, content }));
  if (shape.inputKey === undefined) return { [shape.messagesKey]: msgs };
  const last = msgs[msgs.length - 1];
  return { [shape.messagesKey]: msgs.slice(0, -1), [shape.inputKey]: last ? last.content : "" };
}

/** replyText is the assistant text of a run state so far. */
export function replyText(state) {
  if (!state) return "";
  const final = state.final_output;
  if (typeof final === "string") return final;
  if (isMessage(final)) return messageText(final.content);
  const out = currentOutput(state);
  if (out.text !== null) return out.text;
  return out.value === null ? "" : JSON.stringify(out.value);
}

export function startChat(main, opts, schemas) {
  const { base } = opts;
  const shape = chatShape(schemas.input, schemas.output);
  if (!shape.ok) {
    main.replaceChildren(h("section", { class: "panel", role: "alert", "aria-labelledby": "unsupported-h" },
      h("h2", { id: "unsupported-h", text: "This runnable does not fit the chat playground" }),
      h("p", { text: shape.reason }),
      h("p", { text: "The chat playground needs an input object with a list of messages (and optionally one string for the newest message), and an output that is a string or an AI message. Serve this route with the default playground instead." })));
    return;
  }

  /** @type {{type: string, content: string, runId?: string, state?: any, stopped?: boolean}[]} */
  let messages = [];
  let controller = null;

  const log = h("ol", { class: "chat-log", id: "chat-log", "aria-label": "Conversation" });
  const empty = h("p", { class: "muted empty-chat", text: "No messages yet. Write one below to start." });
  const status = h("p", { class: "status", role: "status", id: "run-status" });
  const chatError = h("div", { class: "error-text", role: "alert", id: "run-error", hidden: true });
  const textarea = h("textarea", { id: "chat-input", rows: 2, placeholder: "Send a message (Enter sends, Shift+Enter starts a new line)" });
  const send = h("button", { type: "submit", class: "primary", id: "send", text: "Send" });
  const stop = h("button", { type: "button", id: "stop", text: "Stop", disabled: true });
  const composer = h("form", { class: "composer", id: "composer" },
    h("label", { for: "chat-input", class: "visually-hidden", text: "Message" }), textarea, send, stop);

  main.replaceChildren(h("section", { class: "panel chat", "aria-labelledby": "chat-h" },
    h("h2", { id: "chat-h", class: "visually-hidden", text: "Chat" }),
    h("p", { class: "muted small", text: shape.inputKey
      ? `Sends {"${shape.messagesKey}": history, "${shape.inputKey}": newest message}.`
      : `Sends {"${shape.messagesKey}": [messages]}.` }),
    empty, log, status, chatError, composer));

  const clear = h("button", { type: "button", id: "clear", text: "Clear" });
  document.getElementById("header-actions").replaceChildren(clear);

  const setError = (text) => {
    chatError.textContent = text;
    chatError.hidden = !text;
  };

  const renderLog = () => {
    empty.hidden = messages.length > 0;
    log.replaceChildren(...messages.map((m, i) => renderTurn(m, i === messages.length - 1)));
  };

  const renderTurn = (m, isLast) => {
    const who = m.type === "ai" ? "Assistant" : m.type === "human" ? "You" : m.type;
    const text = h("div", { class: "bubble-text", text: m.content || (m.pending ? "…" : "") });
    const li = h("li", { class: `turn turn-${m.type}` },
      h("div", { class: `bubble bubble-${m.type}` }, h("div", { class: "bubble-role", text: who }), text));
    m.textEl = text;
    if (m.type === "ai" && !m.pending) {
      const tools = h("div", { class: "turn-tools" });
      if (m.stopped) tools.append(h("span", { class: "muted small", text: "(stopped)" }));
      if (isLast) {
        const regen = h("button", { type: "button", class: "small", id: "regenerate", text: "Regenerate" });
        regen.addEventListener("click", regenerate);
        tools.append(regen);
      }
      if (m.runId && (opts.feedback || opts.publicTraceLink)) tools.append(feedbackBar(base, m.runId, opts));
      li.append(tools);
      if (m.state) {
        const box = h("div", {});
        const details = h("details", { class: "turn-steps" }, h("summary", { text: "Intermediate steps" }), box);
        let built = false;
        details.addEventListener("toggle", () => {
          if (!details.open || built) return;
          built = true;
          new StepsView(box).update(stepsOf(m.state));
        });
        li.append(details);
      }
    }
    return li;
  };

  const setRunning = (on) => {
    send.disabled = on;
    stop.disabled = !on;
    textarea.setAttribute("aria-busy", String(on));
  };

  // run streams one assistant turn for the current history. On failure it
  // calls rollback so the conversation is as it was before the attempt.
  const run = async (rollback) => {
    setError("");
    const input = chatInput(shape, messages);
    const reply = { type: "ai", content: "", pending: true };
    messages.push(reply);
    renderLog();
    status.textContent = "Assistant is replying…";
    setRunning(true);
    controller = new AbortController();
    let state = null;
    const update = throttleFrame(() => {
      reply.content = replyText(state);
      if (reply.textEl) reply.textEl.textContent = reply.content || "…";
    });
    try {
      await postSSE(endpoint(base, "stream_log"), { input, config: {} }, {
        signal: controller.signal,
        onEvent(ev) {
          if (ev.event !== "data") return;
          state = applyPatch(state, JSON.parse(ev.data).ops);
          update();
        },
      });
      status.textContent = "Reply complete.";
    } catch (e) {
      if (e?.name === "AbortError") {
        reply.stopped = true;
        status.textContent = "Stopped.";
      } else {
        messages.pop();
        rollback();
        status.textContent = "Failed.";
        setError(`${errorText(e)} Check the server logs for details.`);
        renderLog();
        return;
      }
    } finally {
      controller = null;
      setRunning(false);
    }
    reply.pending = false;
    reply.content = replyText(state);
    reply.runId = state?.id;
    reply.state = state;
    renderLog();
    textarea.focus();
  };

  const submit = () => {
    if (controller) return;
    const text = textarea.value;
    if (text.trim() === "") {
      setError("Write a message first.");
      textarea.focus();
      return;
    }
    messages.push({ type: "human", content: text });
    textarea.value = "";
    run(() => {
      messages.pop();
      textarea.value = text;
    });
  };

  const regenerate = () => {
    if (controller) return;
    const last = messages[messages.length - 1];
    if (!last) return;
    let removed = null;
    if (last.type === "ai") removed = messages.pop();
    if (!messages.length) return;
    run(() => {
      if (removed) messages.push(removed);
    });
  };

  composer.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  stop.addEventListener("click", () => controller?.abort());
  clear.addEventListener("click", () => {
    controller?.abort();
    messages = [];
    setError("");
    status.textContent = "Conversation cleared.";
    renderLog();
    textarea.focus();
  });
  renderLog();
}
