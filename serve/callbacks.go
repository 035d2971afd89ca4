package serve

import (
	"github.com/langserve-go/langserve/internal/wire"
)

// callbackEvents records the callback events of one run for invoke and
// batch responses (Options.IncludeCallbackEvents).
type callbackEvents struct {
	handler *wire.CallbackEvents
}

// newCallbackEvents returns a recorder, or nil when responses carry no
// callback events.
func (s *settings) newCallbackEvents() *callbackEvents {
	if !s.includeEvents {
		return nil
	}
	return &callbackEvents{handler: wire.NewCallbackEvents()}
}

// JSON encodes the events recorded so far.
func (c *callbackEvents) JSON() ([]byte, error) {
	return wire.Marshal(c.handler.JSON())
}
