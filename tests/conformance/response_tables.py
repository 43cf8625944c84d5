"""Writes claude_responses/ and cursor_responses/ cases.json from SPEC §11, transcribed by hand below.

Run from tests/conformance: python3 response_tables.py
"""
import json

def spec(event, **fields):
    return {"hookSpecificOutput": {"hookEventName": event, **fields}}

# Events whose hookSpecificOutput type has additionalContext (claude-agent-sdk 0.3.328 sdk.d.ts).
CONTEXT_EVENTS = {"PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "UserPromptSubmit",
                  "UserPromptExpansion", "SessionStart", "Setup", "SubagentStart", "Stop", "SubagentStop",
                  "Notification", "PostModelSwitch"}
CONTEXT = "context one\ncontext two"

def claude_row(event, kind):
    """SPEC §11's table with the corrections below it (verified against the real CLI)."""
    reason = f"because {kind}"
    blocking = kind in ("halt", "deny", "block")
    halt = {"continue": False, "stopReason": reason} if kind == "halt" else {}
    context = {"additionalContext": CONTEXT} if kind == "context" and event in CONTEXT_EVENTS else {}
    if event in ("PreToolUse", "PreModelSwitch"):
        if blocking: return {**halt, **spec(event, permissionDecision="deny", permissionDecisionReason=reason)}
        if kind == "ask": return spec(event, permissionDecision="ask", permissionDecisionReason=reason)
        # Modify rewrites the input and leaves Claude's own permission check in charge.
        if kind == "modify" and event == "PreToolUse": return spec(event, updatedInput={"command": "safe"})
        return spec(event, **context) if context else {}
    if event == "PermissionRequest":
        if kind == "halt": return {**halt, **spec(event, decision={"behavior": "deny", "message": reason, "interrupt": True})}
        if blocking: return spec(event, decision={"behavior": "deny", "message": reason})
        if kind == "modify": return spec(event, decision={"behavior": "allow", "updatedInput": {"command": "safe"}})
        return {}
    if event in ("Stop", "SubagentStop"):
        # Halt ends the turn; `decision: block` would make the agent keep going.
        if kind == "halt": return halt
        if blocking: return {"decision": "block", "reason": reason}
        return spec(event, **context) if context else {}
    if event in ("PostToolUse", "PostToolUseFailure", "UserPromptSubmit", "PreCompact"):
        if blocking: return {**halt, "decision": "block", "reason": reason}
        if kind in ("ask", "modify") and event == "UserPromptSubmit": return spec(event, additionalContext=reason)
        return spec(event, **context) if context else {}
    # Every other event: nothing to refuse but the turn itself.
    if blocking: return {"continue": False, "stopReason": reason}
    if kind in ("ask", "modify") and event == "SessionStart": return spec(event, additionalContext=reason)
    return spec(event, **context) if context else {}

kinds = {"allow": "Allow", "context": "Allow", "halt": "Halt", "deny": "Deny", "block": "Block", "ask": "Ask", "modify": "Modify"}
# HOOK_EVENTS of @anthropic-ai/claude-agent-sdk 0.3.328: every event gets every verb.
events = ["PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "Notification", "UserPromptSubmit",
          "UserPromptExpansion", "SessionStart", "SessionEnd", "Stop", "StopFailure", "SubagentStart", "SubagentStop",
          "PreCompact", "PostCompact", "PreModelSwitch", "PostModelSwitch", "PermissionRequest", "PermissionDenied",
          "Setup", "TeammateIdle", "TaskCreated", "TaskCompleted", "Elicitation", "ElicitationResult", "ConfigChange",
          "WorktreeCreate", "WorktreeRemove", "InstructionsLoaded", "CwdChanged", "FileChanged", "DirectoryAdded",
          "MessageDisplay"]
cases = []
for event in events:
    for want, kind in kinds.items():
        event_json = {"hook_event_name": event, "session_id": "s", "want": want, "permission_mode": "auto"}
        if event in ("PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"):
            event_json.update({"tool_name": "Bash", "tool_input": {"command": "x"}})
        cases.append({"note": f"claude_responses/{event}-{want}", "input": event_json,
                      "want_result": {"kind": kind, "response": claude_row(event, want)}})
json.dump({"harness": "claude", "cases": cases}, open("claude_responses/cases.json", "w"), indent=1)

def cursor_row(event, kind):
    """SPEC §11 for Cursor, with its corrections: every documented event gets its own form;
    sessionStart and postToolUse carry context as additional_context."""
    row = cursor_form(event, kind)
    if kind == "context" and event in ("sessionStart", "postToolUse"):
        row = {**row, "additional_context": CONTEXT}
    return row

def cursor_form(event, kind):
    reason = f"because {kind}"
    agent = "for the agent" if kind == "deny" else reason
    blocking = kind in ("halt", "deny", "block")
    deny = {"permission": "deny", "user_message": reason, "agent_message": agent}
    if event in ("beforeShellExecution", "beforeMCPExecution"):
        if blocking: return deny
        if kind == "ask": return {"permission": "ask", "question": reason, "user_message": reason, "agent_message": agent}
        return {"permission": "allow"}
    if event in ("preToolUse", "beforeReadFile", "beforeTabFileRead", "subagentStart"):
        # Cursor does not enforce ask on these, so an ask refuses.
        if blocking or kind == "ask": return deny
        if kind == "modify" and event == "preToolUse": return {"permission": "allow", "updated_input": {"command": "safe"}}
        return {"permission": "allow"}
    if event in ("beforeSubmitPrompt", "sessionStart"):
        if blocking or kind == "ask": return {"continue": False, "user_message": reason}
        return {"continue": True}
    if event in ("stop", "subagentStop"):
        # Halt ends the run; a follow-up would send the agent back to work.
        return {"followup_message": reason} if kind in ("deny", "block") else {}
    return {}

cursor_events = ["beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "beforeTabFileRead", "preToolUse",
                 "subagentStart", "beforeSubmitPrompt", "sessionStart", "stop", "subagentStop", "postToolUse",
                 "postToolUseFailure", "preCompact", "sessionEnd", "afterFileEdit", "afterShellExecution",
                 "afterMCPExecution", "afterAgentResponse", "afterAgentThought", "afterTabFileEdit"]
cases = []
for event in cursor_events:
    for want, kind in kinds.items():
        event_json = {"hook_event_name": event, "conversation_id": "c", "want": want, "workspace_roots": ["/w"]}
        if event == "beforeShellExecution": event_json.update({"command": "x", "cwd": "/w"})
        if event == "preToolUse": event_json.update({"tool_name": "Shell", "tool_input": {"command": "x"}})
        if event == "beforeReadFile": event_json.update({"file_path": "/w/a", "content": ""})
        cases.append({"note": f"cursor_responses/{event}-{want}", "input": event_json,
                      "want_result": {"kind": kind, "response": cursor_row(event, want)}})
json.dump({"harness": "cursor", "cases": cases}, open("cursor_responses/cases.json", "w"), indent=1)
