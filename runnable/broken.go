package runnable

import (
	"context"
	"fmt"
	"iter"
)

// broken is what a combinator built from a nil runnable becomes: every
// call fails with err instead of panicking on a nil interface.
type broken[I, O any] struct{ err error }

func nilRunnable[I, O any](combinator string) broken[I, O] {
	return broken[I, O]{fmt.Errorf("runnable: %s of a nil runnable", combinator)}
}

func (b broken[I, O]) Describe() Info { return Info{Name: "Runnable", Type: ChainRun} }

func (b broken[I, O]) Invoke(context.Context, I, ...Option) (O, error) {
	var zero O
	return zero, b.err
}

func (b broken[I, O]) Stream(context.Context, I, ...Option) iter.Seq2[O, error] {
	return errSeq[O](b.err)
}

func (b broken[I, O]) Batch(context.Context, []I, ...Option) ([]O, error) { return nil, b.err }
