package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/langserve-go/langserve/examples/conformance/internal/golden"
	"github.com/langserve-go/langserve/examples/conformance/routes"
)

// The baseline must do the same work as the routes: the same answers,
// event for event, up to the run ids.
func TestBareHandlerAnswersLikeTheRoutes(t *testing.T) {
	routesSrv := httptest.NewServer(routes.New(routes.WithLogger(slog.New(slog.DiscardHandler))))
	defer routesSrv.Close()
	bareSrv := httptest.NewServer(bareHandler())
	defer bareSrv.Close()

	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			var answers [2]golden.Response
			for i, base := range []string{routesSrv.URL, bareSrv.URL} {
				resp, err := http.Post(base+ep.path, "application/json", bytes.NewReader(ep.body))
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if err := ep.check(resp.StatusCode, body); err != nil {
					t.Errorf("%s: %v", base, err)
				}
				answers[i] = golden.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
			}
			// Compare the bare answer with the routes' as if the routes'
			// were a recording.
			ref := &golden.Exchange{
				Name: "routes", Method: http.MethodPost, Target: ep.path,
				Status: answers[0].Status, RespHeader: answers[0].Header, RespBody: answers[0].Body,
			}
			for _, d := range golden.Compare(ref, answers[1]) {
				t.Errorf("bare answer differs from the routes': %s", d)
			}
		})
	}
}

func TestBareHandlerRejectsBadInput(t *testing.T) {
	srv := httptest.NewServer(bareHandler())
	defer srv.Close()
	for _, tt := range []struct{ path, body string }{
		{"/echo/invoke", `{"input":`},
		{"/echo/invoke", `{}`},
		{"/chat/stream", `{"input":{"language":"French"}}`},
		{"/chat/stream", `{"input":"text"}`},
	} {
		resp, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s %s: status %d, want 422", tt.path, tt.body, resp.StatusCode)
		}
	}
}

// A whole run, bounded by request count rather than time: it must measure
// both servers on both endpoints and print the summary.
func TestRunReportsRatios(t *testing.T) {
	var out bytes.Buffer
	prefix := filepath.Join(t.TempDir(), "prof")
	cfg := config{duration: 10 * time.Minute, conns: 2, rounds: 2, maxRequests: 20, cpuprofile: prefix}
	if err := run(t.Context(), &out, cfg); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"serve-echo", "bare-echo", "serve-chat", "bare-chat"} {
		if st, err := os.Stat(prefix + "-" + f + ".pprof"); err != nil || st.Size() == 0 {
			t.Errorf("profile %s: %v", f, err)
		}
	}
	s := out.String()
	for _, want := range []string{
		"round 1  /echo/invoke  serve", "round 1  /echo/invoke  bare", "round 2  /chat/stream  bare",
		"(20 requests)", "medians over 2 rounds", "/echo/invoke  serve", "/chat/stream  serve", "target 0.70", "target 0.60",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestConfigCheck(t *testing.T) {
	ok := config{duration: time.Second, conns: 1, rounds: 1}
	if err := ok.check(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		change func(*config)
	}{
		{"zero duration", func(c *config) { c.duration = 0 }},
		{"no connections", func(c *config) { c.conns = 0 }},
		{"too many connections", func(c *config) { c.conns = 5000 }},
		{"no rounds", func(c *config) { c.rounds = 0 }},
		{"negative warm-up", func(c *config) { c.warmup = -time.Second }},
	} {
		c := ok
		tt.change(&c)
		if c.check() == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestQuantiles(t *testing.T) {
	r := result{n: 100, elapsed: 2 * time.Second}
	for i := 1; i <= 100; i++ {
		r.latencies = append(r.latencies, time.Duration(i)*time.Millisecond)
	}
	if r.p(0.50) != 50*time.Millisecond || r.p(0.99) != 99*time.Millisecond || r.rate() != 50 {
		t.Errorf("p50 %v p99 %v rate %v", r.p(0.50), r.p(0.99), r.rate())
	}
	m := median([]result{{n: 30, elapsed: time.Second}, {n: 10, elapsed: time.Second}, {n: 20, elapsed: time.Second}})
	if m.n != 20 {
		t.Errorf("median picked %d", m.n)
	}
}
