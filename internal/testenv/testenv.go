// Package testenv finds what the integration tests need from outside Go (a
// PostgreSQL with pgvector, node and the LangChain.js client) and applies
// one rule when it is missing: the test is skipped on a developer machine
// but fails in CI (CI=true), where a silent skip would let code pass
// untested. scripts/test.sh provides all of it.
package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Missing reports that something the test needs is not available: it
// fails the test when the environment variable CI is "true" and skips it
// otherwise. The message says what is missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// RepoRoot returns the directory of go.mod above the working directory
// (a test's working directory is its package's directory).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// JSClient returns the path of node and the directory where
// scripts/install-jsclient.sh installed @langchain/core (the one named by
// LANGSERVE_JSCLIENT_DIR, or .cache/jsclient in the repository). With a
// non-empty coreVersion, the installed @langchain/core must be that
// version. When anything is missing the test is skipped, or fails in CI
// (see [Missing]).
func JSClient(t testing.TB, coreVersion string) (node, dir string) {
	t.Helper()
	const how = "; run scripts/install-jsclient.sh (make test does) and set LANGSERVE_JSCLIENT_DIR to its .cache/jsclient"
	node, err := exec.LookPath("node")
	if err != nil {
		Missing(t, "node is not installed (%v)"+how, err)
	}
	dir = os.Getenv("LANGSERVE_JSCLIENT_DIR")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), ".cache", "jsclient")
	}
	pkg, err := os.ReadFile(filepath.Join(dir, "node_modules", "@langchain", "core", "package.json"))
	if err != nil {
		Missing(t, "@langchain/core is not installed in %s (%v)"+how, dir, err)
	}
	if coreVersion == "" {
		return node, dir
	}
	var meta struct{ Version string }
	if err := json.Unmarshal(pkg, &meta); err != nil {
		t.Fatalf("%s: @langchain/core package.json: %v", dir, err)
	}
	if meta.Version != coreVersion {
		Missing(t, "%s holds @langchain/core %s, the test needs %s"+how, dir, meta.Version, coreVersion)
	}
	return node, dir
}

// PGVectorURL returns the connection URL of the n-th PostgreSQL database
// with pgvector that scripts/pgvector.sh start provides: PGVECTOR_URL for
// n = 1, PGVECTOR_URL_2 and PGVECTOR_URL_3 for the sharded store's others.
// When it is not set the test is skipped, or fails in CI (see [Missing]).
func PGVectorURL(t testing.TB, n int) string {
	t.Helper()
	if n < 1 {
		t.Fatalf("testenv: PGVectorURL(%d): databases are numbered from 1", n)
	}
	name := "PGVECTOR_URL"
	if n > 1 {
		name = fmt.Sprintf("PGVECTOR_URL_%d", n)
	}
	url := os.Getenv(name)
	if url == "" {
		Missing(t, "%s is not set; run `eval \"$(scripts/pgvector.sh start)\"` for a real PostgreSQL 17 + pgvector", name)
	}
	return url
}

// DropPGVectorTable removes what a chains/rag/pgvector store made in the
// database at url: the table and its rows in rag_schema_migrations. Tests
// call it when they end; failures are reported with t.Error.
func DropPGVectorTable(t testing.TB, url, table string) {
	t.Helper()
	// t.Context is already cancelled when cleanups run.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS `+pgx.Identifier{table}.Sanitize()); err != nil {
		t.Errorf("cleanup: drop %s: %v", table, err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM rag_schema_migrations WHERE table_name = $1`, table); err != nil {
		t.Errorf("cleanup: migration records of %s: %v", table, err)
	}
}
