// Drives the real LangChain.js RemoteRunnable (@langchain/core 0.3.80, the
// last line that ships it) against a LangServe server and prints one line
// per call, in the format of testdata/golden/clients__js_output.txt, which
// this same sequence of calls printed against the Python reference server.
//
//   LANGSERVE_URL=http://127.0.0.1:8100 \
//   LANGSERVE_JSCLIENT_DIR=.cache/jsclient node client.mjs
//
// LANGSERVE_JSCLIENT_DIR is where scripts/install-jsclient.sh installed the
// package (Node's ES module resolution ignores NODE_PATH, so the package is
// loaded through a require rooted there). Exits non-zero on an unexpected
// failure.
import { createRequire } from "node:module";
import path from "node:path";

const base = (process.env.LANGSERVE_URL ?? "http://127.0.0.1:8100").replace(/\/$/, "");
const clientDir = path.resolve(process.env.LANGSERVE_JSCLIENT_DIR ?? ".");
const require = createRequire(path.join(clientDir, "package.json"));
const { RemoteRunnable } = require("@langchain/core/runnables/remote");

const remote = (route) => new RemoteRunnable({ url: `${base}/${route}` });
const show = (label, value) => console.log(`${label}: ${value}`);
const json = (v) => JSON.stringify(v);
// An error as the recording printed it: its class and the first 200
// characters of its message (validation errors are long).
const raised = (e) => `raised ${e?.name ?? typeof e}: ${String(e?.message ?? e).slice(0, 200)}`;

async function collect(iterable) {
  const out = [];
  for await (const x of iterable) out.push(x);
  return out;
}

const hello = { language: "French", text: "hello" };
const echo = remote("echo");
const chat = remote("chat");
const chatmsg = remote("chatmsg");

show("echo.invoke", json(await echo.invoke({ a: 1, b: [true, null, "x"] })));
show("echo.batch", json(await echo.batch([1, "two", { three: 3 }])));
show("echo.batch(config list)", json(await echo.batch([1, 2], [{ tags: ["a"] }, { tags: ["b"] }])));

show("chat.invoke", json(await chat.invoke(hello)));
show("chat.batch", json(await chat.batch([hello, { language: "German", text: "cat" }])));
show("chat.stream", json(await collect(await chat.stream(hello))));

const msg = await chatmsg.invoke(hello);
show("chatmsg.invoke", `${msg.constructor.name} content=${json(msg.content)}`);
const chunks = await collect(await chatmsg.stream(hello));
const types = [...new Set(chunks.map((c) => c.constructor.name))];
show("chatmsg.stream", `${chunks.length} chunks, types=${json(types)}, joined=${json(chunks.map((c) => c.content).join(""))}`);

show("typed.invoke", json(await remote("typed").invoke({ name: "Ada", times: 2 })));
show("retriever.invoke", json(await remote("retriever").invoke("do cats sleep")));

// streamLog yields RunLogPatch objects; RunLog accumulates them into the
// run's state, as the client's own callers do.
const { RunLog } = require("@langchain/core/tracers/log_stream");
let patches = 0;
let ops = 0;
let log;
for await (const patch of chat.streamLog(hello)) {
  patches += 1;
  ops += patch.ops.length;
  log = log === undefined ? RunLog.fromRunLogPatch(patch) : log.concat(patch);
}
show("chat.streamLog", `${patches} patches, ${ops} ops, final_output=${json(log?.state?.final_output)}`);

for (const version of ["v2", "v1"]) {
  const events = await collect(chat.streamEvents(hello, { version }));
  show(`chat.streamEvents(${version})`, `${events.length} events: ${json(events.map((e) => [e.event, e.name]))}`);
  const tokens = events.filter((e) => e.event === "on_chat_model_stream").map((e) => e.data.chunk.content);
  show(`chat.streamEvents(${version}) chat_model_stream tokens`, json(tokens));
}

const fail = remote("fail");
try {
  show("fail.invoke", `returned ${json(await fail.invoke({ x: 1 }))}`);
} catch (e) {
  show("fail.invoke", raised(e));
}
try {
  show("fail.stream", `yielded ${json(await collect(await fail.stream({ x: 1 })))}`);
} catch (e) {
  show("fail.stream", raised(e));
}
try {
  show("chat.invoke(bad input)", `returned ${json(await chat.invoke("not a dict"))}`);
} catch (e) {
  show("chat.invoke(bad input)", raised(e));
}
console.log("JS CLIENT OK");
