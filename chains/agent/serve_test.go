package agent_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/chains/agent"
	"github.com/langserve-go/langserve/runnable/schema"
	"github.com/langserve-go/langserve/serve"
)

// served mounts a fresh agent (its scripted model calls add, then answers
// "3") at /agent on a loopback server.
func served(t *testing.T) *httptest.Server {
	t.Helper()
	a := newAgent(t, scriptedModel(
		aiCalls(call("c1", "add", map[string]any{"a": 1, "b": 2})),
		schema.AI("3"),
	), nil, addTool())
	h, err := serve.NewHandler(a, &serve.Options{Path: "/agent"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %s %s", url, resp.Status, b)
	}
	return resp
}

const chatInput = `{"input":{"messages":[{"type":"human","content":"1+2?"}]},"config":{}}`

func TestServeInvoke(t *testing.T) {
	srv := served(t)
	resp := post(t, srv.URL+"/agent/invoke", chatInput)
	var body struct {
		Output agent.State `json:"output"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	want := []string{"human:1+2?", `ai: add({"a":1,"b":2})#c1`, "tool:3 [add c1 success]", "ai:3"} // the wire spells out the default status
	if got := summary(body.Output.Messages); !slices.Equal(got, want) {
		t.Errorf("invoke output %v, want %v", got, want)
	}

	schemaResp, err := http.Get(srv.URL + "/agent/input_schema")
	if err != nil {
		t.Fatal(err)
	}
	defer schemaResp.Body.Close()
	b, _ := io.ReadAll(schemaResp.Body)
	if !strings.Contains(string(b), `"extra":{"widget":{"input":"messages","type":"chat"}}`) || !strings.Contains(string(b), `"title":"LangGraphInput"`) {
		t.Errorf("input_schema %s, want the chat widget hint", b)
	}
}

// TestServeStreamEvents checks the stream_events a LangServe client sees:
// the graph, its nodes, the chat model and the tool, in LangGraph's order.
func TestServeStreamEvents(t *testing.T) {
	resp := post(t, served(t).URL+"/agent/stream_events", chatInput)
	var got []string
	nodeOf := map[string]any{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || !strings.HasPrefix(data, "{") {
			continue
		}
		var ev struct {
			Event    string         `json:"event"`
			Name     string         `json:"name"`
			Metadata map[string]any `json:"metadata"`
			Tags     []string       `json:"tags"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("event %s: %v", data, err)
		}
		if ev.Event == "" {
			continue // the metadata event
		}
		if ev.Event == "on_chat_model_stream" || ev.Event == "on_chain_stream" {
			continue
		}
		got = append(got, ev.Event+" "+ev.Name)
		if ev.Event == "on_tool_start" || ev.Event == "on_chat_model_start" {
			nodeOf[ev.Name] = ev.Metadata["langgraph_node"]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"on_chain_start /agent",
		"on_chain_start __start__", "on_chain_end __start__",
		"on_chain_start agent", "on_chat_model_start ScriptedChatModel", "on_chat_model_end ScriptedChatModel", "on_chain_end agent",
		"on_chain_start tools", "on_tool_start add", "on_tool_end add", "on_chain_end tools",
		"on_chain_start agent", "on_chat_model_start ScriptedChatModel", "on_chat_model_end ScriptedChatModel", "on_chain_end agent",
		"on_chain_end /agent",
	}
	if !slices.Equal(got, want) {
		t.Errorf("stream_events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if nodeOf["add"] != "tools" || nodeOf["ScriptedChatModel"] != "agent" {
		t.Errorf("langgraph_node metadata %v", nodeOf)
	}
}
