package client_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/client"
	"github.com/langserve-go/langserve/runnable"
)

// The benchmarks measure a round trip over loopback against the serve
// package: client encoding, HTTP, server work and decoding together.

func BenchmarkInvoke(b *testing.B) {
	echo := runnable.Lambda("echo", func(_ context.Context, in map[string]any) (map[string]any, error) { return in, nil })
	srv := serveRunnable(b, "/echo", echo, nil)
	remote, err := client.New[map[string]any, map[string]any](srv.URL+"/echo", &client.Options{HTTPClient: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	in := map[string]any{"question": "what is a document loader?", "n": 3}
	for b.Loop() {
		if _, err := remote.Invoke(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStream(b *testing.B) {
	srv := serveRunnable(b, "/words", words(), nil)
	remote, err := client.New[string, string](srv.URL+"/words", &client.Options{HTTPClient: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	const text = "one two three four five six seven eight nine ten" // 19 chunks
	for b.Loop() {
		for _, err := range remote.Stream(b.Context(), text) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRunLog applies the 52 patches of the recorded chat stream_log
// and reads the final state.
func BenchmarkRunLog(b *testing.B) {
	var patches []client.LogPatch
	for _, block := range strings.Split(string(loadRecorded(b, "chat__stream_log").body), "\r\n\r\n") {
		_, data, ok := strings.Cut(block, "data: ")
		if !ok {
			continue
		}
		var p client.LogPatch
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			b.Fatal(err)
		}
		patches = append(patches, p)
	}
	for b.Loop() {
		var log client.RunLog
		for _, p := range patches {
			if err := log.Apply(p); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := log.State(); err != nil {
			b.Fatal(err)
		}
	}
}
