// The default playground: config form, input form, Run, streaming output,
// intermediate steps, share link and code snippets, feedback.

import { h, copyText, throttleFrame } from "./dom.js";
import { buildField, missingRequired, pruneConfig } from "./schema.js";
import { SchemaForm } from "./form.js";
import { applyPatch } from "./jsonpatch.js";
import { postSSE, errorText } from "./sse.js";
import { currentOutput, steps as stepsOf } from "./runlog.js";
import { renderValue, StepsView } from "./render.js";
import { endpoint, absoluteBase, shareURL } from "./base.js";
import { compressToEncodedURIComponent } from "./lzstring.js";
import { curlSnippet, pythonSnippet, jsSnippet, goSnippet } from "./snippets.js";
import { feedbackBar } from "./feedback.js";

// Browsers and proxies start to refuse URLs around this length; LangServe
// hides its share link past it too.
const MAX_URL = 2000;

export function startDefault(main, opts, schemas, initialConfig) {
  const { base } = opts;
  let inputField = buildField(schemas.input, schemas.input, { required: true });
  const configField = buildField(schemas.config, schemas.config, { required: true });
  const hasConfig = configField.kind === "object";

  // --- config -----------------------------------------------------------
  const configForm = hasConfig
    ? new SchemaForm(configField, initialConfig, { label: "config", rawLabel: "Edit config as JSON" })
    : null;
  const configSection = h("section", { class: "panel", "aria-labelledby": "config-h" },
    h("h2", { id: "config-h", text: "Configuration" }),
    configForm ? configForm.el : h("p", { class: "muted", text: "This runnable has no configurable fields." }));

  // --- input ------------------------------------------------------------
  let inputForm = new SchemaForm(inputField, undefined, { label: "input", rawLabel: "Edit input as JSON" });
  const inputSlot = h("div", {}, inputForm.el);
  const runButton = h("button", { type: "submit", class: "primary", id: "run", text: "Run" });
  const stopButton = h("button", { type: "button", id: "stop", text: "Stop", disabled: true });
  const inputError = h("div", { class: "error-text", role: "alert", id: "input-error", hidden: true });
  const inputSection = h("form", { class: "panel", "aria-labelledby": "input-h", novalidate: true },
    h("h2", { id: "input-h", text: "Input" }),
    inputSlot,
    inputError,
    h("div", { class: "actions" }, runButton, stopButton,
      h("span", { class: "muted small", text: "Ctrl+Enter runs" })));

  // --- output -----------------------------------------------------------
  const status = h("p", { class: "status", role: "status", id: "run-status" });
  const runError = h("div", { class: "error-text", role: "alert", id: "run-error", hidden: true });
  const outputBox = h("div", { class: "output", id: "output", "aria-busy": "false" },
    h("p", { class: "muted", text: "Run the runnable to see its output here." }));
  const feedbackSlot = h("div", { class: "feedback-slot" });
  const outputSection = h("section", { class: "panel", "aria-labelledby": "output-h" },
    h("h2", { id: "output-h", text: "Output" }), status, runError, outputBox, feedbackSlot);
  const stepsBox = h("div", { id: "steps" });
  const stepsSection = h("section", { class: "panel", "aria-labelledby": "steps-h" },
    h("h2", { id: "steps-h", text: "Intermediate steps" }), stepsBox);
  const stepsView = new StepsView(stepsBox);

  main.replaceChildren(h("div", { class: "layout" },
    h("div", { class: "col" }, configSection, inputSection),
    h("div", { class: "col" }, outputSection, stepsSection)));

  // --- header actions ---------------------------------------------------
  const actions = document.getElementById("header-actions");
  const shareButton = h("button", { type: "button", id: "share", text: "Share" });
  actions.replaceChildren(shareButton);

  const currentConfig = () => {
    if (!configForm) return { value: {}, errors: [] };
    const r = configForm.value();
    return { value: pruneConfig(configField, r.value), errors: r.errors };
  };

  // --- run --------------------------------------------------------------
  let state = null;
  let controller = null;
  let textEl = null;

  const renderOutput = () => {
    const out = currentOutput(state);
    if (out.text !== null) {
      if (!textEl || !outputBox.contains(textEl)) {
        textEl = h("pre", { class: "text-output", id: "output-text" });
        outputBox.replaceChildren(textEl);
      }
      textEl.textContent = out.text;
    } else if (state && (state.final_output !== null || state.streamed_output?.length)) {
      textEl = null;
      outputBox.replaceChildren(renderValue(out.value));
    }
    stepsView.update(stepsOf(state));
  };
  const scheduleRender = throttleFrame(renderOutput);

  const finishRender = () => {
    // The final view: structured values get their rich rendering even when
    // they streamed as text (a message, for example).
    renderOutput();
    const out = currentOutput(state);
    if (state && out.value !== null && typeof out.value !== "string") {
      textEl = null;
      outputBox.replaceChildren(renderValue(out.value));
    } else if (state && out.value === null && !state.streamed_output?.length) {
      outputBox.replaceChildren(h("p", { class: "muted", text: "The run produced no output (null)." }));
    }
  };

  const showError = (el, text) => {
    el.textContent = text;
    el.hidden = !text;
  };

  const setRunning = (on) => {
    runButton.disabled = on;
    stopButton.disabled = !on;
    outputBox.setAttribute("aria-busy", String(on));
  };

  const run = async () => {
    if (controller) return;
    showError(inputError, "");
    showError(runError, "");
    const input = inputForm.value();
    const config = currentConfig();
    const problems = [...input.errors, ...config.errors];
    // In JSON mode the text goes to the server as written: its 422 is the
    // authority on what is missing.
    if (problems.length === 0 && !inputForm.isRaw) {
      const missing = missingRequired(inputField, input.value);
      if (missing.length) problems.push(`Fill in: ${missing.join(", ")}`);
    }
    if (problems.length) {
      showError(inputError, problems.join("\n"));
      return;
    }
    state = null;
    textEl = null;
    outputBox.replaceChildren();
    feedbackSlot.replaceChildren();
    stepsView.clear();
    status.textContent = "Running…";
    setRunning(true);
    controller = new AbortController();
    const body = { input: input.value === undefined ? null : input.value, config: config.value };
    try {
      await postSSE(endpoint(base, "stream_log"), body, {
        signal: controller.signal,
        onEvent(ev) {
          if (ev.event !== "data") return; // "metadata" carries feedback tokens only
          const patch = JSON.parse(ev.data);
          state = applyPatch(state, patch.ops);
          scheduleRender();
        },
      });
      status.textContent = "Done.";
    } catch (e) {
      if (e?.name === "AbortError") {
        status.textContent = "Stopped.";
      } else {
        status.textContent = "Failed.";
        showError(runError, errorText(e));
      }
    } finally {
      controller = null;
      setRunning(false);
      finishRender();
      if (state?.id && (opts.feedback || opts.publicTraceLink)) {
        feedbackSlot.replaceChildren(feedbackBar(base, state.id, opts));
      }
    }
  };

  inputSection.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  inputSection.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  stopButton.addEventListener("click", () => controller?.abort());

  // --- input schema under the chosen config ------------------------------
  // Configurable alternatives can change the input schema, so after the
  // config changes the page asks for /c/<hash>/input_schema and rebuilds the
  // input form when it differs, keeping what was typed where it still fits.
  let schemaText = JSON.stringify(schemas.input);
  let debounce = null;
  let lastHash = compressToEncodedURIComponent(JSON.stringify(currentConfig().value));
  const refreshInputSchema = async () => {
    const cfg = currentConfig();
    if (cfg.errors.length) return;
    const hash = compressToEncodedURIComponent(JSON.stringify(cfg.value));
    if (hash === lastHash) return;
    lastHash = hash;
    try {
      const res = await fetch(endpoint(base, "input_schema", Object.keys(cfg.value).length ? hash : null));
      if (!res.ok || hash !== lastHash) return;
      const schema = await res.json();
      const text = JSON.stringify(schema);
      if (text === schemaText) return;
      schemaText = text;
      const kept = inputForm.value().value;
      inputField = buildField(schema, schema, { required: true });
      inputForm = new SchemaForm(inputField, kept, { label: "input", rawLabel: "Edit input as JSON" });
      inputSlot.replaceChildren(inputForm.el);
      status.textContent = "The input form changed to match the new configuration.";
    } catch {
      // Keep the current form; the run itself reports real problems.
    }
  };
  if (configForm) {
    configForm.el.addEventListener("input", () => {
      clearTimeout(debounce);
      debounce = setTimeout(refreshInputSchema, 400);
    });
    configForm.el.addEventListener("change", () => {
      clearTimeout(debounce);
      debounce = setTimeout(refreshInputSchema, 400);
    });
  }

  // --- share dialog ------------------------------------------------------
  shareButton.addEventListener("click", () => {
    const cfg = currentConfig();
    const input = inputForm.value();
    const hash = compressToEncodedURIComponent(JSON.stringify(cfg.value));
    openShareDialog({
      url: shareURL(location, base, hash),
      absBase: absoluteBase(location, base),
      input: input.value === undefined ? null : input.value,
      config: cfg.value,
      note: [...cfg.errors, ...input.errors].length ? "Some fields are invalid; the code uses what could be read." : "",
    });
  });
}

function copyBlock(title, text, id) {
  const pre = h("pre", { class: "code", id, tabindex: "0" }, h("code", { text }));
  const result = h("span", { class: "muted small", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "small", text: `Copy ${title}` });
  button.addEventListener("click", async () => {
    const how = await copyText(text, pre);
    result.textContent = how === "copied" ? "Copied." : "Selected: press Ctrl+C to copy.";
  });
  return h("section", { class: "snippet" },
    h("div", { class: "snippet-head" }, h("h3", { text: title }), button, result), pre);
}

/** openShareDialog shows the share link and the copy-as-code snippets. */
export function openShareDialog({ url, absBase, input, config, note }) {
  const close = h("button", { type: "button", class: "small", text: "Close" });
  const linkId = "share-url";
  const link = h("input", { id: linkId, type: "text", readonly: true, value: url, class: "mono" });
  const linkResult = h("span", { class: "muted small", "aria-live": "polite" });
  const copyLink = h("button", { type: "button", text: "Copy link" });
  copyLink.addEventListener("click", async () => {
    link.select();
    const how = await copyText(url, null);
    linkResult.textContent = how === "copied" ? "Copied." : "Selected: press Ctrl+C to copy.";
  });
  const tooLong = url.length > MAX_URL;
  const dialog = h("dialog", { class: "share", "aria-labelledby": "share-h" },
    h("div", { class: "dialog-head" }, h("h2", { id: "share-h", text: "Share and use from code" }), close),
    note ? h("p", { class: "error-text", text: note }) : null,
    h("div", { class: "field" },
      h("label", { for: linkId, text: "Link to this playground with the current configuration" }),
      tooLong
        ? h("p", { class: "error-text", text: `The configuration is too large for a link (${url.length} characters).` })
        : h("div", { class: "row" }, link, copyLink, linkResult)),
    copyBlock("curl", curlSnippet(absBase, input, config), "snippet-curl"),
    copyBlock("Python", pythonSnippet(absBase, input, config), "snippet-python"),
    copyBlock("JavaScript", jsSnippet(absBase, input, config), "snippet-js"),
    copyBlock("Go", goSnippet(absBase, input, config), "snippet-go"));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    document.getElementById("share")?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  (tooLong ? close : link).focus();
}
