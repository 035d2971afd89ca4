package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/langserve-go/langserve/internal/testenv"
)

// jsClientVersion is the @langchain/core release the golden client output
// was recorded with; 1.x no longer ships RemoteRunnable.
const jsClientVersion = "0.3.80"

// jsDeviations are the lines of the JS client's output allowed to differ
// from the recording, by the label before the first ": ", with the reason.
// README.md's compatibility notes list the same lines.
var jsDeviations = map[string]string{}

// TestJSClient runs the real LangChain.js RemoteRunnable against the routes
// (jsclient/client.mjs) and compares what it prints, line by line, with
// what the same script printed against the Python reference server.
func TestJSClient(t *testing.T) {
	node, dir := testenv.JSClient(t, jsClientVersion)
	want, err := os.ReadFile(filepath.Join(goldenDir, "clients__js_output.txt"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("jsclient", "client.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t)

	// A bound against a hung client, not a timing assertion.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LANGSERVE_URL="+srv.URL, "LANGSERVE_JSCLIENT_DIR="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("node client.mjs: %v\nstderr:\n%s", err, stderr.String())
	}

	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	gotLines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	used := map[string]bool{}
	for i := range max(len(wantLines), len(gotLines)) {
		var w, g string
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if w == g {
			continue
		}
		label, _, _ := strings.Cut(w, ": ")
		if reason, ok := jsDeviations[label]; ok {
			used[label] = true
			t.Logf("line %d (%s) differs deliberately (%s):\nwant %s\ngot  %s", i+1, label, reason, w, g)
			continue
		}
		t.Errorf("line %d differs:\nwant %s\ngot  %s", i+1, w, g)
	}
	for label := range jsDeviations {
		if !used[label] {
			t.Errorf("JS deviation %q no longer occurs: remove it from jsDeviations and README.md", label)
		}
	}
	if t.Failed() && stderr.Len() > 0 {
		t.Logf("node stderr:\n%s", stderr.String())
	}
}
