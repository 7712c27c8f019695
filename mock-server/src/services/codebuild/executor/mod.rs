//! Executors carry out a build's phases: [`simulated`] (phases take virtual time, outcomes come
//! from the outcome rules and tags) and [`local`] (the buildspec's commands run in a shell in a
//! fresh workspace, as a job). Each answers, for the phase a build just entered, how it ends.
//! [`sandbox_shell`] runs a sandbox's commands for the local executor.

pub mod local;
pub mod sandbox_shell;
pub mod simulated;

use super::build::PhaseEnd;
use super::state::ExecutorKind;
use super::Call;
use codemock_wire::codebuild::BuildPhaseType as Phase;

/// How the phase a build entered will end.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// It ends so after `seconds` of virtual time.
    After { seconds: f64, end: PhaseEnd },
    /// The build is stopped after `seconds` (an outcome rule said STOPPED).
    Stop { seconds: f64 },
    /// The build times out after `seconds` (an outcome rule said TIMED_OUT).
    TimeOut { seconds: f64 },
    /// It never ends by itself (until the build's timeout or a stop).
    Hang,
    /// A job carries it out and reports its end as a message.
    External,
}

/// The plan for `phase` of build `id`.
pub fn plan(call: &mut Call<'_>, id: &str, phase: Phase) -> Plan {
    let Some(b) = call.state.builds.get(id) else {
        return Plan::Hang;
    };
    if phase == Phase::DownloadSource {
        if let Some((code, message)) = &b.env_error {
            return Plan::After {
                seconds: 0.0,
                end: PhaseEnd::failed(
                    codemock_wire::codebuild::StatusType::Failed,
                    code.clone(),
                    message.clone(),
                ),
            };
        }
    }
    match b.executor {
        ExecutorKind::Simulate => simulated::plan(call.core, b, phase),
        ExecutorKind::Local => match phase {
            // The work before and after the commands takes no time on this machine.
            Phase::Submitted | Phase::Queued | Phase::Provisioning => Plan::After {
                seconds: 0.0,
                end: PhaseEnd::succeeded(),
            },
            Phase::DownloadSource => {
                local_start::fetch_sources(call, id);
                Plan::External
            }
            // The job reports the phases it runs; its end ends FINALIZING.
            _ => Plan::External,
        },
    }
}

/// What starts a local build's job: its sources are read from S3 first (through S3's port),
/// then the job is spawned with everything it needs.
pub mod local_start {
    use super::local::{self, ArtifactTarget, JobInput};
    use crate::effects::{partition, Notify};
    use crate::services::codebuild::ports::Command as CodeBuild;
    use crate::services::codebuild::Call;
    use crate::services::s3;
    use codemock_wire::codebuild::{ProjectArtifacts, ProjectSource};
    use std::sync::Arc;

    /// (identifier, bucket, key) of each source with bytes to fetch, primary first.
    fn sources(call: &Call<'_>, id: &str) -> Vec<(String, String, String, Option<String>)> {
        let Some(b) = call.state.builds.get(id) else {
            return Vec::new();
        };
        if let Some(p) = &b.pipeline {
            return p
                .inputs
                .iter()
                .map(|a| (a.name.clone(), a.bucket.clone(), a.key.clone(), None))
                .collect();
        }
        let s3_of = |s: &ProjectSource, version: Option<String>| {
            let kind = s.r#type.as_str();
            let loc = s.location.as_deref().unwrap_or_default();
            let (bucket, key) = loc.split_once('/')?;
            (kind == "S3").then(|| {
                (
                    s.source_identifier.clone().unwrap_or_default(),
                    bucket.to_owned(),
                    key.to_owned(),
                    version,
                )
            })
        };
        let mut out = Vec::new();
        if let Some(s) = &b.view.source {
            out.extend(s3_of(s, b.view.source_version.clone()));
        }
        for s in b.view.secondary_sources.iter().flatten() {
            let version = b
                .view
                .secondary_source_versions
                .iter()
                .flatten()
                .find(|v| s.source_identifier.as_deref() == Some(v.source_identifier.as_str()))
                .map(|v| v.source_version.clone());
            out.extend(s3_of(s, version));
        }
        out
    }

    pub fn fetch_sources(call: &mut Call<'_>, id: &str) {
        let wanted = sources(call, id);
        let Some(b) = call.state.builds.get_mut(id) else {
            return;
        };
        b.pending_sources = wanted.len();
        if wanted.is_empty() {
            spawn(call, id);
            return;
        }
        let me = partition(&call.ctx.account_id, &call.ctx.region);
        for (i, (name, bucket, key, version)) in wanted.into_iter().enumerate() {
            let me = me.clone();
            let build_id = id.to_owned();
            call.effects.send(
                &call.ctx.account_id,
                &call.ctx.region,
                s3::ports::Command::GetObject {
                    bucket,
                    key,
                    version_id: version,
                    then: Notify::new(move |result: Result<s3::ports::ObjectRead, _>| {
                        Some((
                            me,
                            CodeBuild::SourceRead {
                                build_id,
                                index: i,
                                name,
                                result: result.map(|r| r.body),
                            }
                            .into(),
                        ))
                    }),
                },
            );
        }
    }

    fn target(a: &ProjectArtifacts, build_uuid: &str, project: &str) -> Option<ArtifactTarget> {
        if a.r#type.as_str() != "S3" {
            return None;
        }
        let mut parts = Vec::new();
        if let Some(p) = a.path.as_deref().filter(|p| !p.is_empty()) {
            parts.push(p.trim_matches('/').to_owned());
        }
        if a.namespace_type.map(|n| n.as_str()) == Some("BUILD_ID") {
            parts.push(build_uuid.to_owned());
        }
        parts.push(
            a.name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| project.to_owned()),
        );
        Some(ArtifactTarget {
            bucket: a.location.clone()?,
            key: parts.join("/"),
            zip: a.packaging.map(|p| p.as_str()) == Some("ZIP"),
        })
    }

    /// Spawns the job once every source arrived.
    pub fn spawn(call: &mut Call<'_>, id: &str) {
        let endpoint = call.core.endpoint.get().cloned();
        let clock_mode = call.core.clock.mode();
        let started_at = call.core.clock.now();
        let Some(b) = call.state.builds.get_mut(id) else {
            return;
        };
        let uuid = id.split_once(':').map_or(id, |(_, u)| u).to_owned();
        let (artifact, secondary) = match &b.pipeline {
            Some(p) => (
                p.outputs.first().map(|o| ArtifactTarget {
                    bucket: o.bucket.clone(),
                    key: o.key.clone(),
                    zip: true,
                }),
                p.outputs
                    .iter()
                    .skip(1)
                    .map(|o| {
                        (
                            o.name.clone(),
                            ArtifactTarget {
                                bucket: o.bucket.clone(),
                                key: o.key.clone(),
                                zip: true,
                            },
                        )
                    })
                    .collect(),
            ),
            None => {
                let project = b.project.clone();
                let artifacts = b
                    .primary_artifacts
                    .as_ref()
                    .and_then(|a| target(a, &uuid, &project));
                let secondary = b
                    .secondary_artifacts
                    .iter()
                    .filter_map(|a| {
                        Some((a.artifact_identifier.clone()?, target(a, &uuid, &project)?))
                    })
                    .collect();
                (artifacts, secondary)
            }
        };
        let kill = Arc::new(tokio::sync::Notify::new());
        b.kill = Some(kill.clone());
        let mut sources = std::mem::take(&mut b.sources);
        sources.sort_by_key(|s| s.0);
        let values = call.core.codebuild_values.snapshot();
        let input = JobInput {
            values,
            build_id: id.to_owned(),
            account: call.ctx.account_id.clone(),
            region: call.ctx.region.clone(),
            started_at,
            clock_mode,
            log: b.log.clone(),
            buildspec: b.buildspec.clone(),
            sources: sources
                .into_iter()
                .map(|(_, n, bytes)| (n, bytes))
                .collect(),
            env: b.env.clone(),
            endpoint,
            artifact,
            secondary_artifacts: secondary,
            kill,
        };
        call.effects
            .spawn_long(move |outlet| local::run(input, outlet));
    }
}
