package agent_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: tool
// calls run in parallel and must all have returned when the tools node
// does.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
