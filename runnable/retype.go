package runnable

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"reflect"
)

// ConversionError is returned by a [Retype] runnable when a value cannot be
// converted to the type on the other side.
type ConversionError struct {
	Value any          // the value that did not convert
	To    reflect.Type // the type it should have become
	Err   error        // why, from encoding/json
}

func (e *ConversionError) Error() string {
	return fmt.Sprintf("runnable: cannot convert %T to %v: %v", e.Value, e.To, e.Err)
}

func (e *ConversionError) Unwrap() error { return e.Err }

// convert returns v as a T: v itself when it is one, else v encoded to JSON
// and decoded into a T. When T is any, values that are not JSON-shaped
// (structs, typed maps and slices) are turned into the maps and slices
// encoding/json would decode, which is what a Runnable[any, any] written
// for LangServe's JSON inputs expects.
func convert[T any](v any) (T, error) {
	if x, ok := v.(T); ok && !(isEmptyInterface[T]() && !jsonShaped(v)) {
		return x, nil
	}
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		var zero T
		return zero, &ConversionError{Value: v, To: reflect.TypeFor[T](), Err: err}
	}
	return out, nil
}

func isEmptyInterface[T any]() bool {
	t := reflect.TypeFor[T]()
	return t.Kind() == reflect.Interface && t.NumMethod() == 0
}

// jsonShaped reports whether v is already what encoding/json decodes into
// an any: nil, a scalar, or maps and slices of such values at the top.
func jsonShaped(v any) bool {
	switch v.(type) {
	case nil, map[string]any, []any, json.Number:
		return true
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.String, reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

type retyped[I2, O2, I, O any] struct{ r Runnable[I, O] }

// Retype returns r with input type I2 and output type O2 (LangChain's
// with_types). Inputs are converted to I and outputs, chunk by chunk, to O2:
// directly when the dynamic type already fits, else through a JSON round
// trip. When I (or O2) is any, a struct or typed map or slice is passed on
// as the map[string]any / []any that encoding/json would decode, so r sees
// what it would see behind LangServe. A failed conversion is a
// *ConversionError. Typical use: serving a
// Runnable[any, any] (an echo, a dict-shaped chain) with the typed input and
// output schemas that I2 and O2 give:
//
//	typed := runnable.Retype[Question, Answer](untyped)
//
// It adds no run of its own, and keeps r's name and run type.
func Retype[I2, O2, I, O any](r Runnable[I, O]) Runnable[I2, O2] {
	if r == nil {
		return nilRunnable[I2, O2]("Retype")
	}
	return &retyped[I2, O2, I, O]{r: r}
}

func (t *retyped[I2, O2, I, O]) Describe() Info            { return describe(t.r) }
func (t *retyped[I2, O2, I, O]) ConfigSpecs() []ConfigSpec { return SpecsOf(t.r) }

func (t *retyped[I2, O2, I, O]) Invoke(ctx context.Context, in I2, opts ...Option) (O2, error) {
	var zero O2
	x, err := convert[I](in)
	if err != nil {
		return zero, err
	}
	out, err := t.r.Invoke(ctx, x, opts...)
	if err != nil {
		return zero, err
	}
	return convert[O2](out)
}

func (t *retyped[I2, O2, I, O]) Stream(ctx context.Context, in I2, opts ...Option) iter.Seq2[O2, error] {
	x, err := convert[I](in)
	if err != nil {
		return errSeq[O2](err)
	}
	return convertSeq[O2](t.r.Stream(ctx, x, opts...))
}

func (t *retyped[I2, O2, I, O]) Transform(ctx context.Context, in iter.Seq2[I2, error], opts ...Option) iter.Seq2[O2, error] {
	return convertSeq[O2](transformOf(ctx, t.r, convertSeq[I](in), opts))
}

func (t *retyped[I2, O2, I, O]) Batch(ctx context.Context, ins []I2, opts ...Option) ([]O2, error) {
	xs := make([]I, len(ins))
	for i, in := range ins {
		var err error
		if xs[i], err = convert[I](in); err != nil {
			return nil, err
		}
	}
	outs, err := t.r.Batch(ctx, xs, opts...)
	if err != nil {
		return nil, err
	}
	res := make([]O2, len(outs))
	for i, o := range outs {
		if res[i], err = convert[O2](o); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// convertSeq converts every value of s to T, ending with the first error.
func convertSeq[T, S any](s iter.Seq2[S, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range s {
			var x T
			if err == nil {
				x, err = convert[T](v)
			}
			if !yield(x, err) || err != nil {
				return
			}
		}
	}
}
