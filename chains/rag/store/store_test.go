package store_test

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/runnable/schema"
)

func rec(id, content string, v ...float32) store.Record {
	return store.Record{Document: schema.Document{ID: id, PageContent: content}, Vector: v}
}

func TestDedupe(t *testing.T) {
	got := store.Dedupe([]store.Record{rec("b", "1", 1), rec("a", "2", 1), rec("b", "3", 1), rec("c", "4", 1), rec("a", "5", 1)})
	var pairs []string
	for _, r := range got {
		pairs = append(pairs, r.Document.ID+"="+r.Document.PageContent)
	}
	if want := []string{"a=5", "b=3", "c=4"}; !reflect.DeepEqual(pairs, want) {
		t.Fatalf("Dedupe = %v, want %v (last wins, ID order)", pairs, want)
	}
}

func TestValidateRecords(t *testing.T) {
	for _, tt := range []struct {
		name string
		recs []store.Record
		dim  int
		want error
	}{
		{"ok", []store.Record{rec("a", "x", 1, 2)}, 2, nil},
		{"no records", nil, 3, nil},
		{"dimension from the first record", []store.Record{rec("a", "", 1, 2), rec("b", "", 1, 2, 3)}, 0, store.ErrInvalidVector},
		{"wrong dimension", []store.Record{rec("a", "", 1, 2)}, 3, store.ErrInvalidVector},
		{"infinite", []store.Record{rec("a", "", float32(math.Inf(-1)), 1)}, 2, store.ErrInvalidVector},
		{"empty ID", []store.Record{rec("", "", 1)}, 1, store.ErrInvalidRecord},
		{"NUL in ID", []store.Record{rec("a\x00", "", 1)}, 1, store.ErrInvalidRecord},
		{"invalid UTF-8 content", []store.Record{rec("a", "\xc3\x28", 1)}, 1, store.ErrInvalidRecord},
		{"NaN metadata", []store.Record{{Document: schema.Document{ID: "a", Metadata: map[string]any{"x": math.NaN()}}, Vector: []float32{1}}}, 1, store.ErrInvalidRecord},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := store.ValidateRecords(tt.recs, tt.dim)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNormalizeMetadata(t *testing.T) {
	got, err := store.NormalizeMetadata(map[string]any{"n": 3, "l": []string{"a"}, "m": map[string]int{"k": 1}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": 3.0, "l": []any{"a"}, "m": map[string]any{"k": 1.0}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("NormalizeMetadata = %#v", got)
	}
	if got, err := store.NormalizeMetadata(nil); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("NormalizeMetadata(nil) = %#v, %v", got, err)
	}
}

func TestSortResults(t *testing.T) {
	rs := []store.ScoredDocument{
		{Document: schema.Document{ID: "c"}, Score: 0.5},
		{Document: schema.Document{ID: "b"}, Score: 0.9},
		{Document: schema.Document{ID: "a"}, Score: 0.5},
		{Document: schema.Document{ID: "d"}, Score: -1},
	}
	store.SortResults(rs)
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.Document.ID)
	}
	if want := []string{"b", "a", "c", "d"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("order = %v, want %v", ids, want)
	}
	if c := store.Cosine([]float32{1, 0}, []float32{1, 1}); math.Abs(c-math.Sqrt2/2) > 1e-12 {
		t.Fatalf("Cosine = %v", c)
	}
}
