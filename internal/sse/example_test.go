package sse_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/langserve-go/langserve/internal/sse"
)

func ExampleWriter() {
	handler := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := sse.NewWriter(rw)
		defer w.Close()
		for _, chunk := range []string{`"Bonjour"`, `" "`, `"monde"`} {
			if err := w.Event("data", []byte(chunk)); err != nil {
				return // the client is gone
			}
		}
		w.End()
	})

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("POST", "/chat/stream", nil))
	fmt.Println(rec.Header().Get("Content-Type"))
	fmt.Printf("%q\n", rec.Body.String())
	// Output:
	// text/event-stream; charset=utf-8
	// "event: data\r\ndata: \"Bonjour\"\r\n\r\nevent: data\r\ndata: \" \"\r\n\r\nevent: data\r\ndata: \"monde\"\r\n\r\nevent: end\r\n\r\n"
}

func ExampleParse() {
	stream := ": ping - 2024-05-01 12:00:00.123456\r\n\r\n" +
		"event: data\r\ndata: {\"a\":1}\r\n\r\n" +
		"event: end\r\n\r\n"
	for ev, err := range sse.Parse(strings.NewReader(stream)) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		if ev.Comment {
			continue
		}
		fmt.Printf("%s %q\n", ev.Name, ev.Data)
	}
	// Output:
	// data "{\"a\":1}"
	// end ""
}
