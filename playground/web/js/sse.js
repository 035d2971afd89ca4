// Server-Sent Events over fetch. EventSource cannot POST, and it drops an
// event that has no data line; LangServe ends every stream with exactly such
// an event ("event: end" and a blank line), so the playground parses the
// stream itself.

/**
 * SSEParser turns chunks of text into events. Lines may end in CRLF, LF or
 * CR (LangServe uses CRLF), and a CRLF may be split across two chunks.
 * Comment lines (": ping - …") are ignored. An event is dispatched at a
 * blank line when it had an "event" or a "data" field.
 */
export class SSEParser {
  /** @param {(ev: {event: string, data: string, id?: string}) => void} onEvent */
  constructor(onEvent) {
    this.onEvent = onEvent;
    // The pieces of the line not ended yet. They are joined once, when its
    // break arrives: joining (or searching) a long line again at every
    // chunk made it cost quadratic time.
    this.pending = [];
    this.skipLF = false; // the previous chunk ended in CR
    this.reset();
  }

  reset() {
    this.eventType = "";
    this.dataLines = null;
    this.lastId = undefined;
  }

  /** @param {string} chunk */
  feed(chunk) {
    if (this.skipLF && chunk.startsWith("\n")) chunk = chunk.slice(1);
    this.skipLF = false;
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (ch !== "\r" && ch !== "\n") continue;
      let text = chunk.slice(start, i);
      if (this.pending.length) {
        this.pending.push(text);
        text = this.pending.join("");
        this.pending = [];
      }
      this.line(text);
      if (ch === "\r") {
        if (i + 1 === chunk.length) this.skipLF = true;
        else if (chunk[i + 1] === "\n") i++;
      }
      start = i + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.slice(start));
  }

  /** end flushes a final event that was not followed by a blank line. */
  end() {
    if (this.pending.length) {
      const text = this.pending.join("");
      this.pending = [];
      this.line(text);
    }
    this.line("");
  }

  line(line) {
    if (line === "") {
      if (this.eventType !== "" || this.dataLines !== null) {
        const ev = {
          event: this.eventType || "message",
          data: this.dataLines === null ? "" : this.dataLines.join("\n"),
        };
        if (this.lastId !== undefined) ev.id = this.lastId;
        this.reset();
        this.onEvent(ev);
      }
      return;
    }
    if (line[0] === ":") return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value[0] === " ") value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        (this.dataLines ??= []).push(value);
        break;
      case "id":
        this.lastId = value;
        break;
      default: // "retry" and unknown fields do not matter here
    }
  }
}

/** HTTPError is a non-2xx answer; detail is the server's explanation. */
export class HTTPError extends Error {
  constructor(status, detail) {
    super(`HTTP ${status}: ${detail}`);
    this.name = "HTTPError";
    this.status = status;
    this.detail = detail;
  }
}

/** StreamError is an SSE "error" event (the run failed mid-stream). */
export class StreamError extends Error {
  constructor(status, message) {
    super(`The run failed (status ${status}): ${message}`);
    this.name = "StreamError";
    this.status = status;
  }
}

/**
 * IncompleteStreamError is a stream whose connection closed before the "end"
 * event (a proxy timeout, a server restart): the output so far is partial.
 */
export class IncompleteStreamError extends Error {
  constructor() {
    super("The connection closed before the run finished; the output may be incomplete.");
    this.name = "IncompleteStreamError";
  }
}

/** errorText turns any failure of a request into a sentence for the page. */
export function errorText(e) {
  if (e instanceof HTTPError) return `The server answered ${e.status}: ${e.detail}`;
  if (e instanceof StreamError || e instanceof IncompleteStreamError) return e.message;
  if (e instanceof TypeError) return `The request failed: ${e.message}. Is the server running?`;
  return String(e?.message ?? e);
}

/**
 * formatDetail renders a FastAPI/pydantic style error body readably:
 * {"detail": "text"} or {"detail": [{"loc": [...], "msg": "..."}]}.
 * @param {string} body raw response text
 * @returns {string}
 */
export function formatDetail(body) {
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim() || "(empty response)";
  }
  const detail = parsed && typeof parsed === "object" && "detail" in parsed ? parsed.detail : parsed;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        if (d && typeof d === "object" && "msg" in d) {
          const loc = Array.isArray(d.loc) && d.loc.length ? d.loc.join(".") + ": " : "";
          return loc + d.msg;
        }
        return typeof d === "string" ? d : JSON.stringify(d);
      })
      .join("\n");
  }
  return JSON.stringify(detail);
}

/**
 * parseErrorEvent reads the data of an SSE "error" event
 * ({"status_code": 500, "message": "Internal Server Error"}).
 * @param {string} data
 * @returns {StreamError}
 */
export function parseErrorEvent(data) {
  try {
    const v = JSON.parse(data);
    if (v && typeof v === "object") {
      return new StreamError(v.status_code ?? 500, String(v.message ?? data));
    }
  } catch {
    // fall through: not JSON
  }
  return new StreamError(500, data || "unknown error");
}

/**
 * postSSE POSTs a JSON body and calls onEvent for each SSE event until the
 * stream ends. It rejects with HTTPError for a non-2xx status or a response
 * that is not an event stream, with StreamError at an "error" event, and
 * with IncompleteStreamError when the body ends before the "end" event.
 * It resolves after the "end" event.
 * @param {string} url
 * @param {any} body
 * @param {{signal?: AbortSignal, onEvent: (ev: {event: string, data: string}) => void, fetch?: typeof fetch}} opts
 */
export async function postSSE(url, body, { signal, onEvent, fetch: doFetch = fetch }) {
  const res = await doFetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok) throw new HTTPError(res.status, formatDetail(await res.text()));
  const type = res.headers.get("Content-Type") || "";
  if (!type.startsWith("text/event-stream")) {
    throw new HTTPError(res.status, `expected an event stream, got ${type || "no content type"}`);
  }
  let failure = null;
  let ended = false;
  const parser = new SSEParser((ev) => {
    if (ended || failure) return;
    if (ev.event === "error") failure = parseErrorEvent(ev.data);
    else if (ev.event === "end") ended = true;
    else onEvent(ev);
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (!ended && !failure) {
      const { value, done } = await reader.read();
      if (done) {
        parser.end();
        break;
      }
      parser.feed(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  if (failure) throw failure;
  if (!ended) throw new IncompleteStreamError();
}
