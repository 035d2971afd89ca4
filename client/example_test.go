package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/langserve-go/langserve/client"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/serve"
)

// startTranslator stands for a LangServe server somewhere else: it serves
// prompt | chat model | parser at /translate.
func startTranslator() *httptest.Server {
	chain := runnable.Pipe3(
		prompt.MustChat(prompt.Human("Translate to {language}: {text}")),
		chatmodel.Fake("Bonjour le monde"),
		parser.String(),
	)
	h, err := serve.NewHandler(chain, &serve.Options{Path: "/translate"})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/translate/", h)
	return httptest.NewServer(mux)
}

// A remote chain is used like a local runnable: here it is piped into a
// local step, invoked, and streamed.
func Example() {
	srv := startTranslator()
	defer srv.Close()

	remote, err := client.New[map[string]any, string](srv.URL+"/translate", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	shout := runnable.Lambda("shout", func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s) + "!", nil
	})
	chain := runnable.Pipe(remote, shout)

	ctx := context.Background()
	in := map[string]any{"language": "French", "text": "hello world"}
	out, err := chain.Invoke(ctx, in)
	fmt.Println(out, err)

	var chunks []string
	for chunk, err := range remote.Stream(ctx, in) {
		if err != nil {
			fmt.Println(err)
			return
		}
		chunks = append(chunks, chunk)
	}
	fmt.Printf("%q\n", chunks)

	_, err = remote.Invoke(ctx, map[string]any{"language": "French"})
	if e, ok := errors.AsType[*client.Error](err); ok {
		fmt.Println("status", e.Status)
	}
	// Output:
	// BONJOUR LE MONDE! <nil>
	// ["Bonjour" " " "le" " " "monde"]
	// status 422
}

// StreamLog patches build the server's view of the run: its output and
// the runs inside it.
func ExampleRemote_StreamLog() {
	srv := startTranslator()
	defer srv.Close()
	remote, err := client.New[map[string]any, string](srv.URL+"/translate", nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	var log client.RunLog
	in := map[string]any{"language": "French", "text": "hello world"}
	for patch, err := range remote.StreamLog(context.Background(), in, nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := log.Apply(patch); err != nil {
			fmt.Println(err)
			return
		}
	}
	state, err := log.State()
	if err != nil {
		fmt.Println(err)
		return
	}
	var final string
	_ = json.Unmarshal(state.FinalOutput, &final)
	var runs []string
	for name, entry := range state.Logs {
		runs = append(runs, name+" ("+entry.Type+")")
	}
	slices.Sort(runs)
	fmt.Println(state.Name, final)
	fmt.Println(runs)
	// Output:
	// /translate Bonjour le monde
	// [ChatPromptTemplate (prompt) GenericFakeChatModel (llm) StrOutputParser (parser)]
}
