import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  compressToEncodedURIComponent as compress,
  decompressFromEncodedURIComponent as decompress,
} from "../js/lzstring.js";

// Hashes from the protocol notes (§4), produced by LangServe's own port and
// identical to npm lz-string 1.5.
const known = [
  ["{}", "N4XyA"],
  ['{"tags": ["test"]}', "N4IgLghg5gziBcACA2uApjMIC6BfIA"],
  ['{"configurable": {"template": "hear {name}"}}', "N4Igxg9gdgZglgcwK4CcCGAjANgUxALgAJQAXHAWwAcs0yDCQALHNFYqNcnAXxG+6A"],
  ['{"configurable":{"llm":"hardcoded_llm"}}', "N4Igxg9gdgZglgcwK4CcCGAjANgUxALlCywFsCQALNFAE0hpxoH1iyBfNoA"],
];

test("known config hashes", () => {
  for (const [json, hash] of known) {
    assert.equal(compress(json), hash, json);
    assert.equal(decompress(hash), json, hash);
  }
});

test("round trip of awkward strings", () => {
  const cases = [
    "",
    "a",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "abababababababababababab",
    "héllo wörld — €100 \u0000 \u00ff \u0100",
    "emoji 😀 and surrogates \ud83d\ude00\ud83c\udf89",
    "lone surrogate \ud800 end",
    JSON.stringify({ configurable: { answers: ["Bonjour le monde, ceci est une réponse fixe."] } }),
    Array.from({ length: 2000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 5000))).join(""),
  ];
  for (const s of cases) {
    const c = compress(s);
    assert.match(c, /^[A-Za-z0-9+\-$]*$/, "URL-safe alphabet");
    assert.equal(decompress(c), s, JSON.stringify(s.slice(0, 40)));
  }
});

test("null and empty inputs behave like lz-string", () => {
  assert.equal(compress(null), "");
  assert.equal(compress(undefined), "");
  assert.equal(compress(""), "Q");
  assert.equal(decompress(null), "");
  assert.equal(decompress(""), null);
});

test("a space reads as plus", () => {
  const text = '{"configurable": {"template": "hear {name}"}}';
  const hash = known[2][1];
  assert.ok(hash.includes("+"));
  assert.equal(decompress(hash.replace(/\+/g, " ")), text);
});

test("invalid hashes do not decode to a config", () => {
  // The server answers 400 "Invalid config hash" for both (§4).
  assert.equal(decompress("1234"), null, "runs out of input");
  assert.equal(decompress("abc"), "", "a clean stream of nothing: not JSON");
  assert.equal(decompress("N4IgLghg5gziBcACA2uApjMIC6BfI"), null, "truncated right after the end code");
  assert.equal(decompress("N4XyA!!"), "{}", "text after the end code is never read");
  // Characters outside the alphabet are rejected rather than read as zero.
  assert.equal(decompress("N4X%A"), null);
});

// Vectors shared with the Go implementation (internal/lzstring), generated
// with npm lz-string 1.5.0 by internal/lzstring/testdata/gen-vectors.mjs.
const vectorsPath = fileURLToPath(new URL("../../../internal/lzstring/testdata/vectors.json", import.meta.url));
const vectors = existsSync(vectorsPath) ? JSON.parse(readFileSync(vectorsPath, "utf8")) : null;
const noVectors = !vectors && "internal/lzstring/testdata/vectors.json not present";

test("shared round-trip vectors", { skip: noVectors }, () => {
  assert.ok(vectors.roundtrip.length > 10);
  for (const v of vectors.roundtrip) {
    assert.equal(compress(v.text), v.hash, `compress: ${v.name}`);
    assert.equal(decompress(v.hash), v.text, `decompress: ${v.name}`);
  }
});

test("shared decode vectors", { skip: noVectors }, () => {
  assert.ok(vectors.decode.length > 100);
  for (const v of vectors.decode) {
    const got = decompress(v.input);
    if (v.strict) {
      // lz-string read only valid characters inside the input: same answer.
      assert.equal(got, v.value, `decompress(${JSON.stringify(v.input)})`);
    } else {
      // lz-string read zero bits it made up; the Go and Python ports reject
      // the input, and so does this one.
      assert.equal(got, null, `decompress(${JSON.stringify(v.input)}) must be rejected`);
    }
  }
});
