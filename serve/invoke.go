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
	events := v.s.newCallbackEvents()
	out, err := invokeSafely(r.Context(), v.r, req.in, runOptions(req.cfg, events)...)
	runID := req.cfg.RunID.String()
	if err != nil {
		v.s.failure(w, r, Invoke, runID, req.input, err)
		return
	}
	b, err := wire.Marshal(out)
	if err != nil {
		v.s.failure(w, r, Invoke, runID, req.input, err)
		return
	}
	buf := make([]byte, 0, len(b)+128)
	buf = append(buf, `{"output":`...)
	buf = append(buf, b...)
	buf = append(buf, `,"metadata":`...)
	buf = appendRunMetadata(buf, runID)
	if events != nil {
		ev, err := events.JSON()
		if err != nil {
			v.s.failure(w, r, Invoke, runID, req.input, err)
			return
		}
		buf = append(buf, `,"callback_events":`...)
		buf = append(buf, ev...)
	}
	buf = append(buf, '}')
	writeJSONBytes(w, http.StatusOK, buf)
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

// batch answers POST <path>/batch. Every input runs with its own config
// (one config for all, or one per input) and its own run id; at most
// max_concurrency of the first config run at once. The first failure
// cancels the others and fails the whole request, as in LangServe.
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
			cfg, e := v.s.clientConfigs(&v.model, hashCfg, raw)
			if e == nil {
				cfg, e = v.s.finish(r, body, Batch, cfg, true)
			}
			if e != nil {
				v.s.writeError(w, e)
				return
			}
			configs[i] = cfg
		}
	} else {
		cfg, e := v.s.clientConfigs(&v.model, hashCfg, single)
		if e == nil {
			cfg, e = v.s.finish(r, body, Batch, cfg, true)
		}
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

	outs := make([][]byte, len(reqs))
	events := make([]*callbackEvents, len(reqs))
	g, ctx := errgroup.WithContext(r.Context())
	if len(configs) > 0 && configs[0].MaxConcurrency > 0 {
		g.SetLimit(configs[0].MaxConcurrency)
	}
	var (
		mu      sync.Mutex
		failed  = -1
		failErr error
	)
	for i, req := range reqs {
		events[i] = v.s.newCallbackEvents()
		g.Go(func() error {
			out, err := invokeSafely(ctx, v.r, req.in, runOptions(req.cfg, events[i])...)
			if err == nil {
				outs[i], err = wire.Marshal(out)
			}
			if err != nil {
				mu.Lock()
				if failed < 0 {
					failed, failErr = i, err
				}
				mu.Unlock()
				return err
			}
			return nil
		})
	}
	g.Wait()
	if failed >= 0 {
		v.s.failure(w, r, Batch, reqs[failed].cfg.RunID.String(), reqs[failed].input, failErr)
		return
	}

	size := 128
	for _, o := range outs {
		size += len(o) + 100
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"output":[`...)
	for i, o := range outs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, o...)
	}
	buf = append(buf, `],"metadata":{"responses":[`...)
	for i, req := range reqs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendRunMetadata(buf, req.cfg.RunID.String())
	}
	buf = append(buf, `],"run_ids":[`...)
	for i, req := range reqs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, req.cfg.RunID.String()...)
		buf = append(buf, '"')
	}
	buf = append(buf, "]}"...)
	if v.s.includeEvents {
		buf = append(buf, `,"callback_events":[`...)
		for i, ev := range events {
			if i > 0 {
				buf = append(buf, ',')
			}
			b, err := ev.JSON()
			if err != nil {
				v.s.failure(w, r, Batch, reqs[i].cfg.RunID.String(), reqs[i].input, err)
				return
			}
			buf = append(buf, b...)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, '}')
	writeJSONBytes(w, http.StatusOK, buf)
}
