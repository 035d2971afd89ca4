// Where the runnable's API lives, computed from the page's own URL so the
// playground works under any route prefix and behind a reverse proxy that
// adds a path prefix of its own: the server never tells the page its path.

const HASH_SEGMENT = /\/c\/([^/]+)$/;

/**
 * apiBase strips the trailing "/playground/…" part and an optional
 * "/c/<config_hash>" segment from a URL path.
 *   "/chat/playground/"              -> {base: "/chat", hash: null}
 *   "/p/chat/c/N4XyA/playground/x"   -> {base: "/p/chat", hash: "N4XyA"}
 *   "/playground/"                   -> {base: "", hash: null}
 * The base never ends in "/", so `${base}/invoke` is always right.
 * @param {string} pathname location.pathname (still percent-encoded)
 * @returns {{base: string, hash: string|null}}
 */
export function apiBase(pathname) {
  let path = pathname;
  const i = path.lastIndexOf("/playground/");
  if (i >= 0) path = path.slice(0, i);
  else if (path.endsWith("/playground")) path = path.slice(0, -"/playground".length);
  let hash = null;
  const m = HASH_SEGMENT.exec(path);
  if (m) {
    path = path.slice(0, m.index);
    try {
      hash = decodeURIComponent(m[1]);
    } catch {
      hash = m[1];
    }
  }
  path = path.replace(/\/+$/, "");
  return { base: path, hash };
}

/**
 * endpoint joins the base and an endpoint name, going through the
 * "/c/<hash>" form when a hash is given.
 * @param {string} base
 * @param {string} name e.g. "input_schema"
 * @param {string|null} [hash]
 */
export function endpoint(base, name, hash) {
  // The LZ-String alphabet (A-Z a-z 0-9 + - $) is legal in a path segment
  // as it is, so the hash goes in unescaped, exactly as LangServe's own
  // clients send it.
  return hash ? `${base}/c/${hash}/${name}` : `${base}/${name}`;
}

/**
 * absoluteBase turns the base path into an absolute URL for code snippets
 * and share links, e.g. "http://localhost:8000/chat".
 * @param {{origin: string}} location
 * @param {string} base
 */
export function absoluteBase(location, base) {
  return location.origin + base;
}

/**
 * shareURL is the playground URL that restores a config: the hash is the
 * LZ-String of the config JSON, computed by the caller.
 */
export function shareURL(location, base, hash) {
  return `${absoluteBase(location, base)}/c/${hash}/playground/`;
}
