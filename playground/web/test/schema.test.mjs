import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  deref, buildField, initialValue, parseScalar, missingRequired, pruneConfig,
  chatShape, messageRole, messageRoles, pickVariant,
} from "../js/schema.js";

const load = (name) => JSON.parse(readFileSync(new URL(`testdata/${name}`, import.meta.url), "utf8"));
const field = (schema) => buildField(schema, schema, { required: true });

// The pieces of a Field the form cares about, without the bulky parts.
function shape(f) {
  const s = { kind: f.kind, name: f.name, required: f.required };
  if (f.nullable) s.nullable = true;
  if (f.hasDefault) s.default = f.default;
  if (f.options) s.options = f.options;
  if (f.roles) s.roles = f.roles;
  if (f.items) s.items = shape(f.items);
  if (f.prefix) s.prefix = f.prefix.map(shape);
  if (f.properties) s.properties = f.properties.map(shape);
  if (f.variants) s.variants = f.variants.map((v) => ({ label: v.label, field: shape(v.field) }));
  return s;
}

test("golden schemas", () => {
  assert.deepEqual(shape(field(load("typed_input_schema.json"))), {
    kind: "object", name: null, required: true,
    properties: [
      { kind: "string", name: "name", required: true },
      { kind: "integer", name: "times", required: false, default: 1 },
    ],
  });
  // Config schema: configurable is a $ref with "default": null next to it.
  assert.deepEqual(shape(field(load("conf_config_schema.json"))), {
    kind: "object", name: null, required: true,
    properties: [{
      kind: "object", name: "configurable", required: false, default: null,
      properties: [{
        kind: "array", name: "answers", required: false,
        default: ["Bonjour le monde, ceci est une réponse fixe."],
        items: { kind: "string", name: "item", required: true },
      }],
    }],
  });
  const docs = field(load("retriever_output_schema.json"));
  assert.equal(docs.kind, "array");
  assert.equal(docs.items.kind, "object");
  assert.deepEqual(docs.items.properties.map((p) => [p.name, p.kind]), [
    ["id", "string"], ["metadata", "json"], ["page_content", "string"], ["type", "enum"],
  ]);
});

test("primitive roots and any", () => {
  for (const [schema, kind] of [
    [{ title: "add_one_input", type: "integer" }, "integer"],
    [{ title: "x", type: "number" }, "number"],
    [{ title: "TinyRetrieverInput", type: "string" }, "string"],
    [{ title: "b", type: "boolean" }, "boolean"],
    [{ title: "echo_input" }, "json"],
    [true, "json"],
    [{ type: "object" }, "json"],
  ]) {
    assert.equal(field(schema).kind, kind, JSON.stringify(schema));
  }
  assert.equal(field({ type: "string" }).multiline, true, "a root string gets a textarea");
});

test("optional, enum, tuple, union, widgets", () => {
  const s = {
    type: "object",
    required: ["mode", "pair"],
    properties: {
      maybe: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Maybe" },
      mode: { enum: ["fast", "slow"], type: "string" },
      pair: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] },
      old_pair: { type: "array", items: [{ type: "string" }, { type: "string" }], minItems: 2, maxItems: 2 },
      either: { anyOf: [{ type: "string" }, { type: "array", items: { type: "number" } }] },
      file: { type: "string", extra: { widget: { type: "base64file" } } },
      nullable_list: { type: ["array", "null"], items: { type: "boolean" } },
      literal: { const: "x" },
    },
  };
  assert.deepEqual(shape(field(s)).properties, [
    { kind: "string", name: "maybe", required: false, nullable: true, default: null },
    { kind: "enum", name: "mode", required: true, options: ["fast", "slow"] },
    { kind: "tuple", name: "pair", required: true, prefix: [{ kind: "string", name: "0", required: true }, { kind: "integer", name: "1", required: true }] },
    { kind: "tuple", name: "old_pair", required: false, prefix: [{ kind: "string", name: "0", required: true }, { kind: "string", name: "1", required: true }] },
    { kind: "union", name: "either", required: false, variants: [
      { label: "string", field: { kind: "string", name: "either", required: true } },
      { label: "list of number", field: { kind: "array", name: "either", required: true, items: { kind: "number", name: "item", required: true } } },
    ] },
    { kind: "file", name: "file", required: false },
    { kind: "array", name: "nullable_list", required: false, nullable: true, items: { kind: "boolean", name: "item", required: true } },
    { kind: "enum", name: "literal", required: false, options: ["x"] },
  ]);
  const either = field(s).properties[4];
  assert.equal(pickVariant(either, [1, 2]), 1);
  assert.equal(pickVariant(either, "a"), 0);
});

test("references: $defs, definitions, allOf, cycles, broken", () => {
  const root = {
    $defs: { A: { type: "object", properties: { n: { type: "integer" } } }, Self: { type: "object", properties: { next: { $ref: "#/$defs/Self" } } } },
    definitions: { B: { type: "string", title: "B" } },
  };
  assert.equal(deref(root, { $ref: "#/$defs/A", title: "Outer" }).title, "Outer");
  assert.equal(deref(root, { allOf: [{ $ref: "#/definitions/B" }], description: "d" }).type, "string");
  assert.equal(deref(root, { $ref: "#/$defs/Missing" }), null);
  assert.equal(deref(root, { $ref: "http://elsewhere/x" }), null);
  assert.equal(buildField(root, { $ref: "#/$defs/Missing" }).kind, "json");
  // A recursive model ends in a JSON editor instead of recursing forever.
  let f = buildField(root, { $ref: "#/$defs/Self" });
  let depth = 0;
  while (f.kind === "object") {
    f = f.properties[0];
    depth++;
  }
  assert.equal(f.kind, "json");
  assert.ok(depth > 2 && depth < 20, `depth ${depth}`);
});

test("message lists", () => {
  const out = load("chatmsg_output_schema.json");
  assert.equal(messageRole(out, { $ref: "#/$defs/AIMessage" }), "ai", "const without enum");
  assert.equal(messageRole(out, { $ref: "#/$defs/HumanMessageChunk" }), "human");
  assert.equal(messageRole(out, { $ref: "#/$defs/ToolCall" }), null);
  const input = { $defs: out.$defs, type: "object", required: ["messages"], properties: { messages: { type: "array", items: { oneOf: out.oneOf } } } };
  const f = field(input).properties[0];
  assert.equal(f.kind, "messages");
  assert.deepEqual(f.roles, ["human", "ai", "system", "tool", "function", "chat"]);
  // Go servers emit const and enum; a single HumanMessage item still
  // offers the roles a conversation needs.
  assert.deepEqual(
    messageRoles({}, { type: "object", properties: { content: { type: "string" }, type: { const: "human", enum: ["human"] } } }),
    ["human"],
  );
  const single = field({ type: "array", items: { type: "object", title: "HumanMessage", properties: { content: { type: "string" } } } });
  assert.deepEqual(single.roles, ["human", "ai", "system"]);
  assert.equal(field({ type: "array", items: { anyOf: [{ $ref: "#/x" }, { type: "string" }] } }).kind, "array");
});

test("initial values", () => {
  const f = field(load("typed_input_schema.json"));
  assert.deepEqual(initialValue(f), { name: "", times: 1 });
  const c = field(load("conf_config_schema.json"));
  assert.equal(initialValue(c).configurable, null, "the declared default wins");
  assert.equal(initialValue(field({ type: "integer" })), undefined);
  assert.deepEqual(initialValue(field({ type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] })), ["", null]);
  assert.equal(initialValue(field({ enum: ["a", "b"] })), "a");
});

test("parseScalar", () => {
  const int = { kind: "integer" };
  const num = { kind: "number" };
  const json = { kind: "json" };
  assert.deepEqual(parseScalar(int, " 42 "), { value: 42 });
  assert.deepEqual(parseScalar(int, ""), { value: undefined });
  assert.ok(parseScalar(int, "4.5").error);
  assert.ok(parseScalar(int, "abc").error);
  assert.deepEqual(parseScalar(num, "4.5e1"), { value: 45 });
  assert.ok(parseScalar(num, "Infinity").error);
  assert.deepEqual(parseScalar(json, '{"a":[1]}'), { value: { a: [1] } });
  assert.match(parseScalar(json, "{a:1}").error, /Invalid JSON/);
  assert.deepEqual(parseScalar({ kind: "string" }, ""), { value: "" });
});

test("missingRequired", () => {
  const f = field(load("typed_input_schema.json"));
  assert.deepEqual(missingRequired(f, {}), ["input.name"]);
  assert.deepEqual(missingRequired(f, { name: "" }), []);
  assert.deepEqual(missingRequired(field({ type: "integer" }), undefined), ["input"]);
});

test("pruneConfig keeps only what changes the run", () => {
  const c = field(load("conf_config_schema.json"));
  const defaults = ["Bonjour le monde, ceci est une réponse fixe."];
  assert.deepEqual(pruneConfig(c, { configurable: { answers: defaults } }), {});
  assert.deepEqual(pruneConfig(c, undefined), {});
  assert.deepEqual(pruneConfig(c, { configurable: { answers: ["x"] } }), { configurable: { answers: ["x"] } });
  assert.deepEqual(pruneConfig(c, { configurable: {}, tags: null, extra: 1 }), { extra: 1 });
});

test("chatShape follows LangServe's rule", () => {
  const out = load("chatmsg_output_schema.json");
  const msgs = { type: "array", items: { oneOf: out.oneOf } };
  const defs = out.$defs;
  const str = { title: "StrOutputParserOutput", type: "string" };
  assert.deepEqual(chatShape({ $defs: defs, type: "object", properties: { messages: msgs } }, str), { ok: true, messagesKey: "messages" });
  assert.deepEqual(chatShape({ $defs: defs, type: "object", properties: { history: msgs, question: { type: "string" } } }, out), { ok: true, messagesKey: "history", inputKey: "question" });
  // The golden /chat route: two strings, no list.
  const chatIn = { properties: { language: { title: "Language", type: "string" }, text: { title: "Text", type: "string" } }, required: ["language", "text"], title: "PromptInput", type: "object" };
  const r = chatShape(chatIn, str);
  assert.equal(r.ok, false);
  assert.match(r.reason, /language, text/);
  assert.equal(chatShape({ type: "string" }, str).ok, false);
  assert.equal(chatShape({ type: "object", properties: { messages: { type: "array", items: { type: "integer" } } } }, str).ok, false);
  const human = { type: "object", properties: { type: { const: "human" }, content: { type: "string" } } };
  assert.equal(chatShape({ type: "object", properties: { messages: msgs } , $defs: defs }, { anyOf: [human] }).ok, false, "output without an AI option");
  assert.equal(chatShape({ type: "object", properties: { messages: msgs }, $defs: defs }, { type: "integer" }).ok, false);
});
