// Renders a schema.js Field tree as an accessible HTML form. Every control
// has a real <label for>, named after the schema property, and groups are
// <fieldset>s with a <legend>, so the form works with a keyboard and a
// screen reader alone.

import { h, uid } from "./dom.js";
import { initialValue, parseScalar, pickVariant } from "./schema.js";
import { normalizeMessage } from "./runlog.js";

/**
 * @typedef {{el: HTMLElement, get: () => {value: any, errors: string[]}, set: (v: any) => void, focus?: () => void}} Control
 */

const ROLE_LABELS = { human: "human", ai: "ai", system: "system", tool: "tool", function: "function", chat: "chat" };

// A pydantic title is usually the property name capitalized ("page_content"
// -> "Page Content"); showing it under the name would only repeat it.
const squash = (s) => String(s ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");

function describe(field, id) {
  const title = field.title && squash(field.title) !== squash(field.name) ? field.title : "";
  const text = field.description || title;
  return text ? h("small", { id: `${id}-desc`, class: "hint", text }) : null;
}

function labelText(field, fallback) {
  return field.name ?? fallback;
}

function errorSlot(id) {
  return h("span", { id: `${id}-err`, class: "field-error", hidden: true });
}

function showError(slot, input, message) {
  slot.textContent = message || "";
  slot.hidden = !message;
  if (input) {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

function describedBy(id, hasDesc) {
  return [hasDesc ? `${id}-desc` : null, `${id}-err`].filter(Boolean).join(" ");
}

/**
 * control builds the control for one field.
 * @param {import("./schema.js").Field} field
 * @param {any} value initial value
 * @param {string} fallbackLabel label when the field has no property name
 * @returns {Control}
 */
export function control(field, value, fallbackLabel = "input") {
  switch (field.kind) {
    case "string":
      return textControl(field, value, fallbackLabel);
    case "integer":
    case "number":
      return numberControl(field, value, fallbackLabel);
    case "boolean":
      return booleanControl(field, value, fallbackLabel);
    case "enum":
      return enumControl(field, value, fallbackLabel);
    case "file":
      return fileControl(field, value, fallbackLabel);
    case "array":
      return arrayControl(field, value, fallbackLabel);
    case "tuple":
      return tupleControl(field, value, fallbackLabel);
    case "object":
      return objectControl(field, value, fallbackLabel);
    case "messages":
      return messagesControl(field, value, fallbackLabel);
    case "union":
      return unionControl(field, value, fallbackLabel);
    default:
      return jsonControl(field, value, fallbackLabel);
  }
}

function wrap(field, id, label, input, extra) {
  const desc = describe(field, id);
  input.setAttribute("aria-describedby", describedBy(id, !!desc));
  if (field.required && !field.nullable && !field.hasDefault) input.setAttribute("aria-required", "true");
  const err = errorSlot(id);
  // The label holds the property name and nothing else; "required" is
  // told by aria-required and shown by a mark beside it.
  const mark = field.name !== null && field.required && !field.hasDefault
    ? h("span", { class: "req", "aria-hidden": "true", title: "required", text: "*" })
    : null;
  const el = h("div", { class: "field" },
    h("div", { class: "label-row" }, h("label", { for: id, text: label }), mark),
    desc, input, extra, err);
  return { el, err };
}

function textControl(field, value, fallback) {
  const id = uid(`f-${labelText(field, fallback)}`);
  const input = field.multiline
    ? h("textarea", { id, rows: 3 })
    : h("input", { id, type: field.format === "date" ? "date" : "text", autocomplete: "off" });
  input.value = typeof value === "string" ? value : "";
  const { el, err } = wrap(field, id, labelText(field, fallback), input);
  return {
    el,
    get() {
      showError(err, input, "");
      const v = input.value;
      if (v === "" && !field.required) return { value: undefined, errors: [] };
      return { value: v, errors: [] };
    },
    set(v) {
      input.value = typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
    },
    focus: () => input.focus(),
  };
}

function numberControl(field, value, fallback) {
  const id = uid(`f-${labelText(field, fallback)}`);
  const input = h("input", { id, type: "text", inputmode: field.kind === "integer" ? "numeric" : "decimal", autocomplete: "off" });
  input.value = typeof value === "number" ? String(value) : "";
  const { el, err } = wrap(field, id, labelText(field, fallback), input);
  return {
    el,
    get() {
      const r = parseScalar(field, input.value);
      showError(err, input, r.error);
      return r.error ? { value: undefined, errors: [`${labelText(field, fallback)}: ${r.error}`] } : { value: r.value, errors: [] };
    },
    set(v) {
      input.value = typeof v === "number" ? String(v) : "";
    },
    focus: () => input.focus(),
  };
}

function booleanControl(field, value, fallback) {
  const id = uid(`f-${labelText(field, fallback)}`);
  const input = h("input", { id, type: "checkbox" });
  input.checked = value === true;
  let touched = value !== undefined;
  input.addEventListener("change", () => (touched = true));
  const desc = describe(field, id);
  input.setAttribute("aria-describedby", describedBy(id, !!desc));
  const el = h("div", { class: "field field-check" },
    input, h("label", { for: id, text: labelText(field, fallback) }), desc, errorSlot(id));
  return {
    el,
    get() {
      // An optional flag the user never touched stays out of the request.
      if (!touched && !field.required && !field.hasDefault) return { value: undefined, errors: [] };
      return { value: input.checked, errors: [] };
    },
    set(v) {
      input.checked = v === true;
      touched = v !== undefined;
    },
    focus: () => input.focus(),
  };
}

function enumControl(field, value, fallback) {
  const id = uid(`f-${labelText(field, fallback)}`);
  const select = h("select", { id });
  const optional = !field.required || field.nullable;
  if (optional) select.append(h("option", { value: "", text: "(not set)" }));
  field.options.forEach((o, i) => {
    select.append(h("option", { value: String(i), text: typeof o === "string" ? o : JSON.stringify(o) }));
  });
  const set = (v) => {
    const i = field.options.findIndex((o) => JSON.stringify(o) === JSON.stringify(v));
    select.value = i >= 0 ? String(i) : optional ? "" : "0";
  };
  set(value);
  const { el } = wrap(field, id, labelText(field, fallback), select);
  return {
    el,
    get() {
      if (select.value === "") return { value: field.nullable && field.required ? null : undefined, errors: [] };
      return { value: field.options[Number(select.value)], errors: [] };
    },
    set,
    focus: () => select.focus(),
  };
}

function fileControl(field, value, fallback) {
  const id = uid(`f-${labelText(field, fallback)}`);
  const input = h("input", { id, type: "file" });
  let data = typeof value === "string" ? value : undefined;
  const status = h("span", { class: "hint", "aria-live": "polite" });
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    // Base64 without a "data:" prefix, which is what LangServe's
    // base64file widget sends.
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    data = btoa(bin);
    status.textContent = `${file.name}: ${bytes.length} bytes`;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const { el } = wrap(field, id, labelText(field, fallback), input, status);
  return {
    el,
    get: () => ({ value: data, errors: [] }),
    set(v) {
      data = typeof v === "string" ? v : undefined;
      status.textContent = data ? `${data.length} base64 characters` : "";
    },
    focus: () => input.focus(),
  };
}

function jsonControl(field, value, fallback) {
  const id = uid(`f-${labelText(field, fallback)}`);
  const input = h("textarea", { id, rows: 4, class: "mono", spellcheck: "false", placeholder: "any JSON value" });
  input.value = value === undefined ? "" : JSON.stringify(value, null, 2);
  const { el, err } = wrap(field, id, labelText(field, fallback), input);
  return {
    el,
    get() {
      const r = parseScalar({ kind: "json" }, input.value);
      showError(err, input, r.error);
      return r.error ? { value: undefined, errors: [`${labelText(field, fallback)}: ${r.error}`] } : { value: r.value, errors: [] };
    },
    set(v) {
      input.value = v === undefined ? "" : JSON.stringify(v, null, 2);
    },
    focus: () => input.focus(),
  };
}

function group(field, fallback, ...children) {
  const desc = field.description ? h("small", { class: "hint", text: field.description }) : null;
  return h("fieldset", { class: "group" }, h("legend", { text: labelText(field, fallback) }), desc, ...children);
}

function objectControl(field, value, fallback) {
  const v = value && typeof value === "object" && !Array.isArray(value) ? value : {};
  const children = field.properties.map((p) => ({ p, c: control(p, v[p.name] ?? initialValue(p), p.name) }));
  // The root object needs no fieldset: its section heading names it.
  const el = field.name === null
    ? h("div", { class: "group-root" }, children.map(({ c }) => c.el))
    : group(field, fallback, children.map(({ c }) => c.el));
  return {
    el,
    get() {
      const out = {};
      const errors = [];
      for (const { p, c } of children) {
        const r = c.get();
        errors.push(...r.errors);
        if (r.value !== undefined) out[p.name] = r.value;
        else if (p.required && p.nullable && !p.hasDefault) out[p.name] = null;
      }
      if (!field.required && Object.keys(out).length === 0) return { value: undefined, errors };
      return { value: out, errors };
    },
    set(nv) {
      const o = nv && typeof nv === "object" && !Array.isArray(nv) ? nv : {};
      for (const { p, c } of children) c.set(Object.hasOwn(o, p.name) ? o[p.name] : undefined);
    },
    focus: () => children[0]?.c.focus?.(),
  };
}

// Items whose control is a group get a visible title ("messages 2"); a
// scalar item's own label already says it.
const COMPOSITE = new Set(["object", "array", "tuple", "union", "messages"]);

function listControl(field, fallback, values, makeItem, addLabel, composite) {
  const list = h("ol", { class: "items" });
  const name = labelText(field, fallback);
  let items = [];
  const renumber = () => {
    items.forEach((it, i) => {
      it.remove.setAttribute("aria-label", `Remove ${name} item ${i + 1}`);
      it.legend.textContent = `${name} ${i + 1}`;
    });
  };
  const add = (v, focus) => {
    const it = makeItem(v, items.length, items[items.length - 1]?.it);
    const remove = h("button", { type: "button", class: "small", text: "Remove" });
    const legend = h("span", { class: "item-title", hidden: !composite });
    const li = h("li", { class: "item" }, h("div", { class: "item-head" }, legend, remove), it.el);
    const entry = { it, li, remove, legend };
    remove.addEventListener("click", () => {
      const i = items.indexOf(entry);
      items.splice(i, 1);
      li.remove();
      renumber();
      list.dispatchEvent(new Event("input", { bubbles: true }));
      (items[i]?.remove ?? addButton).focus();
    });
    items.push(entry);
    list.append(li);
    renumber();
    if (focus) it.focus?.();
  };
  const addButton = h("button", { type: "button", class: "small", text: addLabel });
  addButton.addEventListener("click", () => {
    add(undefined, true);
    list.dispatchEvent(new Event("input", { bubbles: true }));
  });
  (Array.isArray(values) ? values : []).forEach((v) => add(v, false));
  const el = group(field, fallback, list, addButton);
  return {
    el,
    get() {
      const errors = [];
      const out = items.map(({ it }) => {
        const r = it.get();
        errors.push(...r.errors);
        return r.value === undefined ? null : r.value;
      });
      if (out.length === 0 && !field.required && !field.hasDefault) return { value: undefined, errors };
      return { value: out, errors };
    },
    set(nv) {
      items.forEach((e) => e.li.remove());
      items = [];
      (Array.isArray(nv) ? nv : []).forEach((v) => add(v, false));
    },
    focus: () => (items[0]?.it.focus ?? (() => addButton.focus()))(),
  };
}

function arrayControl(field, value, fallback) {
  const name = labelText(field, fallback);
  const item = { ...field.items, name: null, required: true };
  return listControl(field, fallback, value, (v, i) => control(item, v ?? initialValue(item), `${name} ${i + 1}`), `Add ${name} item`, COMPOSITE.has(item.kind));
}

function tupleControl(field, value, fallback) {
  const v = Array.isArray(value) ? value : [];
  const name = labelText(field, fallback);
  const children = field.prefix.map((p, i) => control({ ...p, name: null }, v[i] ?? initialValue(p), `${name} ${i + 1}`));
  const el = group(field, fallback, children.map((c) => c.el));
  return {
    el,
    get() {
      const errors = [];
      const out = children.map((c) => {
        const r = c.get();
        errors.push(...r.errors);
        return r.value === undefined ? null : r.value;
      });
      return { value: out, errors };
    },
    set(nv) {
      const a = Array.isArray(nv) ? nv : [];
      children.forEach((c, i) => c.set(a[i]));
    },
    focus: () => children[0]?.focus?.(),
  };
}

function messagesControl(field, value, fallback) {
  const roles = field.roles?.length ? field.roles : ["human", "ai", "system"];
  const name = labelText(field, fallback);
  const makeItem = (v, _i, previous) => {
    // A new row answers the previous one: after a human turn comes an AI
    // turn and the other way round, which is how histories are written.
    const last = previous?.get().value?.type;
    const next = last === "human" && roles.includes("ai") ? "ai" : roles[0];
    const m = normalizeMessage(v ?? { type: next, content: "" });
    const roleId = uid(`f-${name}-role`);
    const contentId = uid(`f-${name}-content`);
    const role = h("select", { id: roleId });
    for (const r of roles) role.append(h("option", { value: r, text: ROLE_LABELS[r] ?? r }));
    if (!roles.includes(m.type)) role.append(h("option", { value: m.type, text: m.type }));
    role.value = m.type;
    const content = h("textarea", { id: contentId, rows: 2 });
    content.value = m.content;
    const el = h("div", { class: "message-row" },
      h("div", { class: "field field-role" }, h("label", { for: roleId, text: "role" }), role),
      h("div", { class: "field field-content" }, h("label", { for: contentId, text: "content" }), content));
    return {
      el,
      get: () => ({ value: { type: role.value, content: content.value }, errors: [] }),
      set(nv) {
        const n = normalizeMessage(nv);
        role.value = n.type;
        content.value = n.content;
      },
      focus: () => content.focus(),
    };
  };
  return listControl(field, fallback, value, makeItem, `Add message to ${name}`, true);
}

function unionControl(field, value, fallback) {
  const id = uid(`f-${labelText(field, fallback)}-kind`);
  const select = h("select", { id });
  field.variants.forEach((v, i) => select.append(h("option", { value: String(i), text: v.label })));
  const slot = h("div", { class: "variant" });
  let current;
  const show = (i, v) => {
    select.value = String(i);
    const f = { ...field.variants[i].field, name: field.name };
    current = control(f, v === undefined ? initialValue({ ...f, required: true }) : v, fallback);
    slot.replaceChildren(current.el);
  };
  show(value === undefined ? 0 : pickVariant(field, value), value);
  select.addEventListener("change", () => show(Number(select.value), undefined));
  const el = group(field, fallback,
    h("div", { class: "field" }, h("label", { for: id, text: `${labelText(field, fallback)} kind` }), select),
    slot);
  return {
    el,
    get: () => current.get(),
    set(v) {
      show(v === undefined ? 0 : pickVariant(field, v), v);
    },
    focus: () => select.focus(),
  };
}

/**
 * SchemaForm is a control for a whole schema plus a raw-JSON editing mode:
 * the fallback for any schema the generated widgets render poorly.
 */
export class SchemaForm {
  /**
   * @param {import("./schema.js").Field} field
   * @param {any} value
   * @param {{label: string, rawLabel: string}} opts
   */
  constructor(field, value, { label, rawLabel }) {
    this.field = field;
    this.label = label;
    this.control = control(field, value, label);
    const rawId = uid(`${label}-raw`);
    this.raw = h("textarea", { id: rawId, class: "mono", rows: 10, spellcheck: "false", hidden: true, "aria-label": `${label} as JSON` });
    this.rawError = h("p", { class: "field-error", role: "alert", hidden: true });
    const toggleId = uid(`${label}-json`);
    this.toggle = h("input", { id: toggleId, type: "checkbox" });
    this.toggle.addEventListener("change", () => this.setRaw(this.toggle.checked));
    this.body = h("div", { class: "form-body" }, this.control.el);
    this.el = h("div", { class: "schema-form" },
      h("div", { class: "field-check raw-toggle" }, this.toggle, h("label", { for: toggleId, text: rawLabel })),
      this.body, this.raw, this.rawError);
  }

  get isRaw() {
    return this.toggle.checked;
  }

  setRaw(on) {
    if (on) {
      const r = this.control.get();
      this.raw.value = JSON.stringify(r.value ?? null, null, 2);
      this.raw.hidden = false;
      this.body.hidden = true;
      this.toggle.checked = true;
      this.raw.focus();
      return;
    }
    let parsed;
    try {
      parsed = JSON.parse(this.raw.value);
    } catch (e) {
      this.toggle.checked = true;
      this.rawError.textContent = `Cannot switch back to the form: invalid JSON (${e.message}).`;
      this.rawError.hidden = false;
      return;
    }
    this.rawError.hidden = true;
    this.control.set(parsed);
    this.raw.hidden = true;
    this.body.hidden = false;
    this.toggle.checked = false;
  }

  /** value returns {value, errors}; in JSON mode it parses the text. */
  value() {
    if (!this.isRaw) return this.control.get();
    try {
      const value = this.raw.value.trim() === "" ? undefined : JSON.parse(this.raw.value);
      this.rawError.hidden = true;
      return { value, errors: [] };
    } catch (e) {
      this.rawError.textContent = `Invalid JSON: ${e.message}`;
      this.rawError.hidden = false;
      return { value: undefined, errors: [`${this.label}: invalid JSON`] };
    }
  }

  setValue(v) {
    if (this.isRaw) this.raw.value = JSON.stringify(v ?? null, null, 2);
    else this.control.set(v);
  }
}
