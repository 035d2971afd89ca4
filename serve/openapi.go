package serve

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/langserve-go/langserve/runnable"
)

// This file builds the OpenAPI 3.1 document of an App: every route that
// AddRoutes registered, with request and response models named as
// LangServe (FastAPI) names them: <namespace>InvokeRequest,
// <namespace>BatchResponse, the runnable's input and output models under
// their schema titles ("PromptInput", "add_one_input"), its config model as
// <namespace><config title> ("chatRunnableSequenceConfig"), and the shared
// InvokeResponseMetadata, FeedbackToken, HTTPValidationError… The schemas
// are JSON Schema 2020-12, which OpenAPI 3.1 embeds as they are. Playground
// routes are left out, as in LangServe.

// routeDoc is what the document needs to know about one runnable's routes.
type routeDoc struct {
	path      string
	namespace string
	enabled   map[Endpoint]bool
	callbacks bool
	input     runnable.Schema
	output    runnable.Schema
	config    runnable.Schema
}

// mountedDoc is a routeDoc with the prefix of the group it was added to.
type mountedDoc struct {
	prefix string
	doc    *routeDoc
}

func (v *server[I, O]) docs() (*routeDoc, error) {
	in, err := v.inputSchema(runnable.Config{})
	if err != nil {
		return nil, fmt.Errorf("serve: input schema of %q: %w", v.s.path, err)
	}
	out, err := v.outputSchema(runnable.Config{})
	if err != nil {
		return nil, fmt.Errorf("serve: output schema of %q: %w", v.s.path, err)
	}
	return &routeDoc{
		path:      v.s.path,
		namespace: v.s.namespace,
		enabled:   maps.Clone(v.s.enabled),
		callbacks: v.s.includeEvents,
		input:     cloneJSON(in),
		output:    cloneJSON(out),
		config:    cloneJSON(v.configSchema()),
	}, nil
}

// cloneJSON deep-copies a schema through JSON, which also turns typed
// slices ([]string) into the []any that the document builder walks.
func cloneJSON(s map[string]any) map[string]any {
	b, err := json.Marshal(s)
	if err != nil {
		return map[string]any{}
	}
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

// openAPI builds the document.
func openAPI(title, version string, mounts []*mountedDoc) map[string]any {
	b := &docBuilder{schemas: map[string]any{}, paths: map[string]any{}}
	b.shared()
	var tags []any
	for _, m := range mounts {
		tags = append(tags, b.mount(m)...)
	}
	doc := map[string]any{
		"openapi":    "3.1.0",
		"info":       map[string]any{"title": title, "version": version},
		"paths":      b.paths,
		"components": map[string]any{"schemas": b.schemas},
	}
	if tags != nil {
		doc["tags"] = tags
	}
	return doc
}

type docBuilder struct {
	schemas map[string]any
	paths   map[string]any
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func with(m map[string]any, kv ...any) map[string]any {
	out := maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func nullable(s map[string]any) map[string]any {
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

var (
	stringSchema = map[string]any{"type": "string"}
	objectSchema = map[string]any{"type": "object", "additionalProperties": true}
)

// shared adds the models every LangServe document has.
func (b *docBuilder) shared() {
	b.model("FeedbackToken", "A token with which a client may give feedback on a run.", map[string]any{
		"key":        with(stringSchema, "title", "Key"),
		"token_url":  with(nullable(stringSchema), "title", "Token Url"),
		"expires_at": with(nullable(map[string]any{"type": "string", "format": "date-time"}), "title", "Expires At"),
	}, "key")
	b.model("InvokeResponseMetadata", "Metadata of the run that produced a response.", map[string]any{
		"run_id":          map[string]any{"type": "string", "format": "uuid", "title": "Run Id"},
		"feedback_tokens": map[string]any{"type": "array", "items": ref("FeedbackToken"), "title": "Feedback Tokens"},
	}, "run_id", "feedback_tokens")
	b.model("BatchResponseMetadata", "Metadata of the runs of a batch, in input order.", map[string]any{
		"responses": map[string]any{"type": "array", "items": ref("InvokeResponseMetadata"), "title": "Responses"},
		"run_ids":   map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "uuid"}, "title": "Run Ids"},
	}, "responses", "run_ids")
	b.model("FeedbackCreateRequestTokenBased", "Feedback given with a feedback token.", map[string]any{
		"token_or_url": map[string]any{"title": "Token Or Url", "type": "string"},
		"score":        scoreSchema(),
		"value":        valueSchema(),
		"comment":      with(nullable(stringSchema), "title", "Comment"),
		"correction":   with(nullable(objectSchema), "title", "Correction"),
		"metadata":     with(nullable(objectSchema), "title", "Metadata"),
	}, "token_or_url")
	b.model("ValidationError", "", map[string]any{
		"loc":  map[string]any{"type": "array", "title": "Location", "items": map[string]any{"anyOf": []any{stringSchema, map[string]any{"type": "integer"}}}},
		"msg":  map[string]any{"type": "string", "title": "Message"},
		"type": map[string]any{"type": "string", "title": "Error Type"},
	}, "loc", "msg", "type")
	b.model("HTTPValidationError", "", map[string]any{
		"detail": map[string]any{"type": "array", "title": "Detail", "items": ref("ValidationError")},
	})
}

// model adds an object model to the components: a title, a description
// (unless empty), properties and the required ones.
func (b *docBuilder) model(name, description string, props map[string]any, required ...string) {
	m := map[string]any{"title": name, "type": "object", "properties": props}
	if description != "" {
		m["description"] = description
	}
	if len(required) > 0 {
		req := make([]any, len(required))
		for i, r := range required {
			req[i] = r
		}
		m["required"] = req
	}
	b.schemas[name] = m
}

func scoreSchema() map[string]any {
	return map[string]any{"title": "Score", "anyOf": []any{
		map[string]any{"type": "number"}, map[string]any{"type": "boolean"}, map[string]any{"type": "null"},
	}}
}

func valueSchema() map[string]any {
	return map[string]any{"title": "Value", "anyOf": []any{
		map[string]any{"type": "number"}, map[string]any{"type": "boolean"}, stringSchema, objectSchema, map[string]any{"type": "null"},
	}}
}

func (b *docBuilder) feedbackModels() {
	if _, ok := b.schemas["Feedback"]; ok {
		return
	}
	b.model("FeedbackCreateRequest", "Feedback on a run.", map[string]any{
		"run_id":  with(nullable(map[string]any{"type": "string", "format": "uuid"}), "title", "Run Id"),
		"key":     map[string]any{"type": "string", "title": "Key"},
		"score":   scoreSchema(),
		"value":   valueSchema(),
		"comment": with(nullable(stringSchema), "title", "Comment"),
	}, "run_id", "key")
	b.model("Feedback", "Feedback as stored.", map[string]any{
		"id":          map[string]any{"type": "string", "format": "uuid", "title": "Id"},
		"run_id":      with(nullable(map[string]any{"type": "string", "format": "uuid"}), "title", "Run Id"),
		"key":         map[string]any{"type": "string", "title": "Key"},
		"score":       scoreSchema(),
		"value":       valueSchema(),
		"comment":     with(nullable(stringSchema), "title", "Comment"),
		"correction":  with(nullable(objectSchema), "title", "Correction"),
		"created_at":  map[string]any{"type": "string", "format": "date-time", "title": "Created At"},
		"modified_at": map[string]any{"type": "string", "format": "date-time", "title": "Modified At"},
	}, "id", "run_id", "key", "created_at", "modified_at")
}

func (b *docBuilder) traceLinkModels() {
	b.model("PublicTraceLinkCreateRequest", "", map[string]any{"run_id": map[string]any{"type": "string", "format": "uuid", "title": "Run Id"}}, "run_id")
	b.model("PublicTraceLink", "", map[string]any{"public_url": map[string]any{"type": "string", "title": "Public Url"}}, "public_url")
}

// addModel adds schema s under name, hoisting its $defs into the
// components. A name already taken by a different schema gets the
// namespace as prefix (as LangServe does on collisions). It returns the
// name used.
func (b *docBuilder) addModel(name, namespace string, s map[string]any, prefixDefs bool) string {
	s = maps.Clone(s)
	defs, _ := s["$defs"].(map[string]any)
	delete(s, "$defs")
	renames := map[string]string{}
	for _, n := range sortedKeys(defs) {
		final := n
		if prefixDefs {
			final = namespace + n
		}
		renames[n] = b.freeName(final, namespace, rewriteRefs(defs[n], nil))
	}
	for _, n := range sortedKeys(defs) {
		b.schemas[renames[n]] = rewriteRefs(defs[n], renames)
	}
	s = rewriteRefs(s, renames).(map[string]any)
	final := b.freeName(name, namespace, s)
	s["title"] = final
	b.schemas[final] = s
	return final
}

// freeName returns name, or namespace+name when name holds a different
// schema, or that with a number when even that is taken.
func (b *docBuilder) freeName(name, namespace string, s any) string {
	for i := 0; ; i++ {
		n := name
		if i > 0 {
			n = namespace + name
		}
		if i > 1 {
			n = fmt.Sprintf("%s%s%d", namespace, name, i)
		}
		old, taken := b.schemas[n]
		if !taken || reflect.DeepEqual(old, s) {
			return n
		}
	}
}

// rewriteRefs copies v, pointing "#/$defs/X" references at the components
// (renamed by renames when given).
func rewriteRefs(v any, renames map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if k == "$ref" {
				if r, ok := e.(string); ok {
					if n, ok := strings.CutPrefix(r, "#/$defs/"); ok {
						if renamed, ok := renames[n]; ok {
							n = renamed
						}
						out[k] = "#/components/schemas/" + n
						continue
					}
				}
			}
			out[k] = rewriteRefs(e, renames)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rewriteRefs(e, renames)
		}
		return out
	}
	return v
}

// mount adds the paths and models of one runnable and returns its tags.
func (b *docBuilder) mount(m *mountedDoc) []any {
	d := m.doc
	ns := d.namespace
	full := m.prefix + d.path
	on := func(e Endpoint) bool { return d.enabled[e] }
	hashOn := func(e Endpoint) bool { return d.enabled[e] && d.enabled[ConfigHashes] }

	inName := b.addModel(modelTitle(d.input, ns+"Input"), ns, d.input, false)
	outName := b.addModel(modelTitle(d.output, ns+"Output"), ns, d.output, false)
	cfgName := b.addModel(ns+modelTitle(d.config, "Config"), ns, d.config, true)

	inputField := func() map[string]any {
		return with(ref(inName), "description", "The input of the runnable.")
	}
	configField := map[string]any{"$ref": "#/components/schemas/" + cfgName,
		"description": "The part of the RunnableConfig a client may set; unknown keys are dropped."}
	kwargs := map[string]any{"type": "object", "additionalProperties": true, "title": "Kwargs", "description": "Ignored."}
	request := func(name string, extra map[string]any) string {
		props := map[string]any{"input": inputField(), "config": configField, "kwargs": kwargs}
		maps.Copy(props, extra)
		b.model(ns+name, "", props, "input")
		return ns + name
	}
	filterProps := map[string]any{}
	for _, f := range filterNames {
		filterProps[f] = with(nullable(map[string]any{"type": "array", "items": stringSchema}), "title", pyTitle(strings.ReplaceAll(f, "_", " ")))
	}
	callbackEvents := map[string]any{"type": "array", "title": "Callback Events",
		"description": "The callback events of the run, when the server includes them.", "items": objectSchema}

	models := map[Endpoint]string{}
	if on(Invoke) {
		models[Invoke] = request("InvokeRequest", nil)
		props := map[string]any{
			"output":   with(ref(outName), "description", "The output of the run."),
			"metadata": ref("InvokeResponseMetadata"),
		}
		if d.callbacks {
			props["callback_events"] = callbackEvents
		}
		b.model(ns+"InvokeResponse", "", props, "output", "metadata")
	}
	if on(Batch) {
		b.model(ns+"BatchRequest", "", map[string]any{
			"inputs": map[string]any{"type": "array", "items": ref(inName), "title": "Inputs"},
			"config": map[string]any{"title": "Config", "anyOf": []any{ref(cfgName), map[string]any{"type": "array", "items": ref(cfgName)}},
				"description": "One config for every input, or one per input."},
			"kwargs": map[string]any{"title": "Kwargs", "description": "Ignored."},
		}, "inputs")
		models[Batch] = ns + "BatchRequest"
		props := map[string]any{
			"output":   map[string]any{"type": "array", "items": ref(outName), "title": "Output"},
			"metadata": ref("BatchResponseMetadata"),
		}
		if d.callbacks {
			props["callback_events"] = map[string]any{"type": "array", "title": "Callback Events", "items": callbackEvents}
		}
		b.model(ns+"BatchResponse", "", props, "output", "metadata")
	}
	if on(Stream) {
		models[Stream] = request("StreamRequest", nil)
	}
	if on(StreamLog) {
		extra := maps.Clone(filterProps)
		extra["diff"] = map[string]any{"type": "boolean", "title": "Diff", "description": "Ignored: patches are always sent."}
		models[StreamLog] = request("StreamLogRequest", extra)
	}
	if on(StreamEvents) {
		models[StreamEvents] = request("StreamEventsRequest", filterProps)
	}

	name := strings.Trim(d.path, "/")
	tag, hashTag := "default", "config"
	if name != "" {
		tag, hashTag = name, name+"/config"
	}
	routeName := func(ep Endpoint, hash bool) string {
		n := string(ep)
		if name != "" {
			n = name + " " + n
		}
		if hash {
			n += " with config"
		}
		return n
	}
	hashParam := map[string]any{"name": "config_hash", "in": "path", "required": true,
		"description": "A config as LZ-String compressed JSON (URI-component alphabet), as the playground's share links make it.",
		"schema":      map[string]any{"type": "string", "title": "Config Hash"}}
	validation := map[string]any{"description": "Validation Error", "content": jsonContent(ref("HTTPValidationError"))}
	invalidHash := map[string]any{"description": "Invalid config hash", "content": jsonContent(map[string]any{})}

	for _, ep := range []Endpoint{InputSchema, OutputSchema, ConfigSchema, Invoke, Batch, Stream, StreamLog, StreamEvents} {
		if !on(ep) {
			continue
		}
		for _, hash := range []bool{false, true} {
			if hash && !hashOn(ep) {
				continue
			}
			path := full + "/" + string(ep)
			t := tag
			if hash {
				path = full + "/c/{config_hash}/" + string(ep)
				t = hashTag
			}
			method := "post"
			if ep == InputSchema || ep == OutputSchema || ep == ConfigSchema {
				method = "get"
			}
			rn := routeName(ep, hash)
			op := map[string]any{
				"tags":        []any{t},
				"summary":     pyTitle(strings.ReplaceAll(rn, "_", " ")),
				"description": endpointDescription(ep, hash),
				"operationId": operationID(rn, path, method),
			}
			responses := map[string]any{}
			switch ep {
			case InputSchema, OutputSchema, ConfigSchema:
				responses["200"] = map[string]any{"description": "A JSON Schema", "content": jsonContent(map[string]any{})}
			case Invoke:
				responses["200"] = map[string]any{"description": "Successful Response", "content": jsonContent(ref(ns + "InvokeResponse"))}
			case Batch:
				responses["200"] = map[string]any{"description": "Successful Response", "content": jsonContent(ref(ns + "BatchResponse"))}
			default:
				responses["200"] = map[string]any{"description": "A stream of server-sent events",
					"content": map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}}
			}
			if model, ok := models[ep]; ok {
				op["requestBody"] = map[string]any{"required": true, "content": jsonContent(ref(model))}
				responses["422"] = validation
			}
			if hash {
				op["parameters"] = []any{hashParam}
				responses["400"] = invalidHash
				responses["422"] = validation
			}
			op["responses"] = responses
			addOp(b.paths, path, method, op)
		}
	}
	// The feedback routes: a request model, a 200 answer and the 422, and
	// for the optional ones a HEAD that tells whether they are on.
	bodyOp := func(path, method, name, summary, description, request string, ok map[string]any) map[string]any {
		return map[string]any{
			"summary":     summary,
			"description": description,
			"operationId": operationID(name, path, method),
			"requestBody": map[string]any{"required": true, "content": jsonContent(ref(request))},
			"responses":   map[string]any{"200": ok, "422": validation},
		}
	}
	headOp := func(path, name, summary, description, answer string) map[string]any {
		return map[string]any{
			"summary":     summary,
			"description": description,
			"operationId": operationID(name, path, "head"),
			"responses":   map[string]any{"200": map[string]any{"description": answer}},
		}
	}
	if on(TokenFeedback) {
		path := full + "/token_feedback"
		op := bodyOp(path, "post", "create_feedback_from_token", "Create Feedback From Token",
			"Feedback by token; it needs LangSmith, so this server answers 400.", "FeedbackCreateRequestTokenBased",
			map[string]any{"description": "Successful Response", "content": jsonContent(map[string]any{})})
		op["responses"].(map[string]any)["400"] = map[string]any{"description": "Token feedback is not configured", "content": jsonContent(map[string]any{})}
		addOp(b.paths, path, "post", op)
	}
	if on(feedbackEndpoint) {
		b.feedbackModels()
		path := full + "/feedback"
		addOp(b.paths, path, "post", bodyOp(path, "post", "create_feedback", "Create Feedback", "Store feedback on a run.",
			"FeedbackCreateRequest", map[string]any{"description": "Successful Response", "content": jsonContent(ref("Feedback"))}))
		addOp(b.paths, path, "head", headOp(path, "check_feedback_enabled", "Check Feedback Enabled",
			"Answers 200 when feedback is enabled.", "Feedback is enabled"))
	}
	if on(traceLinkEndpoint) {
		b.traceLinkModels()
		path := full + "/public_trace_link"
		addOp(b.paths, path, "put", bodyOp(path, "put", "create_public_trace_link", "Create Public Trace Link",
			"Make the trace of a run public and return its URL.", "PublicTraceLinkCreateRequest",
			map[string]any{"description": "Successful Response", "content": jsonContent(ref("PublicTraceLink"))}))
		addOp(b.paths, path, "head", headOp(path, "check_public_trace_link_enabled", "Check Public Trace Link Enabled",
			"Answers 200 when public trace links are enabled.", "Public trace links are enabled"))
	}
	tags := []any{map[string]any{"name": tag}}
	if d.enabled[ConfigHashes] {
		tags = append(tags, map[string]any{"name": hashTag,
			"description": "The same endpoints with a default config taken from the config_hash path segment (the playground's share links)."})
	}
	return tags
}

func addOp(paths map[string]any, path, method string, op map[string]any) {
	item, _ := paths[path].(map[string]any)
	if item == nil {
		item = map[string]any{}
		paths[path] = item
	}
	item[method] = op
}

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func modelTitle(s map[string]any, fallback string) string {
	if t, ok := s["title"].(string); ok && t != "" {
		return t
	}
	return fallback
}

func endpointDescription(ep Endpoint, hash bool) string {
	d := map[Endpoint]string{
		InputSchema:  "The JSON Schema of the runnable's input.",
		OutputSchema: "The JSON Schema of the runnable's output.",
		ConfigSchema: "The JSON Schema of the config a client may send.",
		Invoke:       "Run the runnable on one input and answer with its output.",
		Batch:        "Run the runnable on a list of inputs and answer with the outputs, in order.",
		Stream: "Stream the runnable's output as server-sent events: \"metadata\" with the run id, " +
			"one \"data\" event per output chunk, then \"end\" (or \"error\").",
		StreamLog: "Stream the run as RunLogPatch server-sent events: \"data\" events holding JSON Patch " +
			"operations on the run state, then \"end\" (or \"error\").",
		StreamEvents: "Stream the events of the run and of its sub-runs (on_chain_start, on_chat_model_stream, …) " +
			"as \"data\" server-sent events, then \"end\" (or \"error\").",
	}[ep]
	if hash {
		d += " The config in the path is merged under the config of the body."
	}
	return d
}

var nonIdent = regexp.MustCompile(`\W`)

// operationID is FastAPI's generated operation id: route name and path with
// every non-word character replaced by "_", then the method.
func operationID(name, path, method string) string {
	return nonIdent.ReplaceAllString(name+path, "_") + "_" + method
}

// pyTitle is Python's str.title(): every letter that follows a non-letter
// is upper-cased, every other letter lower-cased.
func pyTitle(s string) string {
	out := []rune(s)
	prev := false
	for i, r := range out {
		if unicode.IsLetter(r) {
			if prev {
				out[i] = unicode.ToLower(r)
			} else {
				out[i] = unicode.ToUpper(r)
			}
			prev = true
		} else {
			prev = false
		}
	}
	return string(out)
}

// OpenAPI returns the app's OpenAPI 3.1 document as JSON.
func (a *App) OpenAPI() ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := a.Title + "\x00" + a.Version
	if a.doc != nil && a.docKey == key {
		return a.doc, nil
	}
	mounts := slices.Clone(a.routes)
	b, err := schemaJSON(openAPI(a.Title, a.Version, mounts))
	if err != nil {
		return nil, fmt.Errorf("serve: encoding the OpenAPI document: %w", err)
	}
	a.doc, a.docKey = b, key
	return b, nil
}
