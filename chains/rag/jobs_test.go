package rag_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/embed"
	"github.com/langserve-go/langserve/chains/rag/memory"
	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/runnable/schema"
)

// gate is an embedder whose EmbedDocuments calls announce themselves on
// started and then wait until release is closed (or their ctx is done), so
// tests can hold a job in the running state without sleeping.
type gate struct {
	embed.Embedder
	started chan string
	release chan struct{}
	once    sync.Once
}

func newGate() *gate {
	return &gate{Embedder: embed.NewLocal(nil), started: make(chan string, 16), release: make(chan struct{})}
}

func (g *gate) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	g.started <- texts[0]
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Embedder.EmbedDocuments(ctx, texts)
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func newJobs(t *testing.T, ix *rag.Index, o *rag.JobsOptions) *rag.Jobs {
	t.Helper()
	j, err := rag.NewJobs(ix, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := j.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return j
}

func TestJobsIngest(t *testing.T) {
	ix := newIndex(t, nil)
	jobs := newJobs(t, ix, nil)
	job, err := jobs.Submit([]schema.Document{doc("zebra", "Zebras have black and white stripes."), doc("yak", "Yaks live in the Himalaya.")})
	if err != nil {
		t.Fatal(err)
	}
	if job.ID == "" || job.Status != rag.JobQueued || job.Documents != 2 || job.CreatedAt.IsZero() {
		t.Fatalf("submitted job %+v", job)
	}
	done, err := jobs.Wait(t.Context(), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != rag.JobSucceeded || done.Chunks != 2 || done.Error != "" || done.FinishedAt.Before(done.CreatedAt) || done.StartedAt.IsZero() {
		t.Fatalf("finished job %+v", done)
	}
	if got, ok := jobs.Get(job.ID); !ok || got != done {
		t.Errorf("Get = %+v, %v; Wait returned %+v", got, ok, done)
	}
	res, err := ix.Retrieve(t.Context(), "striped zebras", 1)
	if err != nil || len(res) != 1 || res[0].Document.ID != "zebra/0" {
		t.Fatalf("Retrieve after the job = %+v, %v", res, err)
	}
}

func TestJobsValidation(t *testing.T) {
	jobs := newJobs(t, newIndex(t, nil), nil)
	if _, err := jobs.Submit(nil); !errors.Is(err, rag.ErrNoDocuments) {
		t.Errorf("no documents: err = %v", err)
	}
	if _, err := jobs.Submit([]schema.Document{{PageContent: "no id"}}); err == nil {
		t.Error("document without ID: no error")
	}
	if _, ok := jobs.Get("nope"); ok {
		t.Error("Get of an unknown job succeeded")
	}
	if _, err := jobs.Wait(t.Context(), "nope"); !errors.Is(err, rag.ErrUnknownJob) {
		t.Errorf("Wait of an unknown job: err = %v", err)
	}
	if _, err := rag.NewJobs(nil, nil); err == nil {
		t.Error("NewJobs(nil) gave no error")
	}
	if _, err := rag.NewJobs(newIndex(t, nil), &rag.JobsOptions{Workers: -1}); err == nil {
		t.Error("negative Workers gave no error")
	}
}

func TestJobsFailure(t *testing.T) {
	ix := newIndex(t, &rag.Options{Store: failingStore{memory.New(nil)}})
	jobs := newJobs(t, ix, nil)
	job, err := jobs.Submit([]schema.Document{doc("a", "some words here")})
	if err != nil {
		t.Fatal(err)
	}
	done, err := jobs.Wait(t.Context(), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != rag.JobFailed || !strings.Contains(done.Error, "disk on fire") {
		t.Fatalf("job %+v: want failed with the store's error", done)
	}
}

// failingStore, panickingStore and stuckStore break Add in three ways.
type failingStore struct{ store.Store }

func (failingStore) Add(context.Context, []store.Record) error { return errors.New("disk on fire") }

type panickingStore struct{ store.Store }

func (panickingStore) Add(context.Context, []store.Record) error { panic("store bug") }

type stuckStore struct {
	store.Store
	entered, release chan struct{}
}

func (s *stuckStore) Add(context.Context, []store.Record) error {
	close(s.entered)
	<-s.release // ignores ctx on purpose
	return nil
}

func TestJobsPanicIsAFailure(t *testing.T) {
	ix := newIndex(t, &rag.Options{Store: panickingStore{memory.New(nil)}})
	jobs := newJobs(t, ix, nil)
	job, _ := jobs.Submit([]schema.Document{doc("a", "some words here")})
	done, err := jobs.Wait(t.Context(), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != rag.JobFailed || !strings.Contains(done.Error, "panicked") {
		t.Fatalf("job %+v: want failed with the panic", done)
	}
}

func TestJobsQueueFullAndShutdown(t *testing.T) {
	g := newGate()
	ix := newIndex(t, &rag.Options{Embedder: g})
	jobs, err := rag.NewJobs(ix, &rag.JobsOptions{Workers: 1, QueueSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer g.open()
	running, err := jobs.Submit([]schema.Document{doc("one", "first document")})
	if err != nil {
		t.Fatal(err)
	}
	<-g.started // the worker holds job one
	if j, _ := jobs.Get(running.ID); j.Status != rag.JobRunning || j.StartedAt.IsZero() {
		t.Fatalf("job one %+v: want running", j)
	}
	queued, err := jobs.Submit([]schema.Document{doc("two", "second document")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Submit([]schema.Document{doc("three", "third document")}); !errors.Is(err, rag.ErrQueueFull) {
		t.Fatalf("third job: err = %v, want ErrQueueFull", err)
	}

	if err := jobs.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{running.ID, queued.ID} {
		j, err := jobs.Wait(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != rag.JobFailed || !strings.Contains(j.Error, "shutting down") || j.FinishedAt.IsZero() {
			t.Errorf("job %+v: want failed because of the shutdown", j)
		}
	}
	if _, err := jobs.Submit([]schema.Document{doc("four", "fourth")}); !errors.Is(err, rag.ErrJobsClosed) {
		t.Errorf("submit after Close: err = %v", err)
	}
	if n, _ := ix.Store().Count(t.Context()); n != 0 {
		t.Errorf("store holds %d chunks after the cancelled jobs", n)
	}
}

func TestJobsCloseDeadline(t *testing.T) {
	// A store that ignores cancellation keeps its worker busy; Close gives
	// up when its ctx is done and says so.
	st := &stuckStore{Store: memory.New(nil), entered: make(chan struct{}), release: make(chan struct{})}
	jobs, err := rag.NewJobs(newIndex(t, &rag.Options{Store: st}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Submit([]schema.Document{doc("a", "some words")}); err != nil {
		t.Fatal(err)
	}
	<-st.entered
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := jobs.Close(ctx); err == nil {
		t.Error("Close returned nil while a worker was stuck")
	}
	close(st.release)
	if err := jobs.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestJobsRetain(t *testing.T) {
	jobs := newJobs(t, newIndex(t, nil), &rag.JobsOptions{Retain: 2})
	var ids []string
	for i := range 4 {
		j, err := jobs.Submit([]schema.Document{doc(fmt.Sprint("d", i), "word")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jobs.Wait(t.Context(), j.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	for i, id := range ids {
		_, ok := jobs.Get(id)
		if want := i >= 2; ok != want {
			t.Errorf("job %d known = %v, want %v", i, ok, want)
		}
	}
}

func TestJobJSON(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	for _, tt := range []struct {
		job  rag.Job
		want string
	}{
		{rag.Job{ID: "j1", Status: rag.JobQueued, Documents: 2, CreatedAt: created},
			`{"id":"j1","status":"queued","documents":2,"chunks":0,"error":null,"created_at":"2026-01-02T02:04:05Z","started_at":null,"finished_at":null}`},
		{rag.Job{ID: "j2", Status: rag.JobFailed, Documents: 1, Chunks: 3, Error: "boom", CreatedAt: created,
			StartedAt: created.Add(time.Second), FinishedAt: created.Add(2 * time.Second)},
			`{"id":"j2","status":"failed","documents":1,"chunks":3,"error":"boom","created_at":"2026-01-02T02:04:05Z","started_at":"2026-01-02T02:04:06Z","finished_at":"2026-01-02T02:04:07Z"}`},
	} {
		b, err := json.Marshal(tt.job)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("JSON\n%s\nwant\n%s", b, tt.want)
		}
	}
}
