// Drives one prompt through Factory Droid's JSON-RPC mode (`droid exec --input-format
// stream-jsonrpc --output-format stream-jsonrpc`), the only headless mode in which Droid runs
// UserPromptSubmit hooks (plain `droid exec "<prompt>"` never fires that event). It starts the
// CLI given as arguments, asks for a session (`droid.initialize_session` in the working
// directory, with $DROID_RPC_MODEL and autonomy level $DROID_RPC_AUTONOMY), sends the prompt
// $DROID_RPC_PROMPT once the session answers, and closes the CLI's stdin when the turn ends
// (`agent_turn_completed`), so the CLI exits. The CLI's stdout (JSON-RPC lines) and stderr pass
// through; the exit code is the CLI's, or 1 when the turn never completed.
// Usage: node droid-rpc.mjs <droid> [args...]
import { spawn } from "node:child_process";
import readline from "node:readline";

const [cli, ...args] = process.argv.slice(2);
const envelope = { jsonrpc: "2.0", factoryApiVersion: "1.0.0", type: "request" };
const child = spawn(cli, args, { stdio: ["pipe", "pipe", "inherit"] });
let completed = false;

function send(id, method, params) {
  child.stdin.write(JSON.stringify({ ...envelope, id, method, params }) + "\n");
}

readline.createInterface({ input: child.stdout }).on("line", (line) => {
  process.stdout.write(line + "\n");
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.type === "response" && message.id === "init") {
    send("prompt", "droid.add_user_message", { text: process.env.DROID_RPC_PROMPT ?? "run it" });
  }
  if (message.params?.notification?.type === "agent_turn_completed" && !completed) {
    completed = true;
    child.stdin.end();
  }
  // A refused request ends nothing by itself: give up so the CLI exits.
  if (message.type === "response" && message.error) child.stdin.end();
});

child.on("exit", (code, signal) => process.exit(completed ? (code ?? 1) : 1));
send("init", "droid.initialize_session", {
  machineId: "cupcake-live",
  cwd: process.cwd(),
  modelId: process.env.DROID_RPC_MODEL,
  autonomyLevel: process.env.DROID_RPC_AUTONOMY ?? "high",
});
