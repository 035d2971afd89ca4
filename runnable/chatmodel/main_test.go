package chatmodel_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind: a
// model's stream must release everything it started, however it ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
