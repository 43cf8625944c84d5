//! Puts a decision in the words of the agent that asked. Each agent is one file here that
//! implements [`Protocol`]: the event and tool names it sends, where its events carry their
//! name, tool and action, and one row per event saying how that event answers. Everything
//! else in cupcake (routing, preprocessing, self-protection, `validate`) asks the protocol,
//! so adding an agent is adding a file, a `Harness` variant and conformance cases.

pub mod action;
mod claude;
mod cline;
mod copilot;
mod cursor;
mod factory;
mod gemini;
mod opencode;
mod patch;
mod windsurf;

use serde_json::{Map, Value};

pub use action::{Action, ActionKind};

use crate::decision::{Decision, DecisionKind};
use crate::options::Harness;

/// What a hook call answers: JSON on stdout, text on stderr and an exit code. Most agents read
/// only stdout; exit-code protocols (exit 2 blocks) read the other two.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The JSON to print on stdout (always an object, `{}` when there is nothing to say).
    pub response: Value,
    /// Text for stderr; empty when there is none.
    pub stderr: String,
    /// The process exit code the agent reads.
    pub exit_code: i32,
}

impl Reply {
    /// A JSON answer with exit code 0.
    pub fn json(response: Value) -> Self {
        Self {
            response,
            stderr: String::new(),
            exit_code: 0,
        }
    }
}

/// One agent's hook protocol.
pub(crate) trait Protocol: Sync {
    /// What the agent sends: names, events, tools.
    fn catalog(&self) -> &'static Catalog;

    /// The agent's name for messages, e.g. "Claude Code".
    fn title(&self) -> &'static str {
        self.catalog().title
    }

    /// Every event name the agent sends.
    fn events(&self) -> &'static [&'static str] {
        self.catalog().events
    }

    /// Whether `event`'s input names a tool, so `required_tools` can match it.
    fn carries_tool(&self, event: &str) -> bool {
        self.catalog().tool_events.contains(&event)
    }

    /// The agent's built-in tool names, when the set is closed (for `validate`).
    fn tools(&self) -> Option<&'static [&'static str]> {
        self.catalog().tools
    }

    /// How this agent spells MCP tool names, when they follow one pattern.
    fn mcp_naming(&self) -> Option<&'static McpNaming> {
        self.catalog().mcp.as_ref()
    }

    /// Copies the agent's own spellings of the event name, tool name and tool input into
    /// `hook_event_name`, `tool_name` and `tool_input` when it uses other fields, so routing
    /// and policies find them in one place. The agent's own fields stay as they are.
    fn canonicalize(&self, _event: &mut Map<String, Value>) {}

    /// What the event asks to do, in the shared vocabulary of `input.cupcake.action`.
    /// `event` is canonical (see [`Protocol::canonicalize`]).
    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action>;

    /// The answer for `decision` on `event`.
    fn reply(&self, event: &str, decision: &Decision) -> Reply;

    /// Whether a Deny on `event` actually stops something in this agent.
    fn refuses(&self, event: &str) -> bool;

    /// An answer that ends the agent's session or turn, for failures on events that cannot
    /// refuse anything.
    fn stop_everything(&self, reason: &str) -> Reply;

    /// Whether `event` is a stop the agent makes again after a hook blocked its previous one.
    fn is_repeated_stop(&self, _event: &Map<String, Value>) -> bool {
        false
    }

    /// The answer that lets a repeated stop happen while reporting `reason`.
    fn allow_stop(&self, _reason: &str) -> Reply {
        Reply::json(serde_json::json!({}))
    }
}

/// Appends `context` (joined with newlines) to `specific.additionalContext`.
fn add_context(specific: &mut Map<String, Value>, context: &[String]) {
    if context.is_empty() {
        return;
    }
    let joined = context.join("\n");
    let text = match specific.get("additionalContext").and_then(Value::as_str) {
        Some(first) => format!("{first}\n{joined}"),
        None => joined,
    };
    specific.insert("additionalContext".into(), Value::String(text));
}

/// Puts `specific` into `out.hookSpecificOutput` with its `hookEventName`, unless it is
/// empty (the Claude-style agents all use this envelope).
fn hook_specific_output(out: &mut Map<String, Value>, event: &str, specific: Map<String, Value>) {
    if specific.is_empty() {
        return;
    }
    let mut body = Map::new();
    body.insert("hookEventName".into(), Value::String(event.to_string()));
    body.extend(specific);
    out.insert("hookSpecificOutput".into(), Value::Object(body));
}

/// What an agent sends, as data: one per harness file.
pub(crate) struct Catalog {
    /// The agent's name for messages.
    pub title: &'static str,
    /// Every event name it sends.
    pub events: &'static [&'static str],
    /// The events whose input names a tool.
    pub tool_events: &'static [&'static str],
    /// Its built-in tools, when the set is closed.
    pub tools: Option<&'static [&'static str]>,
    /// Its MCP tool spelling, when there is one pattern.
    pub mcp: Option<McpNaming>,
}

/// How an agent spells an MCP tool's name: `<prefix><server><separator><tool>`.
pub(crate) struct McpNaming {
    /// Text before the server (Claude's `mcp__`), often none.
    pub prefix: &'static str,
    /// Separators between server and tool, tried in order; the name splits at the first one
    /// found (a server name containing it is ambiguous; `tool_name` keeps the full name).
    pub separators: &'static [&'static str],
    /// The spelling, for messages.
    pub spelling: &'static str,
}

/// The server and tool an MCP tool name of `protocol` names; built-in tools are never MCP.
pub(crate) fn mcp_parts<'a>(protocol: &dyn Protocol, tool: &'a str) -> Option<(&'a str, &'a str)> {
    let naming = protocol.mcp_naming()?;
    if protocol
        .tools()
        .is_some_and(|builtin| builtin.contains(&tool))
    {
        return None;
    }
    let rest = tool.strip_prefix(naming.prefix)?;
    naming
        .separators
        .iter()
        .find_map(|separator| rest.split_once(separator))
        .filter(|(server, name)| !server.is_empty() && !name.is_empty())
}

/// The action of a tool no protocol row names: an MCP call with its arguments in
/// `tool_input`, or another tool.
fn mcp_or_other(protocol: &dyn Protocol, tool: &str) -> Action {
    match mcp_parts(protocol, tool) {
        Some((server, name)) => Action::mcp(server, name, "/tool_input"),
        None => Action::other(),
    }
}

/// The protocol of `harness`.
pub(crate) fn protocol(harness: Harness) -> &'static dyn Protocol {
    match harness {
        Harness::Claude => &claude::Claude,
        Harness::Cursor => &cursor::Cursor,
        Harness::Gemini => &gemini::Gemini,
        Harness::Windsurf => &windsurf::Windsurf,
        Harness::Copilot => &copilot::Copilot,
        Harness::OpenCode => &opencode::OpenCode,
        Harness::Factory => &factory::Factory,
        Harness::Cline => &cline::Cline,
    }
}

/// The answer for `decision` on `event`.
pub fn reply(harness: Harness, event: &str, decision: &Decision) -> Reply {
    protocol(harness).reply(event, decision)
}

/// A response that blocks whatever the event was, for failures (SPEC §12). When the event is
/// known it is the harness's own blocking answer; otherwise one that stops the agent. The one
/// exception is a stop the agent is already repeating after a block ([`is_repeated_stop`]):
/// blocking it again would keep the agent running forever on a broken policy, so the stop goes
/// ahead and the failure is reported.
pub fn failure_response(harness: Harness, event: Option<&Value>, reason: &str) -> Reply {
    let protocol = protocol(harness);
    let mut canonical = event.and_then(Value::as_object).cloned();
    if let Some(event) = canonical.as_mut() {
        protocol.canonicalize(event);
    }
    if canonical
        .as_ref()
        .is_some_and(|event| protocol.is_repeated_stop(event))
    {
        return protocol.allow_stop(&format!(
            "{reason} (the stop was allowed: this stop was already blocked once)"
        ));
    }
    let decision = Decision {
        kind: DecisionKind::Deny,
        reason: reason.to_string(),
        context: Vec::new(),
        agent_messages: Vec::new(),
        rule_ids: Vec::new(),
        updated_input: None,
    };
    match canonical.as_ref().and_then(event_name) {
        Some(event) if protocol.refuses(event) => protocol.reply(event, &decision),
        _ => protocol.stop_everything(reason),
    }
}

/// The canonical event name of a hook event (`hook_event_name`, or Cursor's `hookEventName`).
pub fn event_name(event: &Map<String, Value>) -> Option<&str> {
    event
        .get("hook_event_name")
        .or_else(|| event.get("hookEventName"))
        .and_then(Value::as_str)
}

/// Whether `event` is a stop the agent makes again after a hook blocked its previous one.
pub fn is_repeated_stop(harness: Harness, event: &Value) -> bool {
    let protocol = protocol(harness);
    event.as_object().is_some_and(|event| {
        let mut canonical = event.clone();
        protocol.canonicalize(&mut canonical);
        protocol.is_repeated_stop(&canonical)
    })
}
