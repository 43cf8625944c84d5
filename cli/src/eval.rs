//! `cupcake eval`: hook mode. Whatever fails — reading stdin, loading policies, evaluating —
//! the harness still gets a well-formed response on stdout, and it blocks unless the user
//! passed `--fail-open`.

use std::io::{Read, Write};
use std::process::ExitCode;

use cupcake::Harness;
use serde_json::Value;

use crate::LoadArgs;

#[derive(clap::Args)]
pub(crate) struct EvalArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// On an internal failure, let the action through instead of blocking it.
    #[arg(long)]
    fail_open: bool,
}

pub(crate) fn run(args: &EvalArgs) -> ExitCode {
    let harness = Harness::parse(&args.load.harness).unwrap_or(Harness::Claude);
    // Read one byte past the engine's input limit, so an oversized event is refused without
    // holding all of it in memory.
    let limit = cupcake::Limits::default().input_bytes;
    let mut stdin = Vec::new();
    let read = std::io::stdin()
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut stdin);
    let outcome = match read {
        Err(err) => Err((
            None,
            format!("cupcake could not read the hook event from stdin: {err}"),
        )),
        Ok(read) if read > limit => Err((
            None,
            format!("the hook event is over the {limit}-byte input limit; it was not evaluated"),
        )),
        Ok(_) => contain_panics(|| evaluate(args, &stdin)),
    };
    let response = match outcome {
        Ok(response) => response,
        Err((event, reason)) => {
            tracing::error!(%reason, "hook evaluation failed");
            if args.fail_open {
                serde_json::json!({})
            } else {
                cupcake::failure_response(
                    harness,
                    event.as_deref(),
                    &format!("Blocked by cupcake: {reason}"),
                )
            }
        }
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{response}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// Runs `work`, turning a panic anywhere below it into an ordinary failure, so even a bug in
/// cupcake ends in a blocking response rather than an empty stdout.
fn contain_panics<T>(
    work: impl FnOnce() -> Result<T, (Option<String>, String)>,
) -> Result<T, (Option<String>, String)> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err((
            None,
            format!("internal error in cupcake ({what}); please report it"),
        ))
    })
}

/// Returns the response, or the event name (when known) and what failed.
fn evaluate(args: &EvalArgs, stdin: &[u8]) -> Result<Value, (Option<String>, String)> {
    let text = std::str::from_utf8(stdin)
        .map_err(|err| (None, format!("the hook event is not valid UTF-8 ({err})")))?;
    let event_name = serde_json::from_str::<Value>(text).ok().and_then(|value| {
        value
            .get("hook_event_name")
            .or_else(|| value.get("hookEventName"))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let engine = args
        .load
        .engine()
        .map_err(|err| (event_name.clone(), format!("{err:#}")))?;
    let decision = engine
        .evaluate(text)
        .map_err(|err| (event_name, err.to_string()))?;
    // The process ends right after the response is printed. Unmapping the module's code and
    // memories one by one in drop costs more than letting the kernel reclaim them at exit.
    std::mem::forget(engine);
    Ok(decision.response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(clippy::panic, reason = "the test needs a panic to contain")]
    fn panics_become_failures() {
        let outcome: Result<(), _> = contain_panics(|| panic!("boom"));
        let (event, reason) = outcome.expect_err("a panic is a failure");
        assert!(event.is_none());
        assert!(reason.contains("boom"), "{reason}");
        let response = cupcake::failure_response(Harness::Claude, event.as_deref(), &reason);
        assert_eq!(response["continue"], false);
    }
}
