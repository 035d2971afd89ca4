package graphstore_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/chains/rag/graphstore"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ageURL returns the PostgreSQL (with AGE) connection string. Without it
// the test is skipped locally but fails in CI, where a silent skip would
// hide the AGE tests.
func ageURL(t testing.TB) string {
	t.Helper()
	v := os.Getenv("PGVECTOR_URL")
	if v == "" {
		msg := "PGVECTOR_URL is not set; run `eval \"$(scripts/pgvector.sh start)\"` for a real PostgreSQL 17 with Apache AGE"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return v
}

var graphSeq atomic.Int64

// newGraphName returns a graph name no other test uses.
func newGraphName() string {
	return fmt.Sprintf("gstest_%d_%d", os.Getpid(), graphSeq.Add(1))
}

// openAGE opens a fresh graph and drops it when the test ends.
func openAGE(t testing.TB) *graphstore.AGE {
	t.Helper()
	url := ageURL(t)
	g, err := graphstore.Open(t.Context(), url, &graphstore.Options{Graph: newGraphName()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Drop(context.Background()); err != nil {
			t.Error(err)
		}
		g.Close()
	})
	return g
}

// testGraph is what both implementations offer.
type testGraph interface {
	graphstore.Graph
	Stats(context.Context) (graphstore.Stats, error)
}

// eachGraph runs fn against the in-memory graph and against AGE, which
// must behave the same.
func eachGraph(t *testing.T, fn func(t *testing.T, open func(t *testing.T) testGraph)) {
	t.Run("memory", func(t *testing.T) {
		fn(t, func(*testing.T) testGraph { return graphstore.NewMemory() })
	})
	t.Run("age", func(t *testing.T) {
		ageURL(t)
		fn(t, func(t *testing.T) testGraph { return openAGE(t) })
	})
}

func upsert(t *testing.T, g graphstore.Graph, doc string, names []string, rels ...[2]string) {
	t.Helper()
	var es []graphstore.Entity
	for _, n := range names {
		es = append(es, graphstore.Entity{Name: n})
	}
	var rs []graphstore.Relation
	for _, r := range rels {
		rs = append(rs, graphstore.Relation{From: r[0], To: r[1], Type: "rel"})
	}
	if err := g.Upsert(t.Context(), doc, es, rs); err != nil {
		t.Fatal(err)
	}
}

// show renders a Neighbors result compactly: key@depth/links[docs].
func show(ns []graphstore.Neighbor) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s@%d/%d%v", n.Key, n.Depth, n.Links, n.Documents))
	}
	return out
}

func neighbors(t *testing.T, g graphstore.Graph, depth int, keys ...string) []string {
	t.Helper()
	ns, err := g.Neighbors(t.Context(), keys, depth)
	if err != nil {
		t.Fatal(err)
	}
	return show(ns)
}

func wantNeighbors(t *testing.T, g graphstore.Graph, depth int, keys []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := neighbors(t, g, depth, keys...); !reflect.DeepEqual(got, want) {
		t.Errorf("Neighbors(%q, %d)\n got %q\nwant %q", keys, depth, got, want)
	}
}

func wantStats(t *testing.T, g testGraph, want graphstore.Stats) {
	t.Helper()
	got, err := g.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestKey(t *testing.T) {
	for _, test := range []struct{ in, want string }{
		{"Apache AGE", "apache age"},
		{"  apache   AGE ", "apache age"},
		{"Apache-AGE", "apache age"},
		{"`rag.Index`", "rag index"},
		{"stream_log", "stream_log"},
		{"Retrieve(ctx, query, k)", "retrieve ctx query k"},
		{"PostgreSQL 17", "postgresql 17"},
		{"Ünïcode Straße", "ünïcode straße"},
		{"x'}) DETACH DELETE n //", "x detach delete n"},
		{"!!!", ""},
		{"", ""},
	} {
		if got := graphstore.Key(test.in); got != test.want {
			t.Errorf("Key(%q) = %q, want %q", test.in, got, test.want)
		}
	}
}

func TestUpsertIdempotent(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		for range 2 {
			upsert(t, g, "d1", []string{"Apache AGE", "PostgreSQL", "Go Runtime"},
				[2]string{"Apache AGE", "PostgreSQL"}, [2]string{"postgresql", "go runtime"})
			wantStats(t, g, graphstore.Stats{Entities: 3, Documents: 1, Relations: 2})
			wantNeighbors(t, g, 2, []string{"apache age"},
				"apache age@0/0[d1]", "postgresql@1/1[d1]", "go runtime@2/1[d1]")
		}
		// Duplicates within one call count once: the last one wins.
		err := g.Upsert(t.Context(), "d1", []graphstore.Entity{
			{Name: "Apache AGE", Kind: "first"}, {Name: "PostgreSQL"}, {Name: "Go Runtime"}, {Key: "APACHE age", Name: "Apache AGE", Kind: "last"},
		}, []graphstore.Relation{
			{From: "apache age", To: "postgresql", Type: "rel"}, {From: "postgresql", To: "go runtime", Type: "rel"},
			{From: "Apache AGE", To: "PostgreSQL", Type: "rel"},
		})
		if err != nil {
			t.Fatal(err)
		}
		wantStats(t, g, graphstore.Stats{Entities: 3, Documents: 1, Relations: 2})
		ns, err := g.Neighbors(t.Context(), []string{"Apache AGE"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 || ns[0].Name != "Apache AGE" || ns[0].Kind != "last" {
			t.Errorf("Neighbors = %+v, want Apache AGE of kind last", ns)
		}
	})
}

func TestUpsertReplacesDocument(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		upsert(t, g, "d1", []string{"Alpha", "Beta"}, [2]string{"alpha", "beta"})
		upsert(t, g, "d1", []string{"Beta", "Gamma"}, [2]string{"beta", "gamma"})
		wantStats(t, g, graphstore.Stats{Entities: 2, Documents: 1, Relations: 1})
		wantNeighbors(t, g, 1, []string{"alpha"})
		wantNeighbors(t, g, 1, []string{"beta"}, "beta@0/0[d1]", "gamma@1/1[d1]")

		// No entities: the document goes, as with DeleteDocument.
		if err := g.Upsert(t.Context(), "d1", nil, nil); err != nil {
			t.Fatal(err)
		}
		wantStats(t, g, graphstore.Stats{})
	})
}

func TestSharedEntitiesAndDelete(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		upsert(t, g, "d1", []string{"Alpha", "Beta"}, [2]string{"alpha", "beta"})
		upsert(t, g, "d2", []string{"Beta", "Gamma", "Alpha"}, [2]string{"beta", "gamma"}, [2]string{"beta", "alpha"})
		wantStats(t, g, graphstore.Stats{Entities: 3, Documents: 2, Relations: 3})
		// Two documents relate alpha and beta: two links.
		wantNeighbors(t, g, 2, []string{"alpha"}, "alpha@0/0[d1 d2]", "beta@1/2[d1 d2]", "gamma@2/1[d2]")

		if err := g.DeleteDocument(t.Context(), "d2"); err != nil {
			t.Fatal(err)
		}
		wantStats(t, g, graphstore.Stats{Entities: 2, Documents: 1, Relations: 1})
		wantNeighbors(t, g, 2, []string{"alpha", "gamma"}, "alpha@0/0[d1]", "beta@1/1[d1]")

		for _, doc := range []string{"d2", "never-there"} {
			if err := g.DeleteDocument(t.Context(), doc); err != nil {
				t.Fatalf("deleting %s: %v", doc, err)
			}
		}
		wantStats(t, g, graphstore.Stats{Entities: 2, Documents: 1, Relations: 1})
		if err := g.DeleteDocument(t.Context(), "d1"); err != nil {
			t.Fatal(err)
		}
		wantStats(t, g, graphstore.Stats{})
		wantNeighbors(t, g, 2, []string{"alpha", "beta"})
	})
}

func TestProperties(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		get := func() graphstore.Neighbor {
			t.Helper()
			ns, err := g.Neighbors(t.Context(), []string{"thing"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 1 {
				t.Fatalf("Neighbors = %+v", ns)
			}
			return ns[0]
		}
		props := map[string]any{
			"int": 42, "frac": 0.25, "big": 1e20, "huge": uint64(12345678901234567890), "neg": -7,
			"s": "ünïcode \"quoted\" $$ '", "yes": true, "nothing": nil,
			"nested": map[string]any{"list": []any{1, "x", false, nil, map[string]any{}}},
			"struct": struct {
				A int `json:"a"`
			}{3},
		}
		want := map[string]any{
			"int": 42.0, "frac": 0.25, "big": 1e20, "huge": 12345678901234567890.0, "neg": -7.0,
			"s": "ünïcode \"quoted\" $$ '", "yes": true, "nothing": nil,
			"nested": map[string]any{"list": []any{1.0, "x", false, nil, map[string]any{}}},
			"struct": map[string]any{"a": 3.0},
		}
		if err := g.Upsert(t.Context(), "d1", []graphstore.Entity{{Name: "Thing", Kind: "k1", Properties: props}}, nil); err != nil {
			t.Fatal(err)
		}
		n := get()
		if n.Name != "Thing" || n.Kind != "k1" || !reflect.DeepEqual(n.Properties, want) {
			t.Errorf("got %+v\nwant properties %v", n.Entity, want)
		}
		// Returned maps are copies.
		n.Properties["int"] = "changed"
		if get().Properties["int"] != 42.0 {
			t.Error("changing a returned map changed the graph")
		}
		// nil properties keep the stored ones; name and kind are replaced.
		if err := g.Upsert(t.Context(), "d2", []graphstore.Entity{{Key: "thing", Name: "THING"}}, nil); err != nil {
			t.Fatal(err)
		}
		if n := get(); n.Name != "THING" || n.Kind != "" || !reflect.DeepEqual(n.Properties, want) {
			t.Errorf("after an upsert without properties: %+v", n.Entity)
		}
		// A non-nil map replaces them.
		if err := g.Upsert(t.Context(), "d2", []graphstore.Entity{{Name: "Thing", Properties: map[string]any{}}}, nil); err != nil {
			t.Fatal(err)
		}
		if n := get(); !reflect.DeepEqual(n.Properties, map[string]any{}) || !reflect.DeepEqual(n.Documents, []string{"d1", "d2"}) {
			t.Errorf("after an upsert with empty properties: %+v", n)
		}
		// Relation properties are validated and stored.
		err := g.Upsert(t.Context(), "d3", []graphstore.Entity{{Name: "Thing"}, {Name: "Other"}},
			[]graphstore.Relation{{From: "thing", To: "other", Type: "about", Properties: map[string]any{"weight": 0.5}}})
		if err != nil {
			t.Fatal(err)
		}
		wantNeighbors(t, g, 1, []string{"other"}, "other@0/0[d3]", "thing@1/1[d1 d2 d3]")
	})
}

func TestNeighborsDepth(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		// A path step 0 - step 1 - … - step 5, and a branch off step 1.
		var names []string
		var rels [][2]string
		for i := range 6 {
			names = append(names, fmt.Sprintf("Step %d", i))
			if i > 0 {
				rels = append(rels, [2]string{fmt.Sprintf("step %d", i-1), fmt.Sprintf("step %d", i)})
			}
		}
		names = append(names, "Branch")
		rels = append(rels, [2]string{"branch", "step 1"})
		upsert(t, g, "path", names, rels...)

		want := []string{"step 0@0/0[path]", "step 1@1/1[path]", "branch@2/1[path]", "step 2@2/1[path]",
			"step 3@3/1[path]", "step 4@4/1[path]"}
		ends := []int{1, 2, 4, 5, 6}
		for depth := 0; depth <= graphstore.MaxDepth; depth++ {
			// Keys are normalized; unknown and empty ones are ignored.
			wantNeighbors(t, g, depth, []string{"STEP-0", "no such thing", "!!", "step 0"}, want[:ends[depth]]...)
		}
		// Relations are followed both ways; the nearest key decides the depth.
		wantNeighbors(t, g, 1, []string{"step 5", "branch"},
			"branch@0/0[path]", "step 5@0/0[path]", "step 1@1/1[path]", "step 4@1/1[path]")
		wantNeighbors(t, g, 3, nil)

		for _, depth := range []int{-1, graphstore.MaxDepth + 1} {
			if _, err := g.Neighbors(t.Context(), []string{"step 0"}, depth); !errors.Is(err, graphstore.ErrDepth) {
				t.Errorf("depth %d: err = %v, want ErrDepth", depth, err)
			}
		}
	})
}

func TestMaxNeighbors(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		leaves := graphstore.MaxNeighbors + 5
		names := []string{"Hub"}
		var rels [][2]string
		for i := range leaves {
			names = append(names, fmt.Sprintf("leaf %04d", i))
			rels = append(rels, [2]string{"hub", fmt.Sprintf("leaf %04d", i)})
		}
		upsert(t, g, "star", names, rels...)
		// A second document joins the last three leaves to the hub again,
		// so they are the most strongly joined and must survive the cut.
		strong := []string{fmt.Sprintf("leaf %04d", leaves-1), fmt.Sprintf("leaf %04d", leaves-2), fmt.Sprintf("leaf %04d", leaves-3)}
		upsert(t, g, "again", append([]string{"Hub"}, strong...),
			[2]string{"hub", strong[0]}, [2]string{"hub", strong[1]}, [2]string{"hub", strong[2]})

		ns, err := g.Neighbors(t.Context(), []string{"hub"}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1+graphstore.MaxNeighbors {
			t.Fatalf("got %d entities, want %d", len(ns), 1+graphstore.MaxNeighbors)
		}
		got := map[string]int{}
		for _, n := range ns {
			got[n.Key] = n.Links
		}
		for _, k := range strong {
			if got[k] != 2 {
				t.Errorf("%s: links %d, want 2 (kept)", k, got[k])
			}
		}
		// The rest are cut by key: the first ones are kept.
		if _, ok := got["leaf 0000"]; !ok {
			t.Error("leaf 0000 was cut")
		}
		if _, ok := got[fmt.Sprintf("leaf %04d", leaves-4)]; ok {
			t.Errorf("leaf %04d was kept", leaves-4)
		}
	})
}

func TestInvalidInput(t *testing.T) {
	long := strings.Repeat("x", graphstore.MaxNameLength+1)
	ok := []graphstore.Entity{{Name: "Alpha"}, {Name: "Beta"}}
	for _, test := range []struct {
		name string
		doc  string
		es   []graphstore.Entity
		rs   []graphstore.Relation
	}{
		{"empty document ID", "", ok, nil},
		{"NUL in document ID", "d\x00", ok, nil},
		{"invalid UTF-8 document ID", "d\xff", ok, nil},
		{"long document ID", strings.Repeat("d", graphstore.MaxIDLength+1), ok, nil},
		{"entity without name", "d", []graphstore.Entity{{}}, nil},
		{"entity without letters", "d", []graphstore.Entity{{Name: "!!! ---"}}, nil},
		{"NUL in name", "d", []graphstore.Entity{{Name: "a\x00b"}}, nil},
		{"invalid UTF-8 name", "d", []graphstore.Entity{{Name: "a\xffb"}}, nil},
		{"long name", "d", []graphstore.Entity{{Name: long}}, nil},
		{"NUL in kind", "d", []graphstore.Entity{{Name: "a", Kind: "\x00"}}, nil},
		{"NaN property", "d", []graphstore.Entity{{Name: "a", Properties: map[string]any{"x": math.NaN()}}}, nil},
		{"infinite property", "d", []graphstore.Entity{{Name: "a", Properties: map[string]any{"x": math.Inf(1)}}}, nil},
		{"function property", "d", []graphstore.Entity{{Name: "a", Properties: map[string]any{"f": func() {}}}}, nil},
		{"NUL in property", "d", []graphstore.Entity{{Name: "a", Properties: map[string]any{"x": []any{"a\x00"}}}}, nil},
		{"NUL in property key", "d", []graphstore.Entity{{Name: "a", Properties: map[string]any{"\x00": 1}}}, nil},
		{"relation to an unknown entity", "d", ok, []graphstore.Relation{{From: "alpha", To: "gamma", Type: "t"}}},
		{"relation from an unknown entity", "d", ok, []graphstore.Relation{{From: "gamma", To: "alpha", Type: "t"}}},
		{"relation to itself", "d", ok, []graphstore.Relation{{From: "alpha", To: "Alpha", Type: "t"}}},
		{"relation without type", "d", ok, []graphstore.Relation{{From: "alpha", To: "beta"}}},
		{"NUL in relation type", "d", ok, []graphstore.Relation{{From: "alpha", To: "beta", Type: "\x00"}}},
		{"NaN relation property", "d", ok, []graphstore.Relation{{From: "alpha", To: "beta", Type: "t", Properties: map[string]any{"w": math.NaN()}}}},
	} {
		t.Run(test.name, func(t *testing.T) {
			eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
				g := open(t)
				// The valid part of the input is not written either.
				es := append([]graphstore.Entity{{Name: "Canary"}}, test.es...)
				err := g.Upsert(t.Context(), test.doc, es, test.rs)
				if !errors.Is(err, graphstore.ErrInvalid) {
					t.Fatalf("Upsert: err = %v, want ErrInvalid", err)
				}
				wantStats(t, g, graphstore.Stats{})
			})
		})
	}
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		if err := g.DeleteDocument(t.Context(), ""); !errors.Is(err, graphstore.ErrInvalid) {
			t.Errorf("DeleteDocument(\"\"): err = %v, want ErrInvalid", err)
		}
		if _, err := g.Neighbors(t.Context(), []string{"a\x00"}, 0); !errors.Is(err, graphstore.ErrInvalid) {
			t.Errorf("Neighbors with NUL: err = %v, want ErrInvalid", err)
		}
		if _, err := g.Neighbors(t.Context(), make([]string, graphstore.MaxKeys+1), 0); !errors.Is(err, graphstore.ErrInvalid) {
			t.Errorf("Neighbors with too many keys: err = %v, want ErrInvalid", err)
		}
	})
}

// hostile are strings that would break a query if they were spliced into
// SQL or openCypher text.
var hostile = []string{
	`x'}) DETACH DELETE n //`,
	`$$) AS (a agtype); DROP TABLE users; --`,
	`"}) MATCH (n) DETACH DELETE n RETURN n //`,
	`'; SELECT pg_sleep(10); --`,
	`$doc $keys $1`,
	`\'\\"` + "\n\t\u2028",
	`{"key": "canary"}`,
	`]->(x) WITH 1 AS one MATCH (n) DETACH DELETE n //`,
	"Robert'); DROP TABLE Students;-- ünïcode 😀",
	`<script>&amp;</script> \u0041`,
}

func TestInjection(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		upsert(t, g, "canary-doc", []string{"Canary", "Sentinel"}, [2]string{"canary", "sentinel"})
		for i, s := range hostile {
			doc := s
			name := fmt.Sprintf("%s %d", s, i) // unique keys
			err := g.Upsert(t.Context(), doc, []graphstore.Entity{
				{Name: name, Kind: s, Properties: map[string]any{s: s}},
				{Name: "Canary"},
			}, []graphstore.Relation{{From: name, To: "canary", Type: s, Properties: map[string]any{s: s}}})
			if err != nil {
				t.Fatalf("upserting %q: %v", s, err)
			}
			ns, err := g.Neighbors(t.Context(), []string{name}, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := graphstore.Entity{Key: graphstore.Key(name), Name: name, Kind: s, Properties: map[string]any{s: s}}
			if len(ns) != 1 || !reflect.DeepEqual(ns[0].Entity, want) || !reflect.DeepEqual(ns[0].Documents, []string{doc}) {
				t.Errorf("%q did not round-trip: %+v", s, ns)
			}
		}
		wantStats(t, g, graphstore.Stats{Entities: 2 + len(hostile), Documents: 1 + len(hostile), Relations: 1 + len(hostile)})
		for _, s := range hostile {
			if err := g.DeleteDocument(t.Context(), s); err != nil {
				t.Fatalf("deleting %q: %v", s, err)
			}
		}
		wantStats(t, g, graphstore.Stats{Entities: 2, Documents: 1, Relations: 1})
		wantNeighbors(t, g, 1, []string{"canary"}, "canary@0/0[canary-doc]", "sentinel@1/1[canary-doc]")
	})
}

func TestConcurrentWriters(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		const writers, docsEach, topics = 6, 8, 4
		doc := func(w, j int) string { return fmt.Sprintf("doc-%d-%d", w, j) }
		write := func(w, j int) error {
			unique := fmt.Sprintf("Unique %d %d", w, j)
			topic := fmt.Sprintf("Topic %d", (w+j)%topics)
			return g.Upsert(t.Context(), doc(w, j),
				[]graphstore.Entity{{Name: "Shared Hub"}, {Name: topic}, {Name: unique}},
				[]graphstore.Relation{{From: "shared hub", To: topic, Type: "t"}, {From: topic, To: unique, Type: "t"}})
		}
		var wg sync.WaitGroup
		var stop atomic.Bool
		// Readers run alongside and must never fail.
		for range 2 {
			wg.Go(func() {
				for !stop.Load() {
					if _, err := g.Neighbors(t.Context(), []string{"shared hub", "topic 1"}, 2); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		var writersWG sync.WaitGroup
		for w := range writers {
			writersWG.Go(func() {
				for j := range docsEach {
					if err := write(w, j); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		writersWG.Wait()
		total := writers * docsEach
		wantStats(t, g, graphstore.Stats{Entities: 1 + topics + total, Documents: total, Relations: 2 * total})

		// Concurrently delete the even documents and rewrite the odd ones.
		for w := range writers {
			writersWG.Go(func() {
				for j := range docsEach {
					var err error
					if j%2 == 0 {
						err = g.DeleteDocument(t.Context(), doc(w, j))
					} else {
						err = write(w, j)
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		writersWG.Wait()
		stop.Store(true)
		wg.Wait()
		half := total / 2
		wantStats(t, g, graphstore.Stats{Entities: 1 + topics + half, Documents: half, Relations: 2 * half})
		ns, err := g.Neighbors(t.Context(), []string{"shared hub"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 || len(ns[0].Documents) != half {
			t.Fatalf("shared hub: %+v, want one entity in %d documents", ns, half)
		}
		for _, d := range ns[0].Documents {
			var w, j int
			if _, err := fmt.Sscanf(d, "doc-%d-%d", &w, &j); err != nil || j%2 == 0 {
				t.Errorf("document %s should be gone", d)
			}
		}
	})
}

func TestCanceledContext(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		upsert(t, g, "d1", []string{"Alpha"})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := g.Upsert(ctx, "d2", []graphstore.Entity{{Name: "Beta"}}, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("Upsert: err = %v, want context.Canceled", err)
		}
		if _, err := g.Neighbors(ctx, []string{"alpha"}, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("Neighbors: err = %v, want context.Canceled", err)
		}
		if err := g.DeleteDocument(ctx, "d1"); !errors.Is(err, context.Canceled) {
			t.Errorf("DeleteDocument: err = %v, want context.Canceled", err)
		}
		wantStats(t, g, graphstore.Stats{Entities: 1, Documents: 1})
	})
}

func TestSortedDocuments(t *testing.T) {
	eachGraph(t, func(t *testing.T, open func(*testing.T) testGraph) {
		g := open(t)
		docs := []string{"zeta", "alpha", "Mid", "10", "2"}
		for _, d := range docs {
			upsert(t, g, d, []string{"Common"})
		}
		ns, err := g.Neighbors(t.Context(), []string{"common"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := slices.Sorted(slices.Values(docs)); len(ns) != 1 || !reflect.DeepEqual(ns[0].Documents, want) {
			t.Errorf("got %+v, want documents %v", ns, want)
		}
	})
}
