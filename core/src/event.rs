//! Parses a hook event: size and nesting limits, a JSON object, and the event and tool names
//! routing needs. Unknown fields are kept as they are.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::harness::Action;
use crate::options::{Harness, Limits};

/// A parsed hook event.
#[derive(Debug, Clone)]
pub struct Event {
    /// `hook_event_name` (or Cursor's `hookEventName`).
    pub name: String,
    /// `tool_name`, when the event concerns a tool.
    pub tool: Option<String>,
    /// The whole event, unknown fields included.
    pub body: Map<String, Value>,
    /// What the event asks to do, in the shared vocabulary.
    pub action: Option<Action>,
}

impl Event {
    /// Parses `text` within `limits`, as `harness` sends it.
    pub fn parse(text: &str, limits: &Limits, harness: Harness) -> Result<Self> {
        if text.len() > limits.input_bytes {
            return Err(Error::invalid_input(format!(
                "event is {} bytes, over the {}-byte input limit",
                text.len(),
                limits.input_bytes
            )));
        }
        if text.trim().is_empty() {
            return Err(Error::invalid_input("event is empty"));
        }
        check_depth(text, limits.json_depth)?;
        let value: Value = serde_json::from_str(text)
            .map_err(|err| Error::invalid_input(format!("not valid JSON ({err})")))?;
        Self::from_value(value, harness)
    }

    /// Takes an already parsed value, as `harness` sends it: its own spellings of the event
    /// and tool names are copied to `hook_event_name` and `tool_name` first.
    pub fn from_value(value: Value, harness: Harness) -> Result<Self> {
        let Value::Object(mut body) = value else {
            return Err(Error::invalid_input(format!(
                "expected a JSON object, got {}",
                crate::builtins::type_name(&value)
            )));
        };
        let protocol = crate::harness::protocol(harness);
        protocol.canonicalize(&mut body);
        let name = body
            .get("hook_event_name")
            .or_else(|| body.get("hookEventName"))
            .and_then(Value::as_str)
            .filter(|name| !name.is_empty())
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "missing `hook_event_name` (or the field {} names its events in)",
                    protocol.title()
                ))
            })?
            .to_string();
        let tool = body
            .get("tool_name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let action = protocol.action(&name, &body);
        Ok(Self {
            name,
            tool,
            body,
            action,
        })
    }

    /// The routing key of the event's action: `action:<kind>` for an action the hook can
    /// still refuse, `action:<kind>:after` for one already done.
    pub fn action_key(&self) -> Option<String> {
        self.action.as_ref().map(|action| {
            let stage = if action.before { "" } else { ":after" };
            format!("action:{}{stage}", action.kind.name())
        })
    }

    /// Writes `input.cupcake`: the harness, the event and tool names, and the shared view of
    /// the action (see [`Action::view`]). It always replaces whatever the event carried
    /// there, so a caller cannot forge it.
    pub fn describe(&mut self, harness: Harness) {
        let mut view = Map::new();
        view.insert("harness".into(), Value::from(harness.dir_name()));
        view.insert("event".into(), Value::from(self.name.as_str()));
        if let Some(tool) = &self.tool {
            view.insert("tool".into(), Value::from(tool.as_str()));
        }
        if let Some(action) = &self.action {
            view.insert("action".into(), action.view(&self.body));
        }
        self.body.insert("cupcake".into(), Value::Object(view));
    }
}

/// Rejects nesting deeper than `max` before parsing, so a hostile event cannot exhaust the
/// parser's stack. Brackets inside strings are skipped.
fn check_depth(text: &str, max: usize) -> Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(Error::invalid_input(format!(
                        "event nests deeper than {max} levels"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_objects_and_missing_names() {
        let limits = Limits::default();
        assert!(Event::parse("[1]", &limits, Harness::Claude)
            .expect_err("array")
            .to_string()
            .contains("expected a JSON object"));
        assert!(Event::parse("{}", &limits, Harness::Claude)
            .expect_err("no name")
            .to_string()
            .contains("hook_event_name"));
        assert!(Event::parse("{", &limits, Harness::Claude)
            .expect_err("bad json")
            .to_string()
            .contains("not valid JSON"));
        assert!(Event::parse("  ", &limits, Harness::Claude)
            .expect_err("empty")
            .to_string()
            .contains("empty"));
    }

    #[test]
    fn depth_limit_ignores_brackets_in_strings() {
        let limits = Limits {
            json_depth: 3,
            ..Limits::default()
        };
        let ok = r#"{"hook_event_name":"Stop","x":"[[[[[[[["}"#;
        assert_eq!(
            Event::parse(ok, &limits, Harness::Claude)
                .expect("within depth")
                .name,
            "Stop"
        );
        let deep = r#"{"hook_event_name":"Stop","x":[[[1]]]}"#;
        assert!(Event::parse(deep, &limits, Harness::Claude).is_err());
    }
}
