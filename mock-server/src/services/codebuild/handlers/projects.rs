//! Projects: create, update, delete, read, list, webhooks and visibility.

use crate::error::ServiceError;
use crate::services::codebuild::run::{project_arn, project_not_found};
use crate::services::codebuild::state::project_name_of;
use crate::services::codebuild::Call;
use crate::services::pagination::{paginate_ordered, Order};
use codemock_wire::codebuild::*;
use codemock_wire::types::Timestamp;

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidInputException", message)
}

/// The defaults AWS fills in a project it returns (as CreateProject and BatchGetProjects show
/// them in the AWS CLI's documented outputs).
fn with_defaults(call: &Call<'_>, mut p: Project) -> Project {
    p.timeout_in_minutes.get_or_insert(60);
    p.queued_timeout_in_minutes.get_or_insert(480);
    p.encryption_key.get_or_insert_with(|| {
        format!(
            "arn:aws:kms:{}:{}:alias/aws/s3",
            call.ctx.region, call.ctx.account_id
        )
    });
    p.cache.get_or_insert_with(|| ProjectCache {
        r#type: CacheType::NoCache,
        ..ProjectCache::default()
    });
    if let Some(env) = p.environment.as_mut() {
        env.privileged_mode.get_or_insert(false);
        env.image_pull_credentials_type
            .get_or_insert(ImagePullCredentialsType::Codebuild);
        env.environment_variables.get_or_insert_with(Vec::new);
    }
    if let Some(src) = p.source.as_mut() {
        src.insecure_ssl.get_or_insert(false);
    }
    let logs = p.logs_config.get_or_insert_with(LogsConfig::default);
    logs.cloud_watch_logs
        .get_or_insert_with(|| CloudWatchLogsConfig {
            status: LogsConfigStatusType::Enabled,
            ..CloudWatchLogsConfig::default()
        });
    logs.s3_logs.get_or_insert_with(|| S3LogsConfig {
        status: LogsConfigStatusType::Disabled,
        encryption_disabled: Some(false),
        ..S3LogsConfig::default()
    });
    p.project_visibility
        .get_or_insert(ProjectVisibilityType::Private);
    p.tags.get_or_insert_with(Vec::new);
    p
}

fn badge(call: &Call<'_>, enabled: bool) -> ProjectBadge {
    ProjectBadge {
        badge_enabled: Some(enabled),
        badge_request_url: enabled.then(|| {
            format!(
                "https://codebuild.{}.amazonaws.com/badges?uuid={}&branch=main",
                call.ctx.region,
                call.core.ids.hex(48)
            )
        }),
    }
}

/// Checks AWS applies beyond the model's required members and patterns.
fn check_source(source: &ProjectSource) -> Result<(), ServiceError> {
    let kind = source.r#type.as_str();
    let location = source.location.as_deref().unwrap_or_default();
    match kind {
        "NO_SOURCE" if source.buildspec.as_deref().unwrap_or_default().is_empty() => Err(invalid(
            "Project buildspec cannot be empty for NO_SOURCE source type",
        )),
        "S3"
        | "CODECOMMIT"
        | "GITHUB"
        | "GITHUB_ENTERPRISE"
        | "BITBUCKET"
        | "GITLAB"
        | "GITLAB_SELF_MANAGED"
            if location.is_empty() =>
        {
            // moto writes the same text for a missing location.
            Err(invalid("Project source location is required"))
        }
        _ => Ok(()),
    }
}

fn check_artifacts(a: &ProjectArtifacts) -> Result<(), ServiceError> {
    match a.r#type.as_str() {
        "S3" if a.location.as_deref().unwrap_or_default().is_empty() => Err(invalid(
            "Artifacts location is required for S3 artifacts type",
        )),
        "NO_ARTIFACTS" if a.location.is_some() => Err(invalid(
            "Invalid artifacts: artifact type NO_ARTIFACTS should have null location",
        )),
        _ => Ok(()),
    }
}

pub fn create_project(
    call: &mut Call<'_>,
    input: CreateProjectInput,
) -> Result<CreateProjectOutput, ServiceError> {
    let name = input.name.clone();
    if call.state.projects.contains_key(&name) {
        return Err(ServiceError::new(
            "ResourceAlreadyExistsException",
            format!("Project already exists: {}", project_arn(call, &name)),
        ));
    }
    check_source(&input.source)?;
    for s in input.secondary_sources.iter().flatten() {
        check_source(s)?;
    }
    check_artifacts(&input.artifacts)?;
    let now = Timestamp(call.ctx.received_at);
    let project = Project {
        name: Some(name.clone()),
        arn: Some(project_arn(call, &name)),
        description: input.description,
        source: Some(input.source),
        secondary_sources: Some(input.secondary_sources.unwrap_or_default()),
        source_version: input.source_version,
        secondary_source_versions: Some(input.secondary_source_versions.unwrap_or_default()),
        artifacts: Some(input.artifacts),
        secondary_artifacts: Some(input.secondary_artifacts.unwrap_or_default()),
        cache: input.cache,
        environment: Some(input.environment),
        service_role: Some(input.service_role),
        timeout_in_minutes: input.timeout_in_minutes,
        queued_timeout_in_minutes: input.queued_timeout_in_minutes,
        encryption_key: input.encryption_key,
        tags: input.tags,
        created: Some(now),
        last_modified: Some(now),
        vpc_config: input.vpc_config,
        badge: Some(badge(call, input.badge_enabled.unwrap_or(false))),
        logs_config: input.logs_config,
        file_system_locations: input.file_system_locations,
        build_batch_config: input.build_batch_config,
        concurrent_build_limit: input.concurrent_build_limit,
        auto_retry_limit: input.auto_retry_limit,
        ..Project::default()
    };
    let project = with_defaults(call, project);
    call.state.projects.insert(name, project.clone());
    Ok(CreateProjectOutput {
        project: Some(project),
    })
}

pub fn update_project(
    call: &mut Call<'_>,
    input: UpdateProjectInput,
) -> Result<UpdateProjectOutput, ServiceError> {
    let name = project_name_of(input.name.as_str()).to_owned();
    if !call.state.projects.contains_key(&name) {
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Failed to find project: {}", project_arn(call, &name)),
        ));
    }
    if let Some(s) = &input.source {
        check_source(s)?;
    }
    if let Some(a) = &input.artifacts {
        check_artifacts(a)?;
    }
    let badge_now = input.badge_enabled.map(|b| badge(call, b));
    let now = Timestamp(call.ctx.received_at);
    let Some(p) = call.state.projects.get_mut(&name) else {
        return Err(project_not_found(call, &name));
    };
    macro_rules! set {
        ($($f:ident),*) => { $( if input.$f.is_some() { p.$f = input.$f; } )* };
    }
    set!(
        description,
        source,
        secondary_sources,
        source_version,
        secondary_source_versions,
        artifacts,
        secondary_artifacts,
        cache,
        environment,
        service_role,
        timeout_in_minutes,
        queued_timeout_in_minutes,
        encryption_key,
        tags,
        vpc_config,
        logs_config,
        file_system_locations,
        build_batch_config,
        concurrent_build_limit,
        auto_retry_limit
    );
    if let Some(b) = badge_now {
        p.badge = Some(b);
    }
    p.last_modified = Some(now);
    let p = p.clone();
    let p = with_defaults(call, p);
    call.state.projects.insert(name, p.clone());
    Ok(UpdateProjectOutput { project: Some(p) })
}

pub fn delete_project(
    call: &mut Call<'_>,
    input: DeleteProjectInput,
) -> Result<DeleteProjectOutput, ServiceError> {
    // AWS answers success for a project that does not exist (DeleteProject is idempotent).
    let name = project_name_of(input.name.as_str()).to_owned();
    call.state.projects.remove(&name);
    Ok(DeleteProjectOutput {})
}

pub fn batch_get_projects(
    call: &mut Call<'_>,
    input: BatchGetProjectsInput,
) -> Result<BatchGetProjectsOutput, ServiceError> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for n in input.names {
        // Names or ARNs, interchangeably.
        match call.state.projects.get(project_name_of(&n)) {
            Some(p) => found.push(p.clone()),
            None => missing.push(n),
        }
    }
    Ok(BatchGetProjectsOutput {
        projects: Some(found),
        projects_not_found: Some(missing),
    })
}

pub fn list_projects(
    call: &mut Call<'_>,
    input: ListProjectsInput,
) -> Result<ListProjectsOutput, ServiceError> {
    let projects = &call.state.projects;
    // CodeBuild sorts by name, or by created or modified time (ties by name), and pages at 100
    // names. A sort key that embeds the time keeps page tokens valid as projects come and go.
    let time_key = |secs: Option<f64>, name: &str| format!("{:020.6}|{name}", secs.unwrap_or(0.0));
    let mut names: Vec<(String, &String)> = projects
        .iter()
        .map(|(name, p)| {
            let key = match input.sort_by {
                Some(ProjectSortByType::CreatedTime) => {
                    time_key(p.created.map(|t| t.as_secs_f64()), name)
                }
                Some(ProjectSortByType::LastModifiedTime) => {
                    time_key(p.last_modified.map(|t| t.as_secs_f64()), name)
                }
                _ => name.clone(),
            };
            (key, name)
        })
        .collect();
    names.sort();
    let order = if matches!(input.sort_order, Some(SortOrderType::Descending)) {
        names.reverse();
        Order::Descending
    } else {
        Order::Ascending
    };
    let names = names.iter().map(|(k, n)| (k.as_str(), *n));
    let page = paginate_ordered(names, input.next_token.as_deref(), 100, order)
        .map_err(|_| invalid("Invalid next token"))?;
    Ok(ListProjectsOutput {
        projects: Some(page.items),
        next_token: page.next_token,
    })
}

fn webhook_project<'a>(
    call: &'a mut Call<'_>,
    name: Option<&str>,
) -> Result<(String, &'a mut Project), ServiceError> {
    let name = project_name_of(name.unwrap_or_default()).to_owned();
    let arn = project_arn(call, &name);
    let p = call.state.projects.get_mut(&name).ok_or_else(|| {
        ServiceError::new(
            "ResourceNotFoundException",
            format!("Project {arn} does not exist"),
        )
    })?;
    Ok((name, p))
}

pub fn create_webhook(
    call: &mut Call<'_>,
    input: CreateWebhookInput,
) -> Result<CreateWebhookOutput, ServiceError> {
    let region = call.ctx.region.clone();
    let now = call.ctx.received_at;
    let secret = call.core.ids.hex(32);
    let (name, p) = webhook_project(call, Some(input.project_name.as_str()))?;
    if p.webhook.as_ref().is_some_and(|w| w.url.is_some()) {
        return Err(ServiceError::new(
            "ResourceAlreadyExistsException",
            format!("Webhook for project {name} already exists"),
        ));
    }
    let kind = p
        .source
        .as_ref()
        .map(|s| s.r#type.as_str())
        .unwrap_or_default();
    if !matches!(
        kind,
        "GITHUB" | "GITHUB_ENTERPRISE" | "BITBUCKET" | "GITLAB" | "GITLAB_SELF_MANAGED"
    ) {
        return Err(invalid(format!(
            "Webhooks are not supported for source type {kind}"
        )));
    }
    let manual = input.manual_creation.unwrap_or(false);
    let webhook = Webhook {
        url: Some(format!(
            "https://codebuild.{region}.amazonaws.com/webhooks?t={}&v=1",
            secret
        )),
        payload_url: Some(format!("https://codebuild.{region}.amazonaws.com/webhooks")),
        // The secret is shown only to GitHub Enterprise and manual webhooks.
        secret: (manual || kind == "GITHUB_ENTERPRISE").then(|| secret.clone()),
        branch_filter: input.branch_filter,
        filter_groups: input.filter_groups,
        build_type: input.build_type,
        manual_creation: Some(manual),
        last_modified_secret: Some(Timestamp(now)),
        scope_configuration: input.scope_configuration,
        status: Some(WebhookStatus::Active),
        pull_request_build_policy: input.pull_request_build_policy,
        ..Webhook::default()
    };
    p.webhook = Some(webhook.clone());
    Ok(CreateWebhookOutput {
        webhook: Some(webhook),
    })
}

pub fn update_webhook(
    call: &mut Call<'_>,
    input: UpdateWebhookInput,
) -> Result<UpdateWebhookOutput, ServiceError> {
    let now = call.ctx.received_at;
    let (name, p) = webhook_project(call, Some(input.project_name.as_str()))?;
    let Some(w) = p.webhook.as_mut().filter(|w| w.url.is_some()) else {
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Webhook for project {name} does not exist"),
        ));
    };
    if input.branch_filter.is_some() {
        w.branch_filter = input.branch_filter;
    }
    if input.filter_groups.is_some() {
        w.filter_groups = input.filter_groups;
    }
    if input.build_type.is_some() {
        w.build_type = input.build_type;
    }
    if input.pull_request_build_policy.is_some() {
        w.pull_request_build_policy = input.pull_request_build_policy;
    }
    if input.rotate_secret == Some(true) {
        w.last_modified_secret = Some(Timestamp(now));
    }
    let mut out = w.clone();
    out.secret = None;
    Ok(UpdateWebhookOutput { webhook: Some(out) })
}

pub fn delete_webhook(
    call: &mut Call<'_>,
    input: DeleteWebhookInput,
) -> Result<DeleteWebhookOutput, ServiceError> {
    let (name, p) = webhook_project(call, Some(input.project_name.as_str()))?;
    if p.webhook.take().is_none() {
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Webhook for project {name} does not exist"),
        ));
    }
    Ok(DeleteWebhookOutput {})
}

pub fn update_project_visibility(
    call: &mut Call<'_>,
    input: UpdateProjectVisibilityInput,
) -> Result<UpdateProjectVisibilityOutput, ServiceError> {
    let arn = input.project_arn;
    let name = project_name_of(&arn).to_owned();
    let alias = call.core.ids.uuid();
    let Some(p) = call.state.projects.get_mut(&name) else {
        return Err(project_not_found(call, &name));
    };
    p.project_visibility = Some(input.project_visibility);
    p.resource_access_role = input.resource_access_role;
    if p.project_visibility == Some(ProjectVisibilityType::PublicRead) {
        p.public_project_alias.get_or_insert(alias);
    }
    Ok(UpdateProjectVisibilityOutput {
        project_arn: p.arn.clone(),
        public_project_alias: p.public_project_alias.clone(),
        project_visibility: p.project_visibility,
    })
}
