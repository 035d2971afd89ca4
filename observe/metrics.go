package observe

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/langserve-go/langserve/runnable"
)

// Metrics holds the Prometheus collectors of a server. Register it once
// per registry with NewMetrics; use its Handler as a run-event handler and
// its Middleware around the HTTP handler.
type Metrics struct {
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	inFlight   *prometheus.GaugeVec
	runs       *prometheus.CounterVec
	runTime    *prometheus.HistogramVec
	firstChunk *prometheus.HistogramVec
	chunks     *prometheus.CounterVec

	mu      sync.Mutex
	started map[uuid.UUID]runStart

	// The in-flight gauge's labels are chosen before the status is known,
	// and a series, once created, stays. So that paths answered 404 do not
	// leave series behind, the middleware counts the requests in flight per
	// label pair ("route\x00endpoint") and deletes the series of a pair
	// when its last request ends and it never answered anything but 404.
	flightMu sync.Mutex
	flying   map[string]int
	served   map[string]bool
}

type runStart struct {
	at     time.Time
	chunks bool
}

// NewMetrics creates the collectors and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "langserve_http_requests_total",
			Help: "HTTP requests by route, endpoint and status code.",
		}, []string{"route", "endpoint", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "langserve_http_request_duration_seconds",
			Help:    "Time to the end of the response (the whole stream for SSE endpoints).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"route", "endpoint"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "langserve_http_in_flight_requests",
			Help: "Requests being served, streams included.",
		}, []string{"route", "endpoint"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "langserve_runs_total",
			Help: "Runs by name, run type and outcome (ok or error).",
		}, []string{"name", "type", "outcome"}),
		runTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "langserve_run_duration_seconds",
			Help:    "Run durations by name and run type.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 13),
		}, []string{"name", "type"}),
		firstChunk: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "langserve_run_first_chunk_seconds",
			Help:    "Time from a run's start to its first streamed chunk (time to first token for chat models).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 13),
		}, []string{"name", "type"}),
		chunks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "langserve_run_chunks_total",
			Help: "Chunks streamed by runs (tokens, for chat models that stream token by token).",
		}, []string{"name", "type"}),
		started: map[uuid.UUID]runStart{},
		flying:  map[string]int{},
		served:  map[string]bool{},
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.inFlight, m.runs, m.runTime, m.firstChunk, m.chunks} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// HandleEvent records run counts, durations and streaming figures. Run
// names come from the application's runnables (and route paths), so their
// number is bounded.
func (m *Metrics) HandleEvent(_ context.Context, ev *runnable.Event) {
	typ := string(ev.Type)
	switch ev.Kind {
	case runnable.EventStart:
		m.mu.Lock()
		m.started[ev.RunID] = runStart{at: ev.StartTime}
		m.mu.Unlock()
	case runnable.EventStream:
		m.chunks.WithLabelValues(ev.Name, typ).Inc()
		m.mu.Lock()
		s, ok := m.started[ev.RunID]
		first := ok && !s.chunks
		if first {
			s.chunks = true
			m.started[ev.RunID] = s
		}
		m.mu.Unlock()
		if first {
			m.firstChunk.WithLabelValues(ev.Name, typ).Observe(ev.Time.Sub(s.at).Seconds())
		}
	case runnable.EventEnd, runnable.EventError:
		outcome := "ok"
		if ev.Kind == runnable.EventError {
			outcome = "error"
		}
		m.runs.WithLabelValues(ev.Name, typ, outcome).Inc()
		m.runTime.WithLabelValues(ev.Name, typ).Observe(ev.Time.Sub(ev.StartTime).Seconds())
		m.mu.Lock()
		delete(m.started, ev.RunID)
		m.mu.Unlock()
	}
}

// endpoints are the last path segments of LangServe routes.
var endpoints = map[string]bool{
	"invoke": true, "batch": true, "stream": true, "stream_log": true, "stream_events": true,
	"input_schema": true, "output_schema": true, "config_schema": true,
	"feedback": true, "token_feedback": true, "public_trace_link": true,
}

// routeOf splits a request path into the route it belongs to and the
// LangServe endpoint, folding /c/<hash>/ away so that hashes do not become
// label values.
func routeOf(path string) (route, endpoint string) {
	path = strings.TrimSuffix(path, "/")
	if i := strings.Index(path, "/playground"); i >= 0 {
		return path[:i], "playground"
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 || !endpoints[path[i+1:]] {
		return "", "other"
	}
	route, endpoint = path[:i], path[i+1:]
	if j := strings.LastIndex(route, "/c/"); j >= 0 && !strings.Contains(route[j+3:], "/") {
		route = route[:j]
	}
	return route, endpoint
}

// Middleware counts requests and measures their latency by route and
// endpoint. Requests answered 404 are counted under route "unmatched", so
// that scanners cannot grow the label set, and leave no in-flight series
// behind. It keeps the ResponseWriter's Flush (through Unwrap), so SSE
// streams are not buffered.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, endpoint := routeOf(r.URL.Path)
		start := time.Now()
		pair := route + "\x00" + endpoint
		m.flightMu.Lock()
		m.flying[pair]++
		m.flightMu.Unlock()
		gauge := m.inFlight.WithLabelValues(route, endpoint)
		gauge.Inc()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			gauge.Dec()
			m.land(pair, route, endpoint, rec.status != http.StatusNotFound)
			if rec.status == http.StatusNotFound {
				route, endpoint = "unmatched", "other"
			}
			m.requests.WithLabelValues(route, endpoint, strconv.Itoa(rec.status)).Inc()
			m.latency.WithLabelValues(route, endpoint).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

// land records the end of a request on pair, deleting the pair's
// in-flight series when nothing is in flight on it and it never served.
func (m *Metrics) land(pair, route, endpoint string, served bool) {
	m.flightMu.Lock()
	defer m.flightMu.Unlock()
	if served && !m.served[pair] {
		m.served[pair] = true
	}
	if m.flying[pair]--; m.flying[pair] > 0 {
		return
	}
	delete(m.flying, pair)
	if !m.served[pair] {
		m.inFlight.DeleteLabelValues(route, endpoint)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and SetWriteDeadline.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
