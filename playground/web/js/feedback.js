// Feedback on a finished run (POST <base>/feedback) and the public trace
// link (PUT <base>/public_trace_link), shown only when the server enabled
// them through the page's <meta> tags.

import { h, thumbIcon } from "./dom.js";
import { formatDetail } from "./sse.js";

async function send(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${formatDetail(text)}`);
  return text ? JSON.parse(text) : null;
}

/**
 * feedbackBar returns the controls for one run id.
 * @param {string} base API base path
 * @param {string} runId
 * @param {{feedback: boolean, publicTraceLink: boolean}} opts
 */
export function feedbackBar(base, runId, opts) {
  const result = h("span", { class: "small", role: "status" });
  const parts = [];
  if (opts.feedback) {
    const buttons = [];
    const vote = async (score, button) => {
      buttons.forEach((b) => (b.disabled = true));
      result.textContent = "Sending…";
      try {
        await send("POST", `${base}/feedback`, { run_id: runId, key: "correctness", score });
        button.setAttribute("aria-pressed", "true");
        result.textContent = "Thanks, feedback recorded.";
      } catch (e) {
        buttons.forEach((b) => (b.disabled = false));
        result.textContent = `Feedback failed: ${e.message}`;
      }
    };
    const up = h("button", { type: "button", class: "small thumb", "aria-label": "Good answer", "aria-pressed": "false" }, thumbIcon(false));
    const down = h("button", { type: "button", class: "small thumb", "aria-label": "Bad answer", "aria-pressed": "false" }, thumbIcon(true));
    up.addEventListener("click", () => vote(1, up));
    down.addEventListener("click", () => vote(0, down));
    buttons.push(up, down);
    parts.push(h("span", { class: "muted small", text: "Correct?" }), up, down);
  }
  if (opts.publicTraceLink) {
    const trace = h("button", { type: "button", class: "small", text: "Public trace link" });
    trace.addEventListener("click", async () => {
      trace.disabled = true;
      result.textContent = "Creating link…";
      try {
        const r = await send("PUT", `${base}/public_trace_link`, { run_id: runId });
        const url = typeof r?.public_url === "string" ? r.public_url : "";
        if (!/^https?:\/\//.test(url)) throw new Error("the server returned no public_url");
        result.replaceChildren(h("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: "Open public trace" }));
      } catch (e) {
        trace.disabled = false;
        result.textContent = `Trace link failed: ${e.message}`;
      }
    });
    parts.push(trace);
  }
  return h("div", { class: "feedback" }, parts, result);
}
