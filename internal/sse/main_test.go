package sse

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: the ping goroutine must be gone
// after Close, and HTTP test servers after their Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
