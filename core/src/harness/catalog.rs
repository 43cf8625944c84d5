//! The event and tool names each harness sends, for `cupcake validate`: a route naming
//! something else never matches. Claude Code's events are `HOOK_EVENTS` of the Claude Agent
//! SDK (`@anthropic-ai/claude-agent-sdk` 0.3.328, `sdk.d.ts`); its tools are the built-in tool
//! names of that release plus `mcp__<server>__<tool>`. Cursor's are its hooks documentation's.

use crate::options::Harness;

const CLAUDE_EVENTS: &[&str] = &[
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "Notification",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "SessionStart",
    "SessionEnd",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "PreModelSwitch",
    "PostModelSwitch",
    "PermissionRequest",
    "PermissionDenied",
    "Setup",
    "TeammateIdle",
    "TaskCreated",
    "TaskCompleted",
    "Elicitation",
    "ElicitationResult",
    "ConfigChange",
    "WorktreeCreate",
    "WorktreeRemove",
    "InstructionsLoaded",
    "CwdChanged",
    "FileChanged",
    "DirectoryAdded",
    "MessageDisplay",
];

const CLAUDE_TOOLS: &[&str] = &[
    "Agent",
    "Task",
    "Bash",
    "BashOutput",
    "KillShell",
    "TaskStop",
    "Edit",
    "MultiEdit",
    "Read",
    "Write",
    "Glob",
    "Grep",
    "NotebookEdit",
    "NotebookRead",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
    "ExitPlanMode",
    "EnterPlanMode",
    "AskUserQuestion",
    "ListMcpResourcesTool",
    "ReadMcpResourceTool",
    "SlashCommand",
    "Skill",
    "TaskCreate",
    "TaskGet",
    "TaskUpdate",
    "TaskList",
    "Monitor",
    "EnterWorktree",
    "ExitWorktree",
    "CronCreate",
    "CronDelete",
    "CronList",
];

const CURSOR_EVENTS: &[&str] = &[
    "beforeShellExecution",
    "afterShellExecution",
    "beforeMCPExecution",
    "afterMCPExecution",
    "beforeReadFile",
    "afterFileEdit",
    "beforeSubmitPrompt",
    "stop",
    "afterAgentResponse",
    "afterAgentThought",
    "beforeTabFileRead",
    "afterTabFileEdit",
    "preToolUse",
    "postToolUse",
    "postToolUseFailure",
    "sessionStart",
    "sessionEnd",
    "subagentStart",
    "subagentStop",
    "preCompact",
];

/// The event names `harness` sends.
pub fn events(harness: Harness) -> &'static [&'static str] {
    match harness {
        Harness::Claude => CLAUDE_EVENTS,
        Harness::Cursor => CURSOR_EVENTS,
    }
}

/// Whether `tool` is a name `harness` sends in `tool_name`; `None` when the harness's tool
/// names are open-ended (Cursor's come from MCP servers and its own agent).
pub fn is_known_tool(harness: Harness, tool: &str) -> Option<bool> {
    match harness {
        Harness::Claude => Some(CLAUDE_TOOLS.contains(&tool) || is_mcp_tool(tool)),
        Harness::Cursor => None,
    }
}

/// The known tool spelled like `tool` but for letter case (`bash` → `Bash`).
pub fn tool_spelled_like(harness: Harness, tool: &str) -> Option<&'static str> {
    match harness {
        Harness::Claude => CLAUDE_TOOLS
            .iter()
            .find(|known| known.eq_ignore_ascii_case(tool))
            .copied(),
        Harness::Cursor => None,
    }
}

/// `mcp__<server>__<tool>`, both parts non-empty.
fn is_mcp_tool(tool: &str) -> bool {
    tool.strip_prefix("mcp__")
        .and_then(|rest| rest.split_once("__"))
        .is_some_and(|(server, name)| !server.is_empty() && !name.is_empty())
}
