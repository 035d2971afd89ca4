package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

// ErrInvalidArguments is wrapped by the error of a tool call whose
// arguments do not match the tool's parameters schema.
var ErrInvalidArguments = errors.New("agent: invalid tool arguments")

// Tool is a typed Go function the model may call; build one with
// [NewTool]. A Tool is a runnable from the call's arguments to the
// function's result, traced as a run of type tool (on_tool_start /
// on_tool_end in stream_events). It is immutable and safe for concurrent
// use.
type Tool struct {
	name        string
	description string
	params      map[string]any
	fn          func(ctx context.Context, args map[string]any) (any, error)
	err         error // a construction mistake, reported by every call
}

// toolName is what OpenAI accepts as a function name.
var toolName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// NewTool makes fn a tool named name. The parameters schema the model sees
// is derived from In, which must be a struct or a map with string keys;
// field names and descriptions come from the json and jsonschema struct tags
// (`jsonschema:"description=…"`), and fields without omitempty are
// required. The schema is cleaned the way LangChain prepares tool schemas
// for OpenAI: no titles, nested definitions inlined.
//
// When the tool is called, the arguments are checked against the schema and
// decoded into In; fn's result becomes the tool message's content: a string
// as it is, anything else as JSON. A panic in fn is returned as a
// *runnable.PanicError.
//
// Mistakes (a name OpenAI would refuse, an In without a JSON object form,
// a nil fn) are not reported here: every call of the tool fails with them,
// and [New] refuses the tool.
func NewTool[In, Out any](name, description string, fn func(ctx context.Context, in In) (Out, error)) Tool {
	t := Tool{name: name, description: description}
	var errs []error
	if !toolName.MatchString(name) {
		errs = append(errs, fmt.Errorf("agent: tool name %q must be 1 to 64 letters, digits, _ or -", name))
	}
	if fn == nil {
		errs = append(errs, fmt.Errorf("agent: tool %q: nil function", name))
	}
	s, err := jsonschema.For(reflect.TypeFor[In](), "")
	if err != nil {
		errs = append(errs, fmt.Errorf("agent: tool %q: parameters: %w", name, err))
	} else {
		t.params = parameters(s)
		if t.params["type"] != "object" {
			errs = append(errs, fmt.Errorf("agent: tool %q: the arguments type %v must be a struct or a map with string keys: a model passes arguments as a JSON object", name, reflect.TypeFor[In]()))
		}
		if d, ok := t.params["description"].(string); ok {
			delete(t.params, "description")
			if t.description == "" {
				t.description = d
			}
		}
	}
	if t.err = errors.Join(errs...); t.err != nil {
		return t
	}
	t.fn = func(ctx context.Context, args map[string]any) (any, error) {
		raw, err := json.Marshal(args)
		if err != nil {
			return nil, fmt.Errorf("%w for tool %q: %v", ErrInvalidArguments, name, err)
		}
		var in In
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, fmt.Errorf("%w for tool %q: %v", ErrInvalidArguments, name, err)
		}
		return fn(ctx, in)
	}
	return t
}

// Name returns the tool's name.
func (t Tool) Name() string { return t.name }

// Description returns what the model is told about the tool.
func (t Tool) Description() string { return t.description }

// Parameters returns the JSON Schema of the tool's arguments, as the model
// sees it. The caller may modify the copy it gets.
func (t Tool) Parameters() map[string]any { return cloneMap(t.params) }

// Spec returns the tool as [chatmodel.Model.BindTools] takes it.
func (t Tool) Spec() chatmodel.Tool {
	return chatmodel.Tool{Name: t.name, Description: t.description, Parameters: t.Parameters()}
}

// Err returns the mistake the tool was built with, or nil.
func (t Tool) Err() error {
	if t.fn == nil && t.err == nil {
		return errors.New("agent: a zero Tool; build tools with NewTool")
	}
	return t.err
}

// Describe names the tool's runs after the tool, with run type tool.
func (t Tool) Describe() runnable.Info {
	return runnable.Info{Name: t.name, Type: runnable.ToolRun}
}

// Invoke calls the tool with args in a run of type tool whose input is
// args and whose output is the function's result.
func (t Tool) Invoke(ctx context.Context, args map[string]any, opts ...runnable.Option) (any, error) {
	ctx, run := runnable.StartRun(ctx, t.Describe(), args, opts...)
	out, err := t.call(ctx, args)
	if err != nil {
		return nil, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

// Stream yields the result of Invoke; tools do not stream.
func (t Tool) Stream(ctx context.Context, args map[string]any, opts ...runnable.Option) iter.Seq2[any, error] {
	return runnable.StreamByInvoke(ctx, t, args, opts...)
}

// Batch invokes the tool on every input; see [runnable.BatchOf].
func (t Tool) Batch(ctx context.Context, ins []map[string]any, opts ...runnable.Option) ([]any, error) {
	return runnable.BatchOf(ctx, t, ins, opts...)
}

// Call answers a model's tool call with a tool message, as LangGraph's
// ToolNode does: the tool runs in a run of type tool whose input is the
// call's arguments and whose output is the tool message. When the tool
// fails, the message has status "error" and tells the model what went
// wrong, so that it can try again, and the run reports the error.
func (t Tool) Call(ctx context.Context, call schema.ToolCall, opts ...runnable.Option) schema.Message {
	args := call.Args
	if args == nil {
		args = map[string]any{}
	}
	msg := schema.Message{Type: schema.ToolType, Name: t.name, ToolCallID: call.ID}
	ctx, run := runnable.StartRun(ctx, t.Describe(), args, opts...)
	out, err := t.call(ctx, args)
	if err == nil {
		msg.Content, err = content(out)
	}
	if err != nil {
		run.Fail(err)
		return errorMessage(msg, err.Error())
	}
	run.End(msg)
	return msg
}

// errorMessage is LangGraph's ToolNode error reply.
func errorMessage(msg schema.Message, text string) schema.Message {
	msg.Content = "Error: " + text + "\n Please fix your mistakes."
	msg.Status = "error"
	return msg
}

// call checks args and runs the function, turning a panic into an error.
func (t Tool) call(ctx context.Context, args map[string]any) (out any, err error) {
	if err := t.Err(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	if err := t.check(args); err != nil {
		return nil, err
	}
	defer func() {
		if v := recover(); v != nil {
			err = &runnable.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return t.fn(ctx, args)
}

// check validates args against the parameters schema, reporting every
// problem the way pydantic lists them.
func (t Tool) check(args map[string]any) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("%w for tool %q: %v", ErrInvalidArguments, t.name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%w for tool %q: %v", ErrInvalidArguments, t.name, err)
	}
	errs := validate.Value(t.params, v)
	if len(errs) == 0 {
		return nil
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		loc := make([]string, len(e.Loc))
		for j, l := range e.Loc {
			loc[j] = fmt.Sprint(l)
		}
		parts[i] = strings.Join(loc, ".") + ": " + e.Msg
		if len(loc) == 0 {
			parts[i] = e.Msg
		}
	}
	return fmt.Errorf("%w for tool %q: %s", ErrInvalidArguments, t.name, strings.Join(parts, "; "))
}

// content turns a tool's result into message content as LangChain does: a
// string stays as it is, anything else is written as JSON.
func content(out any) (string, error) {
	if s, ok := out.(string); ok {
		return s, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return "", fmt.Errorf("agent: the tool's result cannot be written as JSON: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// InputSchema is the tool's parameters schema, titled after the tool.
func (t Tool) InputSchema(runnable.Config) (runnable.Schema, error) {
	if err := t.Err(); err != nil {
		return nil, err
	}
	s := t.Parameters()
	s["title"] = runnable.SchemaTitle(t.name, "Input")
	return s, nil
}

// OutputSchema leaves the output schema to the Go type (any value).
func (t Tool) OutputSchema(runnable.Config) (runnable.Schema, error) { return nil, nil }

// parameters cleans a generated schema for a model's tool list, as
// LangChain's convert_to_openai_tool does: titles are dropped and
// references into $defs are replaced by the definitions, except for
// recursive types, whose definitions stay.
func parameters(s map[string]any) map[string]any {
	defs, _ := s["$defs"].(map[string]any)
	keep := map[string]bool{}
	out := clean(s, defs, nil, keep)
	delete(out, "$defs")
	if len(keep) > 0 {
		kept := map[string]any{}
		for name := range keep {
			if d, ok := defs[name].(map[string]any); ok {
				kept[name] = clean(d, defs, []string{name}, keep)
			}
		}
		out["$defs"] = kept
	}
	return out
}

// clean returns a copy of schema s without titles and with references
// inlined. stack holds the definitions being inlined, to spot recursion;
// keep collects the definitions that must stay because of it.
func clean(s map[string]any, defs map[string]any, stack []string, keep map[string]bool) map[string]any {
	out := map[string]any{}
	if ref, ok := s["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		def, isDef := defs[name].(map[string]any)
		switch {
		case !found || !isDef:
			out["$ref"] = ref
		case slices.Contains(stack, name):
			out["$ref"] = ref
			keep[name] = true
		default:
			maps.Copy(out, clean(def, defs, append(stack, name), keep))
		}
	}
	for k, v := range s {
		switch k {
		case "$ref", "$defs", "title":
		case "properties":
			props, _ := v.(map[string]any)
			cp := make(map[string]any, len(props))
			for name, p := range props {
				if ps, ok := p.(map[string]any); ok {
					cp[name] = clean(ps, defs, stack, keep)
				} else {
					cp[name] = p
				}
			}
			out[k] = cp
		case "items", "additionalProperties", "not":
			if sub, ok := v.(map[string]any); ok {
				out[k] = clean(sub, defs, stack, keep)
			} else {
				out[k] = v
			}
		case "anyOf", "oneOf", "allOf", "prefixItems":
			list, _ := v.([]any)
			cp := make([]any, len(list))
			for i, e := range list {
				if es, ok := e.(map[string]any); ok {
					cp[i] = clean(es, defs, stack, keep)
				} else {
					cp[i] = e
				}
			}
			out[k] = cp
		default:
			out[k] = v
		}
	}
	return out
}

// cloneMap deep-copies a JSON tree.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

var (
	_ runnable.Runnable[map[string]any, any] = Tool{}
	_ runnable.Describer                     = Tool{}
	_ runnable.SchemaProvider                = Tool{}
)
