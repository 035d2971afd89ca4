package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/internal/wire"
	"github.com/langserve-go/langserve/runnable"
)

// invoke answers POST <path>/invoke:
// {"output": …, "metadata": {"run_id": …, "feedback_tokens": []}}.
func (v *server[I, O]) invoke(w http.ResponseWriter, r *http.Request, rt route) {
	_, req, e := v.prepare(w, r, rt, Invoke, "InvokeRequestShallowValidator")
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	res := v.run(r.Context(), req)
	if res.err != nil {
		v.s.failure(w, r, Invoke, req.cfg.RunID.String(), req.input, res.err)
		return
	}
	buf := make([]byte, 0, len(res.output)+len(res.events)+128)
	buf = append(buf, `{"output":`...)
	buf = append(buf, res.output...)
	buf = append(buf, `,"metadata":`...)
	buf = appendRunMetadata(buf, req.cfg.RunID.String())
	if res.events != nil {
		buf = append(buf, `,"callback_events":`...)
		buf = append(buf, res.events...)
	}
	buf = append(buf, '}')
	writeJSONBytes(w, http.StatusOK, buf)
}

// result is the JSON of a finished run: its output and, when responses
// carry them, its callback events.
type result struct {
	output, events []byte
	err            error
}

// run invokes the runnable on req and encodes what the answer needs.
func (v *server[I, O]) run(ctx context.Context, req *request[I]) (res result) {
	events := v.s.newCallbackEvents()
	out, err := invokeSafely(ctx, v.r, req.in, runOptions(req.cfg, events)...)
	if err == nil {
		res.output, err = wire.Marshal(out)
	}
	if err == nil && events != nil {
		res.events, err = events.JSON()
	}
	res.err = err
	return res
}

// appendRunMetadata appends InvokeResponseMetadata. Token feedback needs
// LangSmith, so feedback_tokens is always empty.
func appendRunMetadata(buf []byte, runID string) []byte {
	buf = append(buf, `{"run_id":"`...)
	buf = append(buf, runID...)
	return append(buf, `","feedback_tokens":[]}`...)
}

// runOptions are the options of a run with cfg, reporting to events when
// callback events are wanted.
func runOptions(cfg runnable.Config, events *callbackEvents) []runnable.Option {
	opts := []runnable.Option{runnable.WithConfig(cfg)}
	if events != nil {
		opts = append(opts, runnable.WithCallbacks(events.handler))
	}
	return opts
}

// invokeSafely calls Invoke, turning a panic of a runnable written without
// the runnable package's helpers into an error.
func invokeSafely[I, O any](ctx context.Context, r runnable.Runnable[I, O], in I, opts ...runnable.Option) (out O, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &runnable.PanicError{Value: v}
		}
	}()
	return r.Invoke(ctx, in, opts...)
}

// maxBatchConcurrency bounds the runs of one batch request that run at
// once, whatever max_concurrency says: a body within the size limit can
// hold millions of inputs, and one goroutine (and one model call) each
// would let a single request exhaust the server.
const maxBatchConcurrency = 64

// batch answers POST <path>/batch. Every input runs with its own config
// (one config for all, or one per input) and its own run id; at most
// max_concurrency of the first config (and at most maxBatchConcurrency)
// run at once. The first failure cancels the others and fails the whole
// request, as in LangServe.
func (v *server[I, O]) batch(w http.ResponseWriter, r *http.Request, rt route) {
	body, e := v.s.readBody(w, r)
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	env, e := decodeEnvelope(body, "BatchRequestShallowValidator")
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	rawIns, ok := env.field("inputs")
	if !ok {
		v.s.writeError(w, env.missing("inputs"))
		return
	}
	var inputs []json.RawMessage
	if err := json.Unmarshal(rawIns, &inputs); err != nil || isNull(rawIns) {
		// LangServe answers a 500 here (its batch validation runs outside
		// the 422 translation); it is the client's error.
		v.s.writeError(w, validationError(validate.New("list_type", []any{"inputs"}, "Input should be a valid list", decodeAny(rawIns))))
		return
	}
	hashCfg, e := hashConfig(rt)
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	single, list, isList, e := env.batchConfigs()
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	if isList && len(list) != len(inputs) {
		v.s.writeError(w, &Error{Status: http.StatusUnprocessableEntity,
			Detail: "Number of configs (" + itoa(len(list)) + ") must match number of inputs (" + itoa(len(inputs)) + ")"})
		return
	}
	configs := make([]runnable.Config, len(inputs))
	if isList {
		for i, raw := range list {
			if configs[i], e = v.requestConfig(r, body, Batch, hashCfg, raw); e != nil {
				v.s.writeError(w, e)
				return
			}
		}
	} else {
		// The one config is checked (and the hook called) even for an
		// empty batch.
		cfg, e := v.requestConfig(r, body, Batch, hashCfg, single)
		if e != nil {
			v.s.writeError(w, e)
			return
		}
		for i := range configs {
			configs[i] = cfg
			if i > 0 {
				// A run id sent with one config for many inputs names the
				// first run only (langchain-core's get_config_list).
				configs[i].RunID = newRunID()
			}
		}
	}
	reqs := make([]*request[I], len(inputs))
	for i, raw := range inputs {
		req, e := v.decodeInput(raw, configs[i], []any{"inputs", i})
		if e != nil {
			v.s.writeError(w, e)
			return
		}
		reqs[i] = req
	}

	results := make([]result, len(reqs))
	g, ctx := errgroup.WithContext(r.Context())
	limit := maxBatchConcurrency
	if len(configs) > 0 && configs[0].MaxConcurrency > 0 {
		limit = min(limit, configs[0].MaxConcurrency)
	}
	g.SetLimit(limit)
	var (
		mu     sync.Mutex
		failed = -1
	)
	for i, req := range reqs {
		g.Go(func() error {
			results[i] = v.run(ctx, req)
			if err := results[i].err; err != nil {
				mu.Lock()
				if failed < 0 {
					failed = i
				}
				mu.Unlock()
				return err
			}
			return nil
		})
	}
	g.Wait()
	if failed >= 0 {
		v.s.failure(w, r, Batch, reqs[failed].cfg.RunID.String(), reqs[failed].input, results[failed].err)
		return
	}

	size := 128
	for _, res := range results {
		size += len(res.output) + len(res.events) + 100
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"output":[`...)
	buf = appendEach(buf, len(results), func(buf []byte, i int) []byte { return append(buf, results[i].output...) })
	buf = append(buf, `],"metadata":{"responses":[`...)
	buf = appendEach(buf, len(reqs), func(buf []byte, i int) []byte { return appendRunMetadata(buf, reqs[i].cfg.RunID.String()) })
	buf = append(buf, `],"run_ids":[`...)
	buf = appendEach(buf, len(reqs), func(buf []byte, i int) []byte {
		buf = append(buf, '"')
		buf = append(buf, reqs[i].cfg.RunID.String()...)
		return append(buf, '"')
	})
	buf = append(buf, "]}"...)
	if v.s.includeEvents {
		buf = append(buf, `,"callback_events":[`...)
		buf = appendEach(buf, len(results), func(buf []byte, i int) []byte { return append(buf, results[i].events...) })
		buf = append(buf, ']')
	}
	buf = append(buf, '}')
	writeJSONBytes(w, http.StatusOK, buf)
}

// appendEach appends n items, separated by commas.
func appendEach(buf []byte, n int, item func(buf []byte, i int) []byte) []byte {
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = item(buf, i)
	}
	return buf
}
