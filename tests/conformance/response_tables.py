"""Writes every <harness>_responses/ area (cases.json, and a policy routing each event) from the
response tables transcribed by hand below: SPEC §11 for Claude and Cursor, the clients' own code and
documentation for the rest.

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
                 "afterMCPExecution", "afterAgentResponse", "afterAgentThought", "afterTabFileEdit", "workspaceOpen"]
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

# ---- Every other harness: one table each, transcribed from the client's own code and docs
# (see docs/harnesses.md for the versions). A row is (response, exit_code, stderr).

def ok(response):
    return (response, 0, "")

def hso(event, **fields):
    return {"hookSpecificOutput": {"hookEventName": event, **fields}}

def write_area(harness, events, row, make_input):
    """Writes <harness>_responses/: every verb × event case and a policy routing every event."""
    import os
    area = f"{harness}_responses"
    os.makedirs(f"{area}/policies/{harness}", exist_ok=True)
    cases = []
    for event in events:
        for want, kind in kinds.items():
            response, exit_code, stderr = row(event, want)
            cases.append({"note": f"{area}/{event}-{want}", "input": {**make_input(event), "want": want},
                          "want_result": {"kind": kind, "response": response,
                                          "exit_code": exit_code, "stderr": stderr}})
    json.dump({"harness": harness, "cases": cases}, open(f"{area}/cases.json", "w"), indent=1)
    routed = json.dumps(events)
    policy = open("claude_responses/policies/claude/by_field.rego").read()
    head, _, rest = policy.partition("#     required_events: ")
    policy = head + "#     required_events: " + routed + "\n" + rest.split("\n", 1)[1]
    open(f"{area}/policies/{harness}/by_field.rego", "w").write(policy)

def gemini_row(event, want):
    reason = f"because {want}"
    blocking = want in ("halt", "deny", "block")
    deny = {"decision": "deny", "reason": reason}
    stop = {"continue": False, "stopReason": reason}
    if event == "BeforeToolSelection":
        return ok(hso(event, toolConfig={"mode": "NONE"}) if blocking else {})
    if event == "SessionStart":
        # Gemini reads neither a decision nor `continue` here.
        if blocking: return ok({"systemMessage": reason})
        if want in ("ask", "modify"): return ok(hso(event, additionalContext=reason))
        return ok(hso(event, additionalContext=CONTEXT) if want == "context" else {})
    if event in ("SessionEnd", "PreCompress", "Notification"):
        return ok({})
    if event == "AfterAgent":
        # A deny makes the agent go on; a halt only stops it.
        if want == "halt": return ok(stop)
        return ok(deny if blocking else {})
    if want == "halt": return ok({**stop, **deny})
    if blocking: return ok(deny)
    if event == "BeforeTool":
        if want == "ask": return ok({"decision": "ask", "systemMessage": reason})
        if want == "modify": return ok(hso(event, tool_input={"command": "safe"}))
        return ok({})
    if event == "BeforeAgent" and want in ("ask", "modify"):
        return ok(hso(event, additionalContext=reason))
    if want == "context" and event in ("AfterTool", "BeforeAgent"):
        return ok(hso(event, additionalContext=CONTEXT))
    return ok({})

def gemini_input(event):
    base = {"hook_event_name": event, "session_id": "s", "cwd": "/w", "timestamp": "2026-01-01T00:00:00Z"}
    if event in ("BeforeTool", "AfterTool"):
        base.update({"tool_name": "run_shell_command", "tool_input": {"command": "x"}})
    if event == "BeforeAgent": base["prompt"] = "hello"
    return base

write_area("gemini", ["SessionStart", "SessionEnd", "BeforeAgent", "AfterAgent", "BeforeModel", "AfterModel",
                      "BeforeToolSelection", "BeforeTool", "AfterTool", "PreCompress", "Notification"],
           gemini_row, gemini_input)

def windsurf_row(event, want):
    reason = f"because {want}"
    if not event.startswith("pre_") or want in ("allow", "context"):
        return ok({})
    if want == "ask":
        reason += " (cupcake would ask first, and Windsurf cannot ask, so the action is refused)"
    if want == "modify":
        reason += " (cupcake would rewrite this action, and Windsurf cannot apply rewrites, so the action is refused)"
    return ({}, 2, reason)

def windsurf_input(event):
    info = {"pre_user_prompt": {"user_prompt": "hello"},
            "pre_run_command": {"command_line": "x", "cwd": "/w"}, "post_run_command": {"command_line": "x", "cwd": "/w"},
            "pre_read_code": {"file_path": "/w/a"}, "post_read_code": {"file_path": "/w/a"},
            "pre_write_code": {"file_path": "/w/a", "edits": []}, "post_write_code": {"file_path": "/w/a", "edits": []},
            "pre_mcp_tool_use": {"mcp_server_name": "srv", "mcp_tool_name": "t", "mcp_tool_arguments": {}},
            "post_mcp_tool_use": {"mcp_server_name": "srv", "mcp_tool_name": "t", "mcp_tool_arguments": {}, "mcp_result": ""},
            }.get(event, {})
    # Windsurf names the event in `agent_action_name` only.
    return {"agent_action_name": event, "trajectory_id": "t", "execution_id": "e",
            "timestamp": "2026-01-01T00:00:00Z", "tool_info": info}

write_area("windsurf", ["pre_user_prompt", "pre_read_code", "post_read_code", "pre_write_code", "post_write_code",
                        "pre_run_command", "post_run_command", "pre_mcp_tool_use", "post_mcp_tool_use",
                        "post_cascade_response", "post_cascade_response_with_transcript", "post_setup_worktree"],
           windsurf_row, windsurf_input)

def copilot_row(event, want):
    reason = f"because {want}"
    blocking = want in ("halt", "deny", "block")
    context = {"additionalContext": CONTEXT} if want == "context" else {}
    if event == "preToolUse":
        # No halt field here: a halt refuses the call. An allow is never sent: it is a grant.
        if blocking: return ok({"permissionDecision": "deny", "permissionDecisionReason": reason})
        if want == "ask": return ok({"permissionDecision": "ask", "permissionDecisionReason": reason})
        if want == "modify": return ok({"modifiedArgs": {"command": "safe"}})
        return ok(context)
    if event == "permissionRequest":
        if want == "halt": return ok({"behavior": "deny", "message": reason, "interrupt": True})
        return ok({"behavior": "deny", "message": reason} if blocking else {})
    if event in ("postToolUse", "userPromptSubmitted"):
        if blocking: return ok({"decision": "block", "reason": reason})
        if want in ("ask", "modify") and event == "userPromptSubmitted": return ok({"additionalContext": reason})
        return ok(context)
    if event in ("agentStop", "subagentStop"):
        return ok({"decision": "block", "reason": reason} if want in ("deny", "block") else {})
    if event in ("sessionStart", "subagentStart", "postToolUseFailure", "notification"):
        return ok(context)
    return ok({})

def copilot_input(event):
    # With camelCase keys Copilot sends no event name; the hook command names it (`--event`),
    # and library callers set `hook_event_name` the same way.
    base = {"hook_event_name": event, "sessionId": "s", "timestamp": 1767225600000, "cwd": "/w"}
    if event in ("preToolUse", "postToolUse", "postToolUseFailure"):
        base.update({"toolName": "bash", "toolArgs": {"command": "x"}})
    if event == "permissionRequest":
        base.update({"hookName": "permissionRequest", "toolName": "bash", "toolInput": {"command": "x"}})
    if event == "userPromptSubmitted": base["prompt"] = "hello"
    return base

write_area("copilot", ["sessionStart", "sessionEnd", "userPromptSubmitted", "userPromptTransformed", "preToolUse",
                       "permissionRequest", "preMcpToolCall", "postToolUse", "postToolUseFailure", "agentStop",
                       "subagentStart", "subagentStop", "errorOccurred", "preCompact", "notification"],
           copilot_row, copilot_input)

def factory_row(event, want):
    reason = f"because {want}"
    blocking = want in ("halt", "deny", "block")
    stop = {"continue": False, "stopReason": reason}
    if event == "PreToolUse":
        if blocking or want == "ask":
            text = reason + (" (this needs the user's approval, and Droid does not ask when a hook says ask)"
                             if want == "ask" else "")
            deny = hso(event, permissionDecision="deny", permissionDecisionReason=text)
            return ok({**stop, **deny} if want == "halt" else deny)
        if want == "modify": return ok(hso(event, updatedInput={"command": "safe"}))
        return ok({})
    if event == "Stop":
        if want == "halt": return ok(stop)
        return ok({"decision": "block", "reason": reason} if blocking else {})
    if event == "UserPromptSubmit" and blocking:
        return (stop, 2, reason)
    if event in ("PostToolUse", "PreCompact") and blocking:
        return (stop if want == "halt" else {}, 2, reason)
    if event in ("UserPromptSubmit", "SessionStart") and want in ("ask", "modify"):
        return ok(hso(event, additionalContext=reason))
    if event in ("PostToolUse", "UserPromptSubmit", "SessionStart") and want == "context":
        return ok(hso(event, additionalContext=CONTEXT))
    return ok({})

def factory_input(event):
    base = {"hook_event_name": event, "session_id": "s", "cwd": "/w", "permission_mode": "auto-low",
            "transcript_path": "/t.jsonl"}
    if event in ("PreToolUse", "PostToolUse"):
        base.update({"tool_name": "Execute", "tool_input": {"command": "x", "riskLevel": "low"}})
    if event == "UserPromptSubmit": base["prompt"] = "hello"
    if event == "Stop": base["stop_hook_active"] = False
    return base

write_area("factory", ["PreToolUse", "PostToolUse", "Notification", "UserPromptSubmit", "Stop", "SubagentStop",
                       "PreCompact", "SessionStart", "SessionEnd"], factory_row, factory_input)

def opencode_row(event, want):
    reason = f"because {want}"
    blocking = want in ("halt", "deny", "block")
    refusing = event != "experimental.session.compacting"
    if refusing and want == "halt": return ok({"decision": "halt", "reason": reason})
    if refusing and blocking: return ok({"decision": "deny", "reason": reason})
    if want in ("ask", "modify") and event == "chat.message":
        return ok({"decision": "allow", "context": reason})
    if refusing and want == "ask":
        return ok({"decision": "deny",
                   "reason": reason + " (this needs the user's approval, and OpenCode cannot ask from a plugin)"})
    if want == "modify" and event == "tool.execute.before":
        return ok({"decision": "allow", "updated_args": {"command": "safe"}})
    if want == "context" and event != "tool.execute.before":
        return ok({"decision": "allow", "context": CONTEXT})
    return ok({"decision": "allow"})

def opencode_input(event):
    # The event cupcake's own OpenCode plugin sends.
    base = {"hook_event_name": event, "session_id": "s", "cwd": "/w"}
    if event.startswith("tool.execute."):
        base.update({"tool_name": "bash", "tool_input": {"command": "x"}, "call_id": "c"})
    if event == "chat.message": base["prompt"] = "hello"
    return base

write_area("opencode", ["tool.execute.before", "tool.execute.after", "chat.message",
                        "experimental.session.compacting"], opencode_row, opencode_input)

CLINE_CLI_TOOL = ("tool_call", "tool_result")
CLINE_VSCODE_TOOL = ("PreToolUse", "PostToolUse")

def cline_row(event, want):
    reason = f"because {want}"
    blocking = want in ("halt", "deny", "block")
    refusing = event in CLINE_CLI_TOOL + CLINE_VSCODE_TOOL + ("TaskStart", "UserPromptSubmit")
    if not refusing: return ok({})
    # `cancel` aborts the whole run: Cline's one refusal.
    if blocking: return ok({"cancel": True, "errorMessage": reason})
    if want == "ask":
        return ok({"cancel": True, "errorMessage": reason + " (this needs the user's approval, and Cline hooks cannot ask)"})
    if want == "modify" and event == "tool_call": return ok({"overrideInput": {"command": "safe"}})
    if want == "modify" and event == "PreToolUse":
        return ok({"cancel": True, "errorMessage": reason + " (cupcake would rewrite this tool call, and Cline's VS Code extension cannot apply rewrites)"})
    if want == "context" and event in CLINE_CLI_TOOL + CLINE_VSCODE_TOOL:
        return ok({"contextModification": CONTEXT})
    return ok({})

def cline_input(event):
    base = {"clineVersion": "", "hookName": event, "timestamp": "2026-01-01T00:00:00Z", "taskId": "t",
            "workspaceRoots": ["/w"], "userId": "u"}
    if event == "tool_call": base["tool_call"] = {"id": "1", "name": "run_commands", "input": {"commands": ["x"]}}
    if event == "tool_result":
        base["tool_result"] = {"id": "1", "name": "run_commands", "input": {"commands": ["x"]}, "output": ""}
    if event == "PreToolUse": base["preToolUse"] = {"toolName": "run_commands", "parameters": {"commands": "[\"x\"]"}}
    if event == "PostToolUse":
        base["postToolUse"] = {"toolName": "run_commands", "parameters": {"commands": "[\"x\"]"}, "result": "", "success": True}
    if event in ("UserPromptSubmit", "prompt_submit"): base["userPromptSubmit"] = {"prompt": "hello", "attachments": []}
    return base

write_area("cline", ["tool_call", "tool_result", "agent_start", "agent_resume", "prompt_submit", "agent_end",
                     "agent_error", "agent_abort", "session_shutdown", "PreToolUse", "PostToolUse", "UserPromptSubmit",
                     "TaskStart", "TaskResume", "TaskCancel", "TaskComplete", "PreCompact"], cline_row, cline_input)
