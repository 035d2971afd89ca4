package embed_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/chains/rag/embed"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTokenize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"The and of a", nil},
		{"Batches batched BATCHING batch", []string{"batch", "batch", "batch", "batch"}},
		{"embeddings embedding embedded embed embeds", []string{"embed", "embed", "embed", "embed", "embed"}},
		{"add added adding adds", []string{"add", "add", "add", "add"}},
		{"retries retried retry", []string{"retry", "retry", "retry"}},
		{"cache cached caching caches", []string{"cach", "cach", "cach", "cach"}},
		{"stream_log and stream_events", []string{"stream", "log", "stream", "event"}},
		{"RemoteRunnable EmbedQuery", []string{"remot", "runnabl", "embed", "query"}},
		{"string status analysis class", []string{"string", "status", "analysis", "class"}},
		{"HNSW index, pgvector 0.8!", []string{"hnsw", "index", "pgvector", "0", "8"}},
		{"Größe überall", []string{"größ", "überall"}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := embed.Tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func cos(a, b []float32) float64 {
	var d, na, nb float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return d / math.Sqrt(na*nb)
}

func TestLocalVectors(t *testing.T) {
	ctx := t.Context()
	l := embed.NewLocal(&embed.LocalOptions{Dimensions: 256})
	if l.Dimensions() != 256 {
		t.Fatalf("Dimensions = %d", l.Dimensions())
	}
	texts := []string{"Streaming tokens over server-sent events", "", "the of and", "Batch requests"}
	vecs, err := l.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs {
		if len(v) != 256 {
			t.Fatalf("vector %d has %d dimensions", i, len(v))
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		wantZero := strings.Trim(texts[i], "theofand ") == ""
		switch {
		case wantZero && n != 0:
			t.Errorf("%q: want the zero vector, norm² = %v", texts[i], n)
		case !wantZero && math.Abs(n-1) > 1e-5:
			t.Errorf("%q: norm² = %v, want 1", texts[i], n)
		}
	}
	// Deterministic, and EmbedQuery equals EmbedDocuments.
	q, err := l.EmbedQuery(ctx, texts[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q, vecs[0]) {
		t.Fatal("EmbedQuery differs from EmbedDocuments")
	}
	if again := embed.NewLocal(&embed.LocalOptions{Dimensions: 256}); !reflect.DeepEqual(mustQuery(t, again, texts[0]), q) {
		t.Fatal("two embedders with the same options disagree")
	}
	if d := embed.NewLocal(nil).Dimensions(); d != embed.DefaultLocalDimensions {
		t.Fatalf("default Dimensions = %d", d)
	}
}

func mustQuery(t *testing.T, e embed.Embedder, s string) []float32 {
	t.Helper()
	v, err := e.EmbedQuery(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLocalSimilarity checks that the embedder separates topics: each query
// is closer to its own document than to every other one.
func TestLocalSimilarity(t *testing.T) {
	docs := []string{
		"The in-memory vector store keeps vectors in RAM and can persist them to a file written atomically.",
		"Retries re-run a failing runnable with exponential backoff; cancelled contexts are never retried.",
		"Server-sent events stream each chunk to the client as soon as the model produces it.",
		"The pgvector store uses PostgreSQL with an HNSW index for cosine distance.",
	}
	queries := []string{
		"how do I persist the memory store to a file",
		"what backoff does retrying use",
		"streaming chunks with server sent events",
		"postgres hnsw index",
	}
	for _, opts := range []*embed.LocalOptions{nil, {Corpus: docs}, {Dimensions: 128, Corpus: docs}} {
		l := embed.NewLocal(opts)
		dv, err := l.EmbedDocuments(t.Context(), docs)
		if err != nil {
			t.Fatal(err)
		}
		for qi, q := range queries {
			qv := mustQuery(t, l, q)
			for di := range docs {
				if di != qi && cos(qv, dv[di]) >= cos(qv, dv[qi]) {
					t.Errorf("opts %+v: query %q: doc %d (%.3f) scores at least its own doc %d (%.3f)",
						opts, q, di, cos(qv, dv[di]), qi, cos(qv, dv[qi]))
				}
			}
		}
	}
}

// TestLocalIDF checks that corpus statistics change the weighting: a word in
// every corpus text counts less than a rare one.
func TestLocalIDF(t *testing.T) {
	corpus := []string{"runnable alpha", "runnable beta", "runnable gamma", "runnable delta"}
	plain := embed.NewLocal(&embed.LocalOptions{Dimensions: 512})
	idf := embed.NewLocal(&embed.LocalOptions{Dimensions: 512, Corpus: corpus})
	// "runnable alpha" vs "runnable zeta" share only the common word.
	a, b := "runnable alpha", "runnable zeta"
	simPlain := cos(mustQuery(t, plain, a), mustQuery(t, plain, b))
	simIDF := cos(mustQuery(t, idf, a), mustQuery(t, idf, b))
	if !(simIDF < simPlain) {
		t.Fatalf("shared common word: similarity with idf %.3f, without %.3f; want idf lower", simIDF, simPlain)
	}
}

func TestLocalCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	l := embed.NewLocal(nil)
	if _, err := l.EmbedDocuments(ctx, []string{"x"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("EmbedDocuments: %v", err)
	}
	if _, err := l.EmbedQuery(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("EmbedQuery: %v", err)
	}
}

func BenchmarkLocal(b *testing.B) {
	// A typical chunk: about 120 words.
	text := strings.Repeat("The sharded store queries every shard in parallel and merges the results by score. ", 8)
	for _, dim := range []int{256, 1024} {
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			l := embed.NewLocal(&embed.LocalOptions{Dimensions: dim, Corpus: []string{text, "other text"}})
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, err := l.EmbedQuery(b.Context(), text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
