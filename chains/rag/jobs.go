package rag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable/schema"
)

// JobStatus is the state of an indexing job.
type JobStatus string

// The states of a job: queued, then running, then succeeded or failed.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
)

// Done reports whether s is a final state.
func (s JobStatus) Done() bool { return s == JobSucceeded || s == JobFailed }

// Defaults for [JobsOptions].
const (
	DefaultJobWorkers = 1
	DefaultJobQueue   = 16
	DefaultJobRetain  = 1000
	DefaultJobTimeout = 10 * time.Minute
)

// Errors of [Jobs.Submit] and [Jobs.Wait].
var (
	// ErrQueueFull reports that the queue holds as many jobs as it may;
	// retry later.
	ErrQueueFull = errors.New("rag: indexing queue is full")
	// ErrJobsClosed reports a submission after [Jobs.Close].
	ErrJobsClosed = errors.New("rag: indexing jobs are shut down")
	// ErrNoDocuments reports a job without documents.
	ErrNoDocuments = errors.New("rag: a job needs at least one document")
	// ErrUnknownJob reports a job ID that is not known (never submitted,
	// or forgotten after JobsOptions.Retain newer jobs finished).
	ErrUnknownJob = errors.New("rag: unknown job")
	// errShutdown is the cause of jobs cancelled by Close.
	errShutdown = errors.New("cancelled: the server is shutting down")
)

// Job is a snapshot of an indexing job.
type Job struct {
	ID     string
	Status JobStatus
	// Documents is the number of documents submitted; Chunks the number of
	// chunks stored, set when the job is done (zero before; for a failed
	// job, what it stored before failing).
	Documents, Chunks int
	// Error says why a failed job failed.
	Error string
	// CreatedAt is when the job was submitted; StartedAt and FinishedAt are
	// zero until it starts and finishes.
	CreatedAt, StartedAt, FinishedAt time.Time
}

// MarshalJSON writes the job as the indexing API serves it: snake_case
// keys, RFC 3339 times, null for an error or time that is not there (yet).
func (j Job) MarshalJSON() ([]byte, error) {
	type wire struct {
		ID         string     `json:"id"`
		Status     JobStatus  `json:"status"`
		Documents  int        `json:"documents"`
		Chunks     int        `json:"chunks"`
		Error      *string    `json:"error"`
		CreatedAt  time.Time  `json:"created_at"`
		StartedAt  *time.Time `json:"started_at"`
		FinishedAt *time.Time `json:"finished_at"`
	}
	w := wire{ID: j.ID, Status: j.Status, Documents: j.Documents, Chunks: j.Chunks, CreatedAt: j.CreatedAt.UTC()}
	if j.Error != "" {
		w.Error = &j.Error
	}
	if !j.StartedAt.IsZero() {
		t := j.StartedAt.UTC()
		w.StartedAt = &t
	}
	if !j.FinishedAt.IsZero() {
		t := j.FinishedAt.UTC()
		w.FinishedAt = &t
	}
	return json.Marshal(w)
}

// JobsOptions configures [NewJobs]. A nil *JobsOptions means all defaults.
type JobsOptions struct {
	// Workers is the number of jobs that run at once. Zero:
	// DefaultJobWorkers.
	Workers int
	// QueueSize is the number of jobs that may wait for a worker; Submit
	// fails with ErrQueueFull beyond it. Zero: DefaultJobQueue.
	QueueSize int
	// Retain is the number of finished jobs whose status is kept; older
	// ones are forgotten. Zero: DefaultJobRetain.
	Retain int
	// Timeout bounds each job's run. Zero: DefaultJobTimeout; negative: no
	// bound.
	Timeout time.Duration
}

// Jobs ingests documents into an [Index] asynchronously: [Jobs.Submit]
// queues the documents and returns at once with a job whose progress
// [Jobs.Get] reports. A fixed number of workers run the jobs in submission
// order; the queue is bounded, so a burst of submissions is refused
// (ErrQueueFull) rather than buffered without limit.
//
// Jobs are kept in memory: they do not survive a restart, and only the
// latest JobsOptions.Retain finished jobs are remembered. It is safe for
// concurrent use. Call [Jobs.Close] to stop the workers.
type Jobs struct {
	idx     *Index
	timeout time.Duration
	retain  int
	queue   chan *jobEntry
	ctx     context.Context // cancelled by Close
	cancel  context.CancelCauseFunc
	workers sync.WaitGroup

	mu       sync.Mutex
	jobs     map[string]*jobEntry
	finished []string // IDs of finished jobs, oldest first
	closed   bool
	now      func() time.Time
}

type jobEntry struct {
	job  Job // guarded by Jobs.mu
	docs []schema.Document
	done chan struct{} // closed when the job finishes
}

// NewJobs starts the workers of a job queue feeding idx.
func NewJobs(idx *Index, opts *JobsOptions) (*Jobs, error) {
	var o JobsOptions
	if opts != nil {
		o = *opts
	}
	switch {
	case idx == nil:
		return nil, errNilIndex
	case o.Workers < 0 || o.QueueSize < 0 || o.Retain < 0:
		return nil, fmt.Errorf("rag: JobsOptions must not be negative: %+v", o)
	}
	if o.Workers == 0 {
		o.Workers = DefaultJobWorkers
	}
	if o.QueueSize == 0 {
		o.QueueSize = DefaultJobQueue
	}
	if o.Retain == 0 {
		o.Retain = DefaultJobRetain
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultJobTimeout
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	j := &Jobs{
		idx:     idx,
		timeout: o.Timeout,
		retain:  o.Retain,
		queue:   make(chan *jobEntry, o.QueueSize),
		ctx:     ctx,
		cancel:  cancel,
		jobs:    map[string]*jobEntry{},
		now:     time.Now,
	}
	for range o.Workers {
		j.workers.Go(j.work)
	}
	return j, nil
}

// Submit queues docs for ingestion and returns the queued job. Every
// document needs an ID (see [Index.Ingest]). It fails with ErrNoDocuments,
// ErrQueueFull or ErrJobsClosed without queuing anything.
func (j *Jobs) Submit(docs []schema.Document) (Job, error) {
	if len(docs) == 0 {
		return Job{}, ErrNoDocuments
	}
	for i, d := range docs {
		if d.ID == "" {
			return Job{}, fmt.Errorf("rag: document %d has no ID", i)
		}
	}
	e := &jobEntry{
		job:  Job{ID: uuid.NewString(), Status: JobQueued, Documents: len(docs)},
		docs: docs,
		done: make(chan struct{}),
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return Job{}, ErrJobsClosed
	}
	e.job.CreatedAt = j.now()
	select {
	case j.queue <- e:
	default:
		return Job{}, ErrQueueFull
	}
	j.jobs[e.job.ID] = e
	return e.job, nil
}

// Get returns the current state of the job with the given ID.
func (j *Jobs) Get(id string) (Job, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.jobs[id]
	if !ok {
		return Job{}, false
	}
	return e.job, true
}

// Wait blocks until the job is done or ctx is, and returns the job's
// state. It is how a caller that submitted a job can wait for it without
// polling.
func (j *Jobs) Wait(ctx context.Context, id string) (Job, error) {
	j.mu.Lock()
	e, ok := j.jobs[id]
	j.mu.Unlock()
	if !ok {
		return Job{}, fmt.Errorf("%w: %q", ErrUnknownJob, id)
	}
	select {
	case <-e.done:
		j.mu.Lock()
		defer j.mu.Unlock()
		return e.job, nil
	case <-ctx.Done():
		job, _ := j.Get(id)
		return job, context.Cause(ctx)
	}
}

// Close stops accepting jobs, cancels the running ones, fails the queued
// ones and waits for the workers to return, or for ctx to be done. Jobs
// cancelled this way fail with an error that says the server is shutting
// down. Calling Close again waits again.
func (j *Jobs) Close(ctx context.Context) error {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.cancel(errShutdown)
	// Fail what is still queued; a worker may race us for an entry, and
	// finish is idempotent.
	for drained := false; !drained; {
		select {
		case e := <-j.queue:
			j.finish(e, 0, errShutdown)
		default:
			drained = true
		}
	}
	stopped := make(chan struct{})
	go func() {
		j.workers.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("rag: indexing workers did not stop: %w", context.Cause(ctx))
	}
}

func (j *Jobs) work() {
	for {
		select {
		case <-j.ctx.Done():
			return
		case e := <-j.queue:
			j.run(e)
		}
	}
}

func (j *Jobs) run(e *jobEntry) {
	if err := j.ctx.Err(); err != nil {
		j.finish(e, 0, context.Cause(j.ctx))
		return
	}
	j.mu.Lock()
	e.job.Status = JobRunning
	e.job.StartedAt = j.now()
	j.mu.Unlock()
	ctx, cancel := j.ctx, context.CancelFunc(func() {})
	if j.timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, j.timeout, fmt.Errorf("job took longer than %v", j.timeout))
	}
	defer cancel()
	n, err := j.ingest(ctx, e.docs)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%v)", context.Cause(ctx), err)
	}
	j.finish(e, n, err)
}

// ingest runs Index.Ingest, turning a panic (in a custom embedder or
// store) into the job's error instead of taking the process down.
func (j *Jobs) ingest(ctx context.Context, docs []schema.Document) (n int, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("rag: ingestion panicked: %v", v)
		}
	}()
	return j.idx.Ingest(ctx, docs)
}

// finish records the outcome of a job once; later calls do nothing.
func (j *Jobs) finish(e *jobEntry, chunks int, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if e.job.Status.Done() {
		return
	}
	e.job.Chunks = chunks
	e.job.FinishedAt = j.now()
	e.job.Status = JobSucceeded
	if err != nil {
		e.job.Status = JobFailed
		e.job.Error = err.Error()
	}
	e.docs = nil
	close(e.done)
	j.finished = append(j.finished, e.job.ID)
	for len(j.finished) > j.retain {
		delete(j.jobs, j.finished[0])
		j.finished = j.finished[1:]
	}
}
