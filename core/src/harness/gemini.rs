//! Gemini CLI hook responses. The events, fields and output semantics are those of
//! `@google/gemini-cli-core` 0.61.0 (`dist/src/hooks/types.d.ts`, `hookRunner.js`,
//! `hookEventHandler.js`), checked by running the CLI against a fake Gemini API. Gemini reads
//! one JSON object on stdout (`decision: deny` + `reason`, `continue: false` + `stopReason`,
//! `hookSpecificOutput`); a JSON answer overrides the exit code, so cupcake always exits 0.

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, McpNaming, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    "SessionStart",
    "SessionEnd",
    "BeforeAgent",
    "AfterAgent",
    "BeforeModel",
    "AfterModel",
    "BeforeToolSelection",
    "BeforeTool",
    "AfterTool",
    "PreCompress",
    "Notification",
];

/// Built-in tools of Gemini CLI 0.61.0 (`tools/tool-names.js`); MCP tools are
/// `mcp_<server>_<tool>`.
const TOOLS: &[&str] = &[
    "run_shell_command",
    "read_file",
    "write_file",
    "replace",
    "read_many_files",
    "list_directory",
    "glob",
    "grep_search",
    "search_file_content",
    "web_fetch",
    "google_web_search",
    "write_todos",
    "ask_user",
    "activate_skill",
    "get_internal_docs",
    "enter_plan_mode",
    "exit_plan_mode",
    "update_topic",
    "complete_task",
    "invoke_agent",
    "list_mcp_resources",
    "read_mcp_resource",
    "list_background_processes",
    "read_background_output",
    "save_memory",
];

const CATALOG: Catalog = Catalog {
    title: "Gemini CLI",
    events: EVENTS,
    tool_events: &["BeforeTool", "AfterTool"],
    tools: Some(TOOLS),
    mcp: Some(McpNaming {
        prefix: "mcp_",
        separators: &["_"],
        spelling: "`mcp_<server>_<tool>`",
    }),
};

/// Gemini CLI.
pub(super) struct Gemini;

/// How an event answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `BeforeTool`: deny, ask, a `tool_input` rewrite, or a halt.
    Tool,
    /// `AfterTool`: deny replaces the tool's result; context is appended to it.
    ToolResult,
    /// `BeforeAgent`: deny drops the prompt; context is added after it.
    Prompt,
    /// `AfterAgent`: deny sends the reason back as a new prompt (the agent goes on).
    Stop,
    /// `BeforeModel`, `AfterModel`: deny blocks the model call.
    Model,
    /// `BeforeToolSelection`: only `toolConfig` is read; refusing means offering no tools.
    ToolSelection,
    /// `SessionStart`: only context and a message for the user are read.
    Session,
    /// `SessionEnd`, `PreCompress`, `Notification`: the answer is not read.
    Observe,
}

fn form(event: &str) -> Form {
    match event {
        "BeforeTool" => Form::Tool,
        "AfterTool" => Form::ToolResult,
        "BeforeAgent" => Form::Prompt,
        "AfterAgent" => Form::Stop,
        "BeforeModel" | "AfterModel" => Form::Model,
        "BeforeToolSelection" => Form::ToolSelection,
        "SessionStart" => Form::Session,
        _ => Form::Observe,
    }
}

impl Protocol for Gemini {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        match name {
            "BeforeTool" => Some(tool_action(event)?),
            "AfterTool" => Some(tool_action(event)?.after()),
            "BeforeAgent" => Some(Action::prompt("/prompt")),
            "AfterAgent" => Some(Action::stop()),
            _ => None,
        }
    }

    fn reply(&self, event: &str, decision: &Decision) -> Reply {
        Reply::json(response(event, decision))
    }

    fn refuses(&self, event: &str) -> bool {
        !matches!(form(event), Form::Session | Form::Observe)
    }

    fn stop_everything(&self, reason: &str) -> Reply {
        Reply::json(json!({
            "continue": false,
            "stopReason": reason,
            "decision": "deny",
            "reason": reason,
        }))
    }

    fn is_repeated_stop(&self, event: &Map<String, Value>) -> bool {
        super::event_name(event) == Some("AfterAgent")
            && event.get("stop_hook_active").and_then(Value::as_bool) == Some(true)
    }

    fn allow_stop(&self, reason: &str) -> Reply {
        Reply::json(json!({"systemMessage": reason}))
    }
}

/// What a Gemini tool does. MCP calls are named by `mcp_context` (the tool name itself is
/// ambiguous: `_` also occurs inside server and tool names).
fn tool_action(event: &Map<String, Value>) -> Option<Action> {
    let tool = event.get("tool_name").and_then(Value::as_str)?;
    Some(match tool {
        "run_shell_command" => Action::shell("/tool_input/command"),
        "read_file" => Action::file(ActionKind::Read, "/tool_input/file_path"),
        "list_directory" | "glob" | "grep_search" | "search_file_content" => {
            Action::file(ActionKind::Read, "/tool_input/dir_path")
        }
        "write_file" => Action::file(ActionKind::Write, "/tool_input/file_path"),
        "replace" => Action::file(ActionKind::Edit, "/tool_input/file_path"),
        // `web_fetch` takes free text with the URLs in it (or `url`, experimentally).
        "web_fetch" if Action::text(event, Some("/tool_input/url")).is_some() => {
            Action::fetch("/tool_input/url")
        }
        "web_fetch" => Action::fetch("/tool_input/prompt"),
        "google_web_search" => Action::fetch("/tool_input/query"),
        _ => match event.get("mcp_context").and_then(Value::as_object) {
            Some(mcp) => Action::mcp(
                mcp.get("server_name").and_then(Value::as_str).unwrap_or(""),
                mcp.get("tool_name").and_then(Value::as_str).unwrap_or(""),
                "/tool_input",
            ),
            None => Action::other(),
        },
    })
}

fn response(event: &str, decision: &Decision) -> Value {
    let form = form(event);
    let reason = decision.reason.as_str();
    let mut out = Map::new();
    let mut specific = Map::new();
    let deny = |out: &mut Map<String, Value>| {
        out.insert("decision".into(), json!("deny"));
        out.insert("reason".into(), json!(reason));
    };
    match (decision.kind, form) {
        (kind, Form::ToolSelection) if kind.is_blocking() => {
            specific.insert("toolConfig".into(), json!({"mode": "NONE"}));
        }
        (_, Form::Observe | Form::ToolSelection) => {}
        // Gemini reads neither a decision nor `continue` here; the user sees the message.
        (kind, Form::Session) if kind.is_blocking() => {
            out.insert("systemMessage".into(), json!(reason));
        }
        (DecisionKind::Halt, Form::Stop) => {
            // A deny on AfterAgent makes the agent go on; a halt must only stop it.
            out.insert("continue".into(), json!(false));
            out.insert("stopReason".into(), json!(reason));
        }
        (DecisionKind::Halt, _) => {
            out.insert("continue".into(), json!(false));
            out.insert("stopReason".into(), json!(reason));
            deny(&mut out);
        }
        (DecisionKind::Deny | DecisionKind::Block, _) => deny(&mut out),
        (DecisionKind::Ask, Form::Tool) => {
            out.insert("decision".into(), json!("ask"));
            out.insert("systemMessage".into(), json!(reason));
        }
        (DecisionKind::Ask | DecisionKind::Modify, Form::Prompt | Form::Session) => {
            specific.insert("additionalContext".into(), json!(reason));
        }
        (DecisionKind::Modify, Form::Tool) => {
            let updated = decision.updated_input.clone().unwrap_or_else(|| json!({}));
            specific.insert("tool_input".into(), updated);
        }
        _ => {}
    }
    let takes_context = matches!(form, Form::ToolResult | Form::Prompt | Form::Session);
    if takes_context {
        super::add_context(&mut specific, &decision.context);
    }
    super::hook_specific_output(&mut out, event, specific);
    Value::Object(out)
}
