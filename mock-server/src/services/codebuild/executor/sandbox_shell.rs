//! The local executor's side of sandboxes: a command execution really runs, in `bash -c`, in the
//! sandbox's workspace (one directory for the sandbox's life, so files one command writes are
//! there for the next), as a job off the request path. Its stdout, stderr and exit code return
//! to the sandbox as a message; a stop kills it.

use crate::effects::Effects;
use crate::services::codebuild::ports::Command as CodeBuild;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

/// Output kept per stream of one command (the rest is dropped, as a log cap would).
const OUTPUT_CAP: usize = 1024 * 1024;

/// What one command's job needs.
#[derive(Debug)]
pub struct CommandJob {
    pub account: String,
    pub region: String,
    pub sandbox_id: String,
    pub command_id: String,
    pub command: String,
    pub workspace: PathBuf,
    pub env: Vec<(String, String)>,
    pub kill: Arc<tokio::sync::Notify>,
}

fn text(bytes: &[u8]) -> String {
    let bytes = &bytes[..bytes.len().min(OUTPUT_CAP)];
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the command; answers the message that reports how it ended (nothing if it was killed:
/// the stop already ended it).
pub async fn run(job: CommandJob) -> Effects {
    let mut effects = Effects::new();
    let (exit_code, stdout, stderr) = match std::fs::create_dir_all(&job.workspace) {
        Err(e) => (1, String::new(), format!("codemock: no workspace: {e}")),
        Ok(()) => {
            let mut cmd = tokio::process::Command::new("bash");
            cmd.arg("-c")
                .arg(&job.command)
                .current_dir(&job.workspace)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .envs(job.env.iter().map(|(k, v)| (k, v)));
            match cmd.spawn() {
                Err(e) => (
                    127,
                    String::new(),
                    format!("codemock: cannot run bash: {e}"),
                ),
                Ok(child) => {
                    tokio::select! {
                        out = child.wait_with_output() => match out {
                            Ok(out) => (
                                // A signal has no code; the shell's convention is 128 + signal.
                                i64::from(out.status.code().unwrap_or(137)),
                                text(&out.stdout),
                                text(&out.stderr),
                            ),
                            Err(e) => (1, String::new(), format!("codemock: {e}")),
                        },
                        // Dropping the child kills it.
                        () = job.kill.notified() => return effects,
                    }
                }
            }
        }
    };
    effects.send(
        &job.account,
        &job.region,
        CodeBuild::LocalCommandExited {
            sandbox_id: job.sandbox_id,
            command_id: job.command_id,
            exit_code,
            stdout,
            stderr,
        },
    );
    effects
}
