package graphstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/langserve-go/langserve/chains/rag/graphstore"
)

// TestOpenValidation needs no database: names are checked before
// connecting.
func TestOpenValidation(t *testing.T) {
	for _, name := range []string{
		"g1",                          // AGE wants three characters
		"Graph",                       // upper case
		"1graph",                      // leading digit
		"my-graph",                    // hyphen
		"public",                      // an existing schema
		"ag_catalog",                  // AGE's own schema
		"pg_graph",                    // reserved prefix
		"information_schema",          // reserved
		"rag.graph",                   // qualified
		"x'); DROP SCHEMA public; --", // injection
		strings.Repeat("g", 64),       // longer than an identifier
	} {
		g, err := graphstore.Open(t.Context(), "postgres://127.0.0.1:1/none", &graphstore.Options{Graph: name})
		if !errors.Is(err, graphstore.ErrInvalid) {
			if g != nil {
				g.Close()
			}
			t.Errorf("Open(graph %q): err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestOpenSimpleProtocol(t *testing.T) {
	g, err := graphstore.Open(t.Context(), "postgres://127.0.0.1:1/none?default_query_exec_mode=simple_protocol", nil)
	if !errors.Is(err, graphstore.ErrInvalid) || !strings.Contains(err.Error(), "simple_protocol") {
		if g != nil {
			g.Close()
		}
		t.Errorf("err = %v, want ErrInvalid naming simple_protocol", err)
	}
}

// TestExecModes runs a round trip in the other pgx modes that bind
// parameters; exec and cache_describe are the ones that work behind
// statement-less proxies.
func TestExecModes(t *testing.T) {
	url := ageURL(t)
	for _, mode := range []string{"exec", "cache_describe"} {
		t.Run(mode, func(t *testing.T) {
			sep := "?"
			if strings.Contains(url, "?") {
				sep = "&"
			}
			g, err := graphstore.Open(t.Context(), url+sep+"default_query_exec_mode="+mode, &graphstore.Options{Graph: newGraphName()})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			defer func() {
				if err := g.Drop(context.Background()); err != nil {
					t.Error(err)
				}
			}()
			upsert(t, g, hostile[0], []string{"Alpha", "Beta"}, [2]string{"alpha", "beta"})
			wantNeighbors(t, g, 1, []string{"beta"}, "beta@0/0["+hostile[0]+"]", "alpha@1/1["+hostile[0]+"]")
		})
	}
}

func TestOpenUnreachable(t *testing.T) {
	// Port 1 on loopback refuses connections at once.
	g, err := graphstore.Open(t.Context(), "postgres://postgres@127.0.0.1:1/none?connect_timeout=5", nil)
	if err == nil {
		g.Close()
		t.Fatal("Open succeeded")
	}
	if _, err := graphstore.Open(t.Context(), "not a dsn ::", nil); err == nil {
		t.Fatal("Open of a malformed DSN succeeded")
	}
}

// TestOpenConcurrently opens one new graph from several goroutines: setup
// is serialized, so all succeed and share the graph.
func TestOpenConcurrently(t *testing.T) {
	url := ageURL(t)
	name := newGraphName()
	const n = 4
	graphs := make([]*graphstore.AGE, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { graphs[i], errs[i] = graphstore.Open(t.Context(), url, &graphstore.Options{Graph: name}) })
	}
	wg.Wait()
	defer func() {
		for _, g := range graphs {
			if g != nil {
				g.Close()
			}
		}
	}()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		if err := graphs[0].Drop(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	if graphs[0].Name() != name {
		t.Errorf("Name() = %q, want %q", graphs[0].Name(), name)
	}
	upsert(t, graphs[1], "d1", []string{"Alpha", "Beta"}, [2]string{"alpha", "beta"})
	wantNeighbors(t, graphs[3], 1, []string{"alpha"}, "alpha@0/0[d1]", "beta@1/1[d1]")
}

// TestReopen checks that the graph outlives its connection pool and that
// opening an existing graph changes nothing.
func TestReopen(t *testing.T) {
	url := ageURL(t)
	name := newGraphName()
	g, err := graphstore.Open(t.Context(), url, &graphstore.Options{Graph: name})
	if err != nil {
		t.Fatal(err)
	}
	upsert(t, g, "d1", []string{"Alpha", "Beta"}, [2]string{"alpha", "beta"})
	g.Close()

	g, err = graphstore.Open(t.Context(), url, &graphstore.Options{Graph: name})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	defer func() {
		if err := g.Drop(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	wantStats(t, g, graphstore.Stats{Entities: 2, Documents: 1, Relations: 1})
	wantNeighbors(t, g, 1, []string{"beta"}, "beta@0/0[d1]", "alpha@1/1[d1]")
}

// TestGraphTables checks that Open made the indexes the queries rely on
// (AGE's own parent tables have primary keys of their own).
func TestGraphTables(t *testing.T) {
	url := ageURL(t)
	g := openAGE(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), `SELECT tablename || '.' || indexname FROM pg_indexes
WHERE schemaname = $1 AND tablename NOT LIKE '\_ag\_label\_%' ORDER BY 1`, g.Name())
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Document.document_id", "Document.document_props",
		"Entity.entity_id", "Entity.entity_props",
		"MENTIONS.mentions_end", "MENTIONS.mentions_start",
		"RELATED.related_end", "RELATED.related_props", "RELATED.related_start",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("indexes:\n got %v\nwant %v", got, want)
	}
}
