// Copy-as-code snippets for the current input and config. Each one calls
// the invoke endpoint at an absolute URL the caller computes from the page
// location, so the text works when pasted anywhere.

function isEmptyConfig(config) {
  return !config || (typeof config === "object" && Object.keys(config).length === 0);
}

/** shellQuote wraps s in single quotes for a POSIX shell. */
export function shellQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/**
 * curlSnippet: POST <base>/invoke with the JSON body.
 * @param {string} absBase e.g. "http://localhost:8000/chat"
 */
export function curlSnippet(absBase, input, config) {
  const body = isEmptyConfig(config) ? { input } : { input, config };
  return [
    `curl -sS -X POST ${shellQuote(`${absBase}/invoke`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(JSON.stringify(body ?? null))}`,
  ].join("\n");
}

/**
 * pythonLiteral renders a JSON value as Python source (True/False/None).
 * Long values are spread over lines with four-space indentation.
 */
export function pythonLiteral(value, indent = 0) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "None";
  if (typeof value === "string") return JSON.stringify(value);
  const pad = "    ".repeat(indent + 1);
  const end = "    ".repeat(indent);
  const oneLine = (items, open, close) => `${open}${items.join(", ")}${close}`;
  let items;
  let open;
  let close;
  if (Array.isArray(value)) {
    items = value.map((v) => pythonLiteral(v, indent + 1));
    [open, close] = ["[", "]"];
  } else {
    items = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v, indent + 1)}`);
    [open, close] = ["{", "}"];
  }
  if (items.length === 0) return open + close;
  const flat = oneLine(items, open, close);
  if (flat.length <= 72 && !flat.includes("\n")) return flat;
  return `${open}\n${items.map((i) => pad + i).join(",\n")},\n${end}${close}`;
}

/** pythonSnippet uses langserve.RemoteRunnable. */
export function pythonSnippet(absBase, input, config) {
  const args = [pythonLiteral(input)];
  if (!isEmptyConfig(config)) args.push(`config=${pythonLiteral(config)}`);
  return [
    "from langserve import RemoteRunnable",
    "",
    // The Python client wants the trailing slash to join endpoint names.
    `runnable = RemoteRunnable(${JSON.stringify(`${absBase}/`)})`,
    `result = runnable.invoke(${args.join(", ")})`,
    "print(result)",
  ].join("\n");
}

/** jsSnippet uses RemoteRunnable from @langchain/core (0.2/0.3 lines). */
export function jsSnippet(absBase, input, config) {
  const args = [JSON.stringify(input ?? null, null, 2)];
  if (!isEmptyConfig(config)) args.push(JSON.stringify(config, null, 2));
  return [
    'import { RemoteRunnable } from "@langchain/core/runnables/remote";',
    "",
    `const runnable = new RemoteRunnable({ url: ${JSON.stringify(absBase)} });`,
    `const result = await runnable.invoke(${args.join(", ")});`,
    "console.log(result);",
  ].join("\n");
}

/** goStringLiteral quotes s as Go source: a raw string when it can be. */
export function goStringLiteral(s) {
  if (!s.includes("`") && !s.includes("\r")) return "`" + s + "`";
  return JSON.stringify(s);
}

/** goSnippet is a complete program using only the standard library. */
export function goSnippet(absBase, input, config) {
  const body = isEmptyConfig(config) ? { input } : { input, config };
  return `package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
)

func main() {
	body := ${goStringLiteral(JSON.stringify(body ?? null))}
	resp, err := http.Post(${JSON.stringify(`${absBase}/invoke`)}, "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		log.Fatalf("%s: %s", resp.Status, msg)
	}
	var result struct {
		Output json.RawMessage \`json:"output"\`
	}
	if err := json.NewDecoder(resp.Body).Decode(&result); err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(result.Output))
}
`;
}
