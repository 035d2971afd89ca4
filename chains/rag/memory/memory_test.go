package memory_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/chains/rag/memory"
	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/chains/rag/storetest"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memory.New(nil) })
}

func TestConformancePersistent(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := memory.Open(&memory.Options{Path: filepath.Join(t.TempDir(), "store.json"), Dimensions: storetest.Dimensions})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func rec(id string, v ...float32) store.Record {
	return store.Record{
		Document: schema.Document{ID: id, PageContent: "content of " + id, Metadata: map[string]any{"id": id, "n": []any{1.0, "two"}}},
		Vector:   v,
	}
}

func TestPersistenceReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.json")
	s, err := memory.Open(&memory.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file exists before any change: %v", err)
	}
	ctx := t.Context()
	if err := s.Add(ctx, []store.Record{rec("a", 1, 0, 0), rec("b", 0, 1, 0), rec("c", 0.1, 0.2, 0.3)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, []string{"b"}); err != nil {
		t.Fatal(err)
	}
	want, err := s.Search(ctx, []float32{1, 1, 1}, 10)
	if err != nil {
		t.Fatal(err)
	}

	re, err := memory.Open(&memory.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	got, err := re.Search(ctx, []float32{1, 1, 1}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after reload:\n got %+v\nwant %+v", got, want)
	}
	// The dimension is remembered too.
	if err := re.Add(ctx, []store.Record{rec("d", 1, 2)}); !errors.Is(err, store.ErrInvalidVector) {
		t.Fatalf("Add with another dimension after reload: %v", err)
	}
	// No temporary files are left behind.
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "store.json" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want only store.json", names)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name string
		opts *memory.Options
	}{
		{"not JSON", &memory.Options{Path: write("garbage.json", "not json")}},
		{"wrong version", &memory.Options{Path: write("v9.json", `{"version":9,"dimensions":2,"records":[]}`)}},
		{"dimension mismatch", &memory.Options{Dimensions: 3, Path: write("dim.json", `{"version":1,"dimensions":2,"records":[{"id":"a","content":"","metadata":{},"vector":[1,0]}]}`)}},
		{"invalid record", &memory.Options{Path: write("bad.json", `{"version":1,"dimensions":2,"records":[{"id":"","content":"","metadata":{},"vector":[1,0]}]}`)}},
		{"zero vector", &memory.Options{Path: write("zero.json", `{"version":1,"dimensions":2,"records":[{"id":"a","content":"","metadata":{},"vector":[0,0]}]}`)}},
		{"directory", &memory.Options{Path: dir}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := memory.Open(tt.opts); err == nil {
				t.Fatal("Open succeeded, want an error")
			}
		})
	}
}

// TestPersistenceConcurrentWriters checks that concurrent writers, whose file
// writes are coalesced, still leave a file holding every record.
func TestPersistenceConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.json")
	s, err := memory.Open(&memory.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				if err := s.Add(t.Context(), []store.Record{rec(fmt.Sprintf("%d-%d", w, i), float32(w+1), float32(i+1))}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	re, err := memory.Open(&memory.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := re.Count(t.Context()); n != 80 {
		t.Fatalf("reloaded %d records, want 80", n)
	}
}

func TestPersistenceWriteError(t *testing.T) {
	dir := t.TempDir()
	s, err := memory.Open(&memory.Options{Path: filepath.Join(dir, "missing-dir", "store.json")})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Add(t.Context(), []store.Record{rec("a", 1)})
	if err == nil {
		t.Fatal("Add succeeded although the file cannot be written")
	}
	// The record is in memory even though it is not durable.
	if n, _ := s.Count(t.Context()); n != 1 {
		t.Fatalf("Count = %d, want 1", n)
	}
}

func BenchmarkSearch(b *testing.B) {
	for _, size := range []struct{ n, dim int }{{10_000, 256}, {10_000, 1024}} {
		b.Run(fmt.Sprintf("n=%d/dim=%d", size.n, size.dim), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			s := memory.New(nil)
			recs := make([]store.Record, size.n)
			for i := range recs {
				v := make([]float32, size.dim)
				for d := range v {
					v[d] = rng.Float32()*2 - 1
				}
				recs[i] = store.Record{Document: schema.Document{ID: fmt.Sprint(i)}, Vector: v}
			}
			if err := s.Add(b.Context(), recs); err != nil {
				b.Fatal(err)
			}
			q := recs[42].Vector
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Search(b.Context(), q, 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
