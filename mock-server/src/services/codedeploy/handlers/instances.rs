//! On-premises instances: registration, tags, and the tag filters that choose deployment targets.

use super::{arn, bad_token, batch_limit, err};
use crate::error::ServiceError;
use crate::services::codedeploy::Call;
use crate::services::pagination::paginate;
use codemock_wire::codedeploy::*;
use codemock_wire::types::{Empty, Timestamp};

fn not_registered(name: &str) -> ServiceError {
    err(
        "InstanceNotRegisteredException",
        format!("The specified on-premises instance is not registered: {name}"),
    )
}

/// Whether `tags` satisfy the filter (KEY_ONLY, VALUE_ONLY, KEY_AND_VALUE).
pub(crate) fn matches_filter(tags: &[Tag], f: &TagFilter) -> bool {
    tags.iter()
        .any(|t| match f.r#type.unwrap_or(TagFilterType::KeyAndValue) {
            TagFilterType::KeyOnly => t.key == f.key,
            TagFilterType::ValueOnly => t.value == f.value,
            TagFilterType::KeyAndValue => t.key == f.key && t.value == f.value,
        })
}

/// The registered instances a group's on-premises filters or tag set choose, by name. Filters:
/// any one matches. Tag set: every group of filters must match (each group: any one).
pub(crate) fn select(
    call: &Call<'_>,
    filters: &[TagFilter],
    set: Option<&OnPremisesTagSet>,
) -> Vec<(String, Vec<Tag>)> {
    let groups: Vec<&Vec<TagFilter>> = set
        .and_then(|s| s.on_premises_tag_set_list.as_ref())
        .map(|l| l.iter().filter(|g| !g.is_empty()).collect())
        .unwrap_or_default();
    call.state
        .instances
        .values()
        .filter(|i| i.deregister_time.is_none())
        .filter_map(|i| {
            let tags = i.tags.clone().unwrap_or_default();
            let chosen = if !groups.is_empty() {
                groups
                    .iter()
                    .all(|g| g.iter().any(|f| matches_filter(&tags, f)))
            } else {
                !filters.is_empty() && filters.iter().any(|f| matches_filter(&tags, f))
            };
            chosen.then(|| (i.instance_name.clone().unwrap_or_default(), tags))
        })
        .collect()
}

pub(crate) fn register_on_premises_instance(
    call: &mut Call<'_>,
    input: RegisterOnPremisesInstanceInput,
) -> Result<Empty, ServiceError> {
    let name = input.instance_name;
    match (&input.iam_session_arn, &input.iam_user_arn) {
        (Some(_), Some(_)) => {
            return Err(err(
                "MultipleIamArnsProvidedException",
                "Both an IAM user ARN and an IAM session ARN were included in the request. Use only one ARN type.",
            ))
        }
        (None, None) => {
            return Err(err(
                "IamArnRequiredException",
                "No IAM ARN was included in the request. You must use an IAM session ARN or IAM user ARN in the request.",
            ))
        }
        _ => {}
    }
    if call
        .state
        .instances
        .get(&name)
        .is_some_and(|i| i.deregister_time.is_none())
    {
        return Err(err(
            "InstanceNameAlreadyRegisteredException",
            format!("The specified on-premises instance name is already registered: {name}"),
        ));
    }
    for i in call
        .state
        .instances
        .values()
        .filter(|i| i.deregister_time.is_none())
    {
        if input.iam_user_arn.is_some() && i.iam_user_arn == input.iam_user_arn {
            return Err(err(
                "IamUserArnAlreadyRegisteredException",
                "The specified IAM user ARN is already registered with an on-premises instance.",
            ));
        }
        if input.iam_session_arn.is_some() && i.iam_session_arn == input.iam_session_arn {
            return Err(err(
                "IamSessionArnAlreadyRegisteredException",
                "The request included an IAM session ARN that has already been used to register a different instance.",
            ));
        }
    }
    let instance_arn = arn(call, &format!("instance/{name}"));
    call.state.instances.insert(
        name.clone(),
        InstanceInfo {
            instance_name: Some(name),
            iam_session_arn: input.iam_session_arn,
            iam_user_arn: input.iam_user_arn,
            instance_arn: Some(instance_arn),
            register_time: Some(Timestamp(call.ctx.received_at)),
            deregister_time: None,
            tags: Some(Vec::new()),
        },
    );
    Ok(Empty {})
}

pub(crate) fn deregister_on_premises_instance(
    call: &mut Call<'_>,
    input: DeregisterOnPremisesInstanceInput,
) -> Result<Empty, ServiceError> {
    let name = input.instance_name;
    let now = call.ctx.received_at;
    // Deregistering an unknown instance succeeds (AWS models no error for it).
    if let Some(i) = call.state.instances.get_mut(&name) {
        i.deregister_time.get_or_insert(Timestamp(now));
    }
    Ok(Empty {})
}

pub(crate) fn get_on_premises_instance(
    call: &mut Call<'_>,
    input: GetOnPremisesInstanceInput,
) -> Result<GetOnPremisesInstanceOutput, ServiceError> {
    let name = input.instance_name;
    let info = call
        .state
        .instances
        .get(&name)
        .cloned()
        .ok_or_else(|| not_registered(&name))?;
    Ok(GetOnPremisesInstanceOutput {
        instance_info: Some(info),
    })
}

pub(crate) fn batch_get_on_premises_instances(
    call: &mut Call<'_>,
    input: BatchGetOnPremisesInstancesInput,
) -> Result<BatchGetOnPremisesInstancesOutput, ServiceError> {
    let names = input.instance_names;
    if names.len() > 100 {
        return Err(batch_limit());
    }
    let infos = names
        .iter()
        .filter_map(|n| call.state.instances.get(n).cloned())
        .collect();
    Ok(BatchGetOnPremisesInstancesOutput {
        instance_infos: Some(infos),
    })
}

pub(crate) fn list_on_premises_instances(
    call: &mut Call<'_>,
    input: ListOnPremisesInstancesInput,
) -> Result<ListOnPremisesInstancesOutput, ServiceError> {
    let filters = input.tag_filters.unwrap_or_default();
    let names: Vec<&String> = call
        .state
        .instances
        .iter()
        .filter(|(_, i)| match input.registration_status {
            Some(RegistrationStatus::Registered) => i.deregister_time.is_none(),
            Some(RegistrationStatus::Deregistered) => i.deregister_time.is_some(),
            None => true,
        })
        .filter(|(_, i)| {
            let tags = i.tags.as_deref().unwrap_or_default();
            filters.iter().all(|f| matches_filter(tags, f))
        })
        .map(|(n, _)| n)
        .collect();
    let page = paginate(
        names.iter().map(|n| (n.as_str(), *n)),
        input.next_token.as_deref(),
        100,
    )
    .map_err(|_| bad_token())?;
    Ok(ListOnPremisesInstancesOutput {
        instance_names: Some(page.items),
        next_token: page.next_token,
    })
}

fn check_tagging(call: &Call<'_>, names: &[String], tags: &[Tag]) -> Result<(), ServiceError> {
    if names.len() > 100 {
        return Err(err(
            "InstanceLimitExceededException",
            "The maximum number of allowed on-premises instances in a single call was exceeded.",
        ));
    }
    if tags.is_empty() {
        return Err(err("TagRequiredException", "A tag was not specified."));
    }
    if tags
        .iter()
        .any(|t| t.key.as_deref().unwrap_or("").is_empty())
    {
        return Err(err(
            "InvalidTagException",
            "The tag was specified in an invalid format.",
        ));
    }
    for n in names {
        let registered = call
            .state
            .instances
            .get(n)
            .is_some_and(|i| i.deregister_time.is_none());
        if !registered {
            return Err(not_registered(n));
        }
    }
    Ok(())
}

pub(crate) fn add_tags_to_on_premises_instances(
    call: &mut Call<'_>,
    input: AddTagsToOnPremisesInstancesInput,
) -> Result<Empty, ServiceError> {
    let names = input.instance_names;
    let tags = input.tags;
    check_tagging(call, &names, &tags)?;
    for n in &names {
        let current = call
            .state
            .instances
            .get(n)
            .and_then(|i| i.tags.clone())
            .unwrap_or_default();
        let mut merged = current;
        for t in &tags {
            match merged.iter_mut().find(|x| x.key == t.key) {
                Some(x) => x.value = t.value.clone(),
                None => merged.push(t.clone()),
            }
        }
        // An on-premises instance holds at most 10 tags (AWS quota).
        if merged.len() > 10 {
            return Err(err(
                "TagLimitExceededException",
                "The maximum allowed number of tags was exceeded.",
            ));
        }
        if let Some(i) = call.state.instances.get_mut(n) {
            i.tags = Some(merged);
        }
    }
    Ok(Empty {})
}

pub(crate) fn remove_tags_from_on_premises_instances(
    call: &mut Call<'_>,
    input: RemoveTagsFromOnPremisesInstancesInput,
) -> Result<Empty, ServiceError> {
    let names = input.instance_names;
    let tags = input.tags;
    check_tagging(call, &names, &tags)?;
    for n in &names {
        if let Some(i) = call.state.instances.get_mut(n) {
            if let Some(list) = i.tags.as_mut() {
                list.retain(|t| !tags.iter().any(|r| r.key == t.key && r.value == t.value));
            }
        }
    }
    Ok(Empty {})
}
