// Entry point: reads the options the server put in <meta> tags, works out
// the API base from the URL, loads the schemas and starts the default or
// the chat playground.

import { apiBase, endpoint } from "./base.js";
import { decompressFromEncodedURIComponent } from "./lzstring.js";
import { HTTPError, formatDetail } from "./sse.js";
import { h } from "./dom.js";
import { startDefault } from "./playground.js";
import { startChat } from "./chat.js";

function meta(name) {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? "";
}

/** getJSON fetches JSON and turns a non-2xx answer into an HTTPError. */
export async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  const text = await res.text();
  if (!res.ok) throw new HTTPError(res.status, formatDetail(text));
  try {
    return JSON.parse(text);
  } catch {
    throw new HTTPError(res.status, `${url} did not return JSON`);
  }
}

/** decodeConfigHash reads the config of a /c/<hash>/ URL. */
export function decodeConfigHash(hash) {
  const text = decompressFromEncodedURIComponent(hash);
  let value;
  try {
    value = text ? JSON.parse(text) : undefined;
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`The config in this link (${hash}) cannot be read: it is not LZ-String-compressed JSON of an object.`);
  }
  return value;
}

export function showFatal(main, title, err) {
  main.replaceChildren(
    h("section", { class: "panel fatal", role: "alert" },
      h("h2", { text: title }),
      h("p", { class: "error-text", text: err instanceof HTTPError ? `${err.status}: ${err.detail}` : String(err.message ?? err) })));
}

async function main() {
  const opts = {
    type: meta("playground-type") || "default",
    title: meta("playground-title"),
    feedback: meta("playground-feedback") === "true",
    publicTraceLink: meta("playground-public-trace-link") === "true",
  };
  const { base, hash } = apiBase(location.pathname);
  opts.base = base;
  opts.hash = hash;
  const titleText = opts.title || base || "/";
  document.getElementById("route-title").textContent = titleText;
  const mainEl = document.getElementById("main");

  let config = {};
  if (hash) {
    try {
      config = decodeConfigHash(hash);
    } catch (e) {
      showFatal(mainEl, "Invalid share link", e);
      return;
    }
  }
  const schemaURL = (name) => endpoint(base, name, hash);
  let schemas;
  try {
    const [input, output, cfg] = await Promise.all([
      getJSON(schemaURL("input_schema")),
      getJSON(schemaURL("output_schema")),
      opts.type === "chat" ? Promise.resolve(null) : getJSON(schemaURL("config_schema")),
    ]);
    schemas = { input, output, config: cfg };
  } catch (e) {
    showFatal(mainEl, "Could not load the runnable's schemas", e);
    return;
  }
  if (opts.type === "chat") startChat(mainEl, opts, schemas);
  else startDefault(mainEl, opts, schemas, config);
}

main().catch((e) => {
  const mainEl = document.getElementById("main");
  if (mainEl) showFatal(mainEl, "The playground failed", e);
});
