package routes

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// The expected outputs are those of the golden transcripts recorded from
// the Python reference server.
func TestRunnablesAnswerAsTheReference(t *testing.T) {
	ctx := t.Context()
	check := func(name string, got any, err error, want string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := json.Marshal(got)
		if string(b) != want {
			t.Errorf("%s = %s, want %s", name, b, want)
		}
	}
	in := map[string]any{"language": "French", "text": "hello"}

	out, err := Chat().Invoke(ctx, in)
	check("chat", out, err, `"Bonjour le monde, ceci est une réponse fixe."`)

	var typed TypedIn
	if err := json.Unmarshal([]byte(`{"name":"Ada","times":2}`), &typed); err != nil {
		t.Fatal(err)
	}
	tout, err := Typed().Invoke(ctx, typed)
	check("typed", tout, err, `{"greeting":"Hello, Ada! Hello, Ada!","length":23}`)
	if err := json.Unmarshal([]byte(`{"name":"Ada"}`), &typed); err != nil || typed.Times != 1 {
		t.Errorf("times default: got %d (%v), want 1", typed.Times, err)
	}

	docs, err := Retriever().Batch(ctx, []string{"do cats sleep", "dogs run", "nothing matches"})
	check("retriever", docs, err, `[[{"id":null,"metadata":{"id":1,"source":"a"},"page_content":"cats like to sleep","type":"Document"}],[{"id":null,"metadata":{"id":2,"source":"b"},"page_content":"dogs like to run","type":"Document"}],[]]`)

	out, err = Conf().Invoke(ctx, in, runnable.WithConfigurable(map[string]any{"answers": []any{"Salut"}}))
	check("conf configured", out, err, `"Salut"`)
	out, err = Conf().Invoke(ctx, in)
	check("conf default", out, err, `"Bonjour le monde, ceci est une réponse fixe."`)

	if _, err := Fail().Invoke(ctx, 1); err == nil {
		t.Error("fail: no error")
	}
}

// "times" comes from the request: a huge count must be refused, not
// allocated (the whole greeting is built in memory).
func TestTypedRefusesHugeGreetings(t *testing.T) {
	for _, times := range []int{math.MaxInt, 1 << 40, MaxGreetingBytes} {
		out, err := Typed().Invoke(t.Context(), TypedIn{Name: "Ada", Times: times})
		if err == nil {
			t.Errorf("times %d: greeting of %d bytes, want an error", times, len(out.Greeting))
		}
	}
	if out, err := Typed().Invoke(t.Context(), TypedIn{Name: "Ada", Times: 1000}); err != nil || out.Length != 1000*12-1 {
		t.Errorf("times 1000: length %d, %v", out.Length, err)
	}
}
