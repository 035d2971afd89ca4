package httpserver_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/langserve-go/langserve/internal/httpserver"
)

// A main serves until SIGINT or SIGTERM, then gives running requests the
// grace period to finish.
func ExampleServe() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:8000")
	if err != nil {
		slog.Error("cannot listen", "err", err)
		os.Exit(1)
	}
	slog.Info("serving", "url", "http://"+ln.Addr().String())
	if err := httpserver.Serve(ctx, ln, http.NotFoundHandler(), nil); err != nil {
		slog.Error("server failed", "err", err)
		os.Exit(1)
	}
}
