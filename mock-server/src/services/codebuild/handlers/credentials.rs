//! Source credentials (ImportSourceCredentials, ListSourceCredentials, DeleteSourceCredentials)
//! and resource policies (PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy).

use crate::error::ServiceError;
use crate::services::codebuild::resources::SourceCredential;
use crate::services::codebuild::Call;
use codemock_wire::codebuild::*;

/// Imports a token for a source provider. One credential per server type: its ARN is
/// `arn:aws:codebuild:<region>:<account>:token/<server type, lower case>` (the CLI example of
/// list-source-credentials shows `token/github` and `token/bitbucket`).
pub(super) fn import_source_credentials(
    call: &mut Call<'_>,
    input: ImportSourceCredentialsInput,
) -> Result<ImportSourceCredentialsOutput, ServiceError> {
    let server_type = input.server_type.as_str();
    let auth_type = input.auth_type.as_str();
    let username = input.username.filter(|u| !u.is_empty());
    if auth_type == "BASIC_AUTH" && username.is_none() {
        // AWS documents username as required for BASIC_AUTH (Bitbucket app passwords);
        // wording not confirmed.
        return Err(ServiceError::new(
            "InvalidInputException",
            "Username is required for BASIC_AUTH",
        ));
    }
    let arn = format!(
        "arn:aws:codebuild:{}:{}:token/{}",
        call.ctx.region,
        call.ctx.account_id,
        server_type.to_ascii_lowercase()
    );
    let creds = &mut call.state.resources.source_credentials;
    // shouldOverwrite defaults to true (ImportSourceCredentials API reference).
    if creds.contains_key(&arn) && !input.should_overwrite.unwrap_or(true) {
        return Err(ServiceError::new(
            "ResourceAlreadyExistsException",
            format!("Source credentials for server type {server_type} already exist: {arn}"),
        ));
    }
    creds.insert(
        arn.clone(),
        SourceCredential {
            arn: arn.clone(),
            server_type: server_type.to_string(),
            auth_type: auth_type.to_string(),
            username,
            token: input.token,
        },
    );
    Ok(ImportSourceCredentialsOutput { arn: Some(arn) })
}

pub(super) fn list_source_credentials(
    call: &mut Call<'_>,
    _input: ListSourceCredentialsInput,
) -> Result<ListSourceCredentialsOutput, ServiceError> {
    let infos = call
        .state
        .resources
        .source_credentials
        .values()
        .map(|c| SourceCredentialsInfo {
            arn: Some(c.arn.clone()),
            server_type: ServerType::from_name(&c.server_type),
            auth_type: AuthType::from_name(&c.auth_type),
            // For CodeConnections and Secrets Manager the "token" is the resource's ARN,
            // which AWS reports as `resource`.
            resource: matches!(c.auth_type.as_str(), "CODECONNECTIONS" | "SECRETS_MANAGER")
                .then(|| c.token.clone()),
        })
        .collect();
    Ok(ListSourceCredentialsOutput {
        source_credentials_infos: Some(infos),
    })
}

pub(super) fn delete_source_credentials(
    call: &mut Call<'_>,
    input: DeleteSourceCredentialsInput,
) -> Result<DeleteSourceCredentialsOutput, ServiceError> {
    let arn = input.arn;
    match call.state.resources.source_credentials.remove(&arn) {
        Some(_) => Ok(DeleteSourceCredentialsOutput { arn: Some(arn) }),
        // Wording not confirmed against AWS.
        None => Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Source credentials {arn} do not exist"),
        )),
    }
}

/// Whether a resource policy may be attached: a project or a report group of this partition.
fn resource_exists(call: &Call<'_>, arn: &str) -> bool {
    call.state.resources.report_groups.contains_key(arn)
        || call
            .state
            .projects
            .values()
            .any(|p| p.arn.as_deref() == Some(arn))
}

pub(super) fn put_resource_policy(
    call: &mut Call<'_>,
    input: PutResourcePolicyInput,
) -> Result<PutResourcePolicyOutput, ServiceError> {
    let arn = input.resource_arn;
    let policy = input.policy;
    if !resource_exists(call, &arn) {
        // Wording not confirmed against AWS.
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Resource {arn} does not exist"),
        ));
    }
    if serde_json::from_str::<serde_json::Value>(&policy).is_err() {
        return Err(ServiceError::new(
            "InvalidInputException",
            "Policy is not valid JSON",
        ));
    }
    call.state.resources.policies.insert(arn.clone(), policy);
    Ok(PutResourcePolicyOutput {
        resource_arn: Some(arn),
    })
}

pub(super) fn get_resource_policy(
    call: &mut Call<'_>,
    input: GetResourcePolicyInput,
) -> Result<GetResourcePolicyOutput, ServiceError> {
    let arn = input.resource_arn;
    match call.state.resources.policies.get(&arn) {
        Some(p) => Ok(GetResourcePolicyOutput {
            policy: Some(p.clone()),
        }),
        None => Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Resource policy for {arn} does not exist"),
        )),
    }
}

/// Deleting a policy that is not there succeeds (the model lists no not-found error).
pub(super) fn delete_resource_policy(
    call: &mut Call<'_>,
    input: DeleteResourcePolicyInput,
) -> Result<DeleteResourcePolicyOutput, ServiceError> {
    let arn = input.resource_arn;
    call.state.resources.policies.remove(&arn);
    Ok(DeleteResourcePolicyOutput {})
}
