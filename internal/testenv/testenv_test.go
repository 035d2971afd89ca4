package testenv_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/langserve-go/langserve/chains/rag/pgvector"
	"github.com/langserve-go/langserve/internal/testenv"
)

// helperEnv makes the test binary, run again by runHelper, execute one
// helper test that does what its name says instead of the usual tests.
const helperEnv = "TESTENV_HELPER"

// runHelper runs the helper test name in a child test binary with env added
// and returns its output and whether it passed.
func runHelper(t *testing.T, name string, env ...string) (string, bool) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=1"}, env...)...)
	out, err := cmd.CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatal(err)
	}
	return string(out), err == nil
}

func TestHelperMissing(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("helper for TestMissing")
	}
	testenv.Missing(t, "the %s is not here", "widget")
	t.Log("still running after Missing")
}

func TestHelperPGVectorURL(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("helper for TestPGVectorURLUnset")
	}
	testenv.PGVectorURL(t, 3)
	t.Log("still running after PGVectorURL")
}

func TestHelperJSClient(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("helper for TestJSClient")
	}
	testenv.JSClient(t, os.Getenv("WANT_VERSION"))
	t.Log("still running after JSClient")
}

func TestMissing(t *testing.T) {
	for _, tt := range []struct {
		ci       string
		wantPass bool
		want     string
	}{
		{"", true, "--- SKIP: TestHelperMissing"},
		{"false", true, "--- SKIP: TestHelperMissing"},
		{"true", false, "--- FAIL: TestHelperMissing"},
	} {
		out, passed := runHelper(t, "TestHelperMissing", "CI="+tt.ci)
		if passed != tt.wantPass || !strings.Contains(out, tt.want) || !strings.Contains(out, "the widget is not here") {
			t.Errorf("CI=%q: passed %v, output:\n%s\nwant %q and the message", tt.ci, passed, out, tt.want)
		}
		if strings.Contains(out, "still running") {
			t.Errorf("CI=%q: the test went on after Missing:\n%s", tt.ci, out)
		}
	}
}

func TestPGVectorURL(t *testing.T) {
	t.Setenv("PGVECTOR_URL", "postgres://one")
	t.Setenv("PGVECTOR_URL_2", "postgres://two")
	if got := testenv.PGVectorURL(t, 1); got != "postgres://one" {
		t.Errorf("PGVectorURL(1) = %q", got)
	}
	if got := testenv.PGVectorURL(t, 2); got != "postgres://two" {
		t.Errorf("PGVectorURL(2) = %q", got)
	}
	out, passed := runHelper(t, "TestHelperPGVectorURL", "CI=true", "PGVECTOR_URL_3=")
	if passed || !strings.Contains(out, "PGVECTOR_URL_3 is not set") || strings.Contains(out, "still running") {
		t.Errorf("PGVectorURL(3) unset under CI: passed %v, output:\n%s", passed, out)
	}
}

func TestRepoRoot(t *testing.T) {
	root := testenv.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if wd != filepath.Join(root, "internal", "testenv") {
		t.Errorf("RepoRoot = %s, working directory %s", root, wd)
	}
}

// TestJSClient points JSClient at a fake node and a fake installation.
func TestJSClient(t *testing.T) {
	bin := t.TempDir()
	node := filepath.Join(bin, "node")
	if err := os.WriteFile(node, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	core := filepath.Join(dir, "node_modules", "@langchain", "core")
	if err := os.MkdirAll(core, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(core, "package.json"), []byte(`{"name":"@langchain/core","version":"0.3.80"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv("LANGSERVE_JSCLIENT_DIR", dir)
	for _, version := range []string{"", "0.3.80"} {
		if gotNode, gotDir := testenv.JSClient(t, version); gotNode != node || gotDir != dir {
			t.Errorf("JSClient(%q) = %s, %s; want %s, %s", version, gotNode, gotDir, node, dir)
		}
	}

	for _, tt := range []struct {
		name, version, path, dir, want string
	}{
		{"other version", "1.0.0", bin, dir, "holds @langchain/core 0.3.80, the test needs 1.0.0"},
		{"no node", "", t.TempDir(), dir, "node is not installed"},
		{"not installed", "", bin, t.TempDir(), "@langchain/core is not installed in"},
	} {
		out, passed := runHelper(t, "TestHelperJSClient", "CI=true", "WANT_VERSION="+tt.version, "PATH="+tt.path, "LANGSERVE_JSCLIENT_DIR="+tt.dir)
		if passed || !strings.Contains(out, tt.want) || strings.Contains(out, "still running") {
			t.Errorf("%s: passed %v, output:\n%s\nwant a failure with %q", tt.name, passed, out, tt.want)
		}
	}
}

// TestDropPGVectorTable drops a real store's table and migration records.
func TestDropPGVectorTable(t *testing.T) {
	url := testenv.PGVectorURL(t, 1)
	table := fmt.Sprintf("testenv_drop_%d", os.Getpid())
	s, err := pgvector.Open(t.Context(), url, &pgvector.Options{Table: table, Dimensions: 3})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	count := func() (tables, records int) {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE tablename = $1`, table).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM rag_schema_migrations WHERE table_name = $1`, table).Scan(&records); err != nil {
			t.Fatal(err)
		}
		return tables, records
	}
	if tables, records := count(); tables != 1 || records == 0 {
		t.Fatalf("after Open: %d tables, %d migration records", tables, records)
	}
	testenv.DropPGVectorTable(t, url, table)
	if tables, records := count(); tables != 0 || records != 0 {
		t.Errorf("after DropPGVectorTable: %d tables, %d migration records", tables, records)
	}
	testenv.DropPGVectorTable(t, url, table) // a second drop finds nothing and is no error
}
