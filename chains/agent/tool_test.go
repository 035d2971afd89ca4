package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/chains/agent"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

type addArgs struct {
	A int `json:"a" jsonschema:"description=The first number"`
	B int `json:"b"`
}

func addTool() agent.Tool {
	return agent.NewTool("add", "Adds two integers.", func(_ context.Context, in addArgs) (int, error) {
		return in.A + in.B, nil
	})
}

type place struct {
	City    string `json:"city"`
	Country string `json:"country,omitempty"`
}

type weatherArgs struct {
	Where place  `json:"where"`
	Unit  string `json:"unit,omitempty" jsonschema:"enum=celsius,enum=fahrenheit"`
}

type report struct {
	City string  `json:"city"`
	Temp float64 `json:"temp"`
	Sky  string  `json:"sky"`
}

func weatherTool() agent.Tool {
	return agent.NewTool("weather", "Current weather in a city.", func(_ context.Context, in weatherArgs) (report, error) {
		return report{City: in.Where.City, Temp: 21.5, Sky: "clear & <sunny>"}, nil
	})
}

// tree is a recursive argument type.
type tree struct {
	Label    string `json:"label"`
	Children []tree `json:"children,omitempty"`
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestToolParameters(t *testing.T) {
	for _, tt := range []struct {
		name string
		tool agent.Tool
		want string
	}{
		{"flat struct", addTool(),
			`{"properties":{"a":{"description":"The first number","type":"integer"},"b":{"type":"integer"}},"required":["a","b"],"type":"object"}`},
		{"nested struct inlined", weatherTool(),
			`{"properties":{"unit":{"enum":["celsius","fahrenheit"],"type":"string"},"where":{"properties":{"city":{"type":"string"},"country":{"type":"string"}},"required":["city"],"type":"object"}},"required":["where"],"type":"object"}`},
		{"map", agent.NewTool("anything", "d", func(_ context.Context, in map[string]any) (string, error) { return "", nil }),
			`{"additionalProperties":true,"type":"object"}`},
		{"no arguments", agent.NewTool("now", "d", func(context.Context, struct{}) (string, error) { return "noon", nil }),
			`{"properties":{},"type":"object"}`},
		{"recursive type keeps its definition", agent.NewTool("walk", "d", func(context.Context, tree) (int, error) { return 0, nil }),
			`{"$defs":{"tree":{"properties":{"children":{"items":{"$ref":"#/$defs/tree"},"type":"array"},"label":{"type":"string"}},"required":["label"],"type":"object"}},` +
				`"properties":{"children":{"items":{"$ref":"#/$defs/tree"},"type":"array"},"label":{"type":"string"}},"required":["label"],"type":"object"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.tool.Err(); err != nil {
				t.Fatal(err)
			}
			if got := jsonOf(t, tt.tool.Parameters()); got != tt.want {
				t.Errorf("parameters\n got %s\nwant %s", got, tt.want)
			}
			spec := tt.tool.Spec()
			if spec.Name != tt.tool.Name() || spec.Description != tt.tool.Description() || jsonOf(t, spec.Parameters) != tt.want {
				t.Errorf("Spec = %+v", spec)
			}
		})
	}
	// Parameters returns a copy.
	p := addTool().Parameters()
	p["type"] = "changed"
	if addTool().Parameters()["type"] != "object" {
		t.Error("Parameters shares its map")
	}
}

func TestToolMistakes(t *testing.T) {
	for _, tt := range []struct {
		name string
		tool agent.Tool
		want string
	}{
		{"empty name", agent.NewTool("", "d", func(context.Context, addArgs) (int, error) { return 0, nil }), "tool name"},
		{"name with spaces", agent.NewTool("add numbers", "d", func(context.Context, addArgs) (int, error) { return 0, nil }), `tool name "add numbers"`},
		{"nil function", agent.NewTool[addArgs, int]("add", "d", nil), "nil function"},
		{"scalar arguments", agent.NewTool("echo", "d", func(_ context.Context, s string) (string, error) { return s, nil }), "must be a struct or a map"},
		{"arguments without JSON form", agent.NewTool("ch", "d", func(context.Context, chan int) (int, error) { return 0, nil }), "parameters"},
		{"zero tool", agent.Tool{}, "build tools with NewTool"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tool.Err()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err = %v, want one mentioning %q", err, tt.want)
			}
			if _, ierr := tt.tool.Invoke(t.Context(), map[string]any{}); ierr == nil {
				t.Error("Invoke of a broken tool succeeded")
			}
			if _, nerr := agent.New(scriptedModel(), []agent.Tool{tt.tool}, nil); nerr == nil || !strings.Contains(nerr.Error(), tt.want) {
				t.Errorf("New accepted the broken tool: %v", nerr)
			}
		})
	}
}

func TestToolInvoke(t *testing.T) {
	var c runnable.Collector
	out, err := addTool().Invoke(t.Context(), map[string]any{"a": 2, "b": 40}, runnable.WithCallbacks(&c))
	if err != nil || out != 42 {
		t.Fatalf("Invoke = %v, %v; want 42", out, err)
	}
	events := c.Events()
	if len(events) != 2 || events[0].Type != runnable.ToolRun || events[0].Name != "add" || events[1].Output != 42 {
		t.Errorf("events %+v, want a tool run named add ending with 42", events)
	}
	if in, _ := events[0].Input.(map[string]any); in["a"] != 2 {
		t.Errorf("tool run input %v, want the arguments", events[0].Input)
	}

	for _, tt := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"missing field", map[string]any{"a": 1}, "b: Field required"},
		{"wrong type", map[string]any{"a": "one", "b": 2}, "a: Input should be a valid integer"},
		{"nested", map[string]any{"where": map[string]any{}, "unit": "kelvin"}, "where.city: Field required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tool := addTool()
			if tt.name == "nested" {
				tool = weatherTool()
			}
			_, err := tool.Invoke(t.Context(), tt.args)
			if !errors.Is(err, agent.ErrInvalidArguments) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrInvalidArguments mentioning %q", err, tt.want)
			}
		})
	}

	// Results that are not strings become JSON, without HTML escaping.
	msg := weatherTool().Call(t.Context(), schema.ToolCall{Name: "weather", ID: "call_9", Args: map[string]any{"where": map[string]any{"city": "Paris"}}})
	if msg.Type != schema.ToolType || msg.ToolCallID != "call_9" || msg.Name != "weather" || msg.Status != "" ||
		msg.Content != `{"city":"Paris","temp":21.5,"sky":"clear & <sunny>"}` {
		t.Errorf("Call = %+v", msg)
	}
}

func TestToolEdgeCases(t *testing.T) {
	// Recursive arguments are checked through the kept definitions.
	walk := agent.NewTool("walk", "Counts labels.", func(_ context.Context, in tree) (int, error) {
		var count func(tree) int
		count = func(t tree) int {
			n := 1
			for _, c := range t.Children {
				n += count(c)
			}
			return n
		}
		return count(in), nil
	})
	args := map[string]any{"label": "root", "children": []any{map[string]any{"label": "a"}, map[string]any{"label": "b", "children": []any{map[string]any{"label": "c"}}}}}
	if n, err := walk.Invoke(t.Context(), args); err != nil || n != 4 {
		t.Errorf("walk = %v, %v; want 4", n, err)
	}
	bad := map[string]any{"label": "root", "children": []any{map[string]any{"name": "a"}}}
	if _, err := walk.Invoke(t.Context(), bad); !errors.Is(err, agent.ErrInvalidArguments) || !strings.Contains(err.Error(), "children.0.label: Field required") {
		t.Errorf("walk(bad) error %v, want the nested missing label", err)
	}

	// A result without a JSON form fails the call.
	ch := agent.NewTool("chan", "d", func(context.Context, struct{}) (chan int, error) { return make(chan int), nil })
	msg := ch.Call(t.Context(), schema.ToolCall{Name: "chan", ID: "x"})
	if msg.Status != "error" || !strings.Contains(msg.Content, "cannot be written as JSON") {
		t.Errorf("Call = %+v, want an error message", msg)
	}

	// A cancelled context stops the call before the function runs.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := addTool().Invoke(ctx, map[string]any{"a": 1, "b": 2}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Invoke error %v", err)
	}
}

func TestToolSchema(t *testing.T) {
	s, err := runnable.InputSchema[map[string]any, any](addTool(), runnable.Config{})
	if err != nil || s["title"] != "add_input" || s["type"] != "object" {
		t.Errorf("input schema %v, %v; want the parameters titled add_input", s, err)
	}
}
