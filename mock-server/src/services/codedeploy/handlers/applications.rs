//! Applications, their registered revisions, and tags on applications and deployment groups.

use super::{arn, bad_token, batch_limit, err, no_application, no_group};
use crate::error::ServiceError;
use crate::services::codedeploy::state::{Application, Revision};
use crate::services::codedeploy::Call;
use crate::services::pagination::paginate;
use codemock_wire::codedeploy::*;
use codemock_wire::types::{Empty, Timestamp};
use sha2::{Digest as _, Sha256};

pub(crate) fn app<'a>(call: &'a Call<'_>, name: &str) -> Result<&'a Application, ServiceError> {
    call.state
        .applications
        .get(name)
        .ok_or_else(|| no_application(name))
}

pub(crate) fn create_application(
    call: &mut Call<'_>,
    input: CreateApplicationInput,
) -> Result<CreateApplicationOutput, ServiceError> {
    let name = input.application_name;
    if call.state.applications.contains_key(&name) {
        // AWS CLI: "<name> already exists in your account".
        return Err(err(
            "ApplicationAlreadyExistsException",
            format!("{name} already exists in your account"),
        ));
    }
    let id = call.core.ids.uuid();
    let info = ApplicationInfo {
        application_id: Some(id.clone()),
        application_name: Some(name.clone()),
        create_time: Some(Timestamp(call.ctx.received_at)),
        linked_to_git_hub: Some(false),
        git_hub_account_name: None,
        compute_platform: Some(input.compute_platform.unwrap_or(ComputePlatform::Server)),
    };
    call.state.applications.insert(
        name,
        Application {
            info,
            tags: input.tags.unwrap_or_default(),
            revisions: Vec::new(),
        },
    );
    Ok(CreateApplicationOutput {
        application_id: Some(id),
    })
}

pub(crate) fn get_application(
    call: &mut Call<'_>,
    input: GetApplicationInput,
) -> Result<GetApplicationOutput, ServiceError> {
    let name = input.application_name;
    Ok(GetApplicationOutput {
        application: Some(app(call, &name)?.info.clone()),
    })
}

pub(crate) fn batch_get_applications(
    call: &mut Call<'_>,
    input: BatchGetApplicationsInput,
) -> Result<BatchGetApplicationsOutput, ServiceError> {
    let names = input.application_names;
    if names.len() > 100 {
        return Err(batch_limit());
    }
    let infos = names
        .iter()
        .map(|n| app(call, n).map(|a| a.info.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BatchGetApplicationsOutput {
        applications_info: Some(infos),
    })
}

pub(crate) fn list_applications(
    call: &mut Call<'_>,
    input: ListApplicationsInput,
) -> Result<ListApplicationsOutput, ServiceError> {
    let apps = &call.state.applications;
    // CodeDeploy returns application names in pages of 100.
    let names = apps.keys().map(|k| (k.as_str(), k));
    let page = paginate(names, input.next_token.as_deref(), 100).map_err(|_| bad_token())?;
    Ok(ListApplicationsOutput {
        applications: Some(page.items),
        next_token: page.next_token,
    })
}

pub(crate) fn update_application(
    call: &mut Call<'_>,
    input: UpdateApplicationInput,
) -> Result<Empty, ServiceError> {
    let Some(old) = input.application_name else {
        return Err(err(
            "ApplicationNameRequiredException",
            "The minimum number of required application names was not specified.",
        ));
    };
    app(call, &old)?;
    let Some(new) = input.new_application_name.filter(|n| *n != old) else {
        return Ok(Empty {});
    };
    if call.state.applications.contains_key(&new) {
        return Err(err(
            "ApplicationAlreadyExistsException",
            format!("{new} already exists in your account"),
        ));
    }
    if let Some(mut a) = call.state.applications.remove(&old) {
        a.info.application_name = Some(new.clone());
        call.state.applications.insert(new.clone(), a);
    }
    // The application's groups follow it.
    let keys: Vec<_> = call
        .state
        .groups
        .keys()
        .filter(|(a, _)| *a == old)
        .cloned()
        .collect();
    for k in keys {
        if let Some(mut g) = call.state.groups.remove(&k) {
            g.info.application_name = Some(new.clone());
            call.state.groups.insert((new.clone(), k.1), g);
        }
    }
    Ok(Empty {})
}

pub(crate) fn delete_application(
    call: &mut Call<'_>,
    input: DeleteApplicationInput,
) -> Result<Empty, ServiceError> {
    // AWS models no DoesNotExist error here: deleting a missing application succeeds.
    let name = input.application_name;
    call.state.applications.remove(&name);
    call.state.groups.retain(|(a, _), _| *a != name);
    Ok(Empty {})
}

/// A revision's identity: what makes two locations the same revision.
pub(crate) fn revision_key(r: &RevisionLocation) -> String {
    match r.revision_type {
        Some(RevisionLocationType::S3) => {
            let s = r.s3_location.clone().unwrap_or_default();
            format!(
                "s3:{}:{}:{}:{}:{}",
                s.bucket.unwrap_or_default(),
                s.key.unwrap_or_default(),
                s.bundle_type.map(|b| b.as_str()).unwrap_or_default(),
                s.version.unwrap_or_default(),
                s.e_tag.unwrap_or_default()
            )
        }
        Some(RevisionLocationType::GitHub) => {
            let g = r.git_hub_location.clone().unwrap_or_default();
            format!(
                "github:{}:{}",
                g.repository.unwrap_or_default(),
                g.commit_id.unwrap_or_default()
            )
        }
        _ => format!("content:{}", content_of(r).unwrap_or_default()),
    }
}

/// The AppSpec text of a String / AppSpecContent revision.
pub(crate) fn content_of(r: &RevisionLocation) -> Option<String> {
    match r.revision_type {
        Some(RevisionLocationType::StringValue) => r.string.as_ref()?.content.clone(),
        Some(RevisionLocationType::AppSpecContent) => r.app_spec_content.as_ref()?.content.clone(),
        _ => None,
    }
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a revision location and fills what AWS computes (content hashes).
pub(crate) fn normalize_revision(r: RevisionLocation) -> Result<RevisionLocation, ServiceError> {
    let invalid = |m: &str| err("InvalidRevisionException", m.to_owned());
    let mut r = r;
    match r.revision_type {
        None => return Err(invalid("Revision type is required.")),
        Some(RevisionLocationType::S3) => {
            let s = r
                .s3_location
                .as_ref()
                .ok_or_else(|| invalid("S3Location is required for revisions of type S3."))?;
            if s.bucket.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("Bucket name is required for revisions of type S3."));
            }
            if s.key.as_deref().unwrap_or("").is_empty() {
                return Err(invalid("Key is required for revisions of type S3."));
            }
            if s.bundle_type.is_none() {
                return Err(invalid("BundleType is required for revisions of type S3."));
            }
        }
        Some(RevisionLocationType::GitHub) => {
            let g = r.git_hub_location.as_ref().ok_or_else(|| {
                invalid("GitHubLocation is required for revisions of type GitHub.")
            })?;
            if g.repository.is_none() || g.commit_id.is_none() {
                return Err(invalid(
                    "Repository and commit ID are required for revisions of type GitHub.",
                ));
            }
        }
        Some(RevisionLocationType::StringValue) => {
            let s = r.string.as_mut().ok_or_else(|| {
                invalid("String content is required for revisions of type String.")
            })?;
            let c = s.content.clone().unwrap_or_default();
            s.sha256 = Some(sha256_hex(&c));
        }
        Some(RevisionLocationType::AppSpecContent) => {
            let s = r.app_spec_content.as_mut().ok_or_else(|| {
                invalid("AppSpecContent is required for revisions of type AppSpecContent.")
            })?;
            let c = s.content.clone().unwrap_or_default();
            s.sha256 = Some(sha256_hex(&c));
        }
    }
    Ok(r)
}

/// Records `revision` on `app` (registering it if new), optionally as used by `group` at `now`.
pub(crate) fn record_revision(
    a: &mut Application,
    revision: &RevisionLocation,
    description: Option<String>,
    used_by: Option<&str>,
    now: f64,
) {
    let key = revision_key(revision);
    let idx = match a
        .revisions
        .iter()
        .position(|r| revision_key(&r.location) == key)
    {
        Some(i) => i,
        None => {
            a.revisions.push(Revision {
                location: revision.clone(),
                info: GenericRevisionInfo {
                    description: None,
                    deployment_groups: Some(Vec::new()),
                    first_used_time: None,
                    last_used_time: None,
                    register_time: Some(Timestamp(now)),
                },
            });
            a.revisions.len() - 1
        }
    };
    let info = &mut a.revisions[idx].info;
    if description.is_some() {
        info.description = description;
    }
    if let Some(g) = used_by {
        let groups = info.deployment_groups.get_or_insert_with(Vec::new);
        if !groups.iter().any(|x| x == g) {
            groups.push(g.to_owned());
        }
        info.first_used_time.get_or_insert(Timestamp(now));
        info.last_used_time = Some(Timestamp(now));
    }
}

pub(crate) fn register_application_revision(
    call: &mut Call<'_>,
    input: RegisterApplicationRevisionInput,
) -> Result<Empty, ServiceError> {
    let name = input.application_name;
    app(call, &name)?;
    // Required: the validator refused a request without it.
    let revision = input.revision;
    let revision = normalize_revision(revision)?;
    let now = call.ctx.received_at;
    if let Some(a) = call.state.applications.get_mut(&name) {
        record_revision(a, &revision, input.description, None, now);
    }
    Ok(Empty {})
}

fn find_revision<'a>(a: &'a Application, r: &RevisionLocation) -> Option<&'a Revision> {
    let key = revision_key(r);
    a.revisions
        .iter()
        .find(|x| revision_key(&x.location) == key)
}

pub(crate) fn get_application_revision(
    call: &mut Call<'_>,
    input: GetApplicationRevisionInput,
) -> Result<GetApplicationRevisionOutput, ServiceError> {
    let name = input.application_name;
    let a = app(call, &name)?;
    // Required: the validator refused a request without it.
    let revision = input.revision;
    let revision = normalize_revision(revision)?;
    let r = find_revision(a, &revision).ok_or_else(|| {
        err(
            "RevisionDoesNotExistException",
            "No application revision found for revision.",
        )
    })?;
    Ok(GetApplicationRevisionOutput {
        application_name: Some(name),
        revision: Some(r.location.clone()),
        revision_info: Some(r.info.clone()),
    })
}

pub(crate) fn batch_get_application_revisions(
    call: &mut Call<'_>,
    input: BatchGetApplicationRevisionsInput,
) -> Result<BatchGetApplicationRevisionsOutput, ServiceError> {
    let name = input.application_name;
    let a = app(call, &name)?;
    let revisions = input.revisions;
    if revisions.len() > 25 {
        // BatchGetApplicationRevisions takes at most 25 revisions (API reference).
        return Err(err(
            "BatchLimitExceededException",
            "The maximum number of names or IDs allowed for this request (25) was exceeded.",
        ));
    }
    let mut out = Vec::new();
    for r in revisions {
        let r = normalize_revision(r)?;
        if let Some(found) = find_revision(a, &r) {
            out.push(RevisionInfo {
                revision_location: Some(found.location.clone()),
                generic_revision_info: Some(found.info.clone()),
            });
        }
    }
    Ok(BatchGetApplicationRevisionsOutput {
        application_name: Some(name),
        error_message: None,
        revisions: Some(out),
    })
}

pub(crate) fn list_application_revisions(
    call: &mut Call<'_>,
    input: ListApplicationRevisionsInput,
) -> Result<ListApplicationRevisionsOutput, ServiceError> {
    let name = input.application_name;
    let a = app(call, &name)?;
    if input.s3_key_prefix.is_some() && input.s3_bucket.is_none() {
        return Err(err(
            "BucketNameFilterRequiredException",
            "A bucket name is required if a key prefix is specified.",
        ));
    }
    let mut revs: Vec<&Revision> = a
        .revisions
        .iter()
        .filter(|r| match &input.s3_bucket {
            None => true,
            Some(b) => r.location.s3_location.as_ref().is_some_and(|s| {
                s.bucket.as_ref() == Some(b)
                    && input
                        .s3_key_prefix
                        .as_deref()
                        .is_none_or(|p| s.key.as_deref().unwrap_or("").starts_with(p))
            }),
        })
        .filter(|r| {
            let used = r.info.first_used_time.is_some();
            match input.deployed {
                Some(ListStateFilterAction::Include) => used,
                Some(ListStateFilterAction::Exclude) => !used,
                _ => true,
            }
        })
        .collect();
    let time = |r: &Revision| {
        match input.sort_by {
            Some(ApplicationRevisionSortBy::FirstUsedTime) => r.info.first_used_time,
            Some(ApplicationRevisionSortBy::LastUsedTime) => r.info.last_used_time,
            _ => r.info.register_time,
        }
        .map_or(f64::MIN, |t| t.0)
    };
    revs.sort_by(|x, y| time(x).total_cmp(&time(y)));
    if input.sort_order == Some(SortOrder::Descending) {
        revs.reverse();
    }
    let keyed: Vec<(String, RevisionLocation)> = revs
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("{i:08}"), r.location.clone()))
        .collect();
    let page = paginate(
        keyed.iter().map(|(k, v)| (k.as_str(), v)),
        input.next_token.as_deref(),
        100,
    )
    .map_err(|_| bad_token())?;
    Ok(ListApplicationRevisionsOutput {
        revisions: Some(page.items),
        next_token: page.next_token,
    })
}

/// The tags of the resource `arn` names.
fn tags_of<'a>(
    call: &'a mut Call<'_>,
    resource_arn: &str,
) -> Result<&'a mut Vec<Tag>, ServiceError> {
    let prefix = arn(call, "");
    let Some(rest) = resource_arn.strip_prefix(&prefix) else {
        return Err(err(
            "InvalidArnException",
            format!("The specified ARN is not in a valid format: {resource_arn}"),
        ));
    };
    if let Some(name) = rest.strip_prefix("application:") {
        return call
            .state
            .applications
            .get_mut(name)
            .map(|a| &mut a.tags)
            .ok_or_else(|| no_application(name));
    }
    if let Some(path) = rest.strip_prefix("deploymentgroup:") {
        let (a, g) = path.split_once('/').unwrap_or((path, ""));
        if !call.state.applications.contains_key(a) {
            return Err(no_application(a));
        }
        return call
            .state
            .groups
            .get_mut(&(a.to_owned(), g.to_owned()))
            .map(|g| &mut g.tags)
            .ok_or_else(|| no_group(g));
    }
    Err(err(
        "ArnNotSupportedException",
        format!("The specified ARN is not supported: {resource_arn}"),
    ))
}

pub(crate) fn tag_resource(
    call: &mut Call<'_>,
    input: TagResourceInput,
) -> Result<TagResourceOutput, ServiceError> {
    let new = input.tags;
    let tags = tags_of(call, &input.resource_arn)?;
    for t in new {
        match tags.iter_mut().find(|x| x.key == t.key) {
            Some(x) => x.value = t.value,
            None => tags.push(t),
        }
    }
    Ok(TagResourceOutput {})
}

pub(crate) fn untag_resource(
    call: &mut Call<'_>,
    input: UntagResourceInput,
) -> Result<UntagResourceOutput, ServiceError> {
    let keys = input.tag_keys;
    let tags = tags_of(call, &input.resource_arn)?;
    tags.retain(|t| !t.key.as_ref().is_some_and(|k| keys.contains(k)));
    Ok(UntagResourceOutput {})
}

pub(crate) fn list_tags_for_resource(
    call: &mut Call<'_>,
    input: ListTagsForResourceInput,
) -> Result<ListTagsForResourceOutput, ServiceError> {
    let tags = tags_of(call, &input.resource_arn)?.clone();
    Ok(ListTagsForResourceOutput {
        tags: Some(tags),
        next_token: None,
    })
}

/// GitHub connections are made in the console through OAuth, which codemock does not offer, so
/// an account has no tokens: the list is empty and deleting one names one that does not exist.
pub(crate) fn list_git_hub_account_token_names(
    _call: &mut Call<'_>,
    input: ListGitHubAccountTokenNamesInput,
) -> Result<ListGitHubAccountTokenNamesOutput, ServiceError> {
    if input.next_token.is_some() {
        return Err(bad_token());
    }
    Ok(ListGitHubAccountTokenNamesOutput {
        token_name_list: Some(Vec::new()),
        next_token: None,
    })
}

pub(crate) fn delete_git_hub_account_token(
    _call: &mut Call<'_>,
    input: DeleteGitHubAccountTokenInput,
) -> Result<DeleteGitHubAccountTokenOutput, ServiceError> {
    if input.token_name.as_deref().unwrap_or("").is_empty() {
        return Err(err(
            "GitHubAccountTokenNameRequiredException",
            "The call is missing a required GitHub account connection name.",
        ));
    }
    // The model's documentation of the exception.
    Err(err(
        "GitHubAccountTokenDoesNotExistException",
        "No GitHub account connection exists with the named specified in the call.",
    ))
}

/// Resources tied to an external id are created by CloudFormation's CodeDeploy blue/green hook,
/// which codemock does not run: there is nothing to delete, which succeeds.
pub(crate) fn delete_resources_by_external_id(
    _call: &mut Call<'_>,
    _input: DeleteResourcesByExternalIdInput,
) -> Result<DeleteResourcesByExternalIdOutput, ServiceError> {
    Ok(DeleteResourcesByExternalIdOutput {})
}
