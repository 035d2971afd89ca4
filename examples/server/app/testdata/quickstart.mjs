// The JavaScript quickstart of the README, run by TestJSQuickstart against
// the example server with the real LangChain.js RemoteRunnable
// (@langchain/core 0.3.80, installed by scripts/install-jsclient.sh).
//
//   LANGSERVE_URL=http://127.0.0.1:8000 LANGSERVE_JSCLIENT_DIR=.cache/jsclient node quickstart.mjs
import { createRequire } from "node:module";
import path from "node:path";

const base = (process.env.LANGSERVE_URL ?? "http://127.0.0.1:8000").replace(/\/$/, "");
const require = createRequire(path.join(path.resolve(process.env.LANGSERVE_JSCLIENT_DIR ?? "."), "package.json"));
const { RemoteRunnable } = require("@langchain/core/runnables/remote");

// --- quickstart (README) ---------------------------------------------------
const translate = new RemoteRunnable({ url: `${base}/translate` });
console.log("translate.invoke:", await translate.invoke({ text: "Good morning", target_language: "French" }));

const rag = new RemoteRunnable({ url: `${base}/rag` });
const answer = await rag.invoke({ question: "What happens to a search when one shard fails?" });
console.log("rag.invoke:", answer.model, answer.sources[0].source, answer.answer.length > 0);

let chunks = 0;
let text = "";
for await (const chunk of await rag.stream({ question: "What happens to a search when one shard fails?" })) {
  chunks++;
  text += chunk.answer;
}
console.log("rag.stream:", chunks > 2, text === answer.answer);

const agent = new RemoteRunnable({ url: `${base}/agent` });
const reply = await agent.invoke({ messages: [{ type: "human", content: "Please calculate (12 + 30) * 2.5" }] });
console.log("agent.invoke:", reply.content);
for await (const chunk of await agent.stream({ messages: [{ type: "human", content: "What time is it now?" }] })) {
  console.log("agent.stream:", chunk.content);
}
