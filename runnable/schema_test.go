package runnable_test

import (
	"encoding/json"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

func TestSchemas(t *testing.T) {
	seq := runnable.Pipe(addOne(), mulTwo())
	for _, tt := range []struct {
		name string
		got  func() (runnable.Schema, error)
		want string
	}{
		{"lambda input", func() (runnable.Schema, error) { return runnable.InputSchema(addOne(), runnable.Config{}) },
			`{"title":"add_one_input","type":"integer"}`},
		{"lambda output", func() (runnable.Schema, error) { return runnable.OutputSchema(addOne(), runnable.Config{}) },
			`{"title":"add_one_output","type":"integer"}`},
		{"sequence input is the first step's", func() (runnable.Schema, error) { return runnable.InputSchema(seq, runnable.Config{}) },
			`{"title":"add_one_input","type":"integer"}`},
		{"sequence output is the last step's", func() (runnable.Schema, error) { return runnable.OutputSchema(seq, runnable.Config{}) },
			`{"title":"mul_two_output","type":"integer"}`},
		{"lambda config", func() (runnable.Schema, error) {
			return runnable.ConfigSchema(addOne(), []string{"configurable"}), nil
		}, `{"properties":{},"title":"add_one_config","type":"object"}`},
		{"sequence config with tags", func() (runnable.Schema, error) {
			return runnable.ConfigSchema(seq, []string{"tags"}), nil
		}, `{"properties":{"tags":{"default":null,"items":{"type":"string"},"title":"Tags","type":"array"}},"title":"RunnableSequenceConfig","type":"object"}`},
		{"alternatives config", func() (runnable.Schema, error) {
			alt := runnable.Alternatives(runnable.ConfigSpec{ID: "llm", Name: "LLM", Default: "fake"},
				map[string]runnable.Runnable[int, int]{"fake": addOne(), "other": mulTwo()})
			return runnable.ConfigSchema(alt, []string{"configurable"}), nil
		}, `{"$defs":{"Configurable":{"properties":{"llm":{"$ref":"#/$defs/LLM","default":"fake","title":"LLM"}},"title":"Configurable","type":"object"},"LLM":{"enum":["other","fake"],"title":"LLM","type":"string"}},"properties":{"configurable":{"$ref":"#/$defs/Configurable","default":null}},"title":"add_one_config","type":"object"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.got()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(s)
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestSchemaTitle(t *testing.T) {
	for _, tt := range []struct{ name, suffix, want string }{
		{"RunnableSequence", "Input", "RunnableSequenceInput"},
		{"add_one", "Input", "add_one_input"},
		{"echo", "Config", "echo_config"},
		{"/chat", "Output", "/chat_output"},
	} {
		if got := runnable.SchemaTitle(tt.name, tt.suffix); got != tt.want {
			t.Errorf("SchemaTitle(%q, %q) = %q, want %q", tt.name, tt.suffix, got, tt.want)
		}
	}
}
