package serve_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/langserve-go/langserve/serve"
)

func loadOpenAPI(t *testing.T, b []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	return doc
}

func TestOpenAPI(t *testing.T) {
	app := referenceApp(t)
	r := do(t, app, "GET", "/openapi.json", "")
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q", r.status, r.header.Get("Content-Type"))
	}
	doc := loadOpenAPI(t, []byte(r.body))
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}

	// The golden document of the same routes, from LangServe.
	ex := parseGolden(t, filepath.Join(goldenDir, "misc__openapi_json.txt"))
	var golden, ours struct {
		Paths      map[string]map[string]map[string]any
		Components struct{ Schemas map[string]any }
		Tags       []map[string]any
	}
	if err := json.Unmarshal([]byte(ex.respBody), &golden); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(r.body), &ours); err != nil {
		t.Fatal(err)
	}
	gotPaths, wantPaths := sortedMapKeys(ours.Paths), sortedMapKeys(golden.Paths)
	if !slices.Equal(gotPaths, wantPaths) {
		t.Errorf("paths differ:\nmissing %v\nextra   %v", minus(wantPaths, gotPaths), minus(gotPaths, wantPaths))
	}
	for path, item := range golden.Paths {
		for method, op := range item {
			mine := ours.Paths[path][method]
			if mine == nil {
				t.Errorf("%s %s missing", method, path)
				continue
			}
			for _, k := range []string{"operationId", "summary"} {
				if mine[k] != op[k] {
					t.Errorf("%s %s: %s %v, want %v", method, path, k, mine[k], op[k])
				}
			}
			if mustJSON(mine["tags"]) != mustJSON(op["tags"]) {
				t.Errorf("%s %s: tags %v, want %v", method, path, mine["tags"], op["tags"])
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				want := mustJSON(rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"])
				got := mustJSON(mine["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"])
				if got != want {
					t.Errorf("%s %s: request model %s, want %s", method, path, got, want)
				}
			}
		}
	}
	// Model names: the request, response and config models of every route,
	// the input and output models under their titles, the shared ones.
	// The message and document models come from the runnables' schemas;
	// these are the names LangServe's pydantic models add that ours
	// (runnable/schema's) do not have.
	gotNames, wantNames := sortedMapKeys(ours.Components.Schemas), sortedMapKeys(golden.Components.Schemas)
	allowedMissing := []string{"InputTokenDetails", "OutputTokenDetails"}
	if missing := minus(wantNames, gotNames); !slices.Equal(minus(missing, allowedMissing), nil) {
		t.Errorf("component schemas missing: %v", missing)
	}
	if extra := minus(gotNames, wantNames); len(extra) > 0 {
		t.Errorf("extra component schemas: %v", extra)
	}
	for _, name := range []string{"echoInvokeRequest", "chatBatchResponse", "confRunnableSequenceConfig", "TypedIn", "echo_input"} {
		var g, w map[string]any
		json.Unmarshal([]byte(mustJSON(ours.Components.Schemas[name])), &g)
		json.Unmarshal([]byte(mustJSON(golden.Components.Schemas[name])), &w)
		if g["title"] != w["title"] || mustJSON(sortedMapKeys(g["properties"])) != mustJSON(sortedMapKeys(w["properties"])) ||
			mustJSON(g["required"]) != mustJSON(w["required"]) {
			t.Errorf("%s:\n got %s\nwant %s", name, mustJSON(g), mustJSON(w))
		}
	}
	var tagNames, wantTags []string
	for _, tg := range ours.Tags {
		tagNames = append(tagNames, tg["name"].(string))
	}
	for _, tg := range golden.Tags {
		wantTags = append(wantTags, tg["name"].(string))
	}
	slices.Sort(tagNames)
	slices.Sort(wantTags)
	if !slices.Equal(tagNames, wantTags) {
		t.Errorf("tags %v, want %v", tagNames, wantTags)
	}
}

func TestOpenAPIOptions(t *testing.T) {
	app := serve.New()
	app.Title, app.Version = "My chains", "2.0"
	serve.AddRoutes(app, addOne(), &serve.Options{
		Path: "/my-chain.v1", Feedback: serve.NewMemoryFeedbackStore(), PublicTraceLink: fixedLinker{},
		Disabled: []serve.Endpoint{serve.ConfigHashes, serve.Stream}, IncludeCallbackEvents: true,
	})
	serve.AddRoutes(app, echoRunnable(), nil) // at the root
	b := must(app.OpenAPI())
	doc := loadOpenAPI(t, b)
	if doc.Info.Title != "My chains" || doc.Info.Version != "2.0" {
		t.Errorf("info %+v", doc.Info)
	}
	var paths []string
	for p := range doc.Paths.Map() {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	want := []string{
		"/batch", "/c/{config_hash}/batch", "/c/{config_hash}/config_schema", "/c/{config_hash}/input_schema",
		"/c/{config_hash}/invoke", "/c/{config_hash}/output_schema", "/c/{config_hash}/stream",
		"/c/{config_hash}/stream_events", "/c/{config_hash}/stream_log", "/config_schema", "/input_schema", "/invoke",
		"/my-chain.v1/batch", "/my-chain.v1/config_schema", "/my-chain.v1/feedback", "/my-chain.v1/input_schema",
		"/my-chain.v1/invoke", "/my-chain.v1/output_schema", "/my-chain.v1/public_trace_link", "/my-chain.v1/stream_events",
		"/my-chain.v1/stream_log", "/my-chain.v1/token_feedback", "/output_schema", "/stream", "/stream_events", "/stream_log", "/token_feedback",
	}
	if !slices.Equal(paths, want) {
		t.Errorf("paths\n got %v\nwant %v", paths, want)
	}
	s := string(b)
	for _, name := range []string{`"my_chain_v1InvokeRequest"`, `"my_chain_v1add_one_config"`, `"InvokeRequest"`, `"Feedback"`, `"PublicTraceLink"`, `"callback_events"`, `"default"`, `"my-chain.v1"`} {
		if !strings.Contains(s, name) {
			t.Errorf("document lacks %s", name)
		}
	}
	if op := doc.Paths.Find("/invoke").Post; op == nil || op.OperationID != "invoke_invoke_post" || op.Summary != "Invoke" {
		t.Errorf("root invoke operation %+v", op)
	}
}

func TestDocsPage(t *testing.T) {
	app := serve.New()
	serve.AddRoutes(app, addOne(), &serve.Options{Path: "/add_one"})
	r := do(t, app, "GET", "/docs", "")
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(r.body, `src="docs/docs.js"`) {
		t.Fatalf("/docs: %d %q", r.status, r.header.Get("Content-Type"))
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "http://") || strings.Contains(r.body, "https://") {
		t.Error("the page has inline scripts or other origins")
	}
	for _, f := range []struct{ path, ctype string }{{"/docs/docs.js", "text/javascript; charset=utf-8"}, {"/docs/docs.css", "text/css; charset=utf-8"}} {
		if r := do(t, app, "GET", f.path, ""); r.status != 200 || r.header.Get("Content-Type") != f.ctype {
			t.Errorf("%s: %d %q", f.path, r.status, r.header.Get("Content-Type"))
		}
	}
	for _, p := range []string{"/docs/nope.js", "/docs/..%2fdocs.go"} {
		if r := do(t, app, "GET", p, ""); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	// App's errors have FastAPI's shapes.
	wantJSON(t, do(t, app, "GET", "/nope", ""), 404, `{"detail":"Not Found"}`)
	r = do(t, app, "DELETE", "/openapi.json", "")
	if r.status != 405 || r.header.Get("Allow") != "GET" || r.body != `{"detail":"Method Not Allowed"}` {
		t.Errorf("DELETE /openapi.json: %d %q %s", r.status, r.header.Get("Allow"), r.body)
	}
}

// TestDocsScript runs the docs page's example builder under Node.js, when
// it is installed.
func TestDocsScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir := t.TempDir()
	src := must(os.ReadFile("docs/docs.js"))
	if err := os.WriteFile(filepath.Join(dir, "docs.mjs"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import { example } from "./docs.mjs";
const doc = { components: { schemas: {
  PromptInput: { type: "object", properties: { language: { type: "string" }, text: { type: "string" } }, required: ["language", "text"] },
  Msg: { type: "object", properties: { type: { const: "human" }, content: { type: "string" } }, required: ["content"] },
} } };
const cases = [
  [{ $ref: "#/components/schemas/PromptInput" }, { language: "string", text: "string" }],
  [{ type: "integer", title: "add_one_input" }, 0],
  [{ anyOf: [{ type: "null" }, { type: "array", items: { $ref: "#/components/schemas/Msg" } }] }, [{ type: "human", content: "string" }]],
  [{ type: "string", format: "uuid" }, "00000000-0000-0000-0000-000000000000"],
  [{ type: "integer", default: 1 }, 1],
  [{ title: "echo_input" }, ""],
];
for (const [schema, want] of cases) {
  const got = example(doc, schema);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    console.error("example(" + JSON.stringify(schema) + ") = " + JSON.stringify(got) + ", want " + JSON.stringify(want));
    process.exitCode = 1;
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "test.mjs"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, "test.mjs")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func sortedMapKeys(v any) []string {
	var keys []string
	switch m := v.(type) {
	case map[string]any:
		for k := range m {
			keys = append(keys, k)
		}
	case map[string]map[string]map[string]any:
		for k := range m {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// minus returns the elements of a that are not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
