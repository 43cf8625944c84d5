// A loopback stand-in for the Gemini API (`generativelanguage.googleapis.com`), so the real
// Gemini CLI can run one scripted turn offline. The CLI reaches it through
// GOOGLE_GEMINI_BASE_URL and calls `POST /v1beta/models/<model>:streamGenerateContent?alt=sse`.
//
// The script: a request that offers `run_shell_command` and carries no tool result yet is
// answered with a call of that tool running $FAKE_SHELL_COMMAND; every other generation request
// is answered with the text "done". countTokens, embeddings and model listings get small valid
// answers so nothing the CLI asks on the side waits. Every request (method, path, JSON body) is
// appended as one line to <log dir>/requests.jsonl before it is answered.
//
// Usage: node fake-gemini.mjs <log dir>; prints "PORT=<n>" on stdout once it listens.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const logDir = process.argv[2];
if (!logDir) {
  process.stderr.write("usage: node fake-gemini.mjs <log dir>\n");
  process.exit(2);
}
const logFile = path.join(logDir, "requests.jsonl");
const shellCommand = process.env.FAKE_SHELL_COMMAND ?? "touch ran.txt";
let calls = 0;

const declaredTools = (body) =>
  (body.tools ?? []).flatMap((tool) => (tool.functionDeclarations ?? []).map((d) => d.name));

const hasToolResult = (body) =>
  (body.contents ?? []).some((turn) => (turn.parts ?? []).some((part) => part.functionResponse));

// The model's answer to one generation request: a GenerateContentResponse.
function answer(body, model) {
  calls += 1;
  const callsShell = declaredTools(body).includes("run_shell_command") && !hasToolResult(body);
  let parts;
  if (callsShell) {
    parts = [
      {
        functionCall: {
          id: `call_${calls}`,
          name: "run_shell_command",
          args: { command: shellCommand, description: "scripted by the fake API" },
        },
      },
    ];
  } else if (body.generationConfig?.responseMimeType === "application/json") {
    // A side request that wants JSON (the CLI's own checks): an empty object is valid JSON.
    parts = [{ text: "{}" }];
  } else {
    parts = [{ text: "done" }];
  }
  return {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
    modelVersion: model,
    responseId: `resp_${calls}`,
  };
}

function sendJson(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function route(req, res, body) {
  const url = new URL(req.url, "http://loopback");
  // `/v1beta/models/<model>:<method>`; the model name itself has no colon.
  const match = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/.exec(url.pathname);
  if (req.method === "GET" && /^\/v1(?:beta|alpha)?\/models\/?$/.test(url.pathname)) {
    sendJson(res, 200, { models: [{ name: "models/gemini-2.5-flash", displayName: "fake" }] });
    return;
  }
  if (req.method === "GET" && /^\/v1(?:beta|alpha)?\/models\/[^/:]+$/.test(url.pathname)) {
    sendJson(res, 200, { name: url.pathname.replace(/^\/v1(?:beta|alpha)?\//, "") });
    return;
  }
  if (!match || req.method !== "POST") {
    sendJson(res, 404, { error: { code: 404, message: "not faked", status: "NOT_FOUND" } });
    return;
  }
  const [, model, method] = match;
  switch (method) {
    case "streamGenerateContent":
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`data: ${JSON.stringify(answer(body, model))}\r\n\r\n`);
      return;
    case "generateContent":
      sendJson(res, 200, answer(body, model));
      return;
    case "countTokens":
      sendJson(res, 200, { totalTokens: 1 });
      return;
    case "embedContent":
      sendJson(res, 200, { embedding: { values: [0, 0, 0] } });
      return;
    case "batchEmbedContents":
      sendJson(res, 200, { embeddings: (body.requests ?? []).map(() => ({ values: [0, 0, 0] })) });
      return;
    default:
      sendJson(res, 404, { error: { code: 404, message: `${method} not faked`, status: "NOT_FOUND" } });
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const text = Buffer.concat(chunks).toString("utf8");
    let body = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { unparsed: text };
    }
    fs.appendFileSync(
      logFile,
      JSON.stringify({ method: req.method, path: new URL(req.url, "http://loopback").pathname, body }) + "\n",
    );
    route(req, res, body);
  });
});

server.listen(0, "127.0.0.1", () => process.stdout.write(`PORT=${server.address().port}\n`));
process.on("SIGTERM", () => process.exit(0));
