package playground

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestJavaScript runs the unit tests of the app's pure modules (JSON
// patch, LZ-String, SSE parser, base URL, schema to form model, snippets)
// with Node's built-in runner. They need no npm packages. Without node the
// test is skipped locally but fails under CI=true, so CI cannot pass by
// not running them.
func TestJavaScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not on PATH; CI must run the JavaScript tests (install Node 20+)")
		}
		t.Skip("node is not on PATH")
	}
	// Name the files: how "node --test <dir>" searches changed across Node
	// releases, a list of files means the same everywhere.
	files, err := filepath.Glob("web/test/*.test.mjs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no JavaScript tests found in web/test (%v)", err)
	}
	args := append([]string{"--test", "--test-reporter=spec"}, files...)
	out, err := exec.CommandContext(t.Context(), node, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
	if !strings.Contains(string(out), "pass") {
		t.Fatalf("no test results in the output:\n%s", out)
	}
}
