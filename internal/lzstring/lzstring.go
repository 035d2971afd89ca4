// Package lzstring implements the URI-safe variant of the LZ-String
// compression format (lz-string 1.5.0, compressToEncodedURIComponent and
// decompressFromEncodedURIComponent).
//
// LangServe puts a RunnableConfig into URLs as /c/{config_hash}/…, where the
// hash is the LZ-String compression of the config's JSON text; the playgrounds
// produce it in the browser and the server decodes it. Only the URI-safe
// alphabet (A–Z a–z 0–9 + - $, six bits per character, no padding) is
// supported because that is the only one the protocol uses.
//
// # Strings
//
// LZ-String works on JavaScript strings, that is on UTF-16 code units.
// [CompressToEncodedURIComponent] converts its UTF-8 input to UTF-16 first, so
// a character outside the Basic Multilingual Plane is compressed as its two
// surrogate halves, exactly as the JavaScript library does, and produces the
// same hash. [DecompressFromEncodedURIComponent] converts the decoded code
// units back to UTF-8; a lone surrogate, which a JavaScript string can hold but
// a Go string cannot, becomes U+FFFD (the same thing encoding/json does with a
// "\ud800" escape).
//
// # Malformed input
//
// For every input that decodes cleanly the result equals lz-string 1.5.0's.
// Where the JavaScript decoder silently reads zero bits (a character outside
// the alphabet, or reading past the end of the input) or runs into its
// undefined first token, this package returns an error instead; LangServe's
// own Python port raises in exactly those places, so the server answers 400
// either way. The work done is bounded: the decoder makes at most one pass over
// the input and stops with [ErrTooLarge] once the output would exceed
// [MaxDecompressedLen] code units.
package lzstring

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDecompressedLen is the largest output, in UTF-16 code units, that
// [DecompressFromEncodedURIComponent] produces. LZ-String can expand a short
// input quadratically (a few hundred characters can stand for millions), so a
// hostile URL must not be allowed to allocate without limit; real configs are
// a few hundred bytes.
const MaxDecompressedLen = 1 << 20

var (
	// ErrInvalid reports input that is not a well-formed LZ-String
	// URI-component encoding. Errors returned for such input wrap it.
	ErrInvalid = errors.New("lzstring: invalid compressed input")
	// ErrTooLarge reports input that would decompress to more than
	// MaxDecompressedLen code units.
	ErrTooLarge = errors.New("lzstring: decompressed output too large")
)

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"

// charBits maps an input byte to its six-bit value with the bit order
// reversed, or to invalidChar when the byte is not in the alphabet. The
// reference decoder consumes each character's bits from the most significant
// down and assembles codes from the least significant bit up; reversing once
// per character lets the decoder keep all pending bits in one integer, in
// consumption order, and take codes off its low end.
var charBits = func() (t [256]uint8) {
	for i := range t {
		t[i] = invalidChar
	}
	for v := range len(alphabet) {
		var r uint8
		for b := range 6 {
			r |= uint8(v>>b&1) << (5 - b)
		}
		t[alphabet[v]] = r
	}
	// decompressFromEncodedURIComponent turns spaces into '+' first: a '+'
	// that went through form decoding arrives as a space.
	t[' '] = t['+']
	return t
}()

const invalidChar = 0xff

// Token codes shared by both directions. Codes 0 and 1 introduce an 8-bit or
// 16-bit literal; 2 ends the stream; dictionary entries start at 3.
const (
	tokChar8  = 0
	tokChar16 = 1
	tokEnd    = 2
)

// CompressToEncodedURIComponent compresses s as lz-string 1.5.0's
// compressToEncodedURIComponent does, producing a URL-safe string. Invalid
// UTF-8 in s is treated as U+FFFD. The empty string compresses to "Q".
func CompressToEncodedURIComponent(s string) string {
	units := make([]uint16, 0, len(s))
	for _, r := range s {
		units = utf16.AppendRune(units, r)
	}
	return compress(units)
}

// bitWriter packs values into six-bit alphabet characters, least significant
// bit of each value first, the way the reference encoder does.
type bitWriter struct {
	out []byte
	val int
	pos int
}

func (b *bitWriter) write(value, nbits int) {
	for range nbits {
		b.val = b.val<<1 | value&1
		value >>= 1
		if b.pos == 5 {
			b.out = append(b.out, alphabet[b.val])
			b.pos, b.val = 0, 0
		} else {
			b.pos++
		}
	}
}

// flush pads the last character with zero bits. When the current character is
// empty it still emits a whole zero character, like the reference encoder;
// decoders rely on that padding never to read past the end.
func (b *bitWriter) flush() {
	for {
		b.val <<= 1
		if b.pos == 5 {
			b.out = append(b.out, alphabet[b.val])
			return
		}
		b.pos++
	}
}

// protoKey is the one string the JavaScript encoder cannot store in its
// dictionary: it is a plain object, and assigning a number to its "__proto__"
// property is silently ignored. The code is still used up, so the Go encoder
// skips the entry too in order to produce byte-identical hashes.
var protoKey = utf16.Encode([]rune("__proto__"))

func compress(units []uint16) string {
	// One map holds every dictionary string: a one-unit string c under
	// noPrefix<<16|c, and w+c under code(w)<<16|c. Codes are never above the
	// number of units plus 3, so they cannot collide with noPrefix.
	const noPrefix = 1<<48 - 1
	var (
		bw        = bitWriter{out: make([]byte, 0, len(units)/2+4)}
		dict      = make(map[uint64]int, len(units)/2+8)
		pending   []bool // pending[code]: the one-unit string's literal has not been written yet
		dictSize  = 3    // next free code
		numBits   = 2    // width of the next code
		enlargeIn = 2    // codes left before numBits grows; the first literal does not count
		wCode     = -1   // code of the current prefix w; -1 when w is empty
		wStart    = 0    // w is units[wStart:i]
	)
	enlarge := func() {
		enlargeIn--
		if enlargeIn == 0 {
			enlargeIn = 1 << numBits
			numBits++
		}
	}
	// emit writes w: as a literal the first time a unit is used, otherwise as
	// its dictionary code.
	emit := func(i int) {
		if i-wStart == 1 && wCode < len(pending) && pending[wCode] {
			u := units[wStart]
			if u < 256 {
				bw.write(tokChar8, numBits)
				bw.write(int(u), 8)
			} else {
				bw.write(tokChar16, numBits)
				bw.write(int(u), 16)
			}
			enlarge()
			pending[wCode] = false
		} else {
			bw.write(wCode, numBits)
		}
		enlarge()
	}

	for i, c := range units {
		single := noPrefix<<16 | uint64(c)
		cCode, ok := dict[single]
		if !ok {
			cCode = dictSize
			dict[single] = cCode
			dictSize++
			for len(pending) <= cCode {
				pending = append(pending, false)
			}
			pending[cCode] = true
		}
		if wCode < 0 {
			wCode, wStart = cCode, i
			continue
		}
		key := uint64(wCode)<<16 | uint64(c)
		if code, ok := dict[key]; ok {
			wCode = code
			continue
		}
		emit(i)
		if !isProtoKey(units[wStart : i+1]) {
			dict[key] = dictSize
		}
		dictSize++
		wCode, wStart = cCode, i
	}
	if wCode >= 0 {
		emit(len(units))
	}
	bw.write(tokEnd, numBits)
	bw.flush()
	return string(bw.out)
}

func isProtoKey(s []uint16) bool {
	if len(s) != len(protoKey) {
		return false
	}
	for i := range s {
		if s[i] != protoKey[i] {
			return false
		}
	}
	return true
}

// bitReader reads the six-bit characters back. Like the reference decoder
// it loads the next character as soon as the current one is used up, so
// using up the last valid character is already an error: either the next one
// is not in the alphabet, or the input ends there, which no encoder produces
// (the encoder always pads the last character).
type bitReader struct {
	in    string
	valid int    // in[:valid] are alphabet characters
	next  int    // next character of in to load into queue
	queue uint64 // loaded, unread bits, next bit lowest
	n     int    // number of bits in queue
	err   error
}

func newBitReader(s string) bitReader {
	valid := len(s)
	for i := range len(s) {
		if charBits[s[i]] == invalidChar {
			valid = i
			break
		}
	}
	b := bitReader{in: s, valid: valid}
	if valid == 0 {
		b.failLoad()
	}
	return b
}

// read returns the next nbits (at most 32) bits as a number, least
// significant bit first. After an error it returns 0 and leaves the error in
// b.err.
func (b *bitReader) read(nbits int) int {
	if b.err != nil {
		return 0
	}
	for b.n < nbits && b.next < b.valid {
		b.queue |= uint64(charBits[b.in[b.next]]) << b.n
		b.n += 6
		b.next++
	}
	if b.n < nbits {
		b.failLoad()
		return 0
	}
	v := int(b.queue & (1<<nbits - 1))
	b.queue >>= nbits
	b.n -= nbits
	if b.n == 0 && b.next == b.valid {
		// The last valid character is used up: the reference decoder
		// now loads the invalid or missing one.
		b.failLoad()
	}
	return v
}

// failLoad records the error of loading in[valid], which is either not in
// the alphabet or past the end.
func (b *bitReader) failLoad() {
	if b.valid < len(b.in) {
		b.err = fmt.Errorf("%w: byte %q at offset %d is not in the URI-safe alphabet", ErrInvalid, b.in[b.valid], b.valid)
	} else {
		b.err = fmt.Errorf("%w: input ends in the middle of a code", ErrInvalid)
	}
}

// span locates a dictionary entry inside the output. Every entry is either a
// literal, which is written to the output when it is decoded, or the previous
// entry plus the first unit of the current one, which directly follow each
// other in the output; so the dictionary never needs its own copies.
type span struct{ start, n int32 }

// DecompressFromEncodedURIComponent reverses [CompressToEncodedURIComponent].
// Spaces are read as '+', as lz-string does, since a '+' in a URL may have been
// decoded to a space on its way. Errors wrap [ErrInvalid] or [ErrTooLarge];
// the empty string is invalid (lz-string returns null for it). A well-formed
// input that encodes the empty string, such as "Q", returns "" and no error.
func DecompressFromEncodedURIComponent(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty input", ErrInvalid)
	}
	br := newBitReader(s)
	if br.err != nil {
		return "", br.err
	}

	var first int
	next := br.read(2)
	if br.err != nil {
		return "", br.err
	}
	switch next {
	case tokChar8:
		first = br.read(8)
	case tokChar16:
		first = br.read(16)
	case tokEnd:
		return "", nil
	default:
		return "", fmt.Errorf("%w: stream starts with token %d", ErrInvalid, next)
	}
	if br.err != nil {
		return "", br.err
	}

	out := make([]uint16, 1, 2*len(s))
	out[0] = uint16(first)
	// Codes 0-2 are the literal and end tokens, not entries; the placeholders
	// keep the slice index equal to the code.
	// A stream defines about one entry per input character; a constant
	// capacity lets typical config hashes decode without a heap-allocated
	// dictionary.
	dict := make([]span, 4, 256)
	dict[3] = span{0, 1}
	var (
		w         = span{0, 1}
		numBits   = 3
		enlargeIn = 4
	)
	for {
		code := br.read(numBits)
		if br.err != nil {
			return "", br.err
		}
		literal := code == tokChar8 || code == tokChar16
		if literal {
			width := 8
			if code == tokChar16 {
				width = 16
			}
			u := br.read(width)
			if br.err != nil {
				return "", br.err
			}
			if len(out) >= MaxDecompressedLen {
				return "", ErrTooLarge
			}
			dict = append(dict, span{int32(len(out)), 1})
			code = len(dict) - 1
			out = append(out, uint16(u))
			enlargeIn--
		} else if code == tokEnd {
			return utf16ToString(out), nil
		}
		if enlargeIn == 0 {
			enlargeIn = 1 << numBits
			numBits++
		}

		var entry span
		switch {
		case literal:
			entry = dict[code]
		case code < len(dict):
			entry = dict[code]
			if len(out)+int(entry.n) > MaxDecompressedLen {
				return "", ErrTooLarge
			}
			start := int32(len(out))
			out = append(out, out[entry.start:entry.start+entry.n]...)
			entry.start = start
		case code == len(dict):
			// The code being defined right now: w followed by w's first unit.
			if len(out)+int(w.n)+1 > MaxDecompressedLen {
				return "", ErrTooLarge
			}
			start := int32(len(out))
			out = append(out, out[w.start:w.start+w.n]...)
			out = append(out, out[w.start])
			entry = span{start, w.n + 1}
		default:
			return "", fmt.Errorf("%w: code %d refers past the dictionary (size %d)", ErrInvalid, code, len(dict))
		}

		// w and entry are adjacent in the output, so w+entry[0] is the span
		// that starts at w and is one unit longer.
		dict = append(dict, span{w.start, w.n + 1})
		enlargeIn--
		w = entry
		if enlargeIn == 0 {
			enlargeIn = 1 << numBits
			numBits++
		}
	}
}

// utf16ToString converts code units to UTF-8, replacing each unpaired
// surrogate with U+FFFD.
func utf16ToString(units []uint16) string {
	buf := make([]byte, 0, len(units)+len(units)/2)
	for i := 0; i < len(units); i++ {
		r := rune(units[i])
		if utf16.IsSurrogate(r) {
			if i+1 < len(units) {
				if d := utf16.DecodeRune(r, rune(units[i+1])); d != utf8.RuneError {
					buf = utf8.AppendRune(buf, d)
					i++
					continue
				}
			}
			r = utf8.RuneError
		}
		buf = utf8.AppendRune(buf, r)
	}
	return string(buf)
}
