package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
)

// Response is a live answer to a replayed request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// headersToMatch are the response headers, besides Content-Type, that a
// client or proxy acts on; when the reference sent one, ours must carry the
// same value. Date, Server, Content-Length and the like are not compared.
var headersToMatch = []string{"Allow", "Location", "Cache-Control", "X-Accel-Buffering"}

// Compare checks a live answer against the recorded one and returns the
// differences found, each starting with the aspect it concerns ("status",
// "media type", "header Allow", "body", "event 3", "stream_log state"),
// at most one per aspect. Bodies are compared by their media type:
//
//   - application/json: structurally, after masking ids and times (see
//     [Masker]); "description" texts are ignored in JSON Schemas (the
//     *_schema endpoints), where the documentation is our own;
//   - text/event-stream: event by event — names in order, data as masked
//     JSON, and error payloads byte for byte, since the JS client shows
//     them verbatim; for stream_log also the RunState that applying all
//     patches to null builds;
//   - anything else: byte for byte.
//
// Each normalizer is applied, in order, to both decoded sides before
// masking: that is how a deliberate difference is set aside without
// hiding the rest of the answer behind it.
func Compare(ex *Exchange, got Response, norm ...Normalizer) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	if got.Status != ex.Status {
		add("status: want %d, got %d", ex.Status, got.Status)
	}
	wantType, wantParams, _ := mime.ParseMediaType(ex.RespHeader.Get("Content-Type"))
	gotType, gotParams, err := mime.ParseMediaType(got.Header.Get("Content-Type"))
	switch {
	case err != nil && got.Header.Get("Content-Type") != "":
		add("media type: cannot parse %q: %v", got.Header.Get("Content-Type"), err)
	case gotType != wantType || !maps.EqualFunc(wantParams, gotParams, strings.EqualFold):
		add("media type: want %q, got %q", ex.RespHeader.Get("Content-Type"), got.Header.Get("Content-Type"))
	}
	for _, h := range headersToMatch {
		if w := ex.RespHeader.Get(h); w != "" && got.Header.Get(h) != w {
			add("header %s: want %q, got %q", h, w, got.Header.Get(h))
		}
	}

	switch wantType {
	case "text/event-stream":
		diffs = append(diffs, compareSSE(ex, got.Body, norm)...)
	case "application/json":
		want, err := DecodeJSON(ex.RespBody)
		if err != nil {
			add("body: recorded body is not JSON: %v", err)
			break
		}
		g, err := DecodeJSON(got.Body)
		if err != nil {
			add("body: not JSON (%v): %s", err, cut(got.Body))
			break
		}
		schema := strings.HasSuffix(ex.Endpoint(), "_schema")
		wm, gm := &Masker{Descriptions: schema}, &Masker{Descriptions: schema}
		if d := DiffJSON(wm.Mask(normalize(want, norm)), gm.Mask(normalize(g, norm))); d != "" {
			add("body: %s", d)
		}
	default:
		if !bytes.Equal(ex.RespBody, got.Body) {
			add("body: want %s, got %s", cut(ex.RespBody), cut(got.Body))
		}
	}
	return diffs
}

func compareSSE(ex *Exchange, gotBody []byte, norm []Normalizer) []string {
	want, err := ParseSSE(ex.RespBody)
	if err != nil {
		return []string{fmt.Sprintf("body: recorded stream: %v", err)}
	}
	got, err := ParseSSE(gotBody)
	if err != nil {
		return []string{fmt.Sprintf("body: %v", err)}
	}
	var diffs []string
	wm, gm := &Masker{}, &Masker{}
	for i := range max(len(want), len(got)) {
		if i >= len(got) {
			diffs = append(diffs, fmt.Sprintf("event %d: missing: want %s (got %d events, want %d)", i, showEvent(want[i]), len(got), len(want)))
			break
		}
		if i >= len(want) {
			diffs = append(diffs, fmt.Sprintf("event %d: unexpected %s (got %d events, want %d)", i, showEvent(got[i]), len(got), len(want)))
			break
		}
		if d := diffEvent(want[i], got[i], wm, gm, norm); d != "" {
			diffs = append(diffs, fmt.Sprintf("event %d (%s): %s", i, want[i].Name, d))
			break
		}
	}
	if ex.Endpoint() == "stream_log" {
		ws, err := RunState(want)
		if err != nil {
			return append(diffs, fmt.Sprintf("stream_log state: recorded patches: %v", err))
		}
		gs, err := RunState(got)
		if err != nil {
			return append(diffs, fmt.Sprintf("stream_log state: %v", err))
		}
		wm, gm := &Masker{}, &Masker{}
		if d := DiffJSON(wm.Mask(normalize(ws, norm)), gm.Mask(normalize(gs, norm))); d != "" {
			diffs = append(diffs, "stream_log state: "+d)
		}
	}
	return diffs
}

func diffEvent(want, got Event, wm, gm *Masker, norm []Normalizer) string {
	if want.Name != got.Name {
		return fmt.Sprintf("want event %q, got %q (data %s)", want.Name, got.Name, cut([]byte(got.Data)))
	}
	if want.HasData != got.HasData {
		return fmt.Sprintf("want data line %v, got %v", want.HasData, got.HasData)
	}
	if !want.HasData {
		return ""
	}
	if want.Name == "error" && want.Data != got.Data {
		return fmt.Sprintf("want data %s, got %s", want.Data, cut([]byte(got.Data)))
	}
	w, err := DecodeJSON([]byte(want.Data))
	if err != nil {
		return fmt.Sprintf("recorded data is not JSON: %v", err)
	}
	g, err := DecodeJSON([]byte(got.Data))
	if err != nil {
		return fmt.Sprintf("data is not JSON (%v): %s", err, cut([]byte(got.Data)))
	}
	return DiffJSON(wm.Mask(normalize(w, norm)), gm.Mask(normalize(g, norm)))
}

// RunState applies the JSON-Patch operations of a stream_log event stream
// to null, in order, and returns the document they build: the RunState of
// the root run. Events other than "data" are skipped.
func RunState(events []Event) (any, error) {
	// Applying every operation as one patch gives the same document as
	// applying the events' patches one after the other, at a fraction of
	// the cost (each Apply re-reads the whole document); the slow path only
	// runs to tell which event broke.
	all := []byte{'['}
	for i, ev := range events {
		ops, err := eventOps(ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		if len(ops) > 0 {
			if len(all) > 1 {
				all = append(all, ',')
			}
			all = append(all, ops...)
		}
	}
	all = append(all, ']')
	p, err := jsonpatch.DecodePatch(all)
	if err == nil {
		if doc, err := p.Apply([]byte("null")); err == nil {
			return DecodeJSON(doc)
		}
	}
	doc := []byte("null")
	for i, ev := range events {
		ops, _ := eventOps(ev)
		if len(ops) == 0 {
			continue
		}
		p, err := jsonpatch.DecodePatch(append(append([]byte{'['}, ops...), ']'))
		if err != nil {
			return nil, fmt.Errorf("event %d: %v", i, err)
		}
		if doc, err = p.Apply(doc); err != nil {
			return nil, fmt.Errorf("event %d: applying [%s]: %v", i, cut(ops), err)
		}
	}
	return nil, fmt.Errorf("the patches do not apply as one: %v", err)
}

// eventOps returns the operations of a stream_log data event without the
// surrounding brackets ("" when there are none).
func eventOps(ev Event) ([]byte, error) {
	if ev.Name != "data" {
		return nil, nil
	}
	var patch struct {
		Ops []json.RawMessage `json:"ops"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &patch); err != nil {
		return nil, err
	}
	var out []byte
	for i, op := range patch.Ops {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, op...)
	}
	return out, nil
}

// CompareOpenAPI checks that an OpenAPI document documents the same
// operations (paths and their methods) and defines the same component
// schema names as the recorded one. The schemas themselves are not
// compared: their texts and layout are FastAPI's, ours are our own.
func CompareOpenAPI(want, got []byte) []string {
	type doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	var w, g doc
	if err := json.Unmarshal(want, &w); err != nil {
		return []string{fmt.Sprintf("recorded document: %v", err)}
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return []string{fmt.Sprintf("document: %v", err)}
	}
	operations := func(d doc) []string {
		var ops []string
		for p, item := range d.Paths {
			for m := range item {
				switch m {
				case "get", "put", "post", "delete", "options", "head", "patch", "trace":
					ops = append(ops, strings.ToUpper(m)+" "+p)
				}
			}
		}
		return ops
	}
	var diffs []string
	if d := setDiff(operations(w), operations(g)); d != "" {
		diffs = append(diffs, "operations: "+d)
	}
	if d := setDiff(slices.Collect(maps.Keys(w.Components.Schemas)), slices.Collect(maps.Keys(g.Components.Schemas))); d != "" {
		diffs = append(diffs, "component schemas: "+d)
	}
	return diffs
}

// setDiff describes what got lacks and what it has in excess, or "".
func setDiff(want, got []string) string {
	in := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	ws, gs := in(want), in(got)
	var missing, extra []string
	for s := range ws {
		if !gs[s] {
			missing = append(missing, s)
		}
	}
	for s := range gs {
		if !ws[s] {
			extra = append(extra, s)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return fmt.Sprintf("missing %q, unexpected %q", missing, extra)
}

func showEvent(ev Event) string {
	if !ev.HasData {
		return fmt.Sprintf("%q", ev.Name)
	}
	return fmt.Sprintf("%q %s", ev.Name, cut([]byte(ev.Data)))
}

func cut(b []byte) string {
	const max = 200
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
