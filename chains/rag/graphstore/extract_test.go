package graphstore_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/graphstore"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/runnable/schema"
)

// entities renders an extraction's entities as "Name [kind]".
func entities(x graphstore.Extraction) []string {
	var out []string
	for _, e := range x.Entities {
		if e.Key != graphstore.Key(e.Name) {
			out = append(out, fmt.Sprintf("BAD KEY %q for %q", e.Key, e.Name))
		}
		out = append(out, e.Name+" ["+e.Kind+"]")
	}
	return out
}

func relations(x graphstore.Extraction) []string {
	var out []string
	for _, r := range x.Relations {
		out = append(out, r.From+" -"+r.Type+"-> "+r.To)
	}
	return out
}

func TestExtract(t *testing.T) {
	for _, test := range []struct {
		name      string
		doc       schema.Document
		entities  []string
		relations []string
	}{
		{
			name: "names",
			// A sentence's first word joins the name after it: the
			// extractor cannot tell "Install" from a name.
			doc: schema.Document{PageContent: "The Python RemoteRunnable client talks to Apache AGE. Install Apache AGE. " +
				"Then PostgreSQL runs. LangChain's RunnableConfig is (Not A Name) but Server-Sent Events are.\n" +
				"Each Go value and Go, Rust, Java are single words; so is HTTP."},
			entities: []string{
				"Apache AGE [name]", "Install Apache AGE [name]", "LangChain [name]", "PostgreSQL [name]", "Python RemoteRunnable [name]",
				"RemoteRunnable [name]", "RunnableConfig [name]", "Server-Sent Events [name]",
			},
			// One paragraph: everything co-occurs.
		},
		{
			name: "code spans",
			doc: schema.Document{PageContent: "Call `rag.Index` then `Retrieve(ctx, query, k)`; `stream_log` is a route, " +
				"`go build` is a command, `{\"a\": 1}` is JSON, `x` is too short and `vector(N)` is a type.\n\n" +
				"`Foo` Bar Baz names Bar Baz only."},
			entities: []string{
				"Bar Baz [name]", "Foo [code]", "rag.Index [code]", "Retrieve [code]", "stream_log [code]", "vector [code]",
			},
			relations: []string{
				"bar baz -co_occurs-> foo",
				"rag index -co_occurs-> retrieve", "rag index -co_occurs-> stream_log", "rag index -co_occurs-> vector",
				"retrieve -co_occurs-> stream_log", "retrieve -co_occurs-> vector", "stream_log -co_occurs-> vector",
			},
		},
		{
			name: "headings",
			doc: schema.Document{
				Metadata: map[string]any{"headings": []any{"Guide", "The Setup"}},
				PageContent: "## The Setup\n\nYou need Apache AGE first.\n\n" +
					"```sh\n# Not A Heading\nApache Kafka Inside Code\n```\n\n" +
					"### stream_log: run logs as JSON Patch\n\nSee `RunLog`.\n",
			},
			entities: []string{
				"Apache AGE [name]", "Guide [heading]", "RunLog [code]", "Setup [heading]",
				"stream_log [heading]", "stream_log: run logs as JSON Patch [heading]",
			},
			relations: []string{
				"guide -in_section-> apache age", "guide -in_section-> runlog",
				"setup -in_section-> apache age", "setup -in_section-> runlog",
				"stream_log -in_section-> apache age", "stream_log -in_section-> runlog",
				"stream_log run logs as json patch -in_section-> apache age", "stream_log run logs as json patch -in_section-> runlog",
			},
		},
		{
			name:     "nothing",
			doc:      schema.Document{PageContent: "plain lower case text, with `a b c`\n```\n# Heading In A Fence Never Closed\n"},
			entities: nil,
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			x := graphstore.Extract(test.doc)
			if got := entities(x); !reflect.DeepEqual(got, test.entities) {
				t.Errorf("entities:\n got %q\nwant %q", got, test.entities)
			}
			if test.relations != nil || test.name == "nothing" {
				if got := relations(x); !reflect.DeepEqual(got, test.relations) {
					t.Errorf("relations:\n got %q\nwant %q", got, test.relations)
				}
			}
			// Relations only join extracted entities and are canonical.
			keys := map[string]bool{}
			for _, e := range x.Entities {
				keys[e.Key] = true
			}
			for _, r := range x.Relations {
				if !keys[r.From] || !keys[r.To] || r.From == r.To || (r.Type == graphstore.RelCoOccurs && r.From > r.To) {
					t.Errorf("bad relation %+v", r)
				}
			}
			// The same document gives the same extraction.
			if again := graphstore.Extract(test.doc); !reflect.DeepEqual(again, x) {
				t.Error("Extract is not deterministic")
			}
		})
	}
}

// TestExtractCorpus indexes the bundled corpus and checks that what it
// finds includes the entities the corpus is about.
func TestExtractCorpus(t *testing.T) {
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{} // key -> documents
	for _, d := range docs {
		for _, e := range graphstore.Extract(d).Entities {
			found[e.Key] = append(found[e.Key], d.ID)
		}
	}
	for key, doc := range map[string]string{
		"stream_log":                   "stream-log.md#0",
		"rag index":                    "retrieval.md#0",
		"remoterunnable":               "clients.md#0",
		"retries":                      "retries.md#0",
		"server sent events":           "streaming.md#0",
		"errors and http status codes": "errors.md#0",
		"opentelemetry":                "tracing.md#0",
	} {
		if !slices.Contains(found[key], doc) {
			t.Errorf("%q: found in %v, want it in %s", key, found[key], doc)
		}
	}
	g := graphstore.NewMemory()
	n, err := graphstore.IndexDocuments(t.Context(), g, docs)
	if err != nil {
		t.Fatal(err)
	}
	st, err := g.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n < st.Entities || st.Entities < 100 || st.Documents != len(docs) || st.Relations == 0 {
		t.Errorf("indexed %d mentions into %+v from %d documents", n, st, len(docs))
	}
	t.Logf("corpus graph: %d documents, %d entities (%d mentions), %d relations", st.Documents, st.Entities, n, st.Relations)
}

func TestIndexDocuments(t *testing.T) {
	g := graphstore.NewMemory()
	docs := []schema.Document{
		{ID: "a", PageContent: "Apache AGE and PostgreSQL."},
		{ID: "b", PageContent: "Apache AGE again."},
	}
	if _, err := graphstore.IndexDocuments(t.Context(), g, docs); err != nil {
		t.Fatal(err)
	}
	wantNeighbors(t, g, 1, []string{"apache age"}, "apache age@0/0[a b]", "postgresql@1/1[a]")

	// A document in which nothing is found any more leaves the graph.
	if _, err := graphstore.IndexDocuments(t.Context(), g, []schema.Document{{ID: "a", PageContent: "nothing here"}}); err != nil {
		t.Fatal(err)
	}
	wantNeighbors(t, g, 1, []string{"apache age", "postgresql"}, "apache age@0/0[b]")

	_, err := graphstore.IndexDocuments(t.Context(), g, []schema.Document{{PageContent: "Apache AGE without an ID"}})
	if !errors.Is(err, graphstore.ErrInvalid) || !strings.Contains(err.Error(), "Apache AGE without") {
		t.Errorf("err = %v, want ErrInvalid naming the document", err)
	}
}
