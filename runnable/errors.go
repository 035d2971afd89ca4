package runnable

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrRecursionLimit is returned when a graph or recursive chain takes more
// steps than its config's recursion limit allows.
var ErrRecursionLimit = errors.New("runnable: recursion limit reached; raise recursion_limit in the config if the graph really needs more steps")

// ErrStreamStopped is the error a run reports when the consumer of its stream
// stopped reading before the end (a break out of the range loop).
var ErrStreamStopped = errors.New("runnable: stream consumer stopped early")

// PanicError is the error a runnable returns when user code panicked. The
// panic is contained in the run that caused it instead of crashing the
// process; Stack says where it happened.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("runnable: panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recovered turns a recovered panic value into a *PanicError.
func recovered(v any) error {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// call runs fn, turning a panic into a *PanicError.
func call[I, O any](fn func(I) (O, error), in I) (out O, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
	}()
	return fn(in)
}
