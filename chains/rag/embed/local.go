package embed

import (
	"context"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultLocalDimensions is the vector length of a [Local] embedder when
// [LocalOptions.Dimensions] is zero. It stays below pgvector's 2000-dimension
// limit for HNSW indexes.
const DefaultLocalDimensions = 1024

// bigramWeight scales word-pair features against single words: pairs such
// as "stream log" are strong evidence when they match, but there are many of
// them and most never recur.
const bigramWeight = 0.5

// LocalOptions configures [NewLocal]. A nil *LocalOptions means all defaults.
type LocalOptions struct {
	// Dimensions is the output vector length. Zero means
	// DefaultLocalDimensions. More dimensions mean fewer hash collisions.
	Dimensions int
	// Corpus, when non-empty, is the text collection the inverse document
	// frequencies are learned from, once, in NewLocal: terms found in many
	// of these texts weigh less than rare ones. Pass the texts you index.
	// Nil weighs every term the same (plain sublinear TF).
	Corpus []string
}

// Local is a deterministic, offline [Embedder] computing hashed TF-IDF
// vectors:
//
//   - text is split into words at anything that is not a letter or digit and
//     at lower-to-upper case changes ("RemoteRunnable" is "remote runnable"),
//     lowercased, stripped of English stop words and lightly stemmed
//     ("batches", "batched" and "batching" all become "batch");
//   - the features are the words and the pairs of adjacent words;
//   - a feature's weight is (1 + ln tf) · idf, with idf learned from
//     [LocalOptions.Corpus] (ln((1+N)/(1+df)) + 1; terms missing from the
//     corpus get the highest idf);
//   - each feature is hashed (FNV-1a, then SplitMix64) to two dimensions,
//     each with a pseudo-random sign, and the vector is L2-normalized.
//
// A text without any features (empty, or only stop words) embeds to the zero
// vector, which stores reject and queries match nothing with.
//
// EmbedQuery(t) equals EmbedDocuments([t])[0]. A Local is immutable and safe
// for concurrent use.
type Local struct {
	dim    int
	idf    map[uint64]float64 // by feature hash; nil when no corpus was given
	maxIDF float64
}

var _ Embedder = (*Local)(nil)

// NewLocal returns a Local embedder.
func NewLocal(opts *LocalOptions) *Local {
	l := &Local{dim: DefaultLocalDimensions}
	if opts == nil {
		return l
	}
	if opts.Dimensions > 0 {
		l.dim = opts.Dimensions
	}
	if len(opts.Corpus) > 0 {
		df := map[uint64]int{}
		for _, text := range opts.Corpus {
			for f := range features(text) {
				df[f]++
			}
		}
		n := float64(len(opts.Corpus))
		l.idf = make(map[uint64]float64, len(df))
		for f, d := range df {
			l.idf[f] = math.Log((1+n)/(1+float64(d))) + 1
		}
		l.maxIDF = math.Log(1+n) + 1
	}
	return l
}

// Dimensions reports the vector length.
func (l *Local) Dimensions() int { return l.dim }

// EmbedDocuments implements [Embedder].
func (l *Local) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		// Embedding is CPU-bound; look at ctx now and then so that a long
		// batch can still be abandoned.
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = l.embed(t)
	}
	return out, nil
}

// EmbedQuery implements [Embedder].
func (l *Local) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.embed(text), nil
}

// mix is the SplitMix64 finalizer: a second, independent-looking hash
// derived from the first.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func sign(bit uint64) float64 {
	if bit == 1 {
		return -1
	}
	return 1
}

func (l *Local) embed(text string) []float32 {
	acc := make([]float64, l.dim)
	for f, st := range features(text) {
		w := 1 + math.Log(st.tf)
		if l.idf != nil {
			idf, ok := l.idf[f]
			if !ok {
				idf = l.maxIDF
			}
			w *= idf
		}
		if st.pair {
			w *= bigramWeight
		}
		// Each feature goes to two dimensions, each with a sign, at weight
		// w/√2. Two features then only collide completely if both of their
		// dimensions and signs match, so a collision costs part of a match
		// instead of faking a full one; random signs make the partial
		// collisions cancel out on average instead of piling up.
		h2 := mix(f)
		d1 := f % uint64(l.dim)
		d2 := h2 % uint64(l.dim)
		if d2 == d1 {
			d2 = (d1 + 1) % uint64(l.dim)
		}
		w /= math.Sqrt2
		acc[d1] += sign(h2>>63) * w
		acc[d2] += sign(h2>>62&1) * w
	}
	var norm float64
	for _, x := range acc {
		norm += x * x
	}
	v := make([]float32, l.dim)
	if norm == 0 {
		return v
	}
	norm = math.Sqrt(norm)
	for i, x := range acc {
		v[i] = float32(x / norm)
	}
	return v
}

// featureStat is a feature's term frequency and kind.
type featureStat struct {
	tf   float64
	pair bool // a pair of adjacent words
}

// features returns the features of text, keyed by their FNV-1a hash: the
// stemmed words, and the adjacent pairs of them (hashed as "w1 w2"). Keying
// by hash avoids building a string per word pair.
func features(text string) map[uint64]featureStat {
	words := Tokenize(text)
	out := make(map[uint64]featureStat, 2*len(words))
	for i, w := range words {
		h := fnvString(fnvOffset, w)
		st := out[h]
		st.tf++
		out[h] = st
		if i > 0 {
			p := fnvString(fnvByte(fnvString(fnvOffset, words[i-1]), ' '), w)
			st := out[p]
			st.tf++
			st.pair = true
			out[p] = st
		}
	}
	return out
}

// FNV-1a, 64 bit, inlined so hashing needs no allocation.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = fnvByte(h, s[i])
	}
	return h
}

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

// Tokenize returns the stemmed, lowercased non-stop words of text, as the
// [Local] embedder sees them.
func Tokenize(text string) []string {
	var (
		words []string
		start = -1
		prev  rune
	)
	flush := func(end int) {
		if start >= 0 {
			if w := normalize(text[start:end]); w != "" {
				words = append(words, w)
			}
			start = -1
		}
	}
	for i, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			prev = r
			continue
		}
		// A lower-case letter followed by an upper-case one starts a new
		// word: identifiers like EmbedQuery or streamLog.
		if start >= 0 && unicode.IsUpper(r) && unicode.IsLower(prev) {
			flush(i)
		}
		if start < 0 {
			start = i
		}
		prev = r
	}
	flush(len(text))
	return words
}

func normalize(w string) string {
	w = strings.ToLower(w)
	if utf8.RuneCountInString(w) < 2 && !isDigits(w) {
		return ""
	}
	if stopWords[w] {
		return ""
	}
	return stem(w)
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// stem strips the most common English inflections. It is deliberately light
// (no Porter rules): what matters is that a query and a document reduce the
// same word forms the same way, and light rules rarely merge unrelated
// words.
func stem(w string) string {
	w = stripSuffix(w)
	// A final e goes too, so that "cache", "cached" and "caching" meet at
	// "cach".
	if n := len(w); n > 3 && w[n-1] == 'e' && w[n-2] != 'e' {
		w = w[:n-1]
	}
	return w
}

func stripSuffix(w string) string {
	// Plurals first, so that "embeddings" can go on to lose its "ing".
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case n > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "zes")):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ied"):
		return w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing") && hasVowel(w[:n-3]):
		return undouble(w[:n-3])
	case n > 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed") && hasVowel(w[:n-2]) &&
		(n-2 >= 4 || w[n-3] == w[n-4]):
		// "embed" and "shed" keep their "ed"; "added" loses it.
		return undouble(w[:n-2])
	}
	return w
}

// hasVowel keeps "string" and "shed" whole: a suffix is only stripped when a
// syllable remains.
func hasVowel(s string) bool { return strings.ContainsAny(s, "aeiouy") }

// undouble turns "embedd" (from "embedding") into "embed" and "stopp" into
// "stop"; doubled l, s and z stay ("install", "pass"), and so do short stems
// ("add").
func undouble(w string) string {
	n := len(w)
	if n >= 4 && w[n-1] == w[n-2] {
		switch w[n-1] {
		case 'b', 'd', 'g', 'm', 'n', 'p', 'r', 't':
			return w[:n-1]
		}
	}
	return w
}

// stopWords are common English function words, which carry no topic.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(`
a about above after again against all also am an and any are aren as at be
because been before being below between both but by can cannot could did do
does doesn doing don down during each either else ever every few for from further
get gets got had has have having he her here hers herself him himself his how
however i if in into is isn it its itself just let like may me might more
most much must my myself neither no nor not now of off on once one only or
other ought our ours ourselves out over own per rather same shall she should
since so some such than that the their theirs them themselves then there
these they this those though through thus to too under until up upon us very
via was we were what when where whether which while who whom whose why will
with within without would yet you your yours yourself yourselves
`) {
		m[w] = true
	}
	return m
}()
