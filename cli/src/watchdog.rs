//! The hook deadline. Agents treat a hook that does not answer in time as "allow", so hook mode
//! answers before its deadline whatever the engine is doing: a watchdog thread waits for the
//! deadline and, unless the answer was already printed, kills cupcake's child processes,
//! prints the blocking response and ends the process. Exactly one of the two paths prints.

use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use cupcake::{Harness, Reply};
use serde_json::Value;

/// What both the evaluation and the watchdog know about this hook call.
pub(crate) struct Hook {
    harness: Harness,
    fail_open: bool,
    /// The parsed event, once stdin was read, so a late failure can answer for its event.
    event: OnceLock<Value>,
    /// Set by whichever path printed the answer.
    answered: Mutex<bool>,
}

impl Hook {
    /// Starts the watchdog for a call that must answer within `deadline`.
    pub(crate) fn start(harness: Harness, fail_open: bool, deadline: Duration) -> Arc<Self> {
        let hook = Arc::new(Self {
            harness,
            fail_open,
            event: OnceLock::new(),
            answered: Mutex::new(false),
        });
        let watchdog = Arc::clone(&hook);
        std::thread::spawn(move || {
            std::thread::sleep(deadline);
            watchdog.expire(deadline);
        });
        hook
    }

    /// Records the parsed event.
    pub(crate) fn set_event(&self, event: Value) {
        let _ = self.event.set(event);
    }

    /// The harness the answer is for.
    pub(crate) fn harness(&self) -> Harness {
        self.harness
    }

    /// The parsed event, if stdin has been read and parsed.
    pub(crate) fn event(&self) -> Option<&Value> {
        self.event.get()
    }

    /// The response for a failure: blocking unless `--fail-open`, and never trapping a
    /// repeated stop.
    pub(crate) fn failure(&self, reason: &str) -> Reply {
        if self.fail_open {
            return Reply::json(serde_json::json!({}));
        }
        cupcake::failure_response(
            self.harness,
            self.event(),
            &format!("Blocked by cupcake: {reason}"),
        )
    }

    /// Prints `reply` unless the watchdog already answered; then the watchdog stays quiet.
    /// Returns false when the answer could not be written.
    pub(crate) fn answer(&self, reply: &Reply) -> bool {
        let mut answered = lock(&self.answered);
        if *answered {
            // The watchdog printed and is ending the process; never print a second answer.
            drop(answered);
            loop {
                std::thread::park();
            }
        }
        *answered = true;
        print(reply)
    }

    fn expire(&self, deadline: Duration) {
        let mut answered = lock(&self.answered);
        if *answered {
            return;
        }
        *answered = true;
        cupcake::kill_child_processes();
        let reason = format!(
            "cupcake did not finish within its {:.1} s hook deadline (a policy, signal, OPA or file read hung); raise --deadline if your signals need longer",
            deadline.as_secs_f64()
        );
        tracing::error!(%reason, "hook deadline passed");
        let reply = self.failure(&reason);
        print(&reply);
        drop(answered);
        #[expect(
            clippy::disallowed_methods,
            reason = "the deadline passed: the process must end now, whatever other threads hold"
        )]
        std::process::exit(reply.exit_code);
    }
}

/// Writes the reply's stderr text (exit-code protocols show it), then its JSON on stdout.
fn print(reply: &Reply) -> bool {
    if !reply.stderr.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", reply.stderr).and_then(|()| err.flush());
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", reply.response)
        .and_then(|()| out.flush())
        .is_ok()
}

fn lock(answered: &Mutex<bool>) -> std::sync::MutexGuard<'_, bool> {
    answered
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
