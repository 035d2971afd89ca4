package jsonschema

import (
	"encoding/json"
	"testing"

	"github.com/langserve-go/langserve/runnable/schema"
)

// The schema endpoints call For on every request; these measure the cached
// path (a lookup plus a deep copy), and the copy plus encoding the handler
// does after it.

func BenchmarkForCachedStruct(b *testing.B) {
	if _, err := Of[TypedIn]("x"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Of[TypedIn]("x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForCachedMessage(b *testing.B) {
	if _, err := Of[schema.Message]("x"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Of[schema.Message]("x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForCachedMessageMarshal(b *testing.B) {
	for b.Loop() {
		s, err := Of[schema.Message]("x")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(s); err != nil {
			b.Fatal(err)
		}
	}
}
