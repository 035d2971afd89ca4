import { test } from "node:test";
import assert from "node:assert/strict";
import { applyPatch, parsePointer, PatchError } from "../js/jsonpatch.js";

test("parsePointer unescapes ~1 and ~0 in that order", () => {
  assert.deepEqual(parsePointer(""), []);
  assert.deepEqual(parsePointer("/a/b"), ["a", "b"]);
  assert.deepEqual(parsePointer("/a~1b/c~0d/~01"), ["a/b", "c~d", "~1"]);
  assert.deepEqual(parsePointer("/"), [""]);
  assert.throws(() => parsePointer("a/b"), PatchError);
});

test("operations", () => {
  for (const tt of [
    { name: "replace root from null", doc: null, ops: [{ op: "replace", path: "", value: { a: 1 } }], want: { a: 1 } },
    { name: "add member", doc: { a: 1 }, ops: [{ op: "add", path: "/b", value: [1] }], want: { a: 1, b: [1] } },
    { name: "append with -", doc: { s: [1] }, ops: [{ op: "add", path: "/s/-", value: 2 }, { op: "add", path: "/s/-", value: 3 }], want: { s: [1, 2, 3] } },
    { name: "insert at index", doc: { s: [1, 3] }, ops: [{ op: "add", path: "/s/1", value: 2 }], want: { s: [1, 2, 3] } },
    { name: "add at length", doc: { s: [1] }, ops: [{ op: "add", path: "/s/1", value: 2 }], want: { s: [1, 2] } },
    { name: "replace member", doc: { f: null }, ops: [{ op: "replace", path: "/f", value: "x" }], want: { f: "x" } },
    { name: "replace array item", doc: { s: [1, 2] }, ops: [{ op: "replace", path: "/s/0", value: 9 }], want: { s: [9, 2] } },
    { name: "remove member", doc: { a: 1, b: 2 }, ops: [{ op: "remove", path: "/a" }], want: { b: 2 } },
    { name: "remove item", doc: { s: [1, 2, 3] }, ops: [{ op: "remove", path: "/s/1" }], want: { s: [1, 3] } },
    { name: "escaped keys", doc: { logs: {} }, ops: [{ op: "add", path: "/logs/a~1b~0c", value: 1 }], want: { logs: { "a/b~c": 1 } } },
    { name: "nested log entry", doc: { logs: { P: { streamed_output: [] } } }, ops: [{ op: "add", path: "/logs/P/streamed_output/-", value: "x" }, { op: "add", path: "/logs/P/end_time", value: "t" }], want: { logs: { P: { streamed_output: ["x"], end_time: "t" } } } },
    { name: "null value kept", doc: {}, ops: [{ op: "add", path: "/x", value: null }], want: { x: null } },
  ]) {
    assert.deepEqual(applyPatch(structuredClone(tt.doc), tt.ops), tt.want, tt.name);
  }
});

test("errors are reported, not ignored", () => {
  for (const tt of [
    { name: "unknown op", doc: {}, ops: [{ op: "move", from: "/a", path: "/b" }] },
    { name: "missing parent", doc: {}, ops: [{ op: "add", path: "/a/b", value: 1 }] },
    { name: "index past end", doc: { s: [] }, ops: [{ op: "add", path: "/s/2", value: 1 }] },
    { name: "bad index", doc: { s: [1] }, ops: [{ op: "replace", path: "/s/01", value: 1 }] },
    { name: "dash on replace", doc: { s: [1] }, ops: [{ op: "replace", path: "/s/-", value: 1 }] },
    { name: "remove missing", doc: { a: 1 }, ops: [{ op: "remove", path: "/b" }] },
    { name: "add without value", doc: {}, ops: [{ op: "add", path: "/a" }] },
    { name: "into a scalar", doc: { a: 1 }, ops: [{ op: "add", path: "/a/b", value: 1 }] },
    { name: "ops not a list", doc: {}, ops: { op: "add" } },
    { name: "op not an object", doc: {}, ops: ["add"] },
  ]) {
    assert.throws(() => applyPatch(structuredClone(tt.doc), tt.ops), PatchError, tt.name);
  }
});

test("__proto__ becomes a plain member", () => {
  const doc = applyPatch({}, [{ op: "add", path: "/__proto__", value: { polluted: true } }]);
  assert.equal(Object.getPrototypeOf(doc), Object.prototype);
  assert.equal({}.polluted, undefined);
  assert.deepEqual(Object.keys(doc), ["__proto__"]);
  assert.throws(() => applyPatch({}, [{ op: "add", path: "/__proto__/x", value: 1 }]), PatchError);
});
