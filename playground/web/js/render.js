// Rendering of run outputs: messages as chat bubbles, Documents as cards,
// prompt values by their parts, anything else as a collapsible JSON tree.

import { h } from "./dom.js";
import { isMessage, isDocument, messageText, functionCallText, formatDuration, normalizeMessage } from "./runlog.js";

const ROLE_NAMES = { human: "Human", ai: "AI", system: "System", tool: "Tool", function: "Function", chat: "Chat" };

/** renderMessage draws one message as a bubble. */
export function renderMessage(m) {
  const { type } = normalizeMessage(m);
  const text = messageText(m.content);
  const calls = functionCallText(m);
  const who = m.type === "chat" && m.role ? m.role : ROLE_NAMES[type] ?? type;
  return h("div", { class: `bubble bubble-${type}` },
    h("div", { class: "bubble-role", text: who }),
    text ? h("div", { class: "bubble-text", text }) : null,
    calls ? h("pre", { class: "bubble-calls", text: calls }) : null,
    !text && !calls ? h("div", { class: "bubble-text empty", text: "(empty)" }) : null);
}

/** renderDocument draws a Document as a card. */
export function renderDocument(d) {
  const meta = d.metadata && typeof d.metadata === "object" && Object.keys(d.metadata).length ? d.metadata : null;
  return h("article", { class: "doc-card" },
    d.id ? h("div", { class: "doc-id", text: `id: ${d.id}` }) : null,
    h("div", { class: "doc-text", text: d.page_content }),
    meta ? h("div", { class: "doc-meta" }, jsonTree(meta, { label: "metadata", open: false })) : null);
}

/**
 * renderValue picks the best view for a value.
 * @returns {Node}
 */
export function renderValue(v) {
  if (typeof v === "string") return h("pre", { class: "text-output", text: v });
  if (isMessage(v)) return renderMessage(v);
  if (isDocument(v)) return renderDocument(v);
  if (Array.isArray(v) && v.length) {
    if (v.every(isMessage)) return h("div", { class: "messages" }, v.map(renderMessage));
    if (v.every(isDocument)) return h("div", { class: "docs" }, v.map(renderDocument));
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    if (v.type === "ChatPromptValueConcrete" && Array.isArray(v.messages) && v.messages.every(isMessage)) {
      return h("div", { class: "messages" }, v.messages.map(renderMessage));
    }
    if (v.type === "StringPromptValue" && typeof v.text === "string") {
      return h("pre", { class: "text-output", text: v.text });
    }
  }
  return jsonTree(v, { open: true });
}

function scalar(v) {
  if (v === null) return h("span", { class: "j-null", text: "null" });
  if (typeof v === "string") return h("span", { class: "j-str", text: JSON.stringify(v) });
  if (typeof v === "number") return h("span", { class: "j-num", text: String(v) });
  if (typeof v === "boolean") return h("span", { class: "j-bool", text: String(v) });
  return h("span", { class: "j-null", text: String(v) });
}

/**
 * jsonTree renders JSON as nested <details>. Children are built only when
 * a node is opened: big intermediate outputs (a retriever's documents, an
 * LLMResult) would otherwise cost a lot of DOM for nothing.
 */
export function jsonTree(v, { label = null, open = false } = {}) {
  const keyEl = label === null ? null : h("span", { class: "j-key", text: `${label}: ` });
  if (v === null || typeof v !== "object") {
    return h("div", { class: "j-leaf" }, keyEl, scalar(v));
  }
  const isArr = Array.isArray(v);
  const entries = isArr ? v.map((x, i) => [String(i), x]) : Object.entries(v);
  const summary = isArr ? `[${entries.length} item${entries.length === 1 ? "" : "s"}]` : `{${entries.length} key${entries.length === 1 ? "" : "s"}}`;
  if (entries.length === 0) return h("div", { class: "j-leaf" }, keyEl, h("span", { class: "j-null", text: isArr ? "[]" : "{}" }));
  const details = h("details", { class: "j-node" }, h("summary", {}, keyEl, h("span", { class: "j-sum", text: summary })));
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    const body = h("div", { class: "j-children" });
    for (const [k, x] of entries) body.append(jsonTree(x, { label: k, open: false }));
    details.append(body);
  };
  details.addEventListener("toggle", () => details.open && build());
  if (open) {
    build();
    details.open = true;
  }
  return details;
}

/**
 * StepsView keeps the "Intermediate steps" list in sync with the run
 * state. Each step is a <details>; its input and output are rendered when
 * it is opened, and re-rendered on update only while open.
 */
export class StepsView {
  constructor(container) {
    this.container = container;
    this.list = h("ol", { class: "steps" });
    this.empty = h("p", { class: "muted", text: "No intermediate steps yet." });
    this.container.replaceChildren(this.empty, this.list);
    this.items = new Map();
  }

  clear() {
    this.items.clear();
    this.list.replaceChildren();
    this.empty.hidden = false;
  }

  /** @param {ReturnType<import("./runlog.js").steps>} steps */
  update(steps) {
    this.empty.hidden = steps.length > 0;
    steps.forEach((s, i) => {
      let item = this.items.get(s.key);
      if (!item) {
        item = this.create(s);
        this.items.set(s.key, item);
      }
      if (this.list.children[i] !== item.li) this.list.insertBefore(item.li, this.list.children[i] ?? null);
      const sig = `${s.done}|${s.durationMs}|${s.hasInput}`;
      item.step = s;
      item.meta.textContent = [s.type, s.done ? formatDuration(s.durationMs) : "running…"].filter(Boolean).join(" · ");
      if (item.details.open && (sig !== item.sig || !s.done)) this.fill(item);
      item.sig = sig;
    });
  }

  create(s) {
    const meta = h("span", { class: "step-meta" });
    const details = h("details", { class: "step" },
      h("summary", {}, h("span", { class: "step-name", text: s.name }), " ", meta));
    const body = h("div", { class: "step-body" });
    details.append(body);
    const li = h("li", {}, details);
    const item = { li, details, meta, body, step: s, sig: "" };
    details.addEventListener("toggle", () => details.open && this.fill(item));
    return item;
  }

  fill(item) {
    const s = item.step;
    const parts = [
      s.hasInput ? h("div", { class: "step-part" }, h("h4", { text: "Input" }), renderValue(s.input)) : null,
      h("div", { class: "step-part" }, h("h4", { text: "Output" }),
        s.output === null ? h("p", { class: "muted", text: s.done ? "null" : "(not finished)" }) : renderValue(s.output)),
      s.id ? h("p", { class: "muted small", text: `run id ${s.id}` }) : null,
    ];
    // replaceChildren would turn a null into the text "null".
    item.body.replaceChildren(...parts.filter(Boolean));
  }
}
