package graphstore_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/chains/rag/graphstore"
	"github.com/langserve-go/langserve/serve"
)

// TestServe serves the retriever the way LangServe serves a retriever and
// calls it as a RemoteRunnable would.
func TestServe(t *testing.T) {
	g := graphstore.NewMemory()
	r, err := graphstore.NewGraphRetriever(newSmall(t, g), g, &graphstore.RetrieverOptions{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	h, err := serve.NewHandler(r, &serve.Options{Path: "/graph"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body, _ := json.Marshal(map[string]any{"input": smallQuestion})

	resp, err := http.Post(srv.URL+"/graph/invoke", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Output []struct {
			ID          string         `json:"id"`
			Type        string         `json:"type"`
			PageContent string         `json:"page_content"`
			Metadata    map[string]any `json:"metadata"`
		} `json:"output"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: %s, %v", resp.Status, err)
	}
	if len(out.Output) != 2 || out.Output[0].ID != "age/0" || out.Output[0].Type != "Document" ||
		!reflect.DeepEqual(out.Output[0].Metadata["graph_entities"], []any{"Apache AGE", "PostgreSQL"}) {
		t.Errorf("invoke output %+v", out.Output)
	}

	resp, err = http.Post(srv.URL+"/graph/stream_events", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var events []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Event string `json:"event"`
			Name  string `json:"name"`
		}
		if json.Unmarshal([]byte(data), &ev) == nil && ev.Event != "" {
			events = append(events, ev.Event+" "+ev.Name)
		}
	}
	// LangServe names the root run after the route.
	if want := []string{"on_retriever_start /graph", "on_retriever_end /graph"}; !reflect.DeepEqual(events, want) {
		t.Errorf("stream_events %q, want %q", events, want)
	}
}
