// JSON Schema -> form model. The model is plain data (no DOM), so it can be
// tested under Node; form.js renders it.
//
// Schemas come from pydantic v2 (LangServe) or from the Go server: draft
// 2020-12 style with "$defs" and "#/$defs/…" references, older servers with
// "definitions" and allOf-wrapped references. Optional values appear as
// anyOf [X, {"type": "null"}].

/**
 * @typedef {object} Field
 * @property {string} kind  string|number|integer|boolean|enum|array|tuple|
 *   object|messages|union|json|file
 * @property {string|null} name  property name (null for the root)
 * @property {string} [title]
 * @property {string} [description]
 * @property {boolean} required
 * @property {boolean} nullable
 * @property {boolean} hasDefault
 * @property {any} [default]
 * @property {boolean} [multiline]  kind string
 * @property {string} [format]      kind string
 * @property {any[]} [options]      kind enum
 * @property {Field} [items]        kind array
 * @property {Field[]} [prefix]     kind tuple
 * @property {Field[]} [properties] kind object
 * @property {{label: string, field: Field}[]} [variants] kind union
 * @property {string[]} [roles]     kind messages: message types offered
 */

const MAX_DEPTH = 12;

export const MESSAGE_TYPES = ["human", "ai", "system", "tool", "function", "chat"];
const CHUNK_TYPES = {
  HumanMessageChunk: "human",
  AIMessageChunk: "ai",
  SystemMessageChunk: "system",
  ToolMessageChunk: "tool",
  FunctionMessageChunk: "function",
  ChatMessageChunk: "chat",
};

/**
 * deref follows "$ref" (and a lone allOf:[{$ref}]) inside root. Keys next
 * to the reference (title, default, description, extra) win over the
 * target's, which is how pydantic annotates a referenced model.
 * @returns {object|null} null when the reference cannot be resolved
 */
export function deref(root, schema, seen = new Set()) {
  if (schema === true || schema === undefined) return {};
  if (!schema || typeof schema !== "object") return null;
  let ref = schema.$ref;
  let rest = schema;
  if (ref === undefined && Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.allOf[0]?.$ref) {
    ref = schema.allOf[0].$ref;
    rest = { ...schema };
    delete rest.allOf;
  }
  if (ref === undefined) return schema;
  if (typeof ref !== "string" || !ref.startsWith("#") || seen.has(ref)) return null;
  seen.add(ref);
  let target = root;
  for (const raw of ref.slice(1).split("/").filter((t) => t !== "")) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!target || typeof target !== "object" || !Object.hasOwn(target, token)) return null;
    target = target[token];
  }
  const resolved = deref(root, target, seen);
  if (!resolved) return null;
  const merged = { ...resolved, ...rest };
  delete merged.$ref;
  if (rest !== schema) delete merged.allOf;
  return merged;
}

function typeList(s) {
  if (Array.isArray(s.type)) return s.type;
  return s.type === undefined ? [] : [s.type];
}

function isNullSchema(s) {
  return s && (s.type === "null" || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === "null"));
}

/** messageRole returns the message type a schema stands for, or null. */
export function messageRole(root, schema) {
  const s = deref(root, schema);
  if (!s || typeof s !== "object") return null;
  const t = s.properties && deref(root, s.properties.type);
  const candidates = [];
  if (t) {
    if (t.const !== undefined) candidates.push(t.const);
    if (Array.isArray(t.enum)) candidates.push(...t.enum);
    if (t.default !== undefined) candidates.push(t.default);
  }
  for (const c of candidates) {
    if (MESSAGE_TYPES.includes(c)) return c;
    if (Object.hasOwn(CHUNK_TYPES, c)) return CHUNK_TYPES[c];
  }
  if (typeof s.title === "string" && s.properties && "content" in s.properties) {
    const m = /^(Human|AI|System|Tool|Function|Chat)Message(Chunk)?$/.exec(s.title);
    if (m) return m[1] === "AI" ? "ai" : m[1].toLowerCase();
  }
  return null;
}

/**
 * messageRoles returns the roles a list item schema allows, or null when
 * the items are not (all) messages.
 */
export function messageRoles(root, items) {
  const s = deref(root, items);
  if (!s) return null;
  const options = s.anyOf || s.oneOf;
  if (Array.isArray(options)) {
    const roles = new Set();
    for (const o of options) {
      const r = messageRole(root, o);
      if (r === null) return null;
      roles.add(r);
    }
    return roles.size ? MESSAGE_TYPES.filter((r) => roles.has(r)) : null;
  }
  const r = messageRole(root, s);
  return r === null ? null : [r];
}

function widgetOf(s) {
  const w = s.extra?.widget ?? s.widget;
  return w && typeof w === "object" ? w : null;
}

const MULTILINE_NAME = /text|content|question|query|prompt|template|message|input|context|body|instruction|description/i;

/**
 * buildField turns a (sub)schema into a Field.
 * @param {object} root the whole schema, for "$ref"
 * @param {object|boolean} schema
 * @param {{name?: string|null, required?: boolean, depth?: number}} [at]
 * @returns {Field}
 */
export function buildField(root, schema, at = {}) {
  const name = at.name ?? null;
  const depth = at.depth ?? 0;
  const base = { name, required: at.required ?? true, nullable: false, hasDefault: false };
  const s = deref(root, schema);
  if (!s || depth > MAX_DEPTH) return { ...base, kind: "json" };
  const field = { ...base };
  if (typeof s.title === "string") field.title = s.title;
  if (typeof s.description === "string") field.description = s.description;
  if ("default" in s) {
    field.hasDefault = true;
    field.default = s.default;
  }

  // Unions: pull out "null", then either a single remaining option or a
  // choice between variants.
  const options = s.anyOf || s.oneOf;
  if (Array.isArray(options) && !s.properties) {
    const nonNull = options.filter((o) => !isNullSchema(deref(root, o)));
    field.nullable = nonNull.length < options.length;
    if (nonNull.length === 0) return { ...field, kind: "json" };
    if (nonNull.length === 1) {
      const inner = buildField(root, nonNull[0], { name, required: field.required, depth: depth + 1 });
      return mergeOuter(inner, field);
    }
    return {
      ...field,
      kind: "union",
      variants: nonNull.map((o, i) => {
        const f = buildField(root, o, { name, required: true, depth: depth + 1 });
        return { label: variantLabel(root, o, f, i), field: f };
      }),
    };
  }

  let types = typeList(s);
  if (types.includes("null")) {
    field.nullable = true;
    types = types.filter((t) => t !== "null");
  }
  const widget = widgetOf(s);

  if (Array.isArray(s.enum) || s.const !== undefined) {
    const values = Array.isArray(s.enum) ? s.enum.filter((v) => v !== null) : [s.const];
    if (Array.isArray(s.enum) && s.enum.includes(null)) field.nullable = true;
    return { ...field, kind: "enum", options: values };
  }
  const type = types.length === 1 ? types[0] : types.length === 0 ? inferType(s) : null;
  switch (type) {
    case "string":
      if (widget?.type === "base64file") return { ...field, kind: "file" };
      return {
        ...field,
        kind: "string",
        format: typeof s.format === "string" ? s.format : undefined,
        multiline: name === null || MULTILINE_NAME.test(name),
      };
    case "integer":
    case "number":
    case "boolean":
      return { ...field, kind: type };
    case "array": {
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : null;
      if (prefix) {
        return {
          ...field,
          kind: "tuple",
          prefix: prefix.map((p, i) => buildField(root, p, { name: String(i), required: true, depth: depth + 1 })),
        };
      }
      const roles = s.items === undefined ? null : messageRoles(root, s.items);
      if (roles) return { ...field, kind: "messages", roles: chatRoles(roles) };
      return { ...field, kind: "array", items: buildField(root, s.items ?? true, { name: "item", required: true, depth: depth + 1 }) };
    }
    case "object": {
      const props = s.properties && typeof s.properties === "object" ? s.properties : {};
      const required = new Set(Array.isArray(s.required) ? s.required : []);
      const keys = Object.keys(props);
      if (keys.length === 0) return { ...field, kind: "json" };
      return {
        ...field,
        kind: "object",
        properties: keys.map((k) => buildField(root, props[k], { name: k, required: required.has(k), depth: depth + 1 })),
      };
    }
    default:
      return { ...field, kind: "json" };
  }
}

// A message list should let the user write at least human and AI turns,
// even when the schema names a single message class.
function chatRoles(roles) {
  const set = new Set(roles);
  if (set.size === 1 && set.has("human")) return ["human", "ai", "system"];
  return MESSAGE_TYPES.filter((r) => set.has(r));
}

function inferType(s) {
  if (s.properties) return "object";
  if (s.items || s.prefixItems) return "array";
  return null;
}

// mergeOuter keeps what the union wrapper said (title, default, nullable)
// over what its single non-null option said.
function mergeOuter(inner, outer) {
  const f = { ...inner, nullable: inner.nullable || outer.nullable, required: outer.required };
  if (outer.title !== undefined) f.title = outer.title;
  if (outer.description !== undefined) f.description = outer.description;
  if (outer.hasDefault) {
    f.hasDefault = true;
    f.default = outer.default;
  }
  return f;
}

function variantLabel(root, schema, field, i) {
  const s = deref(root, schema);
  if (s && typeof s.title === "string") return s.title;
  if (field.kind === "messages") return "messages";
  if (field.kind === "array") return `list of ${field.items.kind}`;
  if (field.kind !== "json") return field.kind;
  return `option ${i + 1}`;
}

/**
 * initialValue is the value a fresh form shows: the schema default when
 * there is one, otherwise an empty value of the right shape. undefined
 * means "leave this key out".
 * @param {Field} field
 */
export function initialValue(field) {
  if (field.hasDefault) return structuredClone(field.default);
  switch (field.kind) {
    case "string":
    case "file":
      return field.required ? "" : undefined;
    case "boolean":
      return field.required ? false : undefined;
    case "enum":
      return field.required && field.options.length ? field.options[0] : undefined;
    case "array":
    case "messages":
      return field.required ? [] : undefined;
    case "tuple":
      return field.required ? field.prefix.map((p) => initialValue(p) ?? null) : undefined;
    case "object": {
      if (!field.required) return undefined;
      const out = {};
      for (const p of field.properties) {
        const v = initialValue(p);
        if (v !== undefined) out[p.name] = v;
      }
      return out;
    }
    case "union":
      return field.required ? initialValue(field.variants[0].field) : undefined;
    default:
      return undefined;
  }
}

/**
 * pickVariant returns the index of the union variant that best matches a
 * value (used when a value is loaded into a union field).
 * @param {Field} field kind union
 */
export function pickVariant(field, value) {
  const i = field.variants.findIndex(({ field: f }) => matches(f, value));
  return i < 0 ? 0 : i;
}

function matches(f, v) {
  switch (f.kind) {
    case "string":
    case "file":
      return typeof v === "string";
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "enum":
      return f.options.some((o) => deepEqual(o, v));
    case "array":
    case "tuple":
      return Array.isArray(v);
    case "messages":
      return Array.isArray(v) && v.every((m) => m && typeof m === "object" && "content" in m);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    default:
      return true;
  }
}

/**
 * parseScalar converts the text of an input element into a typed value.
 * It returns {value} or {error}; an empty text gives {value: undefined}.
 * @param {Field} field
 * @param {string} text
 */
export function parseScalar(field, text) {
  if (field.kind === "integer" || field.kind === "number") {
    const t = text.trim();
    if (t === "") return { value: undefined };
    const n = Number(t);
    if (!Number.isFinite(n)) return { error: "Enter a number" };
    if (field.kind === "integer" && !Number.isInteger(n)) return { error: "Enter a whole number" };
    return { value: n };
  }
  if (field.kind === "json") {
    if (text.trim() === "") return { value: undefined };
    try {
      return { value: JSON.parse(text) };
    } catch (e) {
      return { error: `Invalid JSON: ${e.message}` };
    }
  }
  return { value: text };
}

/**
 * missingRequired lists the labels of required fields that have no value,
 * so the page can refuse to run before the server answers with a 422.
 * @param {Field} field
 * @param {any} value
 * @param {string} [path]
 * @returns {string[]}
 */
export function missingRequired(field, value, path = field.name ?? "input") {
  if (value === undefined) return field.required && !field.nullable && !field.hasDefault ? [path] : [];
  if (field.kind === "object" && value && typeof value === "object") {
    return field.properties.flatMap((p) => missingRequired(p, value[p.name], `${path}.${p.name}`));
  }
  return [];
}

export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

/**
 * pruneConfig drops what does not change the run: unset and null values,
 * values equal to the schema default, and objects left empty. The result
 * is what the Run request, the share link and the snippets carry, so a
 * config form left alone gives {} (hash "N4XyA").
 * @param {Field} field the config schema's root field
 * @param {any} value
 */
export function pruneConfig(field, value) {
  const pruned = prune(field, value);
  return pruned === undefined ? {} : pruned;
}

function prune(field, value) {
  if (value === undefined || value === null) return undefined;
  if (field && field.hasDefault && deepEqual(field.default, value)) return undefined;
  if (field && field.kind === "object" && value && typeof value === "object" && !Array.isArray(value)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = field.properties.find((p) => p.name === k);
      const pv = sub ? prune(sub, v) : v === null ? undefined : v;
      if (pv !== undefined) out[k] = pv;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

/**
 * chatShape decides whether a route fits the chat playground (LangServe's
 * rule): the input is an object whose properties are one list of messages,
 * or one list of messages plus one string (the new human turn); the output
 * is a string or a message (a union whose options include an AI message).
 * @returns {{ok: true, messagesKey: string, inputKey?: string} | {ok: false, reason: string}}
 */
export function chatShape(inputSchema, outputSchema) {
  const input = deref(inputSchema, inputSchema);
  const props = input?.properties;
  if (!props || typeof props !== "object") {
    return { ok: false, reason: "The input is not an object with a list of messages." };
  }
  const keys = Object.keys(props);
  const arrays = keys.filter((k) => typeList(deref(inputSchema, props[k]) ?? {}).includes("array"));
  const strings = keys.filter((k) => typeList(deref(inputSchema, props[k]) ?? {}).includes("string"));
  let messagesKey;
  let inputKey;
  if (keys.length === 1 && arrays.length === 1) {
    messagesKey = arrays[0];
  } else if (keys.length === 2 && arrays.length === 1 && strings.length === 1) {
    messagesKey = arrays[0];
    inputKey = strings[0];
  } else {
    return {
      ok: false,
      reason: `The input must have one list of messages (and at most one extra string), but it has the keys: ${keys.join(", ") || "none"}.`,
    };
  }
  const list = deref(inputSchema, props[messagesKey]);
  if (list.items !== undefined && !messageRoles(inputSchema, list.items)) {
    return { ok: false, reason: `The input key "${messagesKey}" is a list, but not a list of messages.` };
  }
  if (!outputIsChat(outputSchema)) {
    return { ok: false, reason: "The output must be a string or an AI message." };
  }
  return inputKey === undefined ? { ok: true, messagesKey } : { ok: true, messagesKey, inputKey };
}

function outputIsChat(schema) {
  const s = deref(schema, schema);
  if (!s) return false;
  if (typeList(s).includes("string") && !s.properties) return true;
  const options = s.anyOf || s.oneOf;
  if (Array.isArray(options)) return options.some((o) => messageRole(schema, o) === "ai");
  return messageRole(schema, s) === "ai";
}
