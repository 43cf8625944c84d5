// A stand-in for the OpenAI chat-completions API on loopback, so an OpenAI-compatible agent CLI
// (GitHub Copilot's BYOK mode, for one) can run a scripted turn offline. The first request that
// offers the tool named $FAKE_TOOL_NAME (default "bash") and holds no tool result yet gets one
// call of that tool running $FAKE_SHELL_COMMAND; every other request gets the text "done".
// The call's arguments follow the schema the request declares for the tool: the command goes in
// its `command` property (or its first required string property), a `description` is added when
// the tool has one, and $FAKE_TOOL_ARGS (a JSON object) replaces them all when set.
// Streaming (`stream: true`) answers are SSE chunks shaped as OpenAI sends them; otherwise one
// JSON completion. `GET .../models` lists one model. Each request is appended to
// <log dir>/requests.jsonl as {method, path, body} for the test to read.
// Usage: node fake-openai.mjs <log dir>; prints "PORT=<n>" once listening.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const logDir = process.argv[2];
const requests = path.join(logDir, "requests.jsonl");
const toolName = process.env.FAKE_TOOL_NAME || "bash";
const command = process.env.FAKE_SHELL_COMMAND ?? "touch ran.txt";
const fixedArgs = process.env.FAKE_TOOL_ARGS ? JSON.parse(process.env.FAKE_TOOL_ARGS) : null;
const modelName = process.env.FAKE_MODEL || "gpt-4.1";
let counter = 0;

// The declared tool, in the chat-completions shape ({type: "function", function: {...}}) or
// the flat one some clients send ({type: "function", name, parameters}).
function offered(body) {
  for (const tool of body.tools ?? []) {
    const fn = tool.function ?? tool;
    if (fn.name === toolName) return fn;
  }
  return null;
}

function argumentsFor(fn) {
  if (fixedArgs) return fixedArgs;
  const schema = fn.parameters ?? {};
  const props = schema.properties ?? {};
  const required = schema.required ?? [];
  let key = "command";
  if (!(key in props)) {
    key = required.find((name) => props[name]?.type === "string") ?? "command";
  }
  const args = { [key]: command };
  if ("description" in props && key !== "description") args.description = "Run the scripted command";
  return args;
}

// Whether the conversation already holds a tool result (the scripted call was answered).
function answered(body) {
  return (body.messages ?? []).some((m) => m.role === "tool" || m.role === "function");
}

// The assistant message for this request: {content} or {tool_calls}.
function reply(body) {
  counter += 1;
  const fn = offered(body);
  if (fn && !answered(body)) {
    return {
      content: null,
      tool_calls: [
        {
          id: `call_fake_${counter}`,
          type: "function",
          function: { name: toolName, arguments: JSON.stringify(argumentsFor(fn)) },
        },
      ],
      finish: "tool_calls",
    };
  }
  return { content: "done", finish: "stop" };
}

const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };

function complete(res, body, message) {
  const msg = { role: "assistant", content: message.content, refusal: null };
  if (message.tool_calls) msg.tool_calls = message.tool_calls;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      id: `chatcmpl-fake-${counter}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? modelName,
      choices: [{ index: 0, message: msg, logprobs: null, finish_reason: message.finish }],
      usage,
    }),
  );
}

function stream(res, body, message) {
  const base = {
    id: `chatcmpl-fake-${counter}`,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? modelName,
    system_fingerprint: "fake",
  };
  const send = (choices, extra = {}) => res.write(`data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`);
  const delta = (d, finish = null) => send([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  if (message.tool_calls) {
    delta({ role: "assistant", content: null });
    message.tool_calls.forEach((call, index) => {
      delta({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }],
      });
      // The arguments arrive in pieces, as the real API streams them.
      const text = call.function.arguments;
      const cut = Math.ceil(text.length / 2);
      for (const piece of [text.slice(0, cut), text.slice(cut)]) {
        if (piece) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
      }
    });
  } else {
    delta({ role: "assistant", content: "", refusal: null });
    delta({ content: message.content });
  }
  delta({}, message.finish);
  if (body.stream_options?.include_usage) send([], { usage });
  res.write("data: [DONE]\n\n");
  res.end();
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const url = new URL(req.url, "http://loopback");
    const text = Buffer.concat(chunks).toString("utf8");
    let body = {};
    try {
      body = JSON.parse(text || "{}");
    } catch {
      body = { unparsed: text };
    }
    fs.appendFileSync(requests, JSON.stringify({ method: req.method, path: url.pathname, body }) + "\n");
    if (req.method === "POST" && url.pathname.endsWith("/chat/completions")) {
      const message = reply(body);
      if (body.stream) {
        stream(res, body, message);
      } else {
        complete(res, body, message);
      }
      return;
    }
    if (req.method === "GET" && url.pathname.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ object: "list", data: [{ id: modelName, object: "model", created: 0, owned_by: "fake" }] }),
      );
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: { message: `not faked: ${req.method} ${url.pathname}`, type: "invalid_request_error", code: "not_found" },
      }),
    );
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`PORT=${server.address().port}\n`));
process.on("SIGTERM", () => process.exit(0));
