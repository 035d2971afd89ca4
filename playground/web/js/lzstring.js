// LZ-String, URI-component flavour, written from the algorithm description.
//
// The server decodes /c/{config_hash}/ path segments with the same scheme
// (internal/lzstring on the Go side, lz-string 1.5 in Python and JS), so the
// bit layout below must match it exactly: an LZW variant over UTF-16 code
// units whose codes are written least-significant bit first, packed six bits
// per output character from a URL-safe alphabet.

const ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
const BITS_PER_CHAR = 6;

const ALPHABET_INDEX = new Map(
  Array.from(ALPHABET, (ch, i) => [ch, i]),
);

// Codes 0, 1 and 2 are reserved: "next is an 8-bit literal", "next is a
// 16-bit literal" and "end of stream".
const CODE_LITERAL8 = 0;
const CODE_LITERAL16 = 1;
const CODE_END = 2;

class BitWriter {
  constructor() {
    this.out = [];
    this.acc = 0;
    this.filled = 0;
  }

  // write appends the low `width` bits of value, lowest bit first.
  write(value, width) {
    for (let i = 0; i < width; i++) {
      this.acc = (this.acc << 1) | (value & 1);
      value >>>= 1;
      if (++this.filled === BITS_PER_CHAR) {
        this.out.push(ALPHABET[this.acc]);
        this.acc = 0;
        this.filled = 0;
      }
    }
  }

  // finish pads the last partial character with zero bits. Like the
  // reference implementation it always emits one more character when the
  // stream ended exactly on a character boundary.
  finish() {
    for (;;) {
      this.acc <<= 1;
      if (++this.filled === BITS_PER_CHAR) {
        this.out.push(ALPHABET[this.acc]);
        break;
      }
    }
    return this.out.join("");
  }
}

/**
 * compressToEncodedURIComponent compresses a string into the URL-safe
 * alphabet A-Z a-z 0-9 + - $. null and undefined compress to "".
 * @param {string|null|undefined} input
 * @returns {string}
 */
export function compressToEncodedURIComponent(input) {
  if (input == null) return "";
  const text = String(input);
  const bits = new BitWriter();
  const dict = new Map(); // phrase -> code
  const pendingLiterals = new Set(); // single units not yet sent as literals
  let nextCode = 3;
  let width = 2; // bits per code
  let untilWider = 2; // codes left before width grows

  const countCode = () => {
    if (--untilWider === 0) {
      untilWider = 2 ** width;
      width++;
    }
  };

  const emit = (phrase) => {
    if (pendingLiterals.has(phrase)) {
      const unit = phrase.charCodeAt(0);
      if (unit < 256) {
        bits.write(CODE_LITERAL8, width);
        bits.write(unit, 8);
      } else {
        bits.write(CODE_LITERAL16, width);
        bits.write(unit, 16);
      }
      // A literal costs a code slot of its own in the decoder's table.
      countCode();
      pendingLiterals.delete(phrase);
    } else {
      bits.write(dict.get(phrase), width);
    }
    countCode();
  };

  let phrase = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text[i]; // one UTF-16 code unit, surrogates included
    if (!dict.has(unit)) {
      dict.set(unit, nextCode++);
      pendingLiterals.add(unit);
    }
    const extended = phrase + unit;
    if (dict.has(extended)) {
      phrase = extended;
      continue;
    }
    emit(phrase);
    // lz-string keeps its dictionary in a plain object, where assigning to
    // the key "__proto__" does nothing: that phrase uses up a code but can
    // never be matched. Doing the same keeps the hashes identical.
    if (extended === "__proto__") nextCode++;
    else dict.set(extended, nextCode++);
    phrase = unit;
  }
  if (phrase !== "") emit(phrase);
  bits.write(CODE_END, width);
  return bits.finish();
}

class BitReader {
  constructor(encoded) {
    this.encoded = encoded;
    this.index = 0; // next character to load
    this.current = 0;
    this.mask = 0; // bit of `current` to read next; 0 = load next char
    // bad is set by anything lz-string 1.5 would silently read as zero
    // bits: a character outside the alphabet, or running out of input.
    this.bad = false;
  }

  readBit() {
    if (this.mask === 0) {
      const v = ALPHABET_INDEX.get(this.encoded[this.index++]);
      if (v === undefined) this.bad = true;
      this.current = v ?? 0;
      this.mask = 1 << (BITS_PER_CHAR - 1);
    }
    const bit = (this.current & this.mask) !== 0 ? 1 : 0;
    this.mask >>>= 1;
    // The reference decoders fetch the next character as soon as one is
    // used up, so using up the last one counts as running out even when
    // no further bit is read. A well-formed stream never does: its end
    // code is always followed by padding in the same character.
    if (this.mask === 0 && this.index >= this.encoded.length) this.bad = true;
    return bit;
  }

  // read returns a `width`-bit value stored lowest bit first.
  read(width) {
    let value = 0;
    for (let i = 0; i < width; i++) value |= this.readBit() << i;
    return value >>> 0;
  }
}

/**
 * decompressFromEncodedURIComponent reverses compressToEncodedURIComponent.
 * Spaces are read as "+" (a "+" in a query string often arrives as a space).
 *
 * For every well-formed input the result is lz-string 1.5's. Where that
 * library silently reads zero bits (a character outside the alphabet, or
 * past the end of the input) or trips over the undefined first token, this
 * returns null, as LangServe's Python port and internal/lzstring reject
 * those inputs: a hash the server answers 400 for is refused here too.
 * @param {string|null|undefined} input
 * @returns {string|null}
 */
export function decompressFromEncodedURIComponent(input) {
  if (input == null) return "";
  if (input === "") return null;
  const bits = new BitReader(String(input).replace(/ /g, "+"));
  const table = ["", "", ""]; // codes 0..2 are reserved
  let width = 3;
  let untilWider = 4;

  const literal = (code) => {
    if (code === CODE_LITERAL8) return String.fromCharCode(bits.read(8));
    if (code === CODE_LITERAL16) return String.fromCharCode(bits.read(16));
    return null;
  };

  const first = bits.read(2);
  if (bits.bad) return null;
  if (first === CODE_END) return "";
  const start = literal(first);
  if (start === null || bits.bad) return null;
  table.push(start);
  let previous = start;
  const out = [start];

  for (;;) {
    let code = bits.read(width);
    if (bits.bad) return null;
    if (code === CODE_END) return out.join("");
    const lit = literal(code);
    if (bits.bad) return null;
    if (lit !== null) {
      table.push(lit);
      code = table.length - 1;
      if (--untilWider === 0) {
        untilWider = 2 ** width;
        width++;
      }
    }
    let entry;
    if (code < table.length) {
      entry = table[code];
    } else if (code === table.length) {
      entry = previous + previous[0];
    } else {
      return null;
    }
    out.push(entry);
    table.push(previous + entry[0]);
    previous = entry;
    if (--untilWider === 0) {
      untilWider = 2 ** width;
      width++;
    }
  }
}
