//! Source action, provider S3: reads `S3Bucket`/`S3ObjectKey` (the version asked for at start,
//! else the current one) through the S3 port, stores it as the output artifact, and reports the
//! object's version id as the revision, with the output variables AWS documents for S3 sources
//! (`BucketName`, `ObjectKey`, `ETag`, `VersionId`).

use super::{home, ActionJob, Begun, Outcome, Provider};
use crate::effects::Notify;
use crate::error::ServiceError;
use crate::services::codepipeline::ports::Command as Cp;
use crate::services::codepipeline::runtime;
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::Call;
use crate::services::s3::ports::{Command as S3, ObjectRead};
use std::collections::BTreeMap;

pub struct S3Source;

impl Provider for S3Source {
    fn required(&self) -> &'static [&'static str] {
        &["S3Bucket", "S3ObjectKey"]
    }

    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let bucket = job.config.get("S3Bucket").cloned().unwrap_or_default();
        let mut key = job.config.get("S3ObjectKey").cloned().unwrap_or_default();
        let mut version_id = None;
        match job.revision_override.as_ref().map(|(t, v)| (t.as_str(), v)) {
            Some(("S3_OBJECT_VERSION_ID", v)) => version_id = Some(v.clone()),
            Some(("S3_OBJECT_KEY", v)) => key = v.clone(),
            _ => {}
        }
        let to = home(job);
        let pipeline = job.pipeline.clone();
        let id = job.action_execution_id.clone();
        call.effects.send(
            &job.account,
            &job.region,
            S3::GetObject {
                bucket,
                key,
                version_id,
                then: Notify::new(move |result| {
                    Some((
                        to,
                        Cp::SourceRead {
                            pipeline,
                            action_execution_id: id,
                            result,
                        }
                        .into(),
                    ))
                }),
            },
        );
        Begun::Waiting(Waiting::Nothing)
    }
}

/// The object was read (or not): store it as the output artifact, then succeed.
pub fn read(
    call: &mut Call<'_>,
    pipeline: &str,
    action_execution_id: &str,
    result: Result<ObjectRead, ServiceError>,
) {
    let Some(rec) = runtime::find_record_mut(call, pipeline, action_execution_id) else {
        return;
    };
    if rec.status != "InProgress" {
        return;
    }
    let planned = rec.planned.clone();
    let object = match result {
        Ok(o) => o,
        Err(e) => {
            // AWS reports a missing source object as a failed source action with the S3 error.
            let message = if e.code == "NoSuchKey" || e.code == "NoSuchBucket" {
                format!(
                    "The object with key '{}' does not exist. ({})",
                    key_of(call, pipeline, action_execution_id),
                    e.message
                )
            } else {
                e.message
            };
            runtime::complete(
                call,
                pipeline,
                action_execution_id,
                Outcome::failed("JobFailed", message),
            );
            return;
        }
    };
    let revision = object
        .version_id
        .clone()
        .unwrap_or_else(|| object.etag.clone());
    let mut vars = BTreeMap::new();
    vars.insert("BucketName".to_owned(), object.bucket.clone());
    vars.insert("ObjectKey".to_owned(), object.key.clone());
    vars.insert("ETag".to_owned(), object.etag.clone());
    if let Some(v) = &object.version_id {
        vars.insert("VersionId".to_owned(), v.clone());
    }
    let outcome = Outcome {
        ok: true,
        external_id: Some(revision.clone()),
        output_variables: vars,
        revision: Some((revision, None)),
        ..Outcome::default()
    };
    let account = call.ctx.account_id.clone();
    let region = call.ctx.region.clone();
    let Some((_, bucket, key)) = planned.first().cloned() else {
        runtime::complete(call, pipeline, action_execution_id, outcome);
        return;
    };
    // Succeed once the artifact is stored; a missing artifact bucket fails the action.
    let to = crate::effects::partition(&account, &region);
    let pipeline = pipeline.to_owned();
    let id = action_execution_id.to_owned();
    call.effects.send_then(
        &account,
        &region,
        S3::PutObject {
            bucket,
            key,
            body: object.body,
            content_type: Some("application/zip".into()),
        },
        move |r| {
            let outcome = match r {
                Ok(_) => outcome,
                Err(e) => Outcome::failed("JobFailed", e.message),
            };
            Some((
                to,
                Cp::ActionDone {
                    pipeline,
                    action_execution_id: id,
                    outcome,
                }
                .into(),
            ))
        },
    );
}

fn key_of(call: &mut Call<'_>, pipeline: &str, action_execution_id: &str) -> String {
    runtime::find_record_mut(call, pipeline, action_execution_id)
        .and_then(|r| {
            r.input
                .resolved_configuration
                .as_ref()
                .and_then(|c| c.get("S3ObjectKey").cloned())
        })
        .unwrap_or_default()
}

/// How often codemock looks at polled S3 sources. AWS polls "periodically" without a stated
/// period; once a minute keeps tests on the manual clock short.
pub const POLL_SECONDS: f64 = 60.0;

/// The S3 source actions of a declaration that poll (`PollForSourceChanges` is `true` unless it
/// says `false`, as the S3 source action reference documents): (action, bucket, key).
fn polled_sources(
    d: &codemock_wire::codepipeline::PipelineDeclaration,
) -> Vec<(String, String, String)> {
    d.stages
        .iter()
        .take(1)
        .flat_map(|s| s.actions.iter())
        .filter(|a| {
            let t = &a.action_type_id;
            t.provider == "S3" && t.owner.as_str() == "AWS"
        })
        .filter_map(|a| {
            let c = a.configuration.as_ref()?;
            let polls = c
                .get("PollForSourceChanges")
                .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
            polls.then(|| {
                (
                    a.name.clone(),
                    c.get("S3Bucket").cloned().unwrap_or_default(),
                    c.get("S3ObjectKey").cloned().unwrap_or_default(),
                )
            })
        })
        .collect()
}

/// Arms (or, when nothing polls, cancels) the poll timer of a pipeline.
pub fn schedule_poll(call: &mut Call<'_>, pipeline: &str) {
    let key = super::timer_key("poll", pipeline);
    let polls = call
        .state
        .pipelines
        .get(pipeline)
        .is_some_and(|p| !polled_sources(&p.declaration).is_empty());
    if polls {
        let at = call.core.clock.now() + POLL_SECONDS;
        let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
        call.effects.arm_keyed(
            key,
            at,
            &account,
            &region,
            crate::services::codepipeline::Timer::Poll {
                pipeline: pipeline.to_owned(),
            },
        );
    } else {
        call.effects.cancel(key);
    }
}

/// The poll timer: read each polled source's current object, and poll again later.
pub fn poll(call: &mut Call<'_>, pipeline: &str) {
    let Some(p) = call.state.pipelines.get(pipeline) else {
        return;
    };
    let sources = polled_sources(&p.declaration);
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    for (action, bucket, key) in sources {
        let to = crate::effects::partition(&account, &region);
        let name = pipeline.to_owned();
        call.effects.send(
            &account,
            &region,
            S3::GetObject {
                bucket,
                key,
                version_id: None,
                then: Notify::new(move |result| {
                    Some((
                        to,
                        Cp::Polled {
                            pipeline: name,
                            action,
                            result,
                        }
                        .into(),
                    ))
                }),
            },
        );
    }
    schedule_poll(call, pipeline);
}

/// A polled source's object: a version no execution has seen yet starts one
/// (trigger `PollForSourceChanges`).
pub fn polled(
    call: &mut Call<'_>,
    pipeline: &str,
    action: &str,
    result: Result<ObjectRead, ServiceError>,
) {
    let Ok(object) = result else { return };
    let revision = object.version_id.clone().unwrap_or(object.etag.clone());
    let Some(p) = call.state.pipelines.get(pipeline) else {
        return;
    };
    let latest = p
        .actions
        .iter()
        .rev()
        .find(|r| r.action == action && r.stage == first_stage(p));
    let seen = match latest {
        // A source read still running will pick up the newest version itself.
        Some(r) if r.status == "InProgress" => true,
        Some(r) => r.revision.as_ref().is_some_and(|(id, _)| *id == revision),
        None => false,
    };
    if !seen {
        let detail = format!("arn:aws:s3:::{}/{}", object.bucket, object.key);
        let _ = runtime::start_execution(
            call,
            pipeline,
            "PollForSourceChanges",
            Some(detail),
            Vec::new(),
            Vec::new(),
        );
    }
}

fn first_stage(p: &crate::services::codepipeline::state::Pipeline) -> String {
    p.declaration
        .stages
        .first()
        .map(|s| s.name.clone())
        .unwrap_or_default()
}
