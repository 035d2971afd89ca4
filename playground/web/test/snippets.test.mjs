import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { curlSnippet, pythonSnippet, jsSnippet, goSnippet, pythonLiteral, shellQuote, goStringLiteral } from "../js/snippets.js";

const BASE = "http://127.0.0.1:8000/p/chat";
const INPUT = { language: "French", text: "it's \"quoted\" `ticked` — é", n: 1.5, ok: true, none: null, list: [1, [2]] };
const CONFIG = { configurable: { answers: ["a'b"] } };

// have reports whether a command is on PATH (tests that need it skip
// otherwise; the Go test that runs this suite requires node only).
function have(cmd) {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test("shellQuote survives a shell round trip", { skip: !have("sh") && "no sh" }, () => {
  for (const s of ["plain", "it's", "'", "''", "$HOME `x` \\ \"q\"", "a\nb"]) {
    const out = execFileSync("sh", ["-c", `printf %s ${shellQuote(s)}`]).toString();
    assert.equal(out, s);
  }
});

test("curl snippet sends the exact body", { skip: !have("sh") && "no sh" }, () => {
  const snippet = curlSnippet(BASE, INPUT, CONFIG);
  assert.match(snippet, /^curl -sS -X POST 'http:\/\/127\.0\.0\.1:8000\/p\/chat\/invoke'/);
  // Run it with "curl" replaced by a function that prints its -d argument.
  const script = `curl() { while [ $# -gt 0 ]; do if [ "$1" = -d ]; then printf %s "$2"; fi; shift; done; }\n${snippet}`;
  const body = JSON.parse(execFileSync("sh", ["-c", script]).toString());
  assert.deepEqual(body, { input: INPUT, config: CONFIG });
  assert.deepEqual(JSON.parse(execFileSync("sh", ["-c", script.replace(snippet, curlSnippet(BASE, "x", {}))]).toString()), { input: "x" });
});

test("pythonLiteral", () => {
  assert.equal(pythonLiteral(null), "None");
  assert.equal(pythonLiteral(true), "True");
  assert.equal(pythonLiteral({ a: [false, 1, "x"] }), '{"a": [False, 1, "x"]}');
  assert.equal(pythonLiteral([]), "[]");
  const long = pythonLiteral({ key: "x".repeat(80), other: 1 });
  assert.equal(long, `{\n    "key": "${"x".repeat(80)}",\n    "other": 1,\n}`);
});

test("python snippet is valid Python that builds the same values", { skip: !have("python3") && "no python3" }, () => {
  const snippet = pythonSnippet(BASE, INPUT, CONFIG);
  assert.match(snippet, /RemoteRunnable\("http:\/\/127\.0\.0\.1:8000\/p\/chat\/"\)/);
  // Swap the client for a stub that prints what it was given as JSON.
  const program = snippet
    .replace("from langserve import RemoteRunnable", [
      "import json",
      "class RemoteRunnable:",
      "    def __init__(self, url): self.url = url",
      "    def invoke(self, input, config=None): return json.dumps({'url': self.url, 'input': input, 'config': config})",
    ].join("\n"));
  const out = JSON.parse(execFileSync("python3", ["-c", program]).toString());
  assert.deepEqual(out, { url: `${BASE}/`, input: INPUT, config: CONFIG });
  assert.doesNotMatch(pythonSnippet(BASE, 1, {}), /config=/);
});

test("js snippet", async () => {
  const snippet = jsSnippet(BASE, INPUT, CONFIG);
  assert.match(snippet, /^import \{ RemoteRunnable \} from "@langchain\/core\/runnables\/remote";/);
  // Evaluate it against a stub RemoteRunnable.
  const body = snippet.replace(/^import .*$/m, "").replace("console.log(result);", "return result;");
  const RemoteRunnable = class {
    constructor(o) { this.url = o.url; }
    async invoke(input, config) { return { url: this.url, input, config }; }
  };
  const AsyncFunction = (async () => {}).constructor;
  const got = await new AsyncFunction("RemoteRunnable", body)(RemoteRunnable);
  assert.deepEqual(got, { url: BASE, input: INPUT, config: CONFIG });
});

test("goStringLiteral", () => {
  assert.equal(goStringLiteral('{"a":1}'), '`{"a":1}`');
  assert.equal(goStringLiteral("a`b"), '"a`b"');
});

test("go snippet compiles with gofmt -e and carries the body", { skip: !have("gofmt") && "no gofmt" }, () => {
  for (const input of [INPUT, "plain"]) {
    const src = goSnippet(BASE, input, CONFIG);
    const dir = mkdtempSync(join(tmpdir(), "snippet-"));
    try {
      writeFileSync(join(dir, "main.go"), src);
      execFileSync("gofmt", ["-e", "-l", join(dir, "main.go")], { stdio: ["ignore", "pipe", "pipe"] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(src.includes(`"${BASE}/invoke"`));
  }
  // The body literal decodes to the request body.
  const src = goSnippet(BASE, INPUT, CONFIG);
  const lit = /body := (.*)\n/.exec(src)[1];
  const text = lit.startsWith("`") ? lit.slice(1, -1) : JSON.parse(lit);
  assert.deepEqual(JSON.parse(text), { input: INPUT, config: CONFIG });
});
