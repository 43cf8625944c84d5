//! OpenCode answers. OpenCode has no command hooks, only in-process plugins
//! (`@opencode-ai/plugin` 1.18.33), so cupcake ships its own plugin
//! (`cupcake init --harness opencode` writes `.opencode/plugins/cupcake.ts`). The plugin sends
//! one event per awaited plugin hook, named after the hook (`tool.execute.before`,
//! `tool.execute.after`, `chat.message`, `experimental.session.compacting`) with OpenCode's own
//! tool id in `tool_name` and its arguments in `tool_input`, and applies the answer:
//!
//! `{"decision": "allow" | "deny" | "halt", "reason"?, "updated_args"?, "context"?}`
//!
//! A deny throws in the hook (the model sees the reason as the tool's result); a halt also
//! aborts the session; `updated_args` replaces the arguments in place; `context` is appended
//! to the tool's output or added to the prompt. OpenCode gives a plugin no way to ask the
//! user, so an ask refuses. Anything the plugin cannot read refuses too.

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, McpNaming, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    "tool.execute.before",
    "tool.execute.after",
    "chat.message",
    "experimental.session.compacting",
];

/// Built-in tools of OpenCode 1.18.33; MCP tools are `<server>_<tool>`.
const TOOLS: &[&str] = &[
    "bash",
    "read",
    "write",
    "edit",
    "apply_patch",
    "glob",
    "grep",
    "webfetch",
    "websearch",
    "task",
    "todowrite",
    "skill",
    "question",
    "lsp",
    "plan_exit",
    "execute",
    "invalid",
];

const CATALOG: Catalog = Catalog {
    title: "OpenCode",
    events: EVENTS,
    tool_events: &["tool.execute.before", "tool.execute.after"],
    tools: Some(TOOLS),
    mcp: Some(McpNaming {
        prefix: "",
        separators: &["_"],
        spelling: "`<server>_<tool>`",
    }),
};

/// OpenCode, through cupcake's plugin.
pub(super) struct OpenCode;

impl Protocol for OpenCode {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    /// `apply_patch` names its files only inside the patch text; they are listed in
    /// `patch_files` so the action (and self-protection) can see them.
    fn canonicalize(&self, event: &mut Map<String, Value>) {
        if event.get("tool_name").and_then(Value::as_str) != Some("apply_patch") {
            return;
        }
        let Some(patch) = Action::text(event, Some("/tool_input/patchText")) else {
            return;
        };
        let files: Vec<Value> = super::patch::files(patch)
            .into_iter()
            .map(Value::String)
            .collect();
        event.insert("patch_files".into(), Value::Array(files));
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        let tool = || event.get("tool_name").and_then(Value::as_str);
        Some(match name {
            "tool.execute.before" => tool_action(tool()?),
            "tool.execute.after" => tool_action(tool()?).after(),
            "chat.message" => Action::prompt("/prompt"),
            _ => return None,
        })
    }

    fn reply(&self, event: &str, decision: &Decision) -> Reply {
        let reason = decision.reason.as_str();
        let refuses = self.refuses(event);
        let mut out = Map::new();
        let mut context: Vec<String> = Vec::new();
        match decision.kind {
            DecisionKind::Halt if refuses => {
                out.insert("decision".into(), json!("halt"));
                out.insert("reason".into(), json!(reason));
            }
            DecisionKind::Deny | DecisionKind::Block if refuses => {
                out.insert("decision".into(), json!("deny"));
                out.insert("reason".into(), json!(reason));
            }
            DecisionKind::Ask if event == "chat.message" => context.push(reason.to_string()),
            DecisionKind::Ask if refuses => {
                out.insert("decision".into(), json!("deny"));
                out.insert(
                    "reason".into(),
                    json!(format!(
                        "{reason} (this needs the user's approval, and OpenCode cannot ask from a plugin)"
                    )),
                );
            }
            DecisionKind::Modify if event == "tool.execute.before" => {
                out.insert("decision".into(), json!("allow"));
                let updated = decision.updated_input.clone().unwrap_or_else(|| json!({}));
                out.insert("updated_args".into(), updated);
            }
            DecisionKind::Modify if event == "chat.message" => context.push(reason.to_string()),
            _ => {}
        }
        out.entry("decision").or_insert(json!("allow"));
        if event != "tool.execute.before" {
            context.extend(decision.context.iter().cloned());
        }
        if !context.is_empty() {
            out.insert("context".into(), json!(context.join("\n")));
        }
        Reply::json(Value::Object(out))
    }

    fn refuses(&self, event: &str) -> bool {
        matches!(
            event,
            "tool.execute.before" | "tool.execute.after" | "chat.message"
        )
    }

    fn stop_everything(&self, reason: &str) -> Reply {
        Reply::json(json!({"decision": "halt", "reason": reason}))
    }
}

/// What an OpenCode tool does, and where its arguments keep the details.
fn tool_action(tool: &str) -> Action {
    match tool {
        "bash" => Action::shell("/tool_input/command"),
        "read" => Action::file(ActionKind::Read, "/tool_input/filePath"),
        "glob" | "grep" => Action::file(ActionKind::Read, "/tool_input/path"),
        "write" => Action::file(ActionKind::Write, "/tool_input/filePath"),
        "edit" => Action::file(ActionKind::Edit, "/tool_input/filePath"),
        "apply_patch" => Action::files(ActionKind::Edit, "/patch_files"),
        "webfetch" => Action::fetch("/tool_input/url"),
        "websearch" => Action::fetch("/tool_input/query"),
        _ => super::mcp_or_other(&OpenCode, tool),
    }
}
