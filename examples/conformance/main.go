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
	"flag"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/langserve-go/langserve/examples/conformance/routes"
	"github.com/langserve-go/langserve/internal/httpserver"
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
	log.Info("serving the LangServe reference routes", "addr", "http://"+ln.Addr().String(),
		"routes", "/echo /chat /chatmsg /chatv1 /fail /typed /retriever /conf /conflocked")
	return httpserver.Serve(ctx, ln, routes.New(routes.WithLogger(log)), &httpserver.Options{Grace: grace, Logger: log})
}
