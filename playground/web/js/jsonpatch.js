// A small JSON-Patch (RFC 6902) applier for the stream_log RunLogPatch
// stream. LangServe sends only "add" and "replace" (and a "remove" is cheap
// to support), so that is all this implements; anything else is an error
// rather than a silent no-op, because a skipped op would leave the run state
// wrong without any sign of it.

export class PatchError extends Error {
  constructor(message, op) {
    super(message);
    this.name = "PatchError";
    this.op = op;
  }
}

/**
 * parsePointer splits a JSON Pointer (RFC 6901) into unescaped tokens.
 * "" is the whole document; "~1" means "/" and "~0" means "~".
 * @param {string} pointer
 * @returns {string[]}
 */
export function parsePointer(pointer) {
  if (pointer === "") return [];
  if (typeof pointer !== "string" || pointer[0] !== "/") {
    throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  }
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(arr, token, allowEnd, op) {
  if (token === "-" && allowEnd) return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    throw new PatchError(`invalid array index ${JSON.stringify(token)}`, op);
  }
  const i = Number(token);
  const max = allowEnd ? arr.length : arr.length - 1;
  if (i > max) {
    throw new PatchError(`array index ${i} out of range (length ${arr.length})`, op);
  }
  return i;
}

function isContainer(v) {
  return v !== null && typeof v === "object";
}

/**
 * applyOp applies one operation and returns the new document. The document
 * is changed in place (the stream_log state is private to the caller and
 * can grow large, so copying it for every token would be wasteful); only an
 * op on the root path replaces the document itself.
 * @param {any} doc
 * @param {{op: string, path: string, value?: any}} op
 * @returns {any}
 */
export function applyOp(doc, op) {
  if (!isContainer(op) || typeof op.op !== "string") {
    throw new PatchError("patch operation must be an object with an \"op\"", op);
  }
  const tokens = parsePointer(op.path);
  if (op.op !== "add" && op.op !== "replace" && op.op !== "remove") {
    throw new PatchError(`unsupported patch op ${JSON.stringify(op.op)}`, op);
  }
  if ((op.op === "add" || op.op === "replace") && !("value" in op)) {
    throw new PatchError(`"${op.op}" at ${JSON.stringify(op.path)} has no value`, op);
  }
  if (tokens.length === 0) {
    return op.op === "remove" ? null : op.value;
  }
  let parent = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(parent)) {
      parent = parent[arrayIndex(parent, token, false, op)];
    } else if (isContainer(parent) && Object.hasOwn(parent, token)) {
      parent = parent[token];
    } else {
      throw new PatchError(`path ${JSON.stringify(op.path)} does not exist`, op);
    }
  }
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, op.op === "add", op);
    if (op.op === "add") parent.splice(i, 0, op.value);
    else if (op.op === "replace") parent[i] = op.value;
    else parent.splice(i, 1);
    return doc;
  }
  if (!isContainer(parent)) {
    throw new PatchError(`path ${JSON.stringify(op.path)} does not exist`, op);
  }
  // RFC 6902 wants the target of "replace" to exist; fast-json-patch (which
  // LangServe's own tools use) just sets it, so a producer that relies on
  // that still renders here. "remove" of nothing stays an error.
  if (op.op === "remove" && !Object.hasOwn(parent, last)) {
    throw new PatchError(`path ${JSON.stringify(op.path)} does not exist`, op);
  }
  if (op.op === "remove") {
    delete parent[last];
  } else {
    // defineProperty, not assignment: a key named "__proto__" (legal in
    // JSON) must become a plain member, never the object's prototype.
    Object.defineProperty(parent, last, {
      value: op.value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return doc;
}

/**
 * applyPatch applies ops in order and returns the new document.
 * @param {any} doc
 * @param {Array<object>} ops
 * @returns {any}
 */
export function applyPatch(doc, ops) {
  if (!Array.isArray(ops)) throw new PatchError("patch must be an array of operations");
  for (const op of ops) doc = applyOp(doc, op);
  return doc;
}
