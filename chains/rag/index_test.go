package rag_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/embed"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/chains/rag/memory"
	"github.com/langserve-go/langserve/chains/rag/pgvector"
	"github.com/langserve-go/langserve/chains/rag/splitter"
	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/internal/testenv"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func doc(id, content string) schema.Document {
	return schema.Document{ID: id, PageContent: content, Metadata: map[string]any{"source": id}}
}

func newIndex(t *testing.T, o *rag.Options) *rag.Index {
	t.Helper()
	ix, err := rag.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestRetrieve(t *testing.T) {
	ctx := t.Context()
	ix := newIndex(t, nil)
	n, err := ix.Ingest(ctx, []schema.Document{
		doc("pg", "PostgreSQL stores vectors with the pgvector extension and an HNSW index."),
		doc("sse", "Server-sent events stream chunks to the browser."),
		doc("stop", "the and of it is"), // no searchable word: skipped
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("Ingest stored %d chunks, want 2", n)
	}
	res, err := ix.Retrieve(ctx, "which index does pgvector use", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Document.ID != "pg/0" || !(res[0].Score > res[1].Score) {
		t.Fatalf("Retrieve = %+v", res)
	}
	if res[0].Document.Metadata["source"] != "pg" || res[0].Document.Metadata["chunk"] != 0.0 {
		t.Fatalf("metadata = %v", res[0].Document.Metadata)
	}

	for _, tt := range []struct {
		name  string
		query string
		k     int
		want  error
	}{
		{"empty query", "", 3, rag.ErrEmptyQuery},
		{"blank query", " \n\t", 3, rag.ErrEmptyQuery},
		{"k=0", "pgvector", 0, store.ErrInvalidK},
		{"k<0", "pgvector", -2, store.ErrInvalidK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ix.Retrieve(ctx, tt.query, tt.k); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("stop words only", func(t *testing.T) {
		res, err := ix.Retrieve(ctx, "what is the", 3)
		if err != nil || res == nil || len(res) != 0 {
			t.Fatalf("Retrieve = %v, %v; want an empty result", res, err)
		}
	})
}

func TestIngestIsIdempotent(t *testing.T) {
	ctx := t.Context()
	sp, err := splitter.New(&splitter.Options{ChunkSize: 40, ChunkOverlap: 10})
	if err != nil {
		t.Fatal(err)
	}
	st := memory.New(nil)
	ix := newIndex(t, &rag.Options{Store: st, Splitter: sp, BatchSize: 3})
	docs := []schema.Document{
		doc("a", "Retries back off exponentially with jitter between attempts of a runnable."),
		doc("b", "Fallbacks try alternative runnables when the primary one fails."),
	}
	n1, err := ix.Ingest(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := ix.Ingest(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	count, _ := st.Count(ctx)
	if n1 < 4 || n1 != n2 || count != n1 {
		t.Fatalf("ingested %d then %d chunks, store holds %d", n1, n2, count)
	}
	if _, err := ix.Ingest(ctx, []schema.Document{{PageContent: "no id"}}); !errors.Is(err, splitter.ErrNoID) {
		t.Fatalf("document without ID: %v", err)
	}
	if _, err := rag.New(&rag.Options{BatchSize: -1}); err == nil {
		t.Fatal("negative BatchSize accepted")
	}
}

// brokenEmbedder fails in one of two ways.
type brokenEmbedder struct{ short bool }

func (b brokenEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if b.short {
		return make([][]float32, len(texts)-1), nil
	}
	return nil, errors.New("provider down")
}

func (b brokenEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return nil, errors.New("provider down")
}

func TestEmbedderFailures(t *testing.T) {
	for _, short := range []bool{false, true} {
		ix := newIndex(t, &rag.Options{Embedder: brokenEmbedder{short}})
		if _, err := ix.Ingest(t.Context(), []schema.Document{doc("a", "text")}); err == nil {
			t.Errorf("short=%v: Ingest succeeded", short)
		}
		if _, err := ix.Retrieve(t.Context(), "text", 1); err == nil {
			t.Errorf("short=%v: Retrieve succeeded", short)
		}
	}
}

// TestConcurrentIngestAndRetrieve indexes documents from many goroutines
// through a micro-batched embedder while others query, and checks that
// every document ends up stored and findable.
func TestConcurrentIngestAndRetrieve(t *testing.T) {
	ctx := t.Context()
	st := memory.New(nil)
	emb := embed.NewBatcher(embed.NewLocal(&embed.LocalOptions{Dimensions: 512}), &embed.BatcherOptions{MaxBatch: 16})
	ix := newIndex(t, &rag.Options{Embedder: emb, Store: st, BatchSize: 4})
	const writers, perWriter = 8, 12
	keyword := func(w, i int) string { return fmt.Sprintf("marker%02dx%02d", w, i) }

	var readers sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := ix.Retrieve(ctx, fmt.Sprintf("document about %s", keyword(r, 0)), 3); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var writersWG sync.WaitGroup
	for w := range writers {
		writersWG.Go(func() {
			var docs []schema.Document
			for i := range perWriter {
				docs = append(docs, doc(fmt.Sprintf("w%d-d%d", w, i), "This document is about "+keyword(w, i)+" and nothing else."))
				if len(docs) == 3 {
					if _, err := ix.Ingest(ctx, docs); err != nil {
						t.Error(err)
						return
					}
					docs = nil
				}
			}
		})
	}
	writersWG.Wait()
	close(stop)
	readers.Wait()

	if n, _ := st.Count(ctx); n != writers*perWriter {
		t.Fatalf("store holds %d chunks, want %d", n, writers*perWriter)
	}
	for w := range writers {
		for i := range perWriter {
			res, err := ix.Retrieve(ctx, keyword(w, i), 1)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("w%d-d%d/0", w, i); len(res) != 1 || res[0].Document.ID != want {
				t.Errorf("Retrieve(%s) = %v, want %s", keyword(w, i), res, want)
			}
		}
	}
}

// TestRetrievalQualityPostgres runs the quality measurement with the
// pgvector store, whose HNSW search is approximate.
func TestRetrievalQualityPostgres(t *testing.T) {
	url := testenv.PGVectorURL(t, 1)
	table := fmt.Sprintf("ragtest_quality_%d", os.Getpid())
	st, err := pgvector.Open(t.Context(), url, &pgvector.Options{Table: table, Dimensions: embed.DefaultLocalDimensions})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		testenv.DropPGVectorTable(t, url, table)
	})
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	ix, err := rag.Build(t.Context(), docs, &rag.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	rate, top1 := hitRate(t, ix, loadQuestions(t))
	t.Logf("pgvector store: top-3 hit rate %.3f, top-1 %.3f", rate, top1)
	if rate < minHitRate {
		t.Fatalf("top-3 hit rate %.3f is below %.2f", rate, minHitRate)
	}
}

// hitRate returns the top-3 and top-1 hit rates of ix over qs.
func hitRate(t *testing.T, ix *rag.Index, qs []question) (top3, top1 float64) {
	t.Helper()
	hits, firsts := 0, 0
	for _, q := range qs {
		res, err := ix.Retrieve(t.Context(), q.Question, 3)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Document.Metadata["source"] == q.Source {
				hits++
				if i == 0 {
					firsts++
				}
				break
			}
		}
	}
	return float64(hits) / float64(len(qs)), float64(firsts) / float64(len(qs))
}
