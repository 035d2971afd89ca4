package httpserver_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/internal/httpserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// messages is a slog.Handler that passes each message to a channel, so a
// test can wait for a step of the shutdown instead of sleeping.
type messages chan string

func (m messages) Enabled(context.Context, slog.Level) bool { return true }
func (m messages) Handle(_ context.Context, r slog.Record) error {
	m <- r.Message
	return nil
}
func (m messages) WithAttrs([]slog.Attr) slog.Handler { return m }
func (m messages) WithGroup(string) slog.Handler      { return m }

// waitFor reads messages until want arrives.
func (m messages) waitFor(t *testing.T, want string) {
	t.Helper()
	for got := range m {
		if got == want {
			return
		}
	}
	t.Fatalf("log closed before %q", want)
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// client does not keep connections, so that every request dials anew and
// nothing is left idle when goleak looks.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

func get(url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestServeStopsOnCancel(t *testing.T) {
	ln := listen(t)
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	log := make(messages, 16)
	done := make(chan error, 1)
	go func() {
		done <- httpserver.Serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello "+r.URL.Path)
		}), &httpserver.Options{Logger: slog.New(log)})
	}()
	if body, err := get(url + "/x"); err != nil || body != "hello /x" {
		t.Fatalf("GET /x = %q, %v", body, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
	log.waitFor(t, "shutting down")
	log.waitFor(t, "stopped")
	if _, err := get(url + "/x"); err == nil {
		t.Error("the server still answers after Serve returned")
	}
}

// TestServeLetsRunningRequestsFinish holds a request open across the
// shutdown: it must complete with its context intact.
func TestServeLetsRunningRequestsFinish(t *testing.T) {
	ln := listen(t)
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	log := make(messages, 16)
	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- httpserver.Serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
			if err := r.Context().Err(); err != nil {
				io.WriteString(w, "cancelled: "+err.Error())
				return
			}
			io.WriteString(w, "finished")
		}), &httpserver.Options{Grace: time.Hour, Logger: slog.New(log)})
	}()
	type result struct {
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		body, err := get(url)
		res <- result{body, err}
	}()
	<-entered
	cancel()
	log.waitFor(t, "shutting down")
	close(release)
	if r := <-res; r.err != nil || r.body != "finished" {
		t.Errorf("running request = %q, %v; want finished", r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
}

// TestServeCancelsRequestsAfterGrace holds a request until its context
// ends, which only the end of the grace period does.
func TestServeCancelsRequestsAfterGrace(t *testing.T) {
	ln := listen(t)
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	entered := make(chan struct{})
	var handlerErr error
	var wg sync.WaitGroup
	wg.Add(1)
	done := make(chan error, 1)
	go func() {
		done <- httpserver.Serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer wg.Done()
			close(entered)
			<-r.Context().Done()
			handlerErr = r.Context().Err()
		}), &httpserver.Options{Grace: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	}()
	res := make(chan struct{})
	go func() {
		defer close(res)
		get(url) // it may or may not get an empty response before its connection closes
	}()
	<-entered
	cancel()
	err := <-done
	if !errors.Is(err, httpserver.ErrGraceExceeded) {
		t.Errorf("Serve = %v, want ErrGraceExceeded", err)
	}
	wg.Wait()
	if !errors.Is(handlerErr, context.Canceled) {
		t.Errorf("request context: %v, want context.Canceled", handlerErr)
	}
	<-res
}

func TestServeReturnsServeError(t *testing.T) {
	ln := listen(t)
	ln.Close()
	err := httpserver.Serve(t.Context(), ln, http.NotFoundHandler(), nil)
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve on a closed listener = %v, want its accept error", err)
	}
}
