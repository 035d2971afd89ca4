// Command conformance serves the nine reference routes of the golden
// LangServe transcripts (/echo, /chat, /chatmsg, /chatv1, /fail, /typed,
// /retriever, /conf, /conflocked), so that the recorded requests, the
// Python and JS RemoteRunnable clients and the playground can be pointed at
// a Go server instead of the Python one.
//
//	go run ./examples/conformance -addr 127.0.0.1:8100
//
// It stops gracefully on SIGINT or SIGTERM: it stops accepting
// connections and lets running requests finish, for at most -grace.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/langserve-go/langserve/examples/conformance/routes"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8100", "address to listen on")
	grace := flag.Duration("grace", 10*time.Second, "how long running requests may take to finish at shutdown")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("cannot listen", "addr", *addr, "err", err)
		os.Exit(1)
	}
	if err := run(ctx, log, ln, *grace); err != nil {
		log.Error("conformance server failed", "err", err)
		os.Exit(1)
	}
}

// run serves on ln until ctx is cancelled, then shuts down within grace.
func run(ctx context.Context, log *slog.Logger, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           routes.New(routes.WithLogger(log)),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("serving the LangServe reference routes", "addr", "http://"+ln.Addr().String(),
		"routes", "/echo /chat /chatmsg /chatv1 /fail /typed /retriever /conf /conflocked")

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Streams still running after the grace period are cut off.
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
