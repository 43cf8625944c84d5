//! Child processes cupcake starts (signals, OPA): each in its own process group, waited for
//! under a deadline, and remembered while it runs, so a hook that must answer now can kill
//! them all on its way out instead of leaving them behind.

use std::collections::BTreeSet;
use std::process::{Child, Command, ExitStatus};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Process groups of running children, by leader pid.
static RUNNING: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());

/// A started child, killed with its whole group when dropped.
pub struct Group {
    child: Child,
}

impl Group {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(command: &mut Command) -> std::io::Result<Self> {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(command, 0);
        let child = spawn_retrying(command)?;
        lock().insert(child.id());
        Ok(Self { child })
    }

    /// The child, for its pipes.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits until `timeout` has passed; `None` means it was still running (or could not be
    /// waited for) and has been killed.
    pub fn wait_with_deadline(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(1);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(
                        pause.min(deadline.saturating_duration_since(Instant::now())),
                    );
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Ok(None) | Err(_) => {
                    self.kill();
                    return None;
                }
            }
        }
    }

    /// Kills the whole group, even after the leader exited: background children it left
    /// would otherwise keep pipes open and outlive the hook.
    pub fn kill(&mut self) {
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
        lock().remove(&self.child.id());
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Spawns `command`, retrying a binary that is briefly "busy": on Linux a file written a
/// moment ago (a verified copy of OPA) cannot be executed while a process forked by another
/// thread still holds the writer's descriptor.
pub fn spawn_retrying(command: &mut Command) -> std::io::Result<Child> {
    let mut attempt = 0;
    loop {
        match command.spawn() {
            Err(err) if err.kind() == std::io::ErrorKind::ExecutableFileBusy && attempt < 5 => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(20 * attempt));
            }
            result => return result,
        }
    }
}

/// Kills every child group still running. For a process about to exit early (the hook
/// deadline); processes that left their group (`setsid`) cannot be reached this way.
pub fn kill_child_processes() {
    let running: Vec<u32> = lock().iter().copied().collect();
    for pid in running {
        kill_group(pid);
    }
}

fn lock() -> std::sync::MutexGuard<'static, BTreeSet<u32>> {
    // A panic while holding the lock leaves a set of pids that is still valid.
    RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    use nix::sys::signal::{killpg, Signal};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(pid) {
        // ESRCH (already gone) is the normal case after a clean exit.
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(pid: u32) {
    let _ = pid;
}
