// Tiny DOM helpers. Text always goes in through textContent (never
// innerHTML), so values from the server cannot inject markup.

/**
 * h creates an element. attrs: "class", "text", "on<event>" handlers,
 * boolean attributes (true = present), everything else via setAttribute.
 * Children may be nodes, strings or arrays of them; null is skipped.
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

let counter = 0;

/** uid returns a document-unique id with a readable prefix. */
export function uid(prefix) {
  counter++;
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, "-")}-${counter}`;
}

/**
 * copyText puts text on the clipboard. It falls back to selecting the text
 * of `source` (a textarea or pre) when the Clipboard API is unavailable,
 * which is the case on plain-HTTP pages that are not localhost.
 * @returns {Promise<"copied"|"selected">}
 */
export async function copyText(text, source) {
  try {
    await navigator.clipboard.writeText(text);
    return "copied";
  } catch {
    if (source) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      try {
        if (document.execCommand("copy")) return "copied";
      } catch {
        // selection stays for a manual copy
      }
    }
    return "selected";
  }
}

/**
 * throttleFrame runs fn at most once per animation frame however often
 * the returned function is called; streaming patches arrive per token.
 */
export function throttleFrame(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}

const SVG = "http://www.w3.org/2000/svg";

/**
 * thumbIcon draws a thumb (up, or down when `down`) as inline SVG, which
 * needs no icon font and no emoji font on the machine showing it.
 */
export function thumbIcon(down = false) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "18");
  svg.setAttribute("height", "18");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  if (down) svg.setAttribute("transform", "rotate(180)");
  const cuff = document.createElementNS(SVG, "path");
  cuff.setAttribute("d", "M2 10h4v11H2z");
  const hand = document.createElementNS(SVG, "path");
  hand.setAttribute("d", "M8 21h9.2a2 2 0 0 0 2-1.6l1.3-7A2 2 0 0 0 18.5 10H14l.8-4.2a1.9 1.9 0 0 0-3.3-1.6L8 10z");
  svg.append(cuff, hand);
  return svg;
}
