//! The shared view of what an event asks to do, `input.cupcake.action`: one vocabulary for
//! every agent, so one rule can refuse `rm -rf` whether it arrives as Claude's `Bash`,
//! Gemini's `run_shell_command` or Cursor's `beforeShellExecution`. Each protocol says where
//! its events keep the command, path, URL or prompt (JSON pointers into the canonical event);
//! preprocessing works on those same places, and self-protection reads the same view.

use serde_json::{json, Map, Value};

/// What kind of thing an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// Runs a shell command.
    Shell,
    /// Reads a file, or searches a directory.
    Read,
    /// Creates, overwrites or deletes a file.
    Write,
    /// Changes part of an existing file.
    Edit,
    /// Fetches a URL or searches the web.
    Fetch,
    /// Calls a tool of an MCP server.
    Mcp,
    /// Submits a user prompt.
    Prompt,
    /// Ends the agent's turn or session.
    Stop,
    /// Any other tool.
    Other,
}

impl ActionKind {
    /// The name policies compare with, e.g. `shell`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Shell => "shell",
            Self::Read => "read",
            Self::Write => "write",
            Self::Edit => "edit",
            Self::Fetch => "fetch",
            Self::Mcp => "mcp",
            Self::Prompt => "prompt",
            Self::Stop => "stop",
            Self::Other => "other",
        }
    }

    /// Every kind name, for `validate`.
    pub const NAMES: [&'static str; 9] = [
        "shell", "read", "write", "edit", "fetch", "mcp", "prompt", "stop", "other",
    ];
}

/// What an event does, and where in the event its details are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// What kind of action.
    pub kind: ActionKind,
    /// True when the hook runs before the action and can still refuse it.
    pub before: bool,
    /// JSON pointer to the shell command.
    pub command: Option<&'static str>,
    /// JSON pointer to the file (or directory) path.
    pub path: Option<&'static str>,
    /// JSON pointer to a list of paths, for tools that touch several files (a patch).
    pub paths: Option<&'static str>,
    /// JSON pointer to the URL or search query.
    pub url: Option<&'static str>,
    /// JSON pointer to the prompt text.
    pub prompt: Option<&'static str>,
    /// JSON pointer to an MCP call's arguments (an object, or JSON text).
    pub arguments: Option<&'static str>,
    /// The MCP server and tool, for MCP calls.
    pub mcp: Option<(String, String)>,
}

impl Action {
    fn new(kind: ActionKind) -> Self {
        Self {
            kind,
            before: true,
            command: None,
            path: None,
            paths: None,
            url: None,
            prompt: None,
            arguments: None,
            mcp: None,
        }
    }

    /// A shell command found at `command`.
    pub fn shell(command: &'static str) -> Self {
        Self {
            command: Some(command),
            ..Self::new(ActionKind::Shell)
        }
    }

    /// A read, write or edit of the file at `path`.
    pub fn file(kind: ActionKind, path: &'static str) -> Self {
        Self {
            path: Some(path),
            ..Self::new(kind)
        }
    }

    /// A read, write or edit of every file in the list at `paths`.
    pub fn files(kind: ActionKind, paths: &'static str) -> Self {
        Self {
            paths: Some(paths),
            ..Self::new(kind)
        }
    }

    /// Every path the action names: its `path`, then each string in its `paths` list.
    pub fn all_paths<'a>(&self, event: &'a Map<String, Value>) -> Vec<&'a str> {
        let listed = self
            .paths
            .and_then(|pointer| at(event, pointer))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|path| !path.is_empty());
        Self::text(event, self.path)
            .into_iter()
            .chain(listed)
            .collect()
    }

    /// A fetch of the URL (or web search for the query) at `url`.
    pub fn fetch(url: &'static str) -> Self {
        Self {
            url: Some(url),
            ..Self::new(ActionKind::Fetch)
        }
    }

    /// A call of MCP tool `tool` on `server`, with its arguments at `arguments`.
    pub fn mcp(server: &str, tool: &str, arguments: &'static str) -> Self {
        Self {
            mcp: Some((server.to_string(), tool.to_string())),
            arguments: Some(arguments),
            ..Self::new(ActionKind::Mcp)
        }
    }

    /// A prompt found at `prompt`.
    pub fn prompt(prompt: &'static str) -> Self {
        Self {
            prompt: Some(prompt),
            ..Self::new(ActionKind::Prompt)
        }
    }

    /// The agent stopping.
    pub fn stop() -> Self {
        Self::new(ActionKind::Stop)
    }

    /// Any other tool.
    pub fn other() -> Self {
        Self::new(ActionKind::Other)
    }

    /// The same action, seen after it happened (the hook can no longer refuse it).
    #[must_use]
    pub fn after(self) -> Self {
        Self {
            before: false,
            ..self
        }
    }

    /// The string at `pointer` in `event`, when there is a non-empty one.
    pub fn text<'a>(event: &'a Map<String, Value>, pointer: Option<&str>) -> Option<&'a str> {
        at(event, pointer?)?
            .as_str()
            .filter(|text| !text.is_empty())
    }

    /// The string at `pointer` in `event`, for preprocessing to rewrite in place.
    pub fn text_mut<'a>(
        event: &'a mut Map<String, Value>,
        pointer: Option<&str>,
    ) -> Option<&'a mut String> {
        let (first, rest) = split(pointer?)?;
        let top = event.get_mut(first)?;
        let value = match rest {
            Some(rest) => top.pointer_mut(rest)?,
            None => top,
        };
        match value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// An MCP call's arguments as an object: the object at [`Action::arguments`], or the
    /// object its JSON text holds (Cursor sends the input as text).
    pub fn arguments_in(&self, event: &Map<String, Value>) -> Option<Map<String, Value>> {
        match at(event, self.arguments?)? {
            Value::Object(map) => Some(map.clone()),
            Value::String(text) => match serde_json::from_str(text) {
                Ok(Value::Object(map)) => Some(map),
                _ => None,
            },
            _ => None,
        }
    }

    /// `input.cupcake.action` for the (preprocessed) `event`: the kind, `stage`, and whichever
    /// of `command`, `path`, `url`, `prompt`, `server` and `tool` apply. `path` is the file as
    /// the agent will resolve it (absolute, symlinks followed) when preprocessing found it, and
    /// `given_path` is the path as the agent wrote it.
    pub fn view(&self, event: &Map<String, Value>) -> Value {
        let mut view = Map::new();
        view.insert("kind".into(), json!(self.kind.name()));
        view.insert(
            "stage".into(),
            json!(if self.before { "before" } else { "after" }),
        );
        if let Some(command) = Self::text(event, self.command) {
            view.insert("command".into(), json!(command));
        }
        if let Some(given) = Self::text(event, self.path) {
            let resolved = event
                .get("resolved_file_path")
                .and_then(Value::as_str)
                .filter(|resolved| !resolved.is_empty())
                .unwrap_or(given);
            view.insert("path".into(), json!(resolved));
            view.insert("given_path".into(), json!(given));
        }
        if self.paths.is_some() {
            // Listed paths are resolved here, as the agent resolves them (preprocessing
            // resolves the single `path`).
            let cwd = event
                .get("cwd")
                .and_then(Value::as_str)
                .filter(|cwd| !cwd.is_empty())
                .map(std::path::Path::new);
            let home = crate::preprocess::home();
            let paths: Vec<String> = self
                .all_paths(event)
                .into_iter()
                .map(|given| {
                    crate::preprocess::paths::as_agent_resolves(given, cwd, home)
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            if let Some(first) = paths.first() {
                view.entry("path").or_insert_with(|| json!(first));
            }
            view.insert("paths".into(), json!(paths));
        }
        if let Some(url) = Self::text(event, self.url) {
            view.insert("url".into(), json!(url));
        }
        if let Some(prompt) = Self::text(event, self.prompt) {
            view.insert("prompt".into(), json!(prompt));
        }
        if let Some((server, tool)) = &self.mcp {
            view.insert("server".into(), json!(server));
            view.insert("tool".into(), json!(tool));
        }
        Value::Object(view)
    }
}

/// A JSON pointer split into the event's top-level field and the pointer below it.
fn split(pointer: &str) -> Option<(&str, Option<&str>)> {
    let path = pointer.strip_prefix('/')?;
    Some(match path.find('/') {
        Some(slash) => (&path[..slash], Some(&path[slash..])),
        None => (path, None),
    })
}

/// The value at `pointer` in `event`.
fn at<'a>(event: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let (first, rest) = split(pointer)?;
    let top = event.get(first)?;
    match rest {
        Some(rest) => top.pointer(rest),
        None => Some(top),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn reads_and_rewrites_through_pointers() {
        let mut body = event(json!({"tool_input": {"command": "ls  -l", "n": 3}, "top": "x"}));
        assert_eq!(
            Action::text(&body, Some("/tool_input/command")),
            Some("ls  -l")
        );
        assert_eq!(Action::text(&body, Some("/top")), Some("x"));
        assert_eq!(
            Action::text(&body, Some("/tool_input/n")),
            None,
            "not a string"
        );
        assert_eq!(Action::text(&body, Some("/missing")), None);
        assert_eq!(Action::text(&body, Some("no-slash")), None);
        if let Some(command) = Action::text_mut(&mut body, Some("/tool_input/command")) {
            *command = "ls -l".into();
        }
        assert_eq!(body["tool_input"]["command"], "ls -l");
    }

    #[test]
    fn the_view_prefers_the_resolved_path() {
        let body = event(json!({
            "tool_input": {"file_path": "../x/.env"},
            "resolved_file_path": "/repo/x/.env",
        }));
        let view = Action::file(ActionKind::Write, "/tool_input/file_path").view(&body);
        assert_eq!(
            view,
            json!({"kind": "write", "stage": "before", "path": "/repo/x/.env", "given_path": "../x/.env"})
        );
        let after = Action::shell("/command")
            .after()
            .view(&event(json!({"command": "ls"})));
        assert_eq!(
            after,
            json!({"kind": "shell", "stage": "after", "command": "ls"})
        );
    }
}
