// Command loadtest measures the overhead of langserve-go on loopback: it
// serves, in one process, (a) the conformance routes and (b) a bare
// net/http handler doing the same JSON and SSE work with none of the
// framework, and drives both alternately with the same closed-loop load
// (N keep-alive connections, each sending its next request when the
// previous answer was read in full).
//
//	go run ./examples/conformance/loadtest -d 10s -c 32 -rounds 3
//
// Two endpoints are measured:
//
//   - POST /echo/invoke: decode the request envelope, answer
//     {"output":…,"metadata":{"run_id":…,"feedback_tokens":[]}};
//   - POST /chat/stream: the whole stream — a metadata event, the model's
//     15 chunks as data events, end — each event flushed.
//
// It prints req/s, p50 and p99 per round and, over all rounds, the
// medians and the ratio serve/bare (targets: ≥ 0.70 on /echo/invoke,
// ≥ 0.60 on /chat/stream). With -cpuprofile it then profiles each server
// on each endpoint, one at a time; the profiles include the load
// generator, which runs in the same process (focus on net/http.(*conn).serve). These are benchmark figures: they
// depend on the machine and on everything else running on it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/examples/conformance/routes"
)

func main() {
	var cfg config
	flag.DurationVar(&cfg.duration, "d", 10*time.Second, "duration of each measurement")
	flag.IntVar(&cfg.conns, "c", 32, "concurrent connections")
	flag.IntVar(&cfg.rounds, "rounds", 3, "rounds; each measures every endpoint on both servers")
	flag.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "warm-up load per endpoint and server before the rounds")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "after the rounds, profile each server alone on each endpoint: writes PREFIX-{serve,bare}-{echo,chat}.pprof")
	flag.Parse()
	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type config struct {
	duration, warmup time.Duration
	conns, rounds    int
	cpuprofile       string
	// maxRequests ends a measurement after that many requests (0: no
	// limit); the tests use it to stay short.
	maxRequests int64
}

func (c config) check() error {
	switch {
	case c.duration <= 0 || c.duration > time.Hour:
		return fmt.Errorf("-d %v: want a duration in (0, 1h]", c.duration)
	case c.conns < 1 || c.conns > 4096:
		return fmt.Errorf("-c %d: want 1..4096 connections", c.conns)
	case c.rounds < 1 || c.rounds > 100:
		return fmt.Errorf("-rounds %d: want 1..100", c.rounds)
	case c.warmup < 0 || c.warmup > time.Hour:
		return fmt.Errorf("-warmup %v: want a duration in [0, 1h]", c.warmup)
	}
	return nil
}

// endpoint is one measured route with its request and answer check.
type endpoint struct {
	name, path string
	body       []byte
	check      func(status int, body []byte) error
	target     float64 // minimum ratio serve/bare
}

var endpoints = []endpoint{
	{
		name: "/echo/invoke", path: "/echo/invoke",
		body:   []byte(`{"input":{"a":1,"b":[true,null,"x"]},"config":{},"kwargs":{}}`),
		check:  checkEcho,
		target: 0.70,
	},
	{
		name: "/chat/stream", path: "/chat/stream",
		body:   []byte(`{"input":{"language":"French","text":"hello"},"config":{},"kwargs":{}}`),
		check:  checkChatStream,
		target: 0.60,
	},
}

func checkEcho(status int, body []byte) error {
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte(`{"output":{"a":1,"b":[true,null,"x"]},"metadata":{"run_id":"`)) {
		return fmt.Errorf("echo: %d %.120s", status, body)
	}
	return nil
}

func checkChatStream(status int, body []byte) error {
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte("event: metadata\r\n")) ||
		bytes.Count(body, []byte("event: data\r\n")) != len(tokens) || !bytes.HasSuffix(body, []byte("event: end\r\n\r\n")) {
		return fmt.Errorf("chat stream: %d %.200q", status, body)
	}
	return nil
}

// tokens are the chunks of the fake model's reply: words and the single
// spaces between them.
var tokens = func() []string {
	var out []string
	for i, w := range strings.Split(routes.Reply, " ") {
		if i > 0 {
			out = append(out, " ")
		}
		out = append(out, w)
	}
	return out
}()

// server is one of the two measured HTTP servers.
type server struct {
	name string
	url  string
	srv  *http.Server
	done chan error
}

func start(name string, h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{name: name, url: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h}, done: make(chan error, 1)}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

func (s *server) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if e := <-s.done; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

func run(ctx context.Context, out io.Writer, cfg config) error {
	serveSrv, err := start("serve", routes.New(routes.WithLogger(slog.New(slog.DiscardHandler))))
	if err != nil {
		return err
	}
	bareSrv, err := start("bare", bareHandler())
	if err != nil {
		return errors.Join(err, serveSrv.stop())
	}
	defer func() {
		serveSrv.stop()
		bareSrv.stop()
	}()

	fmt.Fprintf(out, "loopback, %d connections, %v per measurement, %d rounds, GOMAXPROCS=%d, %s\n",
		cfg.conns, cfg.duration, cfg.rounds, runtime.GOMAXPROCS(0), runtime.Version())
	servers := []*server{serveSrv, bareSrv}
	if cfg.warmup > 0 {
		for _, ep := range endpoints {
			for _, s := range servers {
				if r := drive(ctx, s, ep, cfg.conns, cfg.warmup, cfg.maxRequests); r.firstErr != nil {
					return fmt.Errorf("warm-up %s on %s: %w", ep.name, s.name, r.firstErr)
				}
			}
		}
	}

	results := map[string][]result{} // by endpoint + " " + server
	for round := 1; round <= cfg.rounds; round++ {
		for _, ep := range endpoints {
			order := servers
			if round%2 == 0 { // alternate who goes first
				order = []*server{bareSrv, serveSrv}
			}
			for _, s := range order {
				r := drive(ctx, s, ep, cfg.conns, cfg.duration, cfg.maxRequests)
				if r.firstErr != nil {
					return fmt.Errorf("round %d %s on %s: %d errors, first: %w", round, ep.name, s.name, r.errors, r.firstErr)
				}
				results[ep.name+" "+s.name] = append(results[ep.name+" "+s.name], r)
				fmt.Fprintf(out, "round %d  %-13s %-5s %9.0f req/s  p50 %8v  p99 %8v  (%d requests)\n",
					round, ep.name, s.name, r.rate(), r.p(0.50), r.p(0.99), r.n)
			}
		}
	}

	fmt.Fprintf(out, "\nmedians over %d rounds:\n", cfg.rounds)
	for _, ep := range endpoints {
		sv, bare := median(results[ep.name+" serve"]), median(results[ep.name+" bare"])
		ratio := sv.rate() / bare.rate()
		verdict := "meets"
		if ratio < ep.target {
			verdict = "MISSES"
		}
		fmt.Fprintf(out, "%-13s serve %9.0f req/s (p50 %v, p99 %v)  bare %9.0f req/s (p50 %v, p99 %v)  ratio %.2f, %s the target %.2f\n",
			ep.name, sv.rate(), sv.p(0.50), sv.p(0.99), bare.rate(), bare.p(0.50), bare.p(0.99), ratio, verdict, ep.target)
	}

	if cfg.cpuprofile != "" {
		for _, ep := range endpoints {
			for _, s := range servers {
				file := fmt.Sprintf("%s-%s-%s.pprof", cfg.cpuprofile, s.name, strings.Split(strings.Trim(ep.path, "/"), "/")[0])
				if err := profile(ctx, file, s, ep, cfg); err != nil {
					return err
				}
				fmt.Fprintf(out, "CPU profile of %s on %s: %s\n", s.name, ep.name, file)
			}
		}
	}
	return nil
}

func profile(ctx context.Context, file string, s *server, ep endpoint, cfg config) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	r := drive(ctx, s, ep, cfg.conns, cfg.duration, cfg.maxRequests)
	pprof.StopCPUProfile()
	return errors.Join(r.firstErr, f.Close())
}

// result is one measurement.
type result struct {
	n, errors int
	firstErr  error
	elapsed   time.Duration
	latencies []time.Duration // sorted
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

// p is the q-quantile of the latencies (nearest rank).
func (r result) p(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(r.latencies))+0.5) - 1
	return r.latencies[min(max(i, 0), len(r.latencies)-1)].Round(time.Microsecond)
}

// median is the round with the median rate.
func median(rs []result) result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int {
		switch {
		case a.rate() < b.rate():
			return -1
		case a.rate() > b.rate():
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// drive runs a closed loop of conns workers against one endpoint of s for
// d, or until maxRequests answers (when > 0), on fresh keep-alive
// connections, and checks every answer.
func drive(ctx context.Context, s *server, ep endpoint, conns int, d time.Duration, maxRequests int64) result {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := s.url + ep.path

	var (
		issued atomic.Int64
		mu     sync.Mutex
		total  result
		wg     sync.WaitGroup
	)
	begin := time.Now()
	deadline := begin.Add(d)
	for range conns {
		wg.Go(func() {
			var mine result
			var buf bytes.Buffer
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if maxRequests > 0 && issued.Add(1) > maxRequests {
					break
				}
				t0 := time.Now()
				status, err := post(ctx, client, url, ep.body, &buf)
				lat := time.Since(t0)
				if err == nil {
					err = ep.check(status, buf.Bytes())
				}
				if err != nil {
					mine.errors++
					if mine.firstErr == nil {
						mine.firstErr = err
					}
					continue
				}
				mine.n++
				mine.latencies = append(mine.latencies, lat)
			}
			mu.Lock()
			total.n += mine.n
			total.errors += mine.errors
			if total.firstErr == nil {
				total.firstErr = mine.firstErr
			}
			total.latencies = append(total.latencies, mine.latencies...)
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed = time.Since(begin)
	slices.Sort(total.latencies)
	return total
}

func post(ctx context.Context, client *http.Client, url string, body []byte, buf *bytes.Buffer) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	return resp.StatusCode, err
}

// bareHandler does the work of the two measured endpoints with net/http
// and encoding/json alone: the floor the framework's overhead is measured
// against.
func bareHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo/invoke", bareEcho)
	mux.HandleFunc("POST /chat/stream", bareChatStream)
	return mux
}

type envelope struct {
	Input  json.RawMessage `json:"input"`
	Config map[string]any  `json:"config"`
	Kwargs any             `json:"kwargs"`
}

func decodeEnvelope(w http.ResponseWriter, r *http.Request) (*envelope, bool) {
	var env envelope
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 10<<20)).Decode(&env); err != nil || env.Input == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"detail":["Invalid JSON body"]}`)
		return nil, false
	}
	return &env, true
}

type invokeResponse struct {
	Output   any `json:"output"`
	Metadata struct {
		RunID          string `json:"run_id"`
		FeedbackTokens []any  `json:"feedback_tokens"`
	} `json:"metadata"`
}

func bareEcho(w http.ResponseWriter, r *http.Request) {
	env, ok := decodeEnvelope(w, r)
	if !ok {
		return
	}
	var resp invokeResponse
	if err := json.Unmarshal(env.Input, &resp.Output); err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	resp.Metadata.RunID = uuid.NewString()
	resp.Metadata.FeedbackTokens = []any{}
	b, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func bareChatStream(w http.ResponseWriter, r *http.Request) {
	env, ok := decodeEnvelope(w, r)
	if !ok {
		return
	}
	var in struct {
		Language *string `json:"language"`
		Text     *string `json:"text"`
	}
	if err := json.Unmarshal(env.Input, &in); err != nil || in.Language == nil || in.Text == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"detail":[{"type":"missing","loc":["language"],"msg":"Field required"}]}`)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	event := func(name string, data []byte) bool {
		var b []byte
		b = append(b, "event: "...)
		b = append(b, name...)
		b = append(b, "\r\n"...)
		if data != nil {
			b = append(b, "data: "...)
			b = append(b, data...)
			b = append(b, "\r\n"...)
		}
		b = append(b, "\r\n"...)
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !event("metadata", []byte(`{"run_id": "`+uuid.NewString()+`"}`)) {
		return
	}
	for _, tok := range tokens {
		data, _ := json.Marshal(tok)
		if !event("data", data) {
			return
		}
	}
	event("end", nil)
}
