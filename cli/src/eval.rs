//! `cupcake eval`: hook mode. Whatever fails — reading stdin, loading policies, evaluating,
//! or anything hanging past the hook deadline — the harness still gets a well-formed response
//! on stdout, and it blocks unless the user passed `--fail-open`.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use cupcake::{Harness, Reply};
use serde_json::Value;

use crate::watchdog::Hook;
use crate::LoadArgs;

/// Default hook deadline: well under the agents' own hook timeouts (Claude Code's is 60 s,
/// and a hook that times out counts as allowed there).
const DEFAULT_DEADLINE_SECONDS: f64 = 5.0;
/// The longest deadline accepted; agents give up on a hook long before this.
const MAX_DEADLINE_SECONDS: f64 = 600.0;

#[derive(clap::Args)]
pub(crate) struct EvalArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// On an internal failure, let the action through instead of blocking it.
    #[arg(long)]
    fail_open: bool,
    /// Seconds within which a response is printed, whatever hangs (a blocking one on expiry).
    #[arg(long, default_value_t = DEFAULT_DEADLINE_SECONDS, value_parser = parse_deadline)]
    deadline: f64,
    /// The event this hook is configured for, for agents whose input does not name it
    /// (GitHub Copilot); it replaces any `hook_event_name` in the input.
    #[arg(long)]
    event: Option<String>,
    /// Ask this `cupcake serve` (e.g. `https://cupcake.internal`) instead of loading policies;
    /// an unreachable, slow or failing server gets the blocking response.
    #[arg(long)]
    server: Option<String>,
    /// With --server: a file whose first line is the bearer token to present.
    #[arg(long, requires = "server")]
    token_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub(crate) otlp: crate::telemetry::OtlpArgs,
    /// Benchmarks: after answering, print on stderr how long loading and evaluating took.
    #[arg(long, hide = true)]
    pub(crate) timings: bool,
}

fn parse_deadline(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds > 0.0 && seconds <= MAX_DEADLINE_SECONDS {
        Ok(seconds)
    } else {
        Err(format!(
            "the deadline must be above 0 and at most {MAX_DEADLINE_SECONDS} seconds"
        ))
    }
}

/// Answers one hook call; `setup_problem` is a failure found before it started (the exporter
/// could not be set up), answered with the blocking response.
pub(crate) fn run(args: &EvalArgs, setup_problem: Option<String>) -> ExitCode {
    let harness = Harness::parse(&args.load.harness).unwrap_or(Harness::Claude);
    let hook = Hook::start(
        harness,
        args.fail_open,
        Duration::from_secs_f64(args.deadline),
    );
    let reply = match contain_panics(|| decide(args, &hook, setup_problem)) {
        Ok(reply) => reply,
        Err(reason) => {
            tracing::error!(%reason, "hook evaluation failed");
            hook.failure(&reason)
        }
    };
    let answered = hook.answer(&reply);
    if args.timings {
        crate::timings::report();
    }
    if answered {
        ExitCode::from(u8::try_from(reply.exit_code).unwrap_or(1))
    } else {
        ExitCode::FAILURE
    }
}

/// Reads the event, records it for the watchdog, and evaluates it.
fn decide(args: &EvalArgs, hook: &Hook, setup_problem: Option<String>) -> Result<Reply, String> {
    // Read one byte past the engine's input limit, so an oversized event is refused without
    // holding all of it in memory.
    let limit = cupcake::Limits::default().input_bytes;
    let mut stdin = Vec::new();
    let read = std::io::stdin()
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut stdin)
        .map_err(|err| format!("cupcake could not read the hook event from stdin: {err}"))?;
    if read > limit {
        return Err(format!(
            "the hook event is over the {limit}-byte input limit; it was not evaluated"
        ));
    }
    let text = std::str::from_utf8(&stdin)
        .map_err(|err| format!("the hook event is not valid UTF-8 ({err})"))?;
    let named = args.event.as_ref().map(|name| named_event(name, text));
    let input = match &named {
        Some(Ok(event)) => {
            hook.set_event(Value::Object(event.clone()));
            std::borrow::Cow::Owned(Value::Object(event.clone()).to_string())
        }
        // The configuration names the event, so even an unreadable input gets that event's
        // own blocking answer.
        Some(Err((event, problem))) => {
            hook.set_event(Value::Object(event.clone()));
            return Err(problem.clone());
        }
        None => {
            if let Ok(event) = serde_json::from_str::<Value>(text) {
                hook.set_event(event);
            }
            std::borrow::Cow::Borrowed(text)
        }
    };
    if let Some(problem) = setup_problem {
        return Err(problem);
    }
    if let Some(url) = &args.server {
        if Harness::parse(&args.load.harness).is_none() {
            return Err(Harness::unknown(&args.load.harness));
        }
        let server = crate::remote::Server::new(url, args.token_file.as_deref())?;
        let event: Value = serde_json::from_str(&input)
            .map_err(|err| format!("invalid event: not valid JSON ({err})"))?;
        // The watchdog answers at the deadline regardless; stopping the request a little
        // earlier lets the server's own error reach the log instead.
        let timeout = Duration::from_secs_f64(args.deadline * 0.9);
        return server.decide(hook.harness(), &event, timeout);
    }
    let engine = args.load.engine().map_err(|err| format!("{err:#}"))?;
    let reply = engine
        .evaluate(&input)
        .map_err(|err| err.to_string())?
        .reply;
    // The process ends right after the response is printed. Unmapping the module's code and
    // memories one by one in drop costs more than letting the kernel reclaim them at exit.
    std::mem::forget(engine);
    Ok(reply)
}

/// The input with `hook_event_name` set to the configured `name`; when the input is not a
/// JSON object, an event holding only the name (for the failure answer) and the problem.
type Named = Result<serde_json::Map<String, Value>, (serde_json::Map<String, Value>, String)>;

fn named_event(name: &str, text: &str) -> Named {
    let mut only_name = serde_json::Map::new();
    only_name.insert("hook_event_name".into(), Value::String(name.to_string()));
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut event)) => {
            event.insert("hook_event_name".into(), Value::String(name.to_string()));
            Ok(event)
        }
        Ok(_) => Err((only_name, "invalid event: expected a JSON object".into())),
        Err(err) => Err((only_name, format!("invalid event: not valid JSON ({err})"))),
    }
}

/// Runs `work`, turning a panic anywhere below it into an ordinary failure, so even a bug in
/// cupcake ends in a blocking response rather than an empty stdout.
fn contain_panics<T>(work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(format!(
            "internal error in cupcake ({what}); please report it"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(clippy::panic, reason = "the test needs a panic to contain")]
    fn panics_become_failures() {
        let outcome: Result<(), _> = contain_panics(|| panic!("boom"));
        let reason = outcome.expect_err("a panic is a failure");
        assert!(reason.contains("boom"), "{reason}");
        let response = cupcake::failure_response(Harness::Claude, None, &reason);
        assert_eq!(response.response["continue"], false);
    }

    #[test]
    fn deadlines_are_bounded() {
        assert_eq!(parse_deadline("2.5"), Ok(2.5));
        assert!(parse_deadline("0").is_err());
        assert!(parse_deadline("-1").is_err());
        assert!(parse_deadline("601").is_err());
        assert!(parse_deadline("soon").is_err());
    }
}
