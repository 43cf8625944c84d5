//! Cupcake's integration tests, one binary. A custom harness (libtest-mimic) lets the shared
//! conformance folder become one test per case, beside the hand-written tests.

#[cfg(unix)]
mod adversarial;
mod builtins;
mod conformance;
mod engine;
#[cfg(unix)]
mod faults;
mod isolation;
mod opa;
mod support;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials = conformance::trials();
    trials.extend(builtins::trials());
    trials.extend(engine::trials());
    trials.extend(isolation::trials());
    trials.extend(opa::trials());
    #[cfg(unix)]
    trials.extend(adversarial::trials());
    #[cfg(unix)]
    trials.extend(faults::trials());
    libtest_mimic::run(&args, trials).exit();
}
