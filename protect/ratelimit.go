// Package protect holds the HTTP middleware that keeps a langserve-go
// server usable under load and abuse: per-client rate limits (in process,
// or shared by all replicas through Redis) and API-key authentication.
//
// Every rejection is a JSON body {"detail": …} with the status code a
// client can act on (401, 429 with Retry-After), like the rest of the API.
package protect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Limiter decides whether one more request of a client may pass.
type Limiter interface {
	// Allow reports whether the request may pass and, when it may not, how
	// long the client should wait.
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// RateLimitOptions configure RateLimit. The zero value limits by client IP
// address and lets requests through when the limiter fails.
type RateLimitOptions struct {
	// Key identifies the client of a request. Nil means the remote IP
	// address (behind a proxy, supply a function that reads the header
	// your proxy sets, and make sure clients cannot forge it).
	Key func(*http.Request) string
	// FailClosed rejects requests with 503 when the limiter errors (Redis
	// down). By default they pass: a limiter outage should not become an
	// API outage.
	FailClosed bool
	// Logger receives limiter errors. Nil means slog.Default().
	Logger *slog.Logger
}

// RateLimit returns middleware that answers 429 with a Retry-After header
// and a JSON detail once a client exceeds l.
func RateLimit(l Limiter, opts *RateLimitOptions) func(http.Handler) http.Handler {
	var o RateLimitOptions
	if opts != nil {
		o = *opts
	}
	if o.Key == nil {
		o.Key = RemoteIP
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, wait, err := l.Allow(r.Context(), o.Key(r))
			if err != nil {
				o.Logger.ErrorContext(r.Context(), "rate limiter failed", "err", err)
				if o.FailClosed {
					writeDetail(w, http.StatusServiceUnavailable, "The rate limiter is unavailable; try again later.")
					return
				}
				ok = true
			}
			if !ok {
				secs := int(math.Ceil(wait.Seconds()))
				w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
				writeDetail(w, http.StatusTooManyRequests, fmt.Sprintf("Rate limit exceeded; retry in %d s.", max(secs, 1)))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RemoteIP is the client's IP address as the TCP connection shows it.
func RemoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeDetail(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"detail": detail})
}

// Memory is an in-process token-bucket limiter: each client gets burst
// requests at once and requests more every period (see NewMemory). Beyond 100,000
// clients it forgets those whose bucket has refilled and, if that is not
// enough, arbitrary others (see evict). Use Redis when several replicas
// must share one limit.
type Memory struct {
	limit rate.Limit
	burst int
	max   int

	mu      sync.Mutex
	clients map[string]*memClient
	now     func() time.Time
}

type memClient struct {
	l *rate.Limiter
}

// NewMemory allows each client requests per period, with bursts of up to
// burst requests. It tracks at most 100,000 clients.
func NewMemory(requests int, period time.Duration, burst int) *Memory {
	return &Memory{
		limit:   rate.Limit(float64(requests) / period.Seconds()),
		burst:   max(burst, 1),
		max:     100_000,
		clients: map[string]*memClient{},
		now:     time.Now,
	}
}

// Allow takes a token from the client's bucket.
func (m *Memory) Allow(_ context.Context, key string) (bool, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	c, ok := m.clients[key]
	if !ok {
		if len(m.clients) >= m.max {
			m.evict(now)
		}
		c = &memClient{l: rate.NewLimiter(m.limit, m.burst)}
		m.clients[key] = c
	}
	res := c.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d, nil
	}
	return true, 0, nil
}

// evict forgets clients whose bucket has refilled (forgetting them loses
// nothing) and, if that frees too little, an arbitrary tenth of the rest.
func (m *Memory) evict(now time.Time) {
	for k, c := range m.clients {
		if c.l.TokensAt(now) >= float64(m.burst) {
			delete(m.clients, k)
		}
	}
	for k := range m.clients {
		if len(m.clients) < m.max*9/10 {
			return
		}
		delete(m.clients, k)
	}
}

// Redis is a fixed-window limiter shared by every replica that uses the
// same Redis: at most Requests per Window for each client. One round trip
// per request: a Lua script increments the window's counter and sets its
// expiry atomically.
type Redis struct {
	client   redis.UniversalClient
	prefix   string
	requests int
	window   time.Duration
	now      func() time.Time
}

// NewRedis limits each client to requests per window. Keys are named
// prefix + client key + window number, and expire with their window.
func NewRedis(client redis.UniversalClient, prefix string, requests int, window time.Duration) (*Redis, error) {
	if requests <= 0 || window < time.Millisecond {
		return nil, errors.New("protect: NewRedis needs requests > 0 and a window of at least 1 ms")
	}
	return &Redis{client: client, prefix: prefix, requests: requests, window: window, now: time.Now}, nil
}

var windowScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)

// Allow counts the request in the client's current window. A refused
// client may retry when the window ends, which is sooner than its key
// expires (the key lives a whole window from its first request).
func (l *Redis) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	now, wms := l.now().UnixMilli(), l.window.Milliseconds()
	win := now / wms
	k := l.prefix + key + ":" + strconv.FormatInt(win, 10)
	n, err := windowScript.Run(ctx, l.client, []string{k}, wms).Int64()
	if err != nil {
		return false, 0, fmt.Errorf("protect: redis rate limit: %w", err)
	}
	if n <= int64(l.requests) {
		return true, 0, nil
	}
	return false, time.Duration(max((win+1)*wms-now, 1)) * time.Millisecond, nil
}
