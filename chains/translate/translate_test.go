package translate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/chains/translate"
	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
)

func TestTranslateStreamsTheModelReply(t *testing.T) {
	chain := translate.New(chatmodel.Fake("Bonjour le monde"), nil)
	var chunks []string
	for c, err := range chain.Stream(t.Context(), translate.Request{Text: "hello world", TargetLanguage: "French"}) {
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
	}
	if got := strings.Join(chunks, ""); got != "Bonjour le monde" || len(chunks) < 2 {
		t.Errorf("chunks %q: want the reply in more than one chunk", chunks)
	}
}

func TestTranslatePromptCarriesTheLanguages(t *testing.T) {
	var c runnable.Collector
	chain := translate.New(chatmodel.Fake("Hallo"), nil)
	_, err := chain.Invoke(t.Context(), translate.Request{Text: "hello", TargetLanguage: "German", SourceLanguage: "English"}, runnable.WithCallbacks(&c))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range c.Events() {
		if ev.Type == runnable.PromptRun && ev.Kind == runnable.EventEnd {
			text := ev.Output.(interface{ String() string }).String()
			if !strings.Contains(text, "from English to German") || !strings.Contains(text, "hello") {
				t.Errorf("prompt = %q", text)
			}
			return
		}
	}
	t.Error("no prompt run")
}

func TestTranslateRejectsBadInput(t *testing.T) {
	chain := translate.New(chatmodel.Fake("x"), &translate.Options{Languages: []string{"French", "German"}, MaxTextLength: 10})
	for _, tt := range []struct {
		name  string
		req   translate.Request
		field string
	}{
		{"empty text", translate.Request{Text: " ", TargetLanguage: "French"}, "text"},
		{"too long", translate.Request{Text: strings.Repeat("é", 11), TargetLanguage: "French"}, "text"},
		{"unknown target", translate.Request{Text: "hi", TargetLanguage: "Klingon"}, "target_language"},
		{"unknown source", translate.Request{Text: "hi", TargetLanguage: "French", SourceLanguage: "Latin"}, "source_language"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := chain.Invoke(t.Context(), tt.req)
			var ie *translate.InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("error %v, want an InputError on %s", err, tt.field)
			}
		})
	}
	// The same limits are in the input schema, which serve validates
	// requests against before running the chain.
	s, err := runnable.InputSchema(chain, runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"text": "hello", "target_language": "French"}, ""},
		{map[string]any{"text": "hello", "target_language": "Klingon"}, "literal_error"},
		{map[string]any{"text": strings.Repeat("a", 11), "target_language": "French"}, "string_too_long"},
		{map[string]any{"target_language": "French"}, "missing"},
	} {
		errs := validate.Value(s, tt.in)
		got := ""
		if len(errs) > 0 {
			got = errs[0].Type
		}
		if got != tt.want {
			t.Errorf("validate %v: %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A nil model is a construction mistake; the chain reports it on every
// call instead of panicking in the middle of a request.
func TestTranslateNilModelFails(t *testing.T) {
	chain := translate.New(nil, nil)
	req := translate.Request{Text: "hello", TargetLanguage: "French"}
	if _, err := chain.Invoke(t.Context(), req); err == nil || !strings.Contains(err.Error(), "nil chat model") {
		t.Errorf("Invoke: %v, want a nil model error", err)
	}
	var last error
	for _, err := range chain.Stream(t.Context(), req) {
		last = err
	}
	if last == nil {
		t.Error("Stream: no error")
	}
	if _, err := chain.Batch(t.Context(), []translate.Request{req}); err == nil {
		t.Error("Batch: no error")
	}
}
