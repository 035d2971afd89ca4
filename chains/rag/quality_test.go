package rag_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/loader"
)

// question is one labelled retrieval case: the corpus file that answers it.
type question struct {
	Question string `json:"question"`
	Source   string `json:"source"`
}

func loadQuestions(t *testing.T) []question {
	t.Helper()
	b, err := os.ReadFile("testdata/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	var qs []question
	if err := json.Unmarshal(b, &qs); err != nil {
		t.Fatal(err)
	}
	return qs
}

// minHitRate is the regression threshold for the local embedder's top-3
// hit rate over the bundled corpus.
const minHitRate = 0.9

// TestRetrievalQuality indexes the bundled corpus with the default
// (offline) setup and checks how often the document answering a labelled
// question is among the top three chunks.
func TestRetrievalQuality(t *testing.T) {
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	qs := loadQuestions(t)
	if len(qs) < 30 {
		t.Fatalf("only %d labelled questions; the quality figure needs at least 30", len(qs))
	}
	// Every label must name a corpus file, or a typo would count as a miss
	// forever.
	sources := map[string]bool{}
	for _, d := range docs {
		sources[d.Metadata["source"].(string)] = true
	}
	for _, q := range qs {
		if !sources[q.Source] {
			t.Fatalf("question %q is labelled with unknown source %q", q.Question, q.Source)
		}
	}

	ix, err := rag.Build(t.Context(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := ix.Store().Count(t.Context())
	hits, top1 := 0, 0
	for _, q := range qs {
		res, err := ix.Retrieve(t.Context(), q.Question, 3)
		if err != nil {
			t.Fatal(err)
		}
		hit := false
		for i, r := range res {
			if r.Document.Metadata["source"] == q.Source {
				hit = true
				if i == 0 {
					top1++
				}
				break
			}
		}
		if hit {
			hits++
		} else {
			var got []string
			for _, r := range res {
				got = append(got, r.Document.ID)
			}
			t.Logf("miss: %q wants %s, got %v", q.Question, q.Source, got)
		}
	}
	rate := float64(hits) / float64(len(qs))
	t.Logf("local embedder over %d chunks of %d corpus files: top-3 hit rate %.3f (%d/%d), top-1 %.3f",
		n, len(sources), rate, hits, len(qs), float64(top1)/float64(len(qs)))
	if rate < minHitRate {
		t.Fatalf("top-3 hit rate %.3f is below %.2f", rate, minHitRate)
	}

	// For comparison only: the same embedder without corpus statistics.
	plain, err := rag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Ingest(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
	p3, p1 := hitRate(t, plain, qs)
	t.Logf("without learned idf: top-3 hit rate %.3f, top-1 %.3f", p3, p1)
}
