//! What the commands print on stdout. `println!` panics when the reader has gone
//! (`cupcake inspect | head -1`); here a closed pipe just ends the output, and any other write
//! failure is reported once and turns the exit code into a failure.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when stdout failed for a reason other than a reader that left.
static FAILED: AtomicBool = AtomicBool::new(false);

/// Prints one line; use it through [`outln!`](crate::outln).
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(err) = written {
        // A reader that left (`| head`) wanted no more; anything else is worth one message.
        if err.kind() != std::io::ErrorKind::BrokenPipe && !FAILED.swap(true, Ordering::Relaxed) {
            eprintln!("error: cannot write to stdout: {err}");
        }
    }
}

/// Whether some output could not be written (not counting a closed pipe).
pub(crate) fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// `println!` that survives a closed stdout.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
