//! Deploy action, provider S3: the input artifact, read through the S3 port, goes into
//! `BucketName`: unzipped file by file when `Extract` is `true` (under `ObjectKey` as a folder
//! when one is given, as the console's "deployment path"; unconfirmed), else as it is at
//! `ObjectKey` (required then, as the action reference says). The action ends when the last
//! object is stored: a bucket that does not exist fails it with S3's message.

use super::{home, ActionJob, Begun, Outcome, Provider};
use crate::effects::Notify;
use crate::error::ServiceError;
use crate::services::codepipeline::ports::Command as Cp;
use crate::services::codepipeline::runtime;
use crate::services::codepipeline::state::Waiting;
use crate::services::codepipeline::Call;
use crate::services::s3::ports::{Command as S3, ObjectRead};
use bytes::Bytes;

pub struct S3Deploy;

impl Provider for S3Deploy {
    fn required(&self) -> &'static [&'static str] {
        &["BucketName", "Extract"]
    }

    fn start(&self, call: &mut Call<'_>, job: &ActionJob) -> Begun {
        let extract = job
            .config
            .get("Extract")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if !extract && job.config.get("ObjectKey").is_none_or(|k| k.is_empty()) {
            return Begun::Done(Outcome::failed(
                "JobFailed",
                "ObjectKey is required when Extract is false",
            ));
        }
        let Some((_, bucket, key)) = job.inputs.first().cloned() else {
            return Begun::Done(Outcome::failed(
                "JobFailed",
                "The S3 deploy action needs an input artifact",
            ));
        };
        let to = home(job);
        let pipeline = job.pipeline.clone();
        let id = job.action_execution_id.clone();
        call.effects.send(
            &job.account,
            &job.region,
            S3::GetObject {
                bucket,
                key,
                version_id: None,
                then: Notify::new(move |result| {
                    Some((
                        to,
                        Cp::DeployRead {
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

/// The objects to write for an artifact: (key, body).
fn objects(
    artifact: &Bytes,
    extract: bool,
    object_key: Option<&str>,
) -> Result<Vec<(String, Bytes)>, String> {
    if !extract {
        return Ok(vec![(
            object_key.unwrap_or_default().to_owned(),
            artifact.clone(),
        )]);
    }
    let prefix = object_key
        .map(|k| k.trim_matches('/'))
        .filter(|k| !k.is_empty())
        .map(|k| format!("{k}/"))
        .unwrap_or_default();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(artifact.as_ref()))
        .map_err(|e| format!("The input artifact is not a valid zip file: {e}"))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        if entry.is_dir() {
            continue;
        }
        let Some(path) = entry.enclosed_name() else {
            continue;
        };
        let name = path.to_string_lossy().replace('\\', "/");
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut body).map_err(|e| e.to_string())?;
        out.push((format!("{prefix}{name}"), Bytes::from(body)));
    }
    Ok(out)
}

/// The input artifact was read (or not): write it to the deploy bucket.
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
    let config = rec.input.resolved_configuration.clone().unwrap_or_default();
    let fail = |call: &mut Call<'_>, message: String| {
        runtime::complete(
            call,
            pipeline,
            action_execution_id,
            Outcome::failed("JobFailed", message),
        )
    };
    let artifact = match result {
        Ok(o) => o.body,
        Err(e) => return fail(call, e.message),
    };
    let extract = config
        .get("Extract")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let list = match objects(
        &artifact,
        extract,
        config.get("ObjectKey").map(String::as_str),
    ) {
        Ok(list) => list,
        Err(message) => return fail(call, message),
    };
    let bucket = config.get("BucketName").cloned().unwrap_or_default();
    let (account, region) = (call.ctx.account_id.clone(), call.ctx.region.clone());
    let Some(last) = list.len().checked_sub(1) else {
        return runtime::complete(call, pipeline, action_execution_id, Outcome::succeeded());
    };
    for (i, (key, body)) in list.into_iter().enumerate() {
        let put = S3::PutObject {
            bucket: bucket.clone(),
            key,
            body,
            content_type: None,
        };
        if i < last {
            call.effects.send(&account, &region, put);
            continue;
        }
        // Every object goes to the same bucket, so the last write's answer is the action's.
        let to = crate::effects::partition(&account, &region);
        let (name, id) = (pipeline.to_owned(), action_execution_id.to_owned());
        call.effects
            .send_then(&account, &region, put, move |result| {
                let outcome = match result {
                    Ok(_) => Outcome::succeeded(),
                    Err(e) => Outcome::failed("JobFailed", e.message),
                };
                Some((
                    to,
                    Cp::ActionDone {
                        pipeline: name,
                        action_execution_id: id,
                        outcome,
                    }
                    .into(),
                ))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &str)]) -> Bytes {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for (name, content) in entries {
                w.start_file(*name, zip::write::SimpleFileOptions::default())
                    .expect("entry");
                std::io::Write::write_all(&mut w, content.as_bytes()).expect("write");
            }
            w.finish().expect("zip");
        }
        Bytes::from(buf.into_inner())
    }

    #[test]
    fn extract_writes_each_file_under_the_deployment_path() {
        let z = zip_of(&[("index.html", "<p>"), ("css/site.css", "p{}")]);
        let list = objects(&z, true, Some("site/")).expect("objects");
        let keys: Vec<&str> = list.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["site/index.html", "site/css/site.css"]);
        let root = objects(&z, true, None).expect("objects");
        assert_eq!(root[0].0, "index.html");
    }

    #[test]
    fn without_extract_the_artifact_is_one_object() {
        let z = zip_of(&[("a", "1")]);
        let list = objects(&z, false, Some("builds/app.zip")).expect("objects");
        assert_eq!(list, vec![("builds/app.zip".to_owned(), z)]);
    }

    #[test]
    fn extracting_what_is_not_a_zip_fails() {
        let e = objects(&Bytes::from_static(b"plain"), true, None).expect_err("not a zip");
        assert!(
            e.starts_with("The input artifact is not a valid zip file"),
            "{e}"
        );
    }
}
