package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

const dir = "../../testdata/golden"

func load(t *testing.T, name string) *Exchange {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// Every recorded exchange parses, and Parse checks each body against its
// Content-Length, so the request/response split is exact for all of them.
func TestLoadAllTranscripts(t *testing.T) {
	all, err := Load(dir, "clients__")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*__*.txt"))
	clients, _ := filepath.Glob(filepath.Join(dir, "clients__*.txt"))
	if len(all) != len(files)-len(clients) || len(all) < 130 {
		t.Fatalf("loaded %d exchanges from %d files (%d client files)", len(all), len(files), len(clients))
	}
	for _, ex := range all {
		if ex.IsSSE() {
			if _, err := ParseSSE(ex.RespBody); err != nil {
				t.Errorf("%s: %v", ex.Name, err)
			}
		}
		if strings.Contains(string(ex.RespBody), "curl: (") {
			t.Errorf("%s: curl's error line left in the body", ex.Name)
		}
	}
}

func TestParseDetails(t *testing.T) {
	for _, tt := range []struct {
		name           string
		method, target string
		contentType    string
		body           string
		status         int
		aborted        bool
		bodySuffix     string
	}{
		{"bad__empty_body", "POST", "/echo/invoke", "", "", 422, false, `{"detail":["Invalid JSON body"]}`},
		{"bad__text_plain_content_type", "POST", "/echo/invoke", "text/plain", `{"input":1}`, 200, false, `"feedback_tokens":[]}}`},
		{"bad__get_on_invoke", "GET", "/echo/invoke", "", "", 405, false, `{"detail":"Method Not Allowed"}`},
		{"bad__malformed_json_invoke", "POST", "/echo/invoke", "application/json", `{"input": {"a": 1,`, 422, false, `]}`},
		{"fail__stream", "POST", "/fail/stream", "application/json", `{"input":{"x":1},"config":{},"kwargs":{}}`, 200, true, "\"Internal Server Error\"}\r\n\r\n"},
		{"chat__stream", "POST", "/chat/stream", "application/json", `{"input":{"language":"French","text":"hello"},"config":{},"kwargs":{}}`, 200, false, "event: end\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ex := load(t, tt.name)
			if ex.Method != tt.method || ex.Target != tt.target {
				t.Errorf("request %s %s, want %s %s", ex.Method, ex.Target, tt.method, tt.target)
			}
			if got := ex.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if string(ex.Body) != tt.body {
				t.Errorf("body %q, want %q", ex.Body, tt.body)
			}
			if ex.Status != tt.status || ex.Aborted != tt.aborted {
				t.Errorf("status %d aborted %v, want %d %v", ex.Status, ex.Aborted, tt.status, tt.aborted)
			}
			if !bytes.HasSuffix(ex.RespBody, []byte(tt.bodySuffix)) {
				t.Errorf("response body ends with %q, want suffix %q", tail(string(ex.RespBody), 40), tt.bodySuffix)
			}
		})
	}
}

func TestParseRejectsMalformedTranscripts(t *testing.T) {
	ok := "### REQUEST\nPOST /x HTTP/1.1\nHost: h\n\n{}\n\n### RESPONSE\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
	if _, err := Parse("ok", []byte(ok)); err != nil {
		t.Fatalf("valid transcript: %v", err)
	}
	for _, tt := range []struct{ name, data, want string }{
		{"no request mark", strings.TrimPrefix(ok, "### REQUEST\n"), "does not start"},
		{"no response mark", strings.Replace(ok, "### RESPONSE", "### RESP", 1), "RESPONSE"},
		{"bad request line", strings.Replace(ok, "POST /x HTTP/1.1", "POST /x", 1), "bad request line"},
		{"bad header", strings.Replace(ok, "Host: h", "Host h", 1), "bad request header"},
		{"bad status", strings.Replace(ok, "HTTP/1.1 200 OK", "HTTP/1.1 abc OK", 1), "bad status code"},
		{"no blank line", strings.Replace(ok, "\r\n\r\n", "\r\n", 1), "no empty line"},
		{"length mismatch", strings.Replace(ok, "content-length: 2", "content-length: 3", 1), "content-length"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.name, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseSSE(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []Event
		err        string
	}{
		{name: "empty"},
		{
			name: "events and a ping",
			body: "event: metadata\r\ndata: {\"run_id\": \"x\"}\r\n\r\n: ping - 2024-05-01 12:00:00.123456\r\n\r\nevent: data\r\ndata: \"a\"\r\n\r\nevent: end\r\n\r\n",
			want: []Event{{"metadata", `{"run_id": "x"}`, true}, {"data", `"a"`, true}, {"end", "", false}},
		},
		{name: "no event line", body: "data: 1\r\n\r\n", want: []Event{{"message", "1", true}}},
		{name: "bare LF", body: "event: data\ndata: 1\r\n\r\n", err: "bare LF"},
		{name: "unterminated", body: "event: data\r\ndata: 1\r\n", err: "does not end"},
		{name: "two data lines", body: "event: data\r\ndata: 1\r\ndata: 2\r\n\r\n", err: "two data"},
		{name: "two event lines", body: "event: data\r\nevent: end\r\n\r\n", err: "two event"},
		{name: "unknown field", body: "id: 1\r\n\r\n", err: "unexpected line"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSSE([]byte(tt.body))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %+v, want %+v", len(got), got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestDiffJSON(t *testing.T) {
	for _, tt := range []struct{ name, want, got, diff string }{
		{"key order and number forms", `{"a":1,"b":[true,null,"x"],"c":2.50}`, `{"c":2.5,"b":[true,null,"x"],"a":1.0}`, ""},
		{"missing key", `{"a":{"b":1,"c":2}}`, `{"a":{"b":1}}`, `$.a: missing key "c" (want 2)`},
		{"unexpected key", `{"a":1}`, `{"a":1,"z":null}`, `$: unexpected key "z" = null`},
		{"value", `{"output":[1,2,3]}`, `{"output":[1,5,3]}`, `$.output[1]: want 2, got 5`},
		{"type", `{"a":"1"}`, `{"a":1}`, `$.a: want "1", got 1`},
		{"fewer items", `[1,2,3]`, `[1,2]`, `$: want 3 items, got 2, first missing 3`},
		{"more items", `[1]`, `[1,{"x":1}]`, `$: want 1 items, got 2, first extra {"x":1}`},
		{"quoted key", `{"/logs/a b":1}`, `{"/logs/a b":2}`, `$["/logs/a b"]: want 1, got 2`},
		{"null vs object", `null`, `{}`, `$: want null, got {}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := DecodeJSON([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			g, err := DecodeJSON([]byte(tt.got))
			if err != nil {
				t.Fatal(err)
			}
			if d := DiffJSON(w, g); d != tt.diff {
				t.Errorf("DiffJSON = %q, want %q", d, tt.diff)
			}
		})
	}
	if _, err := DecodeJSON([]byte(`{} {}`)); err == nil {
		t.Error("DecodeJSON accepted trailing data")
	}
}

func TestMaskerKeepsRelationsAndShapes(t *testing.T) {
	a, b, c := uuid.NewString(), uuid.NewString(), uuid.NewString()
	x, y := uuid.NewString(), uuid.NewString()
	doc := func(root, child, parent, msg1, msg2, ts string) any {
		v, err := DecodeJSON([]byte(`{"run_id":"` + root + `","events":[{"run_id":"` + child + `","parent_ids":["` + parent + `"],` +
			`"chunks":[{"id":"run--` + msg1 + `-0"},{"id":"run--` + msg2 + `-0"}],"end_time":"` + ts + `"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	masked := func(v any) any { return new(Masker).Mask(v) }
	ref := masked(doc(a, b, a, x, x, "2026-11-21T23:55:33.620+00:00"))
	for _, tt := range []struct {
		name string
		doc  any
		same bool
	}{
		{"fresh ids, same relations", doc(c, a, c, y, y, "2024-01-02T03:04:05.678+00:00"), true},
		{"parent is not the root", doc(c, a, b, y, y, "2024-01-02T03:04:05.678+00:00"), false},
		{"two message ids in one stream", doc(c, a, c, x, y, "2024-01-02T03:04:05.678+00:00"), false},
		{"time in another format", doc(c, a, c, y, y, "2024-01-02T03:04:05.678Z"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := DiffJSON(ref, masked(tt.doc))
			if (d == "") != tt.same {
				t.Errorf("diff %q, want same=%v", d, tt.same)
			}
		})
	}
	m := &Masker{Descriptions: true}
	v, _ := DecodeJSON([]byte(`{"description":"ours","properties":{"description":{"type":"string","description":"x"}}}`))
	w, _ := DecodeJSON([]byte(`{"description":"<description>","properties":{"description":{"type":"string","description":"<description>"}}}`))
	if d := DiffJSON(w, m.Mask(v)); d != "" {
		t.Errorf("description masking: %s", d)
	}
}

var anyUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// regenerate is the reference answer as another run would give it: every
// id replaced, consistently, by a fresh one.
func regenerate(ex *Exchange) Response {
	fresh := map[string]string{}
	body := anyUUID.ReplaceAllStringFunc(string(ex.RespBody), func(s string) string {
		if _, ok := fresh[s]; !ok {
			fresh[s] = uuid.NewString()
		}
		return fresh[s]
	})
	return Response{Status: ex.Status, Header: ex.RespHeader.Clone(), Body: []byte(body)}
}

// Compare accepts the reference's own answers with fresh ids, and finds
// each kind of change a server could make.
func TestCompare(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		change     func(r *Response)
		want       string // substring of the first difference; "" = none
	}{
		{"same invoke", "echo__invoke", nil, ""},
		{"same stream_log", "chat__stream_log", nil, ""},
		{"same stream_events", "chat__stream_events", nil, ""},
		{"same schema", "chatmsg__output_schema", nil, ""},
		{"same error stream", "fail__stream_log", nil, ""},
		{"same plain text", "fail__invoke", nil, ""},
		{"status", "bad__empty_body", func(r *Response) { r.Status = 400 }, "status: want 422, got 400"},
		{"media type", "echo__invoke", func(r *Response) { r.Header.Set("Content-Type", "application/json; charset=utf-8") }, "media type"},
		{"sse charset", "chat__stream", func(r *Response) { r.Header.Set("Content-Type", "text/event-stream") }, "media type"},
		{"allow header", "bad__get_on_invoke", func(r *Response) { r.Header.Set("Allow", "GET, POST") }, "header Allow"},
		{"json value", "echo__invoke", replace(`"b":[true,null,"x"]`, `"b":[true,null,"y"]`), `body: $.output.b[2]: want "x", got "y"`},
		{"run id relation", "chat__batch_config_list", func(r *Response) {
			ids := anyUUID.FindAllString(string(r.Body), -1)
			r.Body = []byte(strings.Replace(string(r.Body), ids[3], uuid.NewString(), 1))
		}, "body: $.metadata.run_ids[1]"},
		{"description ignored in schemas", "typed__input_schema", replace(`"Who to greet"`, `"The name"`), ""},
		{"description kept elsewhere", "typed__input_schema", replace(`"description":"Who to greet",`, ``), `missing key "description"`},
		{"plain text", "fail__invoke", replace("Internal Server Error", "Internal server error"), "body: want Internal Server Error"},
		{"token", "chat__stream", replace(`"monde,"`, `"monde"`), `event 5 (data): $: want "monde,", got "monde"`},
		{"missing end", "chat__stream", replace("event: end\r\n\r\n", ""), "event 16: missing"},
		{"LF framing", "chat__stream", func(r *Response) { r.Body = bytes.ReplaceAll(r.Body, []byte("\r\n"), []byte("\n")) }, "bare LF"},
		{"error bytes", "fail__stream", replace(`{"status_code": 500, "message"`, `{"status_code":500,"message"`), "event 0 (error): want data"},
		{"event order", "chat__stream_events", func(r *Response) {
			ev := strings.Split(string(r.Body), "\r\n\r\n")
			ev[1], ev[2] = ev[2], ev[1]
			r.Body = []byte(strings.Join(ev, "\r\n\r\n"))
		}, "event 1 (data): $.data"},
		{"patch value", "chat__stream_log", replace(`"value":"fixe."},{"op":"replace","path":"/final_output"`, `"value":"fixe!"},{"op":"replace","path":"/final_output"`), `event 49 (data): $.ops[0].value: want "fixe.", got "fixe!"`},
		{"state", "chat__stream_log", replace(`"name":"/chat","type":"chain"`, `"name":"/chat","type":"chain","extra":1`), "stream_log state: $: unexpected key \"extra\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ex := load(t, tt.file)
			got := regenerate(ex)
			if tt.change != nil {
				tt.change(&got)
			}
			diffs := Compare(ex, got)
			switch {
			case tt.want == "" && len(diffs) > 0:
				t.Errorf("unexpected differences:\n%s", strings.Join(diffs, "\n"))
			case tt.want != "" && !slices.ContainsFunc(diffs, func(d string) bool { return strings.Contains(d, tt.want) }):
				t.Errorf("differences %q, want one containing %q", diffs, tt.want)
			}
		})
	}
}

func replace(old, new string) func(*Response) {
	return func(r *Response) {
		if !bytes.Contains(r.Body, []byte(old)) {
			panic("test setup: " + old + " not in body")
		}
		r.Body = bytes.Replace(r.Body, []byte(old), []byte(new), 1)
	}
}

func TestRunState(t *testing.T) {
	ex := load(t, "chat__stream_log")
	events, err := ParseSSE(ex.RespBody)
	if err != nil {
		t.Fatal(err)
	}
	st, err := RunState(events)
	if err != nil {
		t.Fatal(err)
	}
	state := st.(map[string]any)
	if state["final_output"] != "Bonjour le monde, ceci est une réponse fixe." {
		t.Errorf("final_output = %v", state["final_output"])
	}
	if n := len(state["streamed_output"].([]any)); n != 15 {
		t.Errorf("%d streamed outputs, want 15", n)
	}
	logs := state["logs"].(map[string]any)
	for _, k := range []string{"ChatPromptTemplate", "GenericFakeChatModel", "StrOutputParser"} {
		if _, ok := logs[k]; !ok {
			t.Errorf("logs lack %s: %v", k, logs)
		}
	}
	if _, err := RunState([]Event{{Name: "data", Data: `{"ops":[{"op":"add","path":"/x/-","value":1}]}`, HasData: true}}); err == nil {
		t.Error("RunState applied a patch to a missing path")
	}
}

func TestCompareOpenAPI(t *testing.T) {
	ex := load(t, "misc__openapi_json")
	if d := CompareOpenAPI(ex.RespBody, ex.RespBody); d != nil {
		t.Errorf("same document: %q", d)
	}
	changed := strings.Replace(string(ex.RespBody), `"/echo/invoke":`, `"/echo/invoke2":`, 1)
	changed = strings.Replace(changed, `"echo_input":`, `"echo_in":`, 1)
	d := CompareOpenAPI(ex.RespBody, []byte(changed))
	if len(d) != 2 || !strings.Contains(d[0], `missing ["POST /echo/invoke"], unexpected ["POST /echo/invoke2"]`) || !strings.Contains(d[1], `"echo_input"`) {
		t.Errorf("differences %q", d)
	}
}

func TestNormalizers(t *testing.T) {
	for _, tt := range []struct {
		name     string
		norm     Normalizer
		in, want string
	}{
		{"message ids", AnyMessageID,
			`{"id":"run--3da1e74c-3d71-49bc-aea9-a681cf847151-0","chunks":[{"id":"run--8df65082-0c24-44e5-bde2-e121ae87f42d"}],"run_id":"8df65082-0c24-44e5-bde2-e121ae87f42d","name":"run--x"}`,
			`{"id":"<a message id>","chunks":[{"id":"<a message id>"}],"run_id":"8df65082-0c24-44e5-bde2-e121ae87f42d","name":"run--x"}`},
		{"const enum", DropConstEnum,
			`{"properties":{"type":{"const":"ai","enum":["ai"],"type":"string"},"kind":{"enum":["a","b"]},"other":{"const":"x","enum":["y"]}}}`,
			`{"properties":{"type":{"const":"ai","type":"string"},"kind":{"enum":["a","b"]},"other":{"const":"x","enum":["y"]}}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, _ := DecodeJSON([]byte(tt.in))
			orig, _ := DecodeJSON([]byte(tt.in))
			want, _ := DecodeJSON([]byte(tt.want))
			if d := DiffJSON(want, tt.norm(in)); d != "" {
				t.Error(d)
			}
			if d := DiffJSON(orig, in); d != "" {
				t.Errorf("input modified: %s", d)
			}
		})
	}
	// Set aside in Compare: a server whose chunks carry per-run ids.
	ex := load(t, "chatmsg__stream")
	got := regenerate(ex)
	got.Body = anyMsgID.ReplaceAll(got.Body, []byte(`"id":"run--`+uuid.NewString()+`"`))
	if d := Compare(ex, got); len(d) == 0 {
		t.Error("Compare found no difference in the message ids")
	}
	if d := Compare(ex, got, AnyMessageID); len(d) != 0 {
		t.Errorf("differences left after AnyMessageID: %q", d)
	}
}

var anyMsgID = regexp.MustCompile(`"id":"run--[0-9a-f-]+"`)
