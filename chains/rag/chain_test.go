package rag_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

// corpusIndex is the bundled corpus indexed the way the example server
// indexes it.
func corpusIndex(t testing.TB) *rag.Index {
	t.Helper()
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	ix, err := rag.Build(t.Context(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func smallIndex(t *testing.T) *rag.Index {
	t.Helper()
	ix := newIndex(t, nil)
	docs := []schema.Document{
		{ID: "pg", PageContent: "PostgreSQL stores vectors with the pgvector extension and an HNSW index.",
			Metadata: map[string]any{"source": "pg.md", "section": "Storage"}},
		{ID: "sse", PageContent: "Server-sent events stream chunks to the browser.", Metadata: map[string]any{"source": "sse.md"}},
		{ID: "cats", PageContent: "Cats sleep most of the day.", Metadata: map[string]any{"source": "cats.txt"}},
	}
	if _, err := ix.Ingest(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestRetrieverScoresAndMetadata(t *testing.T) {
	ix := smallIndex(t)
	r := rag.Retriever(ix, 2)
	docs, err := r.Invoke(t.Context(), "which index does pgvector use")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 { // only one chunk shares a searchable word
		t.Fatalf("got %d documents, want 1: %+v", len(docs), docs)
	}
	d := docs[0]
	score, ok := d.Metadata["score"].(float64)
	if d.ID != "pg/0" || !ok || score <= 0 || score > 1.0000001 {
		t.Fatalf("document %+v: want ID pg/0 with a score in (0, 1]", d)
	}
	want, err := ix.Retrieve(t.Context(), "which index does pgvector use", 2)
	if err != nil {
		t.Fatal(err)
	}
	if score != want[0].Score {
		t.Errorf("score %v, Index.Retrieve says %v", score, want[0].Score)
	}
	for key, v := range map[string]any{"source": "pg.md", "section": "Storage", "parent_id": "pg", "chunk": 0} {
		if fmt.Sprint(d.Metadata[key]) != fmt.Sprint(v) {
			t.Errorf("metadata[%q] = %#v, want %#v (metadata %v)", key, d.Metadata[key], v, d.Metadata)
		}
	}
	// The returned metadata is a copy: changing it does not change the store.
	d.Metadata["source"] = "changed"
	again, _ := r.Invoke(t.Context(), "which index does pgvector use")
	if again[0].Metadata["source"] != "pg.md" {
		t.Error("retriever results share metadata with the store")
	}

	// k bounds the result; k < 1 means DefaultK.
	for _, tt := range []struct {
		k, want int
	}{{1, 1}, {2, 2}, {0, 3}, {-1, 3}} {
		docs, err := rag.Retriever(ix, tt.k).Invoke(t.Context(), "pgvector stores chunks of events; cats sleep")
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != tt.want {
			t.Errorf("k=%d: %d documents, want %d", tt.k, len(docs), tt.want)
		}
		for i := 1; i < len(docs); i++ {
			if docs[i-1].Metadata["score"].(float64) < docs[i].Metadata["score"].(float64) {
				t.Errorf("k=%d: documents not ordered by score", tt.k)
			}
		}
	}

	if info := r.(runnable.Describer).Describe(); info.Name != "VectorStoreRetriever" || info.Type != runnable.RetrieverRun ||
		info.Metadata["ls_retriever_name"] != "vectorstore" || info.Metadata["ls_vector_store_provider"] != "memory.Store" {
		t.Errorf("Describe() = %+v", info)
	}
}

func TestRetrieverErrors(t *testing.T) {
	if _, err := rag.Retriever(smallIndex(t), 2).Invoke(t.Context(), "  "); !errors.Is(err, rag.ErrEmptyQuery) {
		t.Errorf("blank query: err = %v, want ErrEmptyQuery", err)
	}
	if _, err := rag.Retriever(nil, 2).Invoke(t.Context(), "pgvector"); err == nil {
		t.Error("nil index: no error")
	}
}

func TestRetrieverTrace(t *testing.T) {
	var c runnable.Collector
	if _, err := rag.Retriever(smallIndex(t), 2).Invoke(t.Context(), "pgvector", runnable.WithCallbacks(&c)); err != nil {
		t.Fatal(err)
	}
	evs := c.Events()
	if len(evs) != 2 || evs[0].Kind != runnable.EventStart || evs[1].Kind != runnable.EventEnd ||
		evs[0].Type != runnable.RetrieverRun || evs[0].Input != "pgvector" {
		t.Fatalf("events %+v", evs)
	}
	if docs, ok := evs[1].Output.([]schema.Document); !ok || len(docs) != 1 {
		t.Errorf("end event output %#v", evs[1].Output)
	}
}

func TestChainLocalModel(t *testing.T) {
	ix := corpusIndex(t)
	chain := rag.Chain(ix, chatmodel.Local(), &rag.ChainOptions{K: 3})
	q := rag.Question{Question: "What happens to a search when one shard fails?"}
	ans, err := chain.Invoke(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Sources) != 3 || ans.Sources[0].Source != "sharding.md" {
		t.Fatalf("sources %+v: want 3, sharding.md first", ans.Sources)
	}
	for i, s := range ans.Sources {
		if s.ID == "" || s.Snippet == "" || strings.HasPrefix(s.Snippet, "#") || s.Score <= 0 || i > 0 && s.Score > ans.Sources[i-1].Score {
			t.Errorf("source %d = %+v", i, s)
		}
	}
	if ans.Model != chatmodel.LocalModelName {
		t.Errorf("model %q, want %q", ans.Model, chatmodel.LocalModelName)
	}
	// The local model answers with sentences of the retrieved passages.
	if ans.Answer == "" || !strings.Contains(strings.ToLower(ans.Answer), "shard") {
		t.Fatalf("answer %q does not come from the sharding passage", ans.Answer)
	}
	passages := ""
	for _, s := range ans.Sources {
		docs, _ := ix.Retrieve(t.Context(), q.Question, 3)
		for _, d := range docs {
			if d.Document.ID == s.ID {
				passages += " " + strings.Join(strings.Fields(d.Document.PageContent), " ")
			}
		}
	}
	for _, sentence := range strings.SplitAfter(ans.Answer, ". ") {
		if s := strings.TrimSpace(sentence); s != "" && !strings.Contains(passages, s) {
			t.Errorf("answer sentence %q is not from the passages", s)
		}
	}

	// Stream adds up to Invoke, and the answer arrives in several chunks.
	var chunks []rag.Answer
	for a, err := range chain.Stream(t.Context(), q) {
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, a)
	}
	if len(chunks) < 3 {
		t.Fatalf("stream gave %d chunks, want the sources and several pieces of text", len(chunks))
	}
	if chunks[0].Sources == nil || chunks[0].Answer != "" {
		t.Errorf("first chunk %+v: want the sources and no text", chunks[0])
	}
	sum := chunks[0]
	for _, c := range chunks[1:] {
		if c.Sources != nil || c.Answer == "" {
			t.Errorf("text chunk %+v: want text and no sources", c)
		}
		sum = sum.Concat(c)
	}
	if !reflect.DeepEqual(sum, ans) {
		t.Errorf("stream adds up to\n%+v\ninvoke returned\n%+v", sum, ans)
	}
}

func TestChainFakeModelStreams(t *testing.T) {
	ix := smallIndex(t)
	chain := rag.Chain(ix, chatmodel.Fake("pgvector uses an HNSW index [1]"), nil)
	var texts []string
	var got rag.Answer
	for a, err := range chain.Stream(t.Context(), rag.Question{Question: "Which index does pgvector use?"}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Answer != "" {
			texts = append(texts, a.Answer)
		}
		got = got.Concat(a)
	}
	if want := []string{"pgvector", " ", "uses", " ", "an", " ", "HNSW", " ", "index", " ", "[1]"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("text chunks %q, want %q", texts, want)
	}
	if got.Answer != "pgvector uses an HNSW index [1]" || len(got.Sources) != 1 || got.Sources[0].ID != "pg/0" ||
		got.Sources[0].Section != "Storage" || got.Model != "GenericFakeChatModel" {
		t.Errorf("answer %+v", got)
	}

	// The answer JSON: sources are present (possibly empty) in the whole
	// answer and absent from text chunks.
	b, _ := json.Marshal(got)
	if !strings.Contains(string(b), `"sources":[{"id":"pg/0","source":"pg.md","section":"Storage","score":`) {
		t.Errorf("JSON %s", b)
	}
	b, _ = json.Marshal(rag.Answer{Answer: "x"})
	if string(b) != `{"answer":"x"}` {
		t.Errorf("text chunk JSON %s", b)
	}
	none, err := chain.Invoke(t.Context(), rag.Question{Question: "the and of"}) // only stop words: nothing found
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(none); !strings.Contains(string(b), `"sources":[]`) {
		t.Errorf("answer without sources: %s", b)
	}
}

// TestChainEvents checks that a streamed run reports the retriever, prompt,
// chat model and parser runs, with the model's chunks streamed.
func TestChainEvents(t *testing.T) {
	var c runnable.Collector
	chain := rag.Chain(smallIndex(t), chatmodel.Fake("an HNSW index"), nil)
	for _, err := range chain.Stream(t.Context(), rag.Question{Question: "pgvector index"}, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
	}
	starts := map[string]runnable.RunType{}
	streams := map[string]int{}
	ended := map[string]bool{}
	for _, ev := range c.Events() {
		switch ev.Kind {
		case runnable.EventStart:
			starts[ev.Name] = ev.Type
		case runnable.EventStream:
			streams[ev.Name]++
		case runnable.EventEnd:
			ended[ev.Name] = true
		case runnable.EventError:
			t.Errorf("error event %s: %v", ev.Name, ev.Err)
		}
	}
	for name, typ := range map[string]runnable.RunType{
		"rag": runnable.ChainRun, "prepare_question": runnable.ChainRun, "VectorStoreRetriever": runnable.RetrieverRun,
		"format_docs": runnable.ChainRun, "ChatPromptTemplate": runnable.PromptRun,
		"GenericFakeChatModel": runnable.ChatModelRun, "StrOutputParser": runnable.ParserRun,
		"attach_sources": runnable.ChainRun,
	} {
		if starts[name] != typ || !ended[name] {
			t.Errorf("run %s: started as %q (want %q), ended %v", name, starts[name], typ, ended[name])
		}
	}
	if streams["GenericFakeChatModel"] != 5 || streams["StrOutputParser"] != 5 {
		t.Errorf("stream events %v: want 5 model and 5 parser chunks", streams)
	}
	if streams["VectorStoreRetriever"] != 0 {
		t.Error("the retriever reported stream events; retrievers do not stream")
	}
}

func TestChainInvalidInput(t *testing.T) {
	ix := smallIndex(t)
	chain := rag.Chain(ix, chatmodel.Fake("x"), &rag.ChainOptions{MaxQuestionLength: 10})
	for _, q := range []string{"", " \n ", "a question that is too long"} {
		_, err := chain.Invoke(t.Context(), rag.Question{Question: q})
		var qe *rag.QuestionError
		if !errors.As(err, &qe) {
			t.Errorf("question %q: err = %v, want *QuestionError", q, err)
		}
	}
	for _, tt := range []struct {
		name  string
		chain runnable.Runnable[rag.Question, rag.Answer]
	}{
		{"nil index", rag.Chain(nil, chatmodel.Fake("x"), nil)},
		{"nil model", rag.Chain(ix, nil, nil)},
	} {
		if _, err := tt.chain.Invoke(t.Context(), rag.Question{Question: "pgvector"}); err == nil {
			t.Errorf("%s: Invoke gave no error", tt.name)
		}
		for _, err := range tt.chain.Stream(t.Context(), rag.Question{Question: "pgvector"}) {
			if err == nil {
				t.Errorf("%s: Stream yielded a chunk", tt.name)
			}
		}
		if _, err := tt.chain.Batch(t.Context(), []rag.Question{{Question: "pgvector"}}); err == nil {
			t.Errorf("%s: Batch gave no error", tt.name)
		}
	}
	s, err := runnable.InputSchema(chain, runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	if want := `"maxLength":10,"minLength":1`; !strings.Contains(string(b), want) {
		t.Errorf("input schema %s lacks %s", b, want)
	}
}

func TestChainBatch(t *testing.T) {
	chain := rag.Chain(smallIndex(t), chatmodel.Local(), nil)
	out, err := chain.Batch(t.Context(), []rag.Question{{Question: "Where are vectors stored?"}, {Question: "What do cats do?"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || len(out[0].Sources) == 0 || out[0].Sources[0].Source != "pg.md" ||
		len(out[1].Sources) == 0 || out[1].Sources[0].Source != "cats.txt" || !strings.Contains(out[1].Answer, "Cats sleep") {
		t.Errorf("batch answers %+v", out)
	}
}

func ExampleChain() {
	ctx := context.Background()
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		panic(err)
	}
	ix, err := rag.Build(ctx, docs, nil)
	if err != nil {
		panic(err)
	}
	chain := rag.Chain(ix, chatmodel.Local(), &rag.ChainOptions{K: 2})
	ans, err := chain.Invoke(ctx, rag.Question{Question: "What happens to a search when one shard fails?"})
	if err != nil {
		panic(err)
	}
	fmt.Println("answered by", ans.Model)
	for _, s := range ans.Sources {
		fmt.Println(s.Source, "—", s.Section)
	}
	// Output:
	// answered by langserve-go-local-extractive
	// sharding.md — Sharding the vector store
	// sharding.md — Sharding the vector store
}
