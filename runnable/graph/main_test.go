package graph_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// nodes of a parallel step must all have returned before the step ends,
// also after a failure, a cancellation or an early break.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
