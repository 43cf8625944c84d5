// A stand-in for the Anthropic Messages API on loopback, so the real Claude Code CLI can run a
// scripted turn offline: the first main-loop request (one offering the Bash tool) gets a Bash
// tool_use running $FAKE_BASH_COMMAND; every later request gets the text "done". Each request
// body is appended to <log dir>/requests.jsonl for the test to read.
// Usage: node fake-anthropic.mjs <log dir>; prints "PORT=<n>" once listening.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const logDir = process.argv[2];
const requests = path.join(logDir, "requests.jsonl");
const command = process.env.FAKE_BASH_COMMAND ?? "touch ran.txt";
let counter = 0;

function reply(body) {
  counter += 1;
  const offersBash = (body.tools ?? []).some((tool) => tool.name === "Bash");
  const answered = (body.messages ?? []).some(
    (m) => Array.isArray(m.content) && m.content.some((c) => c.type === "tool_result"),
  );
  const content =
    offersBash && !answered
      ? [{ type: "tool_use", id: `toolu_${counter}`, name: "Bash", input: { command, description: "scripted" } }]
      : [{ type: "text", text: "done" }];
  return {
    id: `msg_${counter}`,
    type: "message",
    role: "assistant",
    model: body.model ?? "fake",
    content,
    stop_reason: content[0].type === "tool_use" ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function stream(res, message) {
  const send = (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  res.writeHead(200, { "content-type": "text/event-stream" });
  send("message_start", { message: { ...message, content: [], stop_reason: null } });
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      send("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else {
      send("content_block_start", { index, content_block: { ...block, input: {} } });
      send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
    }
    send("content_block_stop", { index });
  });
  send("message_delta", { delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: 1 } });
  send("message_stop", {});
  res.end();
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const url = new URL(req.url, "http://loopback");
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    } catch {
      body = {};
    }
    fs.appendFileSync(requests, JSON.stringify({ path: url.pathname, body }) + "\n");
    if (req.method === "POST" && url.pathname === "/v1/messages") {
      const message = reply(body);
      if (body.stream) {
        stream(res, message);
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(message));
      }
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "not faked" } }));
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`PORT=${server.address().port}\n`));
process.on("SIGTERM", () => process.exit(0));
