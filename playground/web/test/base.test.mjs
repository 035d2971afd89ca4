import { test } from "node:test";
import assert from "node:assert/strict";
import { apiBase, endpoint, absoluteBase, shareURL } from "../js/base.js";

test("apiBase", () => {
  for (const [path, base, hash] of [
    ["/chat/playground/", "/chat", null],
    ["/chat/playground/index.html", "/chat", null],
    ["/chat/playground", "/chat", null],
    ["/playground/", "", null],
    ["/c/N4XyA/playground/", "", "N4XyA"],
    ["/proxy/prefix/chat/c/N4XyA/playground/", "/proxy/prefix/chat", "N4XyA"],
    ["/a/b/c/N4IgLghg5gziBcACA2uApjMIC6BfIA/playground/assets/x.js", "/a/b", "N4IgLghg5gziBcACA2uApjMIC6BfIA"],
    ["/x/c/abc%24def/playground/", "/x", "abc$def"],
    ["/playground/playground/", "/playground", null],
    ["/c/playground/", "/c", null],
  ]) {
    assert.deepEqual(apiBase(path), { base, hash }, path);
  }
});

test("endpoint", () => {
  assert.equal(endpoint("/chat", "input_schema"), "/chat/input_schema");
  assert.equal(endpoint("", "stream_log"), "/stream_log");
  assert.equal(endpoint("/chat", "input_schema", "N4XyA"), "/chat/c/N4XyA/input_schema");
  assert.equal(endpoint("/chat", "config_schema", "a+b-$"), "/chat/c/a+b-$/config_schema");
});

test("absolute URLs", () => {
  const loc = { origin: "https://example.com:8443" };
  assert.equal(absoluteBase(loc, "/p/chat"), "https://example.com:8443/p/chat");
  assert.equal(shareURL(loc, "/p/chat", "N4XyA"), "https://example.com:8443/p/chat/c/N4XyA/playground/");
  assert.equal(shareURL(loc, "", "N4XyA"), "https://example.com:8443/c/N4XyA/playground/");
});
