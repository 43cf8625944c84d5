"""Writes library_<harness>/cases.json: cupcake's shipped builtin library (configured in
library/.cupcake/rulebook.yml the way the earlier engine documented it) against each agent's
own events, so every builtin is checked in every harness whose events carry its action.

Run from tests/conformance: python3 builtin_library.py
"""
import json
import os

from every_agent import HARNESSES, edit, shell, write

PROJECT = "$AREA/../library"


def read(path, partial=False):
    """Each agent's read of `path`; with `partial`, a read of part of the file where it has one."""
    return {
        "claude": {"hook_event_name": "PreToolUse", "tool_name": "Read",
                   "tool_input": {"file_path": path, **({"offset": 10, "limit": 5} if partial else {})}},
        "cursor": None if partial else {"hook_event_name": "beforeReadFile", "file_path": path, "content": ""},
        "gemini": {"hook_event_name": "BeforeTool", "tool_name": "read_file",
                   "tool_input": {"file_path": path, **({"start_line": 10} if partial else {})}},
        "copilot": {"hook_event_name": "preToolUse", "toolName": "view",
                    "toolArgs": {"path": path, **({"view_range": [1, 5]} if partial else {})}},
        "windsurf": None if partial else {"agent_action_name": "pre_read_code", "tool_info": {"file_path": path}},
        "factory": {"hook_event_name": "PreToolUse", "tool_name": "Read",
                    "tool_input": {"file_path": path, **({"offset": 10} if partial else {})}},
        "opencode": {"hook_event_name": "tool.execute.before", "tool_name": "read",
                     "tool_input": {"filePath": path, **({"offset": 10} if partial else {})}},
        "cline": None if partial else {"hookName": "tool_call", "tool_call": {"id": "1", "name": "read_files",
                                                                        "input": {"files": [{"path": path}]}}},
    }


def prompt(text):
    return {
        "claude": {"hook_event_name": "UserPromptSubmit", "prompt": text},
        "cursor": {"hook_event_name": "beforeSubmitPrompt", "prompt": text},
        "gemini": {"hook_event_name": "BeforeAgent", "prompt": text},
        "copilot": {"hook_event_name": "userPromptSubmitted", "prompt": text},
        "windsurf": {"agent_action_name": "pre_user_prompt", "tool_info": {"user_prompt": text}},
        "factory": {"hook_event_name": "UserPromptSubmit", "prompt": text},
        "opencode": {"hook_event_name": "chat.message", "prompt": text},
        "cline": {"hookName": "UserPromptSubmit", "userPromptSubmit": {"prompt": text, "attachments": []}},
    }


def edited(path):
    """Each agent's event after an edit of `path` (None where no such event can refuse)."""
    return {
        "claude": {"hook_event_name": "PostToolUse", "tool_name": "Edit",
                   "tool_input": {"file_path": path, "old_string": "a", "new_string": "b"}},
        "cursor": None,
        "gemini": {"hook_event_name": "AfterTool", "tool_name": "replace",
                   "tool_input": {"file_path": path, "old_string": "a", "new_string": "b"}},
        "copilot": {"hook_event_name": "postToolUse", "toolName": "edit",
                    "toolArgs": {"path": path, "old_str": "a", "new_str": "b"}},
        "windsurf": None,
        "factory": {"hook_event_name": "PostToolUse", "tool_name": "Edit",
                    "tool_input": {"file_path": path, "old_str": "a", "new_str": "b"}},
        "opencode": {"hook_event_name": "tool.execute.after", "tool_name": "edit",
                     "tool_input": {"filePath": path, "oldString": "a", "newString": "b"}},
        "cline": {"hookName": "tool_result", "tool_result": {"id": "1", "name": "editor",
                                                              "input": {"path": path, "old_text": "a", "new_text": "b"}}},
    }


def deny(rule):
    return {"kind": "Deny", "rule_ids": [rule]}


ALLOW = {"kind": "Allow", "rule_ids": []}
CONTEXT = ["Follow the team's conventions.", "from a command", "from a file"]
# Agents whose prompt event carries context; elsewhere the decision is the same, the agent
# just cannot receive it.
CASES = [
    ("no-verify", shell("git commit --no-verify -m wip"), {"kind": "Deny", "rule_ids": ["BUILTIN-GIT-NO-VERIFY", "BUILTIN-GIT-PRE-CHECK"]}),
    ("hooks-path", shell("git -c core.hooksPath=/dev/null push"), {"kind": "Deny", "rule_ids": ["BUILTIN-GIT-NO-VERIFY", "BUILTIN-GIT-PRE-CHECK"]}),
    ("pre-check-fails", shell("git commit -m done"), {**deny("BUILTIN-GIT-PRE-CHECK"),
                                                     "reason": "Unit tests failed before git commit: 2 tests failed"}),
    ("git-status", shell("git status"), ALLOW),
    ("write-protected", write("secrets/token.txt"), deny("BUILTIN-PROTECTED-PATHS")),
    ("shell-into-protected", shell("cat notes > secrets/token.txt"), deny("BUILTIN-PROTECTED-PATHS")),
    ("rm-protected", shell("rm secrets/token.txt"), deny("BUILTIN-PROTECTED-PATHS")),
    ("read-protected-is-fine", shell("grep key secrets/other.txt"), ALLOW),
    ("read-rulebook", read(".cupcake/rulebook.yml"), deny("BUILTIN-RULEBOOK-GUARDRAILS")),
    ("cat-rulebook", shell("cat .cupcake/rulebook.yml"), deny("BUILTIN-RULEBOOK-GUARDRAILS")),
    ("write-system", write("/etc/hosts"), deny("BUILTIN-SYSTEM-PROTECTION")),
    ("shell-into-system", shell("echo 1.2.3.4 x >> /etc/hosts"), deny("BUILTIN-SYSTEM-PROTECTION")),
    ("read-ssh-key", read("/home/someone/.ssh/id_ed25519"), deny("BUILTIN-SENSITIVE-DATA")),
    ("read-env-example", read("config/.env.example"), ALLOW),
    ("run-cupcake", shell("cupcake init --harness all"), deny("BUILTIN-CUPCAKE-EXEC")),
    ("allowed-cupcake", shell("cupcake validate"), ALLOW),
    ("partial-read", read("src/app.py", partial=True), deny("BUILTIN-FULL-FILE-READ")),
    ("whole-read", read("src/app.py"), ALLOW),
    ("prompt-context", prompt("hello"), {"kind": "Allow", "rule_ids": [], "context": CONTEXT}),
    ("post-edit-fails", edited("src/app.py"), {"kind": "Block", "rule_ids": ["BUILTIN-POST-EDIT-CHECK"]}),
    ("post-edit-other-extension", edited("src/app.rs"), ALLOW),
]


def place(harness, event):
    """Puts the event in the project the library rulebook protects."""
    event = json.loads(json.dumps(event))
    if harness == "cline":
        event["workspaceRoots"] = [PROJECT]
    elif harness == "windsurf":
        event.setdefault("tool_info", {})["cwd"] = PROJECT
    else:
        event["cwd"] = PROJECT
    return event


for harness in HARNESSES:
    area = f"library_{harness}"
    os.makedirs(area, exist_ok=True)
    cases = [{"note": f"{area}/{note}", "input": place(harness, events[harness]), "want_result": want}
             for note, events, want in CASES if events[harness] is not None]
    spec = {"harness": harness, "policy_dir_relative": "../library", "cases": cases}
    with open(f"{area}/cases.json", "w") as out:
        json.dump(spec, out, indent=1)
        out.write("\n")
