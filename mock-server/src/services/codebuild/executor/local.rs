//! The local executor: a build's buildspec really runs, without Docker, as a long job (never on
//! the request path). The job makes a fresh workspace, extracts the sources (S3 zips, pipeline
//! input artifacts; secondary sources under `CODEBUILD_SRC_DIR_<id>`), and runs each phase's
//! commands in one shell for the whole build (buildspec 0.2), so `cd` and `export` carry over
//! between commands and phases as in CodeBuild. Output streams to the build's log as it comes;
//! each phase's end is a message to the phase machine; exported variables are read at the end;
//! artifacts are zipped into the S3 slice and report files parsed. The workspace is removed
//! afterwards. Stops and timeouts kill the shell.

use crate::effects::{Effects, Outlet};
use crate::protocol::timestamps::codebuild_log_time;
use crate::services::codebuild::artifacts;
use crate::services::codebuild::build::{next_phase, PhaseEnd};
use crate::services::codebuild::buildspec::{self, Buildspec, OnFailure, PhaseName};
use crate::services::codebuild::ports::Command as CodeBuild;
use crate::services::codebuild::reports::Parsed;
use crate::services::codebuild::state::LogTarget;
use crate::services::{logs, s3};
use crate::ClockMode;
use bytes::Bytes;
use codemock_wire::codebuild::{BuildPhaseType as Phase, StatusType};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Output beyond this many bytes per build is not logged (CodeBuild caps its log too).
const LOG_CAP: usize = 10 * 1024 * 1024;

/// Everything the job needs, taken from the build when it leaves PROVISIONING.
#[derive(Debug)]
pub struct JobInput {
    pub build_id: String,
    pub account: String,
    pub region: String,
    /// Virtual time at the start and how it moves (for log timestamps).
    pub started_at: f64,
    pub clock_mode: ClockMode,
    pub log: Option<LogTarget>,
    /// Inline buildspec text, a path in the source, or `None` (`buildspec.yml`).
    pub buildspec: Option<String>,
    /// (source identifier, zip bytes): the first is the primary source.
    pub sources: Vec<(String, Bytes)>,
    pub env: Vec<(String, String)>,
    /// `http://127.0.0.1:<port>`, so that `aws` inside a build talks to codemock.
    pub endpoint: Option<String>,
    /// Where the primary artifact goes: (bucket, key, zip?) and the secondary ones by
    /// identifier.
    pub artifact: Option<ArtifactTarget>,
    pub secondary_artifacts: Vec<(String, ArtifactTarget)>,
    pub kill: Arc<tokio::sync::Notify>,
    /// The registered parameters and secrets, for the buildspec's `env` references.
    pub values: crate::services::codebuild::values::Values,
}

/// Where an artifact is written.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactTarget {
    pub bucket: String,
    /// The key of the zip, or the prefix of the files when not zipped.
    pub key: String,
    pub zip: bool,
}

/// What the job reports besides phase ends.
#[derive(Debug)]
pub struct Finished {
    pub exported: Vec<(String, String)>,
    /// (report group as the buildspec names it, parsed files).
    pub reports: Vec<(String, Parsed)>,
}

struct Job {
    input: JobInput,
    outlet: Outlet,
    clock: Instant,
    logged: usize,
}

impl Job {
    fn now(&self) -> f64 {
        match self.input.clock_mode {
            ClockMode::Realtime { speed } => {
                self.input.started_at + self.clock.elapsed().as_secs_f64() * speed
            }
            ClockMode::Manual | ClockMode::Fixed => self.input.started_at,
        }
    }

    fn effects(&self, f: impl FnOnce(&mut Effects)) {
        let mut e = Effects::new();
        f(&mut e);
        self.outlet.send(e);
    }

    /// Raw output lines (a command's stdout and stderr).
    fn output(&mut self, lines: Vec<String>) {
        let Some(target) = self.input.log.clone() else {
            return;
        };
        if self.logged > LOG_CAP {
            return;
        }
        self.logged += lines.iter().map(String::len).sum::<usize>();
        #[allow(clippy::cast_possible_truncation, reason = "epoch milliseconds fit")]
        let ms = (self.now() * 1000.0).floor() as i64;
        let lines = lines.into_iter().map(|l| (ms, l)).collect();
        let (account, region) = (self.input.account.clone(), self.input.region.clone());
        self.effects(|e| {
            e.send(
                &account,
                &region,
                logs::ports::Command::WriteLines {
                    group: target.group,
                    stream: target.stream,
                    lines,
                },
            )
        });
    }

    /// The agent's own lines.
    fn agent(&mut self, lines: &[String]) {
        let stamp = codebuild_log_time(self.now());
        self.output(
            lines
                .iter()
                .map(|l| format!("[Container] {stamp} {l}"))
                .collect(),
        );
    }

    fn phase_ended(&self, phase: Phase, end: PhaseEnd) {
        let id = self.input.build_id.clone();
        let (account, region) = (self.input.account.clone(), self.input.region.clone());
        self.effects(|e| {
            e.send(
                &account,
                &region,
                CodeBuild::LocalPhaseEnded {
                    build_id: id,
                    phase,
                    end,
                },
            )
        });
    }
}

/// Runs a build from DOWNLOAD_SOURCE to UPLOAD_ARTIFACTS; returns the last message.
pub async fn run(input: JobInput, outlet: Outlet) -> Effects {
    let mut job = Job {
        input,
        outlet,
        clock: crate::clock::real_now(),
        logged: 0,
    };
    let finished = run_phases(&mut job).await;
    let mut e = Effects::new();
    e.send(
        &job.input.account,
        &job.input.region,
        CodeBuild::LocalFinished {
            build_id: job.input.build_id.clone(),
            exported: finished.exported,
            reports: finished.reports,
        },
    );
    e
}

async fn run_phases(job: &mut Job) -> Finished {
    let mut finished = Finished {
        exported: Vec::new(),
        reports: Vec::new(),
    };
    let workspace = match tempfile::Builder::new().prefix("codemock-build-").tempdir() {
        Ok(w) => w,
        Err(e) => {
            job.phase_ended(
                Phase::DownloadSource,
                PhaseEnd::failed(StatusType::Fault, "CLIENT_ERROR", e.to_string()),
            );
            return finished;
        }
    };
    let src = workspace.path().join("src");
    // DOWNLOAD_SOURCE: sources, then the buildspec.
    let spec = match download_source(job, workspace.path(), &src).await {
        Ok(spec) => spec,
        Err(end) => {
            job.phase_ended(Phase::DownloadSource, end);
            return finished;
        }
    };
    job.phase_ended(Phase::DownloadSource, PhaseEnd::succeeded());
    let mut shell = match Shell::start(job, &src, &spec).await {
        Ok(s) => s,
        Err(e) => {
            job.phase_ended(
                Phase::Install,
                PhaseEnd::failed(StatusType::Fault, "CLIENT_ERROR", e.to_string()),
            );
            return finished;
        }
    };
    let mut phase = Phase::Install;
    let mut succeeding = true;
    while matches!(
        phase,
        Phase::Install | Phase::PreBuild | Phase::Build | Phase::PostBuild
    ) {
        if !succeeding {
            shell.set("CODEBUILD_BUILD_SUCCEEDING", "0").await;
        }
        let name = match phase {
            Phase::Install => PhaseName::Install,
            Phase::PreBuild => PhaseName::PreBuild,
            Phase::Build => PhaseName::Build,
            _ => PhaseName::PostBuild,
        };
        let end = match spec.phase(name) {
            Some(p) => run_phase_commands(job, &mut shell, p, &src, &spec).await,
            None => PhaseEnd::succeeded(),
        };
        if shell.killed {
            return finished;
        }
        let ok = end.status == StatusType::Succeeded;
        let continue_on_failure = spec
            .phase(name)
            .is_some_and(|p| p.on_failure == OnFailure::Continue);
        succeeding &= ok;
        job.phase_ended(phase, end);
        phase = next_phase(phase, ok || continue_on_failure);
        if !ok && continue_on_failure && phase == Phase::Finalizing {
            phase = Phase::PostBuild;
        }
    }
    // The exported variables as the shell has them at the end of the build.
    for name in &spec.env.exported_variables {
        if let Some(v) = shell.get(name).await {
            finished.exported.push((name.clone(), v));
        }
    }
    shell.stop().await;
    if phase == Phase::UploadArtifacts {
        let end = upload_artifacts(job, &src, &spec);
        finished.reports = collect_reports(&src, &spec);
        job.phase_ended(Phase::UploadArtifacts, end);
    }
    finished
}

async fn download_source(
    job: &mut Job,
    workspace: &Path,
    src: &Path,
) -> Result<Buildspec, PhaseEnd> {
    let client_error = |m: String| PhaseEnd::failed(StatusType::Failed, "CLIENT_ERROR", m);
    std::fs::create_dir_all(src).map_err(|e| client_error(e.to_string()))?;
    let sources = std::mem::take(&mut job.input.sources);
    for (i, (name, bytes)) in sources.iter().enumerate() {
        let dir = if i == 0 {
            src.to_path_buf()
        } else {
            let d = workspace.join(format!("src{i}"));
            job.input
                .env
                .push((format!("CODEBUILD_SRC_DIR_{name}"), d.display().to_string()));
            d
        };
        let bytes = bytes.clone();
        let dir2 = dir.clone();
        let extracted = tokio::task::spawn_blocking(move || extract_zip(&bytes, &dir2))
            .await
            .map_err(|e| client_error(e.to_string()))?;
        if let Err(e) = extracted {
            // As the agent reports an archive it cannot open.
            return Err(client_error(format!(
                "zip: not a valid zip file ({name}): {e}"
            )));
        }
    }
    job.input
        .env
        .push(("CODEBUILD_SRC_DIR".into(), src.display().to_string()));
    job.agent(&[
        format!("CODEBUILD_SRC_DIR={}", src.display()),
        "Processing environment variables".to_owned(),
    ]);
    let text = match job.input.buildspec.as_deref() {
        Some(inline) if super::simulated::is_inline(inline) => inline.to_owned(),
        path => {
            let rel = path.unwrap_or("buildspec.yml");
            let file = src.join(rel);
            job.agent(&[format!("YAML location is {}", file.display())]);
            std::fs::read_to_string(&file).map_err(|_| {
                PhaseEnd::failed(
                    StatusType::Failed,
                    "YAML_FILE_ERROR",
                    "YAML file does not exist",
                )
            })?
        }
    };
    let spec = buildspec::parse(&text)
        .map_err(|e| PhaseEnd::failed(StatusType::Failed, "YAML_FILE_ERROR", e.message.clone()))?;
    let mut vars = spec.env.variables.clone();
    for (k, reference) in &spec.env.parameter_store {
        let v = job.input.values.parameter(reference);
        vars.push((
            k.clone(),
            v.map_err(|e| PhaseEnd::failed(StatusType::Failed, e.code, e.message))?,
        ));
    }
    for (k, reference) in &spec.env.secrets_manager {
        let v = job.input.values.secret(reference);
        vars.push((
            k.clone(),
            v.map_err(|e| PhaseEnd::failed(StatusType::Failed, e.code, e.message))?,
        ));
    }
    for (k, v) in vars {
        job.input.env.retain(|(x, _)| *x != k);
        job.input.env.push((k, v));
    }
    job.agent(&[format!("Moving to directory {}", src.display())]);
    Ok(spec)
}

/// Extracts a zip into `dir`, refusing entries that would escape it.
fn extract_zip(bytes: &[u8], dir: &Path) -> std::io::Result<()> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        let Some(rel) = entry.enclosed_name() else {
            continue;
        };
        let path = dir.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        std::fs::write(&path, data)?;
    }
    Ok(())
}

async fn run_phase_commands(
    job: &mut Job,
    shell: &mut Shell,
    phase: &buildspec::PhaseSpec,
    src: &Path,
    spec: &Buildspec,
) -> PhaseEnd {
    let _ = src;
    let mut end = PhaseEnd::succeeded();
    for cmd in &phase.commands {
        job.agent(&[format!("Running command {cmd}")]);
        let code = shell.run(job, cmd, spec.each_command_own_shell).await;
        if shell.killed {
            return end;
        }
        if code != 0 {
            job.agent(&[format!(
                "Command did not exit successfully {cmd} exit status {code}"
            )]);
            end = PhaseEnd::failed(
                StatusType::Failed,
                "COMMAND_EXECUTION_ERROR",
                format!("Error while executing command: {cmd}. Reason: exit status {code}"),
            );
            break;
        }
    }
    for cmd in &phase.finally {
        job.agent(&[format!("Running command {cmd}")]);
        let code = shell.run(job, cmd, spec.each_command_own_shell).await;
        if shell.killed {
            return end;
        }
        if code != 0 && end.status == StatusType::Succeeded {
            end = PhaseEnd::failed(
                StatusType::Failed,
                "COMMAND_EXECUTION_ERROR",
                format!("Error while executing command: {cmd}. Reason: exit status {code}"),
            );
        }
    }
    end
}

fn upload_artifacts(job: &mut Job, src: &Path, spec: &Buildspec) -> PhaseEnd {
    let client_error = |m: &str| PhaseEnd::failed(StatusType::Failed, "CLIENT_ERROR", m);
    let mut uploads: Vec<(ArtifactTarget, &buildspec::ArtifactsSpec)> = Vec::new();
    if let (Some(target), Some(a)) = (job.input.artifact.clone(), spec.artifacts.as_ref()) {
        uploads.push((target, a));
    }
    for (id, target) in job.input.secondary_artifacts.clone() {
        if let Some((_, a)) = spec.secondary_artifacts.iter().find(|(i, _)| *i == id) {
            uploads.push((target, a));
        }
    }
    for (target, a) in uploads {
        job.agent(&[
            format!(
                "Expanding base directory path: {}",
                a.base_directory.as_deref().unwrap_or(".")
            ),
            "Assembling file list".to_owned(),
        ]);
        let files = match artifacts::select(a, src) {
            Ok(f) if !f.is_empty() => f,
            Ok(_) => return client_error(artifacts::NO_MATCHING_ARTIFACT_PATHS),
            Err(e) => return client_error(&e.to_string()),
        };
        let mut puts = Vec::new();
        if target.zip {
            match artifacts::zip_files(&files) {
                Ok(z) => puts.push((target.key.clone(), Bytes::from(z))),
                Err(e) => return client_error(&e.to_string()),
            }
        } else {
            for (disk, rel) in &files {
                match std::fs::read(disk) {
                    Ok(b) => {
                        let key = if target.key.is_empty() {
                            rel.clone()
                        } else {
                            format!("{}/{rel}", target.key.trim_end_matches('/'))
                        };
                        puts.push((key, Bytes::from(b)));
                    }
                    Err(e) => return client_error(&e.to_string()),
                }
            }
        }
        let (account, region) = (job.input.account.clone(), job.input.region.clone());
        let bucket = target.bucket.clone();
        job.effects(|e| {
            for (key, body) in puts {
                e.send(
                    &account,
                    &region,
                    s3::ports::Command::PutObject {
                        bucket: bucket.clone(),
                        key,
                        body,
                        content_type: None,
                    },
                );
            }
        });
    }
    PhaseEnd::succeeded()
}

fn collect_reports(src: &Path, spec: &Buildspec) -> Vec<(String, Parsed)> {
    spec.reports
        .iter()
        .map(|r| {
            let files: Vec<(String, Vec<u8>)> = artifacts::select_report_files(r, src)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(disk, _)| {
                    let data = std::fs::read(&disk).ok()?;
                    Some((disk.display().to_string(), data))
                })
                .collect();
            (r.group.clone(), Parsed::from_files(&r.file_format, &files))
        })
        .collect()
}

/// One shell for the whole build; commands are sourced from files so that they can neither read
/// the shell's own input nor hide the marker that ends them.
struct Shell {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    dir: PathBuf,
    marker: String,
    count: usize,
    killed: bool,
    kill: Arc<tokio::sync::Notify>,
    shell: String,
    src: PathBuf,
    env: Vec<(String, String)>,
}

impl Shell {
    async fn start(job: &Job, src: &Path, spec: &Buildspec) -> std::io::Result<Shell> {
        let shell = spec.env.shell.clone().unwrap_or_else(|| "bash".to_owned());
        let mut env = job.input.env.clone();
        if let Some(endpoint) = &job.input.endpoint {
            env.push(("AWS_ENDPOINT_URL".into(), endpoint.clone()));
        }
        env.push(("AWS_ACCESS_KEY_ID".into(), job.input.account.clone()));
        env.push(("AWS_SECRET_ACCESS_KEY".into(), "codemock".into()));
        let dir = src
            .parent()
            .map_or_else(|| src.to_path_buf(), Path::to_path_buf)
            .join("commands");
        std::fs::create_dir_all(&dir)?;
        let marker = format!("__codemock_done_{}", std::process::id());
        Self::spawn(
            shell,
            src.to_path_buf(),
            env,
            dir,
            marker,
            job.input.kill.clone(),
        )
    }

    fn spawn(
        shell: String,
        src: PathBuf,
        env: Vec<(String, String)>,
        dir: PathBuf,
        marker: String,
        kill: Arc<tokio::sync::Notify>,
    ) -> std::io::Result<Shell> {
        let mut cmd = tokio::process::Command::new(&shell);
        cmd.current_dir(&src)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .envs(env.iter().map(|(k, v)| (k, v)));
        let mut child = cmd.spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        Ok(Shell {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            dir,
            marker,
            count: 0,
            killed: false,
            kill,
            shell,
            src,
            env,
        })
    }

    async fn write(&mut self, text: &str) -> std::io::Result<()> {
        self.stdin.write_all(text.as_bytes()).await?;
        self.stdin.flush().await
    }

    /// Runs one command; returns its exit status (the shell's, if the command ended the shell).
    async fn run(&mut self, job: &mut Job, cmd: &str, own_shell: bool) -> i32 {
        self.count += 1;
        let file = self.dir.join(format!("cmd{}.sh", self.count));
        if std::fs::write(&file, format!("{cmd}\n")).is_err() {
            return 1;
        }
        let line = if own_shell {
            format!(
                "( . '{}' ) </dev/null 2>&1; echo \"{} $?\"\n",
                file.display(),
                self.marker
            )
        } else {
            format!(
                ". '{}' </dev/null 2>&1; echo \"{} $?\"\n",
                file.display(),
                self.marker
            )
        };
        if self.write(&line).await.is_err() {
            return self.restart_after_exit().await;
        }
        let mut batch = Vec::new();
        let kill = self.kill.clone();
        loop {
            let next = tokio::select! {
                l = self.lines.next_line() => l,
                () = kill.notified() => {
                    self.killed = true;
                    let _ = self.child.kill().await;
                    return -1;
                }
            };
            match next {
                Ok(Some(l)) => {
                    // Output without a final newline shares the marker's line.
                    if let Some(pos) = l.find(&self.marker) {
                        if pos > 0 {
                            batch.push(l[..pos].to_owned());
                        }
                        job.output(std::mem::take(&mut batch));
                        return l[pos + self.marker.len()..].trim().parse().unwrap_or(1);
                    }
                    batch.push(l);
                    if batch.len() >= 50 {
                        job.output(std::mem::take(&mut batch));
                    }
                }
                // The command ended the shell (`exit 3`): its status is the command's.
                Ok(None) | Err(_) => {
                    job.output(std::mem::take(&mut batch));
                    return self.restart_after_exit().await;
                }
            }
        }
    }

    /// The shell exited: its status, and a fresh shell for the phases that still run.
    async fn restart_after_exit(&mut self) -> i32 {
        let status = self
            .child
            .wait()
            .await
            .ok()
            .and_then(|s| s.code())
            .unwrap_or(1);
        if let Ok(fresh) = Self::spawn(
            self.shell.clone(),
            self.src.clone(),
            self.env.clone(),
            self.dir.clone(),
            self.marker.clone(),
            self.kill.clone(),
        ) {
            let count = self.count;
            *self = fresh;
            self.count = count;
        }
        status
    }

    async fn set(&mut self, name: &str, value: &str) {
        let _ = self.write(&format!("export {name}='{value}'\n")).await;
    }

    /// A variable's value as the shell has it.
    async fn get(&mut self, name: &str) -> Option<String> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let probe = format!(
            "printf '%s %s\\n' \"{}_value\" \"${{{name}}}\"; echo \"{} 0\"\n",
            self.marker, self.marker
        );
        self.write(&probe).await.ok()?;
        let prefix = format!("{}_value ", self.marker);
        let mut value = None;
        while let Ok(Some(l)) = self.lines.next_line().await {
            if let Some(v) = l.strip_prefix(&prefix) {
                value = Some(v.to_owned());
            } else if l.starts_with(&self.marker) {
                break;
            }
        }
        value
    }

    async fn stop(mut self) {
        let _ = self.write("exit 0\n").await;
        let _ = self.child.wait().await;
    }
}
