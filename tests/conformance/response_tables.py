"""Writes claude_responses/ and cursor_responses/ cases.json from SPEC §11, transcribed by hand below.

Run from tests/conformance: python3 response_tables.py
"""
import json

def spec(event, **fields):
    return {"hookSpecificOutput": {"hookEventName": event, **fields}}

def claude_row(event, kind):
    reason = f"because {kind}"
    blocking = kind in ("halt", "deny", "block")
    if event == "PreToolUse":
        if blocking: return spec(event, permissionDecision="deny", permissionDecisionReason=reason)
        if kind == "ask": return spec(event, permissionDecision="ask", permissionDecisionReason=reason)
        if kind == "modify": return spec(event, permissionDecision="allow", permissionDecisionReason=reason, updatedInput={"command": "safe"})
        return {}
    if event == "PermissionRequest":
        if blocking: return spec(event, decision={"behavior": "deny", "message": reason})
        if kind == "modify": return spec(event, decision={"behavior": "allow", "updatedInput": {"command": "safe"}})
        return {}
    if event == "PostToolUse":
        if blocking: return {"decision": "block", "reason": reason}
        if kind == "context": return spec(event, additionalContext="context one\ncontext two")
        return {}
    if event == "UserPromptSubmit":
        if blocking: return {"decision": "block", "reason": reason}
        if kind == "context": return spec(event, additionalContext="context one\ncontext two")
        if kind in ("ask", "modify"): return spec(event, additionalContext=reason)
        return {}
    if event in ("Stop", "SubagentStop"):
        return {"decision": "block", "reason": reason} if blocking else {}
    if event == "SessionStart":
        if blocking: return {"continue": False, "stopReason": reason}
        if kind == "context": return spec(event, additionalContext="context one\ncontext two")
        if kind in ("ask", "modify"): return spec(event, additionalContext=reason)
        return {}
    # PreCompact, Notification, SessionEnd
    return {"continue": False, "stopReason": reason} if blocking else {}

kinds = {"allow": "Allow", "context": "Allow", "halt": "Halt", "deny": "Deny", "block": "Block", "ask": "Ask", "modify": "Modify"}
events = ["PreToolUse", "PermissionRequest", "PostToolUse", "UserPromptSubmit", "Stop", "SubagentStop", "SessionStart", "PreCompact", "Notification", "SessionEnd"]
cases = []
for event in events:
    for want, kind in kinds.items():
        event_json = {"hook_event_name": event, "session_id": "s", "want": want, "permission_mode": "auto"}
        if event in ("PreToolUse", "PostToolUse", "PermissionRequest"):
            event_json.update({"tool_name": "Bash", "tool_input": {"command": "x"}})
        cases.append({"note": f"claude_responses/{event}-{want}", "input": event_json,
                      "want_result": {"kind": kind, "response": claude_row(event, want)}})
json.dump({"harness": "claude", "cases": cases}, open("claude_responses/cases.json", "w"), indent=1)

def cursor_row(event, kind):
    reason = f"because {kind}"
    agent = "for the agent" if kind == "deny" else reason
    blocking = kind in ("halt", "deny", "block")
    if event in ("beforeShellExecution", "beforeMCPExecution"):
        if blocking: return {"permission": "deny", "user_message": reason, "agent_message": agent}
        if kind == "ask": return {"permission": "ask", "question": reason, "user_message": reason, "agent_message": agent}
        return {"permission": "allow"}
    if event == "beforeReadFile":
        if blocking or kind == "ask": return {"permission": "deny", "user_message": reason, "agent_message": agent}
        return {"permission": "allow"}
    if event == "beforeSubmitPrompt":
        if blocking or kind == "ask": return {"continue": False, "user_message": reason}
        return {"continue": True}
    if event == "stop":
        return {"followup_message": reason} if blocking else {}
    return {}

cursor_events = ["beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "beforeSubmitPrompt", "stop", "afterFileEdit", "afterShellExecution"]
cases = []
for event in cursor_events:
    for want, kind in kinds.items():
        if want == "context":
            continue
        event_json = {"hook_event_name": event, "conversation_id": "c", "want": want, "workspace_roots": ["/w"]}
        if event == "beforeShellExecution": event_json.update({"command": "x", "cwd": "/w"})
        if event == "beforeReadFile": event_json.update({"file_path": "/w/a", "content": ""})
        cases.append({"note": f"cursor_responses/{event}-{want}", "input": event_json,
                      "want_result": {"kind": kind, "response": cursor_row(event, want)}})
json.dump({"harness": "cursor", "cases": cases}, open("cursor_responses/cases.json", "w"), indent=1)
