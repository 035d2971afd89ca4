package protect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

func get(h http.Handler, remote string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/chat/invoke", nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMemoryLimiter(t *testing.T) {
	m := NewMemory(2, time.Second, 2)
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	h := RateLimit(m, nil)(ok)

	for i, want := range []int{204, 204, 429} {
		if w := get(h, "10.0.0.1:5000", ""); w.Code != want {
			t.Fatalf("request %d: %d, want %d", i, w.Code, want)
		}
	}
	w := get(h, "10.0.0.1:5001")
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["detail"] == "" || w.Header().Get("Retry-After") != "1" {
		t.Errorf("429 body %q, Retry-After %q", w.Body, w.Header().Get("Retry-After"))
	}
	if w := get(h, "10.0.0.2:5000"); w.Code != 204 {
		t.Errorf("another client is limited: %d", w.Code)
	}
	now = now.Add(500 * time.Millisecond) // one token back
	if w := get(h, "10.0.0.1:5000"); w.Code != 204 {
		t.Errorf("after refill: %d", w.Code)
	}
}

func TestMemoryLimiterForgetsClients(t *testing.T) {
	m := NewMemory(1, time.Second, 1)
	m.max = 100
	for i := range 1000 {
		if ok, _, _ := m.Allow(t.Context(), fmt.Sprint(i)); !ok {
			t.Fatalf("client %d limited on its first request", i)
		}
	}
	if len(m.clients) > m.max {
		t.Errorf("%d clients tracked, max %d", len(m.clients), m.max)
	}
}

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis at %s: %v", url, err)
		}
		t.Skipf("no Redis at %s (%v); start redis-server or set REDIS_URL", url, err)
	}
	return c
}

func TestRedisLimiterIsSharedAndExact(t *testing.T) {
	c := redisClient(t)
	prefix := fmt.Sprintf("langserve-test:%d:", time.Now().UnixNano())
	// Two limiters on one Redis stand for two replicas.
	a, err := NewRedis(c, prefix, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewRedis(c, prefix, 10, time.Minute)
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Go(func() {
			ok, wait, err := l.Allow(context.Background(), "client")
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				allowed.Add(1)
			} else if wait <= 0 || wait > time.Minute {
				t.Errorf("retry after %v", wait)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 10 {
		// A window boundary between requests can let up to 20 through; it
		// is a minute long, so that is rare — but say so if it happens.
		t.Errorf("%d of 40 concurrent requests allowed across two replicas, want 10", n)
	}
	keys, _ := c.Keys(t.Context(), prefix+"*").Result()
	for _, k := range keys {
		if ttl := c.PTTL(t.Context(), k).Val(); ttl <= 0 || ttl > time.Minute {
			t.Errorf("key %s has TTL %v", k, ttl)
		}
		c.Del(t.Context(), k)
	}
}

func TestRateLimitWhenTheLimiterFails(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer dead.Close()
	l, _ := NewRedis(dead, "x:", 1, time.Second)
	if w := get(RateLimit(l, nil)(ok), "10.0.0.1:1"); w.Code != 204 {
		t.Errorf("fail open: %d", w.Code)
	}
	if w := get(RateLimit(l, &RateLimitOptions{FailClosed: true})(ok), "10.0.0.1:1"); w.Code != 503 {
		t.Errorf("fail closed: %d", w.Code)
	}
}

func TestAPIKey(t *testing.T) {
	h := APIKey("k1", "k2")(ok)
	for _, tt := range []struct {
		header []string
		want   int
	}{
		{nil, 401},
		{[]string{"Authorization", "Bearer k1"}, 204},
		{[]string{"Authorization", "bearer k2"}, 204},
		{[]string{"X-API-Key", "k2"}, 204},
		{[]string{"X-API-Key", "k3"}, 401},
		{[]string{"Authorization", "Basic k1"}, 401},
		{[]string{"X-API-Key", ""}, 401},
	} {
		if w := get(h, "1.2.3.4:5", tt.header...); w.Code != tt.want {
			t.Errorf("%v: %d, want %d", tt.header, w.Code, tt.want)
		}
	}
	if w := get(APIKey()(ok), "1.2.3.4:5", "X-API-Key", ""); w.Code != 401 {
		t.Errorf("no keys configured: %d", w.Code)
	}
}

// A fixed window ends at its boundary, whatever the time of its first
// request: Retry-After must not send a client away for the key's whole TTL.
func TestRedisRetryAfterEndsWithTheWindow(t *testing.T) {
	c := redisClient(t)
	prefix := fmt.Sprintf("langserve-test:%d:", time.Now().UnixNano())
	l, err := NewRedis(c, prefix, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// 50 s into a window: 10 s are left of it.
	at := time.UnixMilli(1_000_000 * 60_000).Add(50 * time.Second)
	l.now = func() time.Time { return at }
	if ok, _, err := l.Allow(t.Context(), "client"); !ok || err != nil {
		t.Fatalf("first request: %v, %v", ok, err)
	}
	ok, wait, err := l.Allow(t.Context(), "client")
	if ok || err != nil {
		t.Fatalf("second request: %v, %v", ok, err)
	}
	if wait != 10*time.Second {
		t.Errorf("retry after %v, want 10s (the rest of the window)", wait)
	}
	keys, _ := c.Keys(t.Context(), prefix+"*").Result()
	for _, k := range keys {
		c.Del(t.Context(), k)
	}
}
