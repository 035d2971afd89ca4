package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/langserve-go/langserve/examples/server/app"
)

// Call the RAG route from Go with net/http: invoke returns
// {"output": …, "metadata": …}; stream sends Server-Sent Events, a
// "metadata" event, one "data" event per chunk, then "end".
func ExampleNew() {
	h, cleanup, err := app.New(context.Background(), &app.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	defer cleanup()
	srv := httptest.NewServer(h)
	defer srv.Close()

	body := `{"input": {"question": "What happens to a search when one shard fails?"}}`
	res, err := http.Post(srv.URL+"/rag/invoke", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	var out struct {
		Output struct {
			Answer  string `json:"answer"`
			Sources []struct {
				Source string `json:"source"`
			} `json:"sources"`
			Model string `json:"model"`
		} `json:"output"`
	}
	err = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if err != nil {
		panic(err)
	}
	fmt.Println("model:", out.Output.Model, "| header:", res.Header.Get("X-Langserve-Model"))
	fmt.Println("best source:", out.Output.Sources[0].Source)

	res, err = http.Post(srv.URL+"/rag/stream", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var event string
	var text strings.Builder
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			event = name
		} else if data, ok := strings.CutPrefix(line, "data: "); ok && event == "data" {
			var chunk struct {
				Answer string `json:"answer"`
			}
			if err := json.Unmarshal([]byte(data), &chunk); err != nil {
				panic(err)
			}
			text.WriteString(chunk.Answer) // the answer, piece by piece
		}
	}
	fmt.Println("streamed answer = invoke answer:", text.String() == out.Output.Answer)
	// Output:
	// model: langserve-go-local-extractive | header: langserve-go-local-extractive (built-in local model, not an LLM)
	// best source: sharding.md
	// streamed answer = invoke answer: true
}
