package client

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
)

// wireConfig is the "config" of a request, with the keys, order and empty
// values of the Python client (ensure_config: tags, metadata,
// recursion_limit, configurable, then the keys the caller set). The server
// validates it against its config_keys and drops what it does not allow.
type wireConfig struct {
	Tags           []string       `json:"tags"`
	Metadata       map[string]any `json:"metadata"`
	RecursionLimit int            `json:"recursion_limit"`
	Configurable   map[string]any `json:"configurable"`
	MaxConcurrency int            `json:"max_concurrency,omitempty"`
	RunID          string         `json:"run_id,omitempty"`
}

// toWire builds the config sent for a call run with cfg. Callbacks, the run
// name and local tags stay local. withRunID keeps the run id: the Python
// client sends it to the streaming endpoints and drops it for invoke and
// batch (the server applies it only when its config_keys allow "run_id").
//
// Configurable values that cannot be encoded as JSON are left out, as the
// Python client does with objects that only mean something locally; a
// metadata value that cannot be encoded is an error.
func toWire(cfg runnable.Config, withRunID bool) (wireConfig, error) {
	w := wireConfig{
		Tags:           cfg.Tags,
		Metadata:       cfg.Metadata,
		RecursionLimit: cfg.RecursionLimit,
		MaxConcurrency: cfg.MaxConcurrency,
		Configurable:   map[string]any{},
	}
	if w.Tags == nil {
		w.Tags = []string{}
	}
	if w.Metadata == nil {
		w.Metadata = map[string]any{}
	}
	if w.RecursionLimit == 0 {
		w.RecursionLimit = runnable.DefaultRecursionLimit
	}
	for k, v := range cfg.Configurable {
		if _, err := json.Marshal(v); err == nil {
			w.Configurable[k] = v
		}
	}
	for k, v := range w.Metadata {
		if _, err := json.Marshal(v); err != nil {
			return wireConfig{}, fmt.Errorf("client: metadata %q cannot be sent to the server: %w", k, err)
		}
	}
	if withRunID && cfg.RunID != uuid.Nil {
		w.RunID = cfg.RunID.String()
	}
	return w, nil
}
