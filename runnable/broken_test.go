package runnable_test

import (
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// TestNilRunnables checks that combinators built from nil runnables fail
// with a clear error instead of panicking on a nil interface.
func TestNilRunnables(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    runnable.Runnable[int, any]
		want string
	}{
		{"AsAny", runnable.AsAny[int, int](nil), "AsAny of a nil runnable"},
		{"Retry", runnable.Retry[int, any](nil, nil), "Retry of a nil runnable"},
		{"Bind", runnable.Bind[int, any](nil), "Bind of a nil runnable"},
		{"Retype", runnable.Retype[int, any, string, string](nil), "Retype of a nil runnable"},
		{"Parallel step", runnable.AsAny(runnable.Parallel(map[string]runnable.Runnable[int, any]{"a": nil})), `Parallel step "a" is nil`},
		{"Fallbacks", runnable.Fallbacks[int, any](nil, nil, nil), "needs a primary runnable"},
		{"Configurable", runnable.Configurable[int, any](nil, nil, nil), "needs a default runnable"},
		{"Router key", runnable.Router[int, any](nil, nil), "needs a key function"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.r.Invoke(t.Context(), 1); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Invoke: %v, want %q", err, tt.want)
			}
			if _, err := collect(tt.r.Stream(t.Context(), 1)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Stream: %v, want %q", err, tt.want)
			}
			if _, err := tt.r.Batch(t.Context(), []int{1}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Batch: %v, want %q", err, tt.want)
			}
		})
	}
}
