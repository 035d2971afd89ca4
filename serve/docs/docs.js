// Interactive docs for the app's OpenAPI document: one entry per
// operation, grouped by tag, with the request model, an editable example
// body and a "Send" button that calls the API from the page and shows the
// answer (server-sent events as they arrive). Everything is built with DOM
// calls and textContent: nothing from the document or from responses is
// ever parsed as HTML.

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
};

// resolve follows a "#/components/schemas/X" reference.
function resolve(doc, schema) {
  let s = schema;
  for (let i = 0; i < 16 && s && typeof s.$ref === "string"; i++) {
    const name = s.$ref.split("/").pop();
    s = (doc.components && doc.components.schemas || {})[name];
  }
  return s || {};
}

// example builds a plausible value for a schema, for the request editor.
export function example(doc, schema, depth = 0) {
  if (depth > 6 || schema == null) return null;
  const s = resolve(doc, schema);
  if ("default" in s && s.default !== null) return s.default;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const alts = s.anyOf || s.oneOf;
  if (Array.isArray(alts) && alts.length) {
    const pick = alts.find((a) => resolve(doc, a).type !== "null") || alts[0];
    return example(doc, pick, depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      const out = {};
      const props = s.properties || {};
      const required = new Set(s.required || []);
      const names = Object.keys(props);
      for (const name of names) {
        if (required.has(name) || names.length <= 4) out[name] = example(doc, props[name], depth + 1);
      }
      return out;
    }
    case "array": {
      if (Array.isArray(s.prefixItems)) return s.prefixItems.map((p) => example(doc, p, depth + 1));
      return s.items ? [example(doc, s.items, depth + 1)] : [];
    }
    case "string":
      return s.format === "uuid" ? "00000000-0000-0000-0000-000000000000" : "string";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "null":
      return null;
  }
  return s.properties ? example(doc, { ...s, type: "object" }, depth) : "";
}

// bodyExample is the request body to start from for an operation.
function bodyExample(doc, op) {
  const content = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  if (!content) return null;
  const model = resolve(doc, content.schema);
  const props = model.properties || {};
  if (props.inputs) {
    return { inputs: [example(doc, props.inputs.items)], config: {}, kwargs: {} };
  }
  if (props.input) return { input: example(doc, props.input), config: {}, kwargs: {} };
  return example(doc, content.schema);
}

// expand inlines references one level deep, for display.
function expand(doc, schema, depth = 0) {
  if (depth > 3 || schema == null || typeof schema !== "object") return schema;
  if (Array.isArray(schema)) return schema.map((s) => expand(doc, s, depth));
  if (typeof schema.$ref === "string") {
    return { [schema.$ref.split("/").pop()]: expand(doc, resolve(doc, schema), depth + 1) };
  }
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = expand(doc, v, depth);
  return out;
}

async function send(method, url, body, out) {
  out.replaceChildren();
  const status = el("div", { class: "status", text: "Sending…" });
  const headers = el("pre");
  const text = el("pre");
  out.append(status, headers, text);
  let resp;
  try {
    const init = { method, headers: {} };
    if (body != null) {
      init.body = body;
      init.headers["Content-Type"] = "application/json";
    }
    resp = await fetch(url, init);
  } catch (err) {
    status.textContent = "Request failed: " + err;
    status.className = "status bad";
    return;
  }
  status.textContent = resp.status + " " + resp.statusText;
  status.className = "status " + (resp.ok ? "ok" : "bad");
  headers.textContent = [...resp.headers].map(([k, v]) => k + ": " + v).join("\n");
  if (!resp.body) return;
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  const isJSON = (resp.headers.get("content-type") || "").startsWith("application/json");
  let all = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    all += decoder.decode(value, { stream: true });
    text.textContent = all;
  }
  all += decoder.decode();
  if (isJSON) {
    try {
      all = JSON.stringify(JSON.parse(all), null, 2);
    } catch {}
  }
  text.textContent = all;
}

function renderOp(doc, path, method, op) {
  const box = el("details", { class: "op" });
  box.append(
    el(
      "summary",
      {},
      el("span", { class: "method " + method, text: method }),
      el("span", { class: "path", text: path }),
      el("span", { class: "summary", text: op.summary || "" }),
    ),
  );
  const body = el("div", { class: "body" });
  box.append(body);
  if (op.description) body.append(el("p", { text: op.description }));

  const params = {};
  for (const p of op.parameters || []) {
    const input = el("input", { type: "text", value: p.name === "config_hash" ? "N4XyA" : "" });
    params[p.name] = input;
    body.append(el("label", { text: p.name + (p.required ? " (required)" : "") }), input);
    if (p.description) body.append(el("p", { text: p.description }));
  }

  let editor = null;
  const content = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  if (content) {
    const shown = el("details", { class: "schema" }, el("summary", { text: "Request model" }));
    shown.append(el("pre", { text: JSON.stringify(expand(doc, content.schema), null, 2) }));
    editor = el("textarea", { spellcheck: "false" });
    editor.value = JSON.stringify(bodyExample(doc, op), null, 2);
    body.append(shown, el("label", { text: "Request body" }), editor);
  }
  const ok = op.responses && op.responses["200"] && op.responses["200"].content;
  if (ok && ok["application/json"] && ok["application/json"].schema && Object.keys(ok["application/json"].schema).length) {
    const shown = el("details", { class: "schema" }, el("summary", { text: "Response model" }));
    shown.append(el("pre", { text: JSON.stringify(expand(doc, ok["application/json"].schema), null, 2) }));
    body.append(shown);
  }

  const out = el("div");
  const button = el("button", { type: "button", text: "Send" });
  button.addEventListener("click", () => {
    let url = path;
    for (const [name, input] of Object.entries(params)) {
      url = url.replace("{" + name + "}", encodeURIComponent(input.value));
    }
    send(method.toUpperCase(), url, editor ? editor.value : null, out);
  });
  body.append(button, out);
  return box;
}

async function main() {
  const root = document.getElementById("main");
  let doc;
  try {
    const resp = await fetch("openapi.json");
    if (!resp.ok) throw new Error(resp.status + " " + resp.statusText);
    doc = await resp.json();
  } catch (err) {
    root.append(el("p", { class: "error", text: "Could not load openapi.json: " + err.message }));
    return;
  }
  const info = doc.info || {};
  document.title = (info.title || "API") + " – docs";
  document.getElementById("title").textContent = info.title || "API";
  const sub = document.getElementById("subtitle");
  sub.replaceChildren(
    "Version " + (info.version || "?") + " · OpenAPI " + doc.openapi + " · ",
    el("a", { href: "openapi.json", text: "openapi.json" }),
  );

  const groups = new Map();
  const descriptions = new Map((doc.tags || []).map((t) => [t.name, t.description]));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push([path, method, op]);
    }
  }
  if (groups.size === 0) root.append(el("p", { text: "No routes are documented yet." }));
  for (const [tag, ops] of groups) {
    root.append(el("h2", {}, tag, descriptions.get(tag) ? el("small", { text: descriptions.get(tag) }) : null));
    for (const [path, method, op] of ops) root.append(renderOp(doc, path, method, op));
  }
}

if (typeof document !== "undefined") main();
