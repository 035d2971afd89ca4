// gen-vectors.mjs regenerates vectors.json with the reference JavaScript
// implementation, npm lz-string 1.5.0, which is what the LangServe playgrounds
// use to build /c/{config_hash} URLs.
//
// Usage (from this directory): node gen-vectors.mjs
//
// The package is installed into a throw-away temporary directory, never into
// the repository. Every input is deterministic (no Math.random, no clock), so
// running the script twice produces the same file.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const VERSION = "1.5.0";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";

const dir = mkdtempSync(join(tmpdir(), "lzstring-vectors-"));
try {
  execFileSync("npm", ["install", "--silent", "--no-audit", "--no-fund", "--prefix", dir, `lz-string@${VERSION}`], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const LZString = createRequire(join(dir, "package.json"))("lz-string");
  const installed = createRequire(join(dir, "package.json"))("lz-string/package.json").version;
  if (installed !== VERSION) throw new Error(`installed lz-string ${installed}, want ${VERSION}`);
  const out = join(dirname(fileURLToPath(import.meta.url)), "vectors.json");
  writeFileSync(out, JSON.stringify(build(LZString), null, 1) + "\n");
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// A small deterministic PRNG (32-bit LCG) so the generated inputs are stable.
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const v = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (v >= 0xdc00 && v <= 0xdfff) { i++; continue; }
      return true;
    }
    if (u >= 0xdc00 && u <= 0xdfff) return true;
  }
  return false;
}

// decodeStrict runs the library's own decoder loop while watching every
// character it reads. "strict" is false when the decoder read past the end of
// the input, read a character outside the alphabet, or started with the
// undefined token 3: lz-string silently treats those as zero bits (or worse),
// while LangServe's Python port raises, and so does the Go port.
function decodeStrict(LZString, input) {
  if (input === "") return { strict: true, value: null };
  const s = input.replace(/ /g, "+");
  let strict = true;
  const first = ALPHABET.indexOf(s.charAt(0));
  if (first >= 0 && (first & 48) === 48) strict = false;
  const value = LZString._decompress(s.length, 32, (i) => {
    if (i >= s.length) { strict = false; return undefined; }
    const v = ALPHABET.indexOf(s.charAt(i));
    if (v < 0) { strict = false; return undefined; }
    return v;
  });
  return { strict, value };
}

function build(LZString) {
  const texts = [
    ["empty string", ""],
    ["empty object", "{}"],
    ["tags", '{"tags": ["test"]}'],
    ["spec template", '{"configurable": {"template": "hear {name}"}}'],
    ["spec llm", '{"configurable":{"llm":"hardcoded_llm"}}'],
    ["conf answers", '{"configurable":{"answers":["Hola (from config hash)"]}}'],
    ["compact config", '{"tags":["a","b"],"metadata":{"user":"u1","n":3},"run_name":"x","configurable":{"temperature":0.5}}'],
    ["latin-1 accents", '{"configurable":{"language":"français","text":"héllo wörld ñ ß"}}'],
    ["euro and greek", '{"metadata":{"price":"12 €","omega":"Ω ω λ"}}'],
    ["cjk", '{"metadata":{"user":"日本語のテキスト","zh":"你好，世界"}}'],
    ["emoji", '{"tags":["🚀","😀 smile"],"metadata":{"flag":"🇫🇷","family":"👨‍👩‍👧"}}'],
    ["only emoji", "😀😀😀🚀"],
    ["nul and controls", '{"metadata":{"s":"a\\u0000b"}}' + "\u0000\u0001\t\n\r\u007f"],
    ["newlines", "line one\nline two\r\nline three"],
    ["high bmp", "\uffff\ufffe\ue000\u0100\u00ff"],
    ["lone high surrogate", "a\ud800b"],
    ["lone low surrogate", "\udc00"],
    ["reversed pair", "\ude00\ud83d"],
    ["repeat a 10000", "a".repeat(10000)],
    ["repeat config", '{"tags":[' + Array.from({ length: 300 }, (_, i) => `"tag-${i % 7}"`).join(",") + "]}"],
    ["repeat emoji", "🎉".repeat(500)],
    // lz-string's dictionary is a plain object, which cannot store the key
    // "__proto__"; these two are long enough for that phrase to come up.
    ["__proto__ quirk", "__proto__".repeat(60)],
    ["__proto__ separated", Array.from({ length: 12 }, (_, i) => String.fromCharCode(97 + i) + "__proto__").join("")],
  ];

  // Pseudo-random texts: a wide spread of code units pushes the dictionary
  // past several bit-width increases and exercises 8- and 16-bit literals.
  const rnd = lcg(20240501);
  for (const [n, span, base] of [[2000, 40, 32], [5000, 300, 0xe0], [3000, 60000, 1]]) {
    let s = "";
    for (let i = 0; i < n; i++) {
      let u = base + (rnd() % span);
      if (u >= 0xd800 && u <= 0xdfff) u = 0x2603; // keep these well-formed
      s += String.fromCharCode(u);
    }
    texts.push([`random ${n} units span ${span}`, s]);
  }

  const roundtrip = texts.map(([name, text]) => {
    const hash = LZString.compressToEncodedURIComponent(text);
    if (LZString.decompressFromEncodedURIComponent(hash) !== text) throw new Error(`round trip failed: ${name}`);
    return { name, text, hash, lone_surrogates: hasLoneSurrogate(text) };
  });

  // Inputs for the decoder alone: documented examples, corrupted hashes and
  // random garbage.
  const inputs = ["", "1234", "abc", "notavalidhash", "A", "Q", "N4Xy", "N4XyA", "N4XyAB", "N4XyA!!", "N4X yA", "$$$$", "----", "++++", "////", "!!!!", "é", "😀", "N4XyA😀"];
  for (const { hash } of roundtrip.slice(0, 12)) {
    if (hash.includes("+")) inputs.push(hash.replace(/\+/g, " "));
    inputs.push(hash.slice(0, -1), hash.slice(0, -2), hash.slice(1), hash + "A", hash + "!");
    for (let k = 0; k < 4; k++) {
      const i = rnd() % hash.length;
      inputs.push(hash.slice(0, i) + ALPHABET[rnd() % 64] + hash.slice(i + 1));
    }
  }
  const garbage = ALPHABET + " !%*é";
  for (let k = 0; k < 300; k++) {
    const len = 1 + (rnd() % 48);
    let s = "";
    for (let i = 0; i < len; i++) s += garbage[rnd() % garbage.length];
    inputs.push(s);
  }

  const seen = new Set();
  const decode = [];
  for (const input of inputs) {
    if (seen.has(input)) continue;
    seen.add(input);
    let js;
    try {
      js = { value: LZString.decompressFromEncodedURIComponent(input) };
    } catch (e) {
      js = { throws: String(e && e.message) };
    }
    let strict;
    try {
      const r = decodeStrict(LZString, input);
      strict = r.strict;
      if (!("throws" in js) && r.value !== js.value) throw new Error(`instrumented decoder disagrees on ${JSON.stringify(input)}`);
    } catch (e) {
      if (!("throws" in js)) throw e;
      strict = false;
    }
    decode.push({ input, ...js, strict });
  }

  return {
    generator: `npm lz-string ${VERSION}, compressToEncodedURIComponent / decompressFromEncodedURIComponent`,
    roundtrip,
    decode,
  };
}
