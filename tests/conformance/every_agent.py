"""Writes every_agent_<harness>/cases.json: the shipped policy set examples/every-agent (no
recursive force-deletes, no .env writes) against each agent's own spelling of a shell command, a
file write and an edit. Each agent's events are the shapes its hooks send (docs/harnesses.md).

Run from tests/conformance: python3 every_agent.py
"""
import json
import os

RM, ENV = "EVERY-AGENT-RM", "EVERY-AGENT-ENV"

def shell(command):
    return {
        "claude": {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}},
        "cursor": {"hook_event_name": "beforeShellExecution", "command": command},
        "gemini": {"hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": {"command": command}},
        "copilot": {"hook_event_name": "preToolUse", "toolName": "bash", "toolArgs": {"command": command}},
        "windsurf": {"agent_action_name": "pre_run_command", "tool_info": {"command_line": command, "cwd": "$AREA"}},
        "factory": {"hook_event_name": "PreToolUse", "tool_name": "Execute", "tool_input": {"command": command, "riskLevel": "low"}},
        "opencode": {"hook_event_name": "tool.execute.before", "tool_name": "bash", "tool_input": {"command": command}},
        "cline": {"hookName": "tool_call", "tool_call": {"id": "1", "name": "run_commands", "input": {"commands": [command]}}},
    }

def write(path):
    return {
        "claude": {"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {"file_path": path, "content": "K=V"}},
        "cursor": {"hook_event_name": "preToolUse", "tool_name": "Write", "tool_input": {"file_path": path, "content": "K=V"}},
        "gemini": {"hook_event_name": "BeforeTool", "tool_name": "write_file", "tool_input": {"file_path": path, "content": "K=V"}},
        "copilot": {"hook_event_name": "preToolUse", "toolName": "create", "toolArgs": json.dumps({"path": path, "file_text": "K=V"})},
        "windsurf": {"agent_action_name": "pre_write_code", "tool_info": {"file_path": path, "edits": [{"old_string": "", "new_string": "K=V"}]}},
        "factory": {"hook_event_name": "PreToolUse", "tool_name": "Create", "tool_input": {"file_path": path, "content": "K=V"}},
        "opencode": {"hook_event_name": "tool.execute.before", "tool_name": "write", "tool_input": {"filePath": path, "content": "K=V"}},
        "cline": {"hookName": "tool_call", "tool_call": {"id": "1", "name": "editor", "input": {"path": path, "new_text": "K=V"}}},
    }

def edit(path):
    patch = f"*** Begin Patch\n*** Update File: {path}\n@@\n-A=1\n+A=2\n*** End Patch\n"
    return {
        "claude": {"hook_event_name": "PreToolUse", "tool_name": "Edit", "tool_input": {"file_path": path, "old_string": "A=1", "new_string": "A=2"}},
        "cursor": {"hook_event_name": "preToolUse", "tool_name": "Write", "tool_input": {"file_path": path, "content": "A=2"}},
        "gemini": {"hook_event_name": "BeforeTool", "tool_name": "replace", "tool_input": {"file_path": path, "old_string": "A=1", "new_string": "A=2"}},
        "copilot": {"hook_event_name": "preToolUse", "toolName": "edit", "toolArgs": {"path": path, "old_str": "A=1", "new_str": "A=2"}},
        "windsurf": {"agent_action_name": "pre_write_code", "tool_info": {"file_path": path, "edits": [{"old_string": "A=1", "new_string": "A=2"}]}},
        "factory": {"hook_event_name": "PreToolUse", "tool_name": "ApplyPatch", "tool_input": {"input": patch}},
        "opencode": {"hook_event_name": "tool.execute.before", "tool_name": "apply_patch", "tool_input": {"patchText": patch}},
        "cline": {"hookName": "tool_call", "tool_call": {"id": "1", "name": "editor", "input": {"path": path, "old_text": "A=1", "new_text": "A=2"}}},
    }

# (note, events per harness, the rule that must refuse it or None)
CASES = [
    ("rm-rf", shell("rm -rf build"), RM),
    ("rm-split-flags", shell("cd src && rm -r -f ../dist"), RM),
    ("rm-long-flags", shell("/bin/rm --recursive --force out"), RM),
    ("rm-plain", shell("rm notes.txt"), None),
    ("ls", shell("ls -la"), None),
    ("redirect-into-env", shell("echo API_KEY=x > .env"), ENV),
    ("append-to-env-local", shell("printf 'K=V' >> config/.env.local"), ENV),
    ("write-env", write(".env"), ENV),
    ("write-env-relative", write("../every_agent_x/.env.production"), ENV),
    ("write-env-example", write(".env.example"), None),
    ("write-source", write("src/app.py"), None),
    ("edit-env", edit("config/.env"), ENV),
    ("edit-source", edit("src/app.py"), None),
]

HARNESSES = ["claude", "cursor", "gemini", "copilot", "windsurf", "factory", "opencode", "cline"]


def write_areas():
    for harness in HARNESSES:
        area = f"every_agent_{harness}"
        os.makedirs(area, exist_ok=True)
        cases = []
        for note, events, rule in CASES:
            event = {**events[harness]}
            if harness == "cline":
                event["workspaceRoots"] = ["$AREA"]
            elif harness != "windsurf":
                event["cwd"] = "$AREA"
            want = {"kind": "Deny", "rule_ids": [rule]} if rule else {"kind": "Allow", "rule_ids": []}
            cases.append({"note": f"{area}/{note}", "input": event, "want_result": want})
        spec = {"harness": harness, "policy_dir_relative": "../../../examples/every-agent", "cases": cases}
        with open(f"{area}/cases.json", "w") as out:
            json.dump(spec, out, indent=1)
            out.write("\n")


if __name__ == "__main__":
    write_areas()
