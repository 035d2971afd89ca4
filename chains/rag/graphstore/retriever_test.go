package graphstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/graphstore"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestMentionKeys(t *testing.T) {
	keys := graphstore.MentionKeys("How does the Apache AGE graph work with `rag.Index`?")
	for _, want := range []string{"apache", "apache age", "age graph work", "rag index", "the apache age graph work with", "work"} {
		if !slices.Contains(keys, want) {
			t.Errorf("MentionKeys lacks %q: %q", want, keys)
		}
	}
	for _, unwanted := range []string{"how", "how does", "does the", "with", "", "how does the apache age graph work"} {
		if slices.Contains(keys, unwanted) {
			t.Errorf("MentionKeys has %q", unwanted)
		}
	}
	if n := len(slices.Compact(slices.Sorted(slices.Values(keys)))); n != len(keys) {
		t.Errorf("MentionKeys repeats keys: %q", keys)
	}
	if keys := graphstore.MentionKeys("the of and ?!"); len(keys) != 0 {
		t.Errorf("stop words only: %q", keys)
	}
}

// smallCorpus has a document about Apache AGE that shares fewer words with
// the question below than a distractor does.
var smallCorpus = []schema.Document{
	{ID: "age", PageContent: "Apache AGE adds openCypher graph queries to PostgreSQL tables."},
	{ID: "distractor", PageContent: "Where does the server keep data? In memory."},
	{ID: "other", PageContent: "Rate limiting protects the server from clients sending too many requests."},
}

const smallQuestion = "Where does Apache AGE keep data for queries?"

func newSmall(t *testing.T, g graphstore.Graph) *rag.Index {
	t.Helper()
	ix, err := rag.Build(t.Context(), smallCorpus, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := graphstore.IndexDocuments(t.Context(), g, smallCorpus); err != nil {
		t.Fatal(err)
	}
	return ix
}

func ids(docs []schema.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}

func TestGraphRetrieverReranks(t *testing.T) {
	g := graphstore.NewMemory()
	ix := newSmall(t, g)
	vec, err := rag.Retriever(ix, 2).Invoke(t.Context(), smallQuestion)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(vec); !reflect.DeepEqual(got, []string{"distractor/0", "age/0"}) {
		t.Fatalf("vector ranking %v: the fixture no longer has the distractor first", got)
	}
	r, err := graphstore.NewGraphRetriever(ix, g, &graphstore.RetrieverOptions{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := r.Invoke(t.Context(), smallQuestion)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(docs); !reflect.DeepEqual(got, []string{"age/0", "distractor/0"}) {
		t.Fatalf("graph ranking %v, want age/0 first", got)
	}
	md := docs[0].Metadata
	vs, gs, s := md["vector_score"].(float64), md["graph_score"].(float64), md["score"].(float64)
	if gs <= 0 || gs > 1 || math.Abs(s-(vs+graphstore.DefaultBoost*gs)) > 1e-12 || vs != vec[1].Metadata["score"] {
		t.Errorf("scores: %v", md)
	}
	// Apache AGE is named; PostgreSQL is one relation away.
	if ents := md["graph_entities"]; !reflect.DeepEqual(ents, []any{"Apache AGE", "PostgreSQL"}) {
		t.Errorf("graph_entities = %v", ents)
	}
	if md["parent_id"] != "age" {
		t.Errorf("chunk metadata lost: %v", md)
	}
	if _, ok := docs[1].Metadata["graph_entities"]; ok || docs[1].Metadata["graph_score"] != 0.0 {
		t.Errorf("the distractor got graph credit: %v", docs[1].Metadata)
	}

	// A question naming no entity of the graph keeps the vector ranking.
	plain := "where does the server keep data"
	want, err := rag.Retriever(ix, 2).Invoke(t.Context(), plain)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Invoke(t.Context(), plain)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids(got), ids(want)) {
		t.Errorf("without entities: %v, want the vector ranking %v", ids(got), ids(want))
	}
	for i := range got {
		if got[i].Metadata["score"] != want[i].Metadata["score"] {
			t.Errorf("%s: score %v, want %v", got[i].ID, got[i].Metadata["score"], want[i].Metadata["score"])
		}
	}
}

func TestGraphRetrieverRunnable(t *testing.T) {
	g := graphstore.NewMemory()
	ix := newSmall(t, g)
	r, err := graphstore.NewGraphRetriever(ix, g, nil)
	if err != nil {
		t.Fatal(err)
	}
	info := r.Describe()
	if info.Name != "GraphRetriever" || info.Type != runnable.RetrieverRun || info.Metadata["ls_retriever_name"] != "graph" ||
		info.Metadata["ls_graph_provider"] != "graphstore.Memory" {
		t.Errorf("Describe() = %+v", info)
	}

	var c runnable.Collector
	docs, err := r.Invoke(t.Context(), smallQuestion, runnable.WithCallbacks(&c))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no documents")
	}
	var kinds []runnable.EventKind
	for _, ev := range c.Events() {
		kinds = append(kinds, ev.Kind)
		if ev.Name != "GraphRetriever" || ev.Type != runnable.RetrieverRun {
			t.Errorf("event %+v", ev)
		}
	}
	if !reflect.DeepEqual(kinds, []runnable.EventKind{runnable.EventStart, runnable.EventEnd}) {
		t.Errorf("events %v, want start and end only (a retriever does not stream)", kinds)
	}

	var chunks [][]schema.Document
	for chunk, err := range r.Stream(t.Context(), smallQuestion) {
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, chunk)
	}
	if len(chunks) != 1 || !reflect.DeepEqual(chunks[0], docs) {
		t.Errorf("Stream yielded %d chunks", len(chunks))
	}
	batch, err := r.Batch(t.Context(), []string{smallQuestion, "rate limiting"})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != 2 || !reflect.DeepEqual(batch[0], docs) || len(batch[1]) == 0 || batch[1][0].ID != "other/0" {
		t.Errorf("Batch = %v", batch)
	}

	for _, q := range []string{"", "  \n\t"} {
		if _, err := r.Invoke(t.Context(), q); !errors.Is(err, rag.ErrEmptyQuery) {
			t.Errorf("Invoke(%q): err = %v, want rag.ErrEmptyQuery", q, err)
		}
	}
	// Chunks sharing nothing with the question are left out, as
	// rag.Retriever does.
	none, err := r.Invoke(t.Context(), "zzz qqq")
	if err != nil || len(none) != 0 {
		t.Errorf("unrelated question: %v, %v", ids(none), err)
	}
}

func TestNewGraphRetrieverErrors(t *testing.T) {
	g := graphstore.NewMemory()
	ix, err := rag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := graphstore.NewGraphRetriever(nil, g, nil); err == nil {
		t.Error("nil index accepted")
	}
	if _, err := graphstore.NewGraphRetriever(ix, nil, nil); err == nil {
		t.Error("nil graph accepted")
	}
	for _, o := range []graphstore.RetrieverOptions{
		{K: -1},
		{K: 5, FetchK: 4},
		{Depth: graphstore.MaxDepth + 1},
		{Boost: -0.1},
		{Boost: math.NaN()},
		{Boost: math.Inf(1)},
		{Decay: 1.5},
		{Decay: -0.5},
		{Decay: math.NaN()},
	} {
		if _, err := graphstore.NewGraphRetriever(ix, g, &o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	for _, o := range []graphstore.RetrieverOptions{{}, {K: 1, FetchK: 1}, {Depth: -1}, {Depth: graphstore.MaxDepth, Decay: 1}} {
		if _, err := graphstore.NewGraphRetriever(ix, g, &o); err != nil {
			t.Errorf("options %+v: %v", o, err)
		}
	}
}

// failingGraph is a graph whose lookups fail, as a graph whose database is
// down does.
type failingGraph struct{ *graphstore.Memory }

var errGraphDown = errors.New("graph is down")

func (failingGraph) Neighbors(context.Context, []string, int) ([]graphstore.Neighbor, error) {
	return nil, errGraphDown
}

func TestGraphRetrieverFailsWithGraph(t *testing.T) {
	g := graphstore.NewMemory()
	ix := newSmall(t, g)
	r, err := graphstore.NewGraphRetriever(ix, failingGraph{g}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var c runnable.Collector
	if _, err := r.Invoke(t.Context(), smallQuestion, runnable.WithCallbacks(&c)); !errors.Is(err, errGraphDown) {
		t.Fatalf("err = %v, want the graph's error", err)
	}
	if evs := c.Events(); len(evs) != 2 || evs[1].Kind != runnable.EventError {
		t.Errorf("events %+v, want start and error", evs)
	}
	// A question naming nothing needs no graph lookup.
	if _, err := r.Invoke(t.Context(), "the of and"); err != nil {
		t.Errorf("stop words only: %v", err)
	}
}

// TestGraphRetrieverAGE runs the small case against AGE, through the
// runnable, and checks the result equals the in-memory graph's.
func TestGraphRetrieverAGE(t *testing.T) {
	age := openAGE(t)
	mem := graphstore.NewMemory()
	ix := newSmall(t, age)
	if _, err := graphstore.IndexDocuments(t.Context(), mem, smallCorpus); err != nil {
		t.Fatal(err)
	}
	var results [][]schema.Document
	for _, g := range []graphstore.Graph{age, mem} {
		r, err := graphstore.NewGraphRetriever(ix, g, &graphstore.RetrieverOptions{K: 2})
		if err != nil {
			t.Fatal(err)
		}
		docs, err := r.Invoke(t.Context(), smallQuestion)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, docs)
	}
	if got := ids(results[0]); !reflect.DeepEqual(got, []string{"age/0", "distractor/0"}) {
		t.Errorf("AGE ranking %v, want age/0 first", got)
	}
	if !reflect.DeepEqual(results[0], results[1]) {
		t.Errorf("AGE and memory differ:\n%v\n%v", results[0], results[1])
	}
}

type labelled struct {
	Question string `json:"question"`
	Source   string `json:"source"`
}

func loadQuestions(t *testing.T) []labelled {
	t.Helper()
	b, err := os.ReadFile("../testdata/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	var qs []labelled
	if err := json.Unmarshal(b, &qs); err != nil {
		t.Fatal(err)
	}
	if len(qs) < 30 {
		t.Fatalf("only %d labelled questions", len(qs))
	}
	return qs
}

// hits counts the questions whose labelled source is among the top three
// documents, and among the first.
func hits(t *testing.T, qs []labelled, retrieve func(q string) ([]schema.Document, error)) (top3, top1 int, missed map[string]bool) {
	t.Helper()
	missed = map[string]bool{}
	for _, q := range qs {
		docs, err := retrieve(q.Question)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(docs, func(d schema.Document) bool { return d.Metadata["source"] == q.Source })
		switch {
		case i < 0:
			missed[q.Question] = true
		case i == 0:
			top1++
			fallthrough
		default:
			top3++
		}
	}
	return top3, top1, missed
}

// retrievalQuality measures the top-3 hit rate over the bundled corpus and
// its labelled questions, with and without the graph, and requires that
// the graph loses nothing and finds a document vector search alone ranks
// too low. It returns each question's graph ranking for comparison.
func retrievalQuality(t *testing.T, g graphstore.Graph) map[string][]string {
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	qs := loadQuestions(t)
	ix, err := rag.Build(t.Context(), docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := graphstore.IndexDocuments(t.Context(), g, docs); err != nil {
		t.Fatal(err)
	}
	vector := rag.Retriever(ix, 3)
	graph, err := graphstore.NewGraphRetriever(ix, g, &graphstore.RetrieverOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	v3, v1, vMissed := hits(t, qs, func(q string) ([]schema.Document, error) { return vector.Invoke(t.Context(), q) })
	rankings := map[string][]string{}
	g3, g1, gMissed := hits(t, qs, func(q string) ([]schema.Document, error) {
		docs, err := graph.Invoke(t.Context(), q)
		rankings[q] = ids(docs)
		return docs, err
	})
	n := float64(len(qs))
	t.Logf("top-3 hit rate over %d questions: vector only %.3f (%d), with the graph %.3f (%d); top-1: %.3f (%d) and %.3f (%d)",
		len(qs), float64(v3)/n, v3, float64(g3)/n, g3, float64(v1)/n, v1, float64(g1)/n, g1)
	for q := range gMissed {
		if !vMissed[q] {
			t.Errorf("the graph lost %q", q)
		}
	}
	gained := 0
	for q := range vMissed {
		if !gMissed[q] {
			gained++
			t.Logf("gained by the graph: %q", q)
		}
	}
	if g3 < v3 {
		t.Errorf("top-3 hits with the graph %d < vector only %d", g3, v3)
	}
	if gained == 0 {
		t.Error("the graph found no document that vector search alone ranks below the top three")
	}
	return rankings
}

func TestRetrievalQuality(t *testing.T) {
	retrievalQuality(t, graphstore.NewMemory())
}

// TestRetrievalQualityAGE measures the same on AGE and requires the very
// same rankings as the in-memory graph.
func TestRetrievalQualityAGE(t *testing.T) {
	age := openAGE(t)
	got := retrievalQuality(t, age)
	want := retrievalQuality(t, graphstore.NewMemory())
	for q, r := range want {
		if !reflect.DeepEqual(got[q], r) {
			t.Errorf("%q: AGE ranks %v, memory %v", q, got[q], r)
		}
	}
	if st, err := age.Stats(t.Context()); err == nil {
		t.Logf("AGE graph: %+v", st)
	}
}

func TestRetrievalQualityNoEmptyLinks(t *testing.T) {
	// Every labelled source is in the corpus, or a typo would count as a
	// miss forever.
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range loadQuestions(t) {
		if !slices.ContainsFunc(docs, func(d schema.Document) bool { return d.Metadata["source"] == q.Source }) {
			t.Errorf("%q is labelled with unknown source %q", q.Question, q.Source)
		}
	}
}
