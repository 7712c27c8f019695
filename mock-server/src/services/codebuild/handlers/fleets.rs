//! Reserved-capacity fleets: CreateFleet, UpdateFleet, DeleteFleet, BatchGetFleets, ListFleets.
//!
//! A fleet's ARN is `arn:aws:codebuild:<region>:<account>:fleet/<name>:<uuid>` and its id
//! `<name>:<uuid>` (the Fleet API reference's shapes). AWS provisions a fleet for minutes in
//! CREATING; codemock has no machines to provision, so a fleet is ACTIVE at once.

use crate::error::ServiceError;
use crate::services::codebuild::Call;
use crate::services::pagination::{paginate_ordered, Order};
use codemock_wire::codebuild::*;
use codemock_wire::types::Timestamp;

fn scaling(
    input: Option<ScalingConfigurationInput>,
    base: i32,
) -> Option<ScalingConfigurationOutput> {
    input.map(|s| ScalingConfigurationOutput {
        scaling_type: s.scaling_type,
        target_tracking_scaling_configs: s.target_tracking_scaling_configs,
        max_capacity: s.max_capacity,
        desired_capacity: Some(base),
    })
}

fn active() -> FleetStatus {
    FleetStatus {
        status_code: Some(FleetStatusCode::Active),
        context: None,
        message: None,
    }
}

/// Finds a fleet by ARN or name.
fn find<'a>(
    fleets: &'a std::collections::BTreeMap<String, Fleet>,
    key: &str,
) -> Option<&'a String> {
    fleets
        .iter()
        .find(|(arn, f)| arn.as_str() == key || f.name.as_deref() == Some(key))
        .map(|(arn, _)| arn)
}

pub(super) fn create_fleet(
    call: &mut Call<'_>,
    input: CreateFleetInput,
) -> Result<CreateFleetOutput, ServiceError> {
    let name = input.name;
    let base = input.base_capacity;
    if base < 1 {
        return Err(ServiceError::new(
            "InvalidInputException",
            "baseCapacity must be at least 1",
        ));
    }
    let fleets = &mut call.state.resources.fleets;
    if fleets
        .values()
        .any(|f| f.name.as_deref() == Some(name.as_str()))
    {
        // Wording not confirmed against AWS.
        return Err(ServiceError::new(
            "ResourceAlreadyExistsException",
            format!("Fleet already exists: {name}"),
        ));
    }
    let id = format!("{name}:{}", call.core.ids.uuid());
    let arn = format!(
        "arn:aws:codebuild:{}:{}:fleet/{id}",
        call.ctx.region, call.ctx.account_id
    );
    let now = Timestamp(call.ctx.received_at);
    let fleet = Fleet {
        arn: Some(arn.clone()),
        name: Some(name),
        id: Some(id),
        created: Some(now),
        last_modified: Some(now),
        status: Some(active()),
        base_capacity: Some(base),
        environment_type: Some(input.environment_type),
        compute_type: Some(input.compute_type),
        compute_configuration: input.compute_configuration,
        scaling_configuration: scaling(input.scaling_configuration, base),
        // QUEUE is the default overflow behaviour (CreateFleet API reference).
        overflow_behavior: Some(
            input
                .overflow_behavior
                .unwrap_or(FleetOverflowBehavior::Queue),
        ),
        vpc_config: input.vpc_config,
        proxy_configuration: input.proxy_configuration,
        image_id: input.image_id,
        fleet_service_role: input.fleet_service_role,
        tags: input.tags.filter(|t| !t.is_empty()),
    };
    fleets.insert(arn, fleet.clone());
    Ok(CreateFleetOutput { fleet: Some(fleet) })
}

pub(super) fn update_fleet(
    call: &mut Call<'_>,
    input: UpdateFleetInput,
) -> Result<UpdateFleetOutput, ServiceError> {
    let key = input.arn;
    let fleets = &mut call.state.resources.fleets;
    let Some(arn) = find(fleets, &key).cloned() else {
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Fleet does not exist: {key}"),
        ));
    };
    let Some(fleet) = fleets.get_mut(&arn) else {
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Fleet does not exist: {key}"),
        ));
    };
    if let Some(b) = input.base_capacity {
        if b < 1 {
            return Err(ServiceError::new(
                "InvalidInputException",
                "baseCapacity must be at least 1",
            ));
        }
        fleet.base_capacity = Some(b);
    }
    let base = fleet.base_capacity.unwrap_or(1);
    if input.environment_type.is_some() {
        fleet.environment_type = input.environment_type;
    }
    if input.compute_type.is_some() {
        fleet.compute_type = input.compute_type;
    }
    if input.compute_configuration.is_some() {
        fleet.compute_configuration = input.compute_configuration;
    }
    if input.scaling_configuration.is_some() {
        fleet.scaling_configuration = scaling(input.scaling_configuration, base);
    } else if let Some(s) = fleet.scaling_configuration.as_mut() {
        s.desired_capacity = Some(base);
    }
    if input.overflow_behavior.is_some() {
        fleet.overflow_behavior = input.overflow_behavior;
    }
    if input.vpc_config.is_some() {
        fleet.vpc_config = input.vpc_config;
    }
    if input.proxy_configuration.is_some() {
        fleet.proxy_configuration = input.proxy_configuration;
    }
    if input.image_id.is_some() {
        fleet.image_id = input.image_id;
    }
    if input.fleet_service_role.is_some() {
        fleet.fleet_service_role = input.fleet_service_role;
    }
    if let Some(tags) = input.tags {
        fleet.tags = if tags.is_empty() { None } else { Some(tags) };
    }
    fleet.last_modified = Some(Timestamp(call.ctx.received_at));
    fleet.status = Some(active());
    Ok(UpdateFleetOutput {
        fleet: Some(fleet.clone()),
    })
}

/// Deleting a fleet that does not exist succeeds (the model lists no not-found error).
pub(super) fn delete_fleet(
    call: &mut Call<'_>,
    input: DeleteFleetInput,
) -> Result<DeleteFleetOutput, ServiceError> {
    let key = input.arn;
    let fleets = &mut call.state.resources.fleets;
    if let Some(arn) = find(fleets, &key).cloned() {
        fleets.remove(&arn);
    }
    Ok(DeleteFleetOutput {})
}

pub(super) fn batch_get_fleets(
    call: &mut Call<'_>,
    input: BatchGetFleetsInput,
) -> Result<BatchGetFleetsOutput, ServiceError> {
    let fleets = &call.state.resources.fleets;
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for key in input.names {
        match find(fleets, &key).and_then(|arn| fleets.get(arn)) {
            Some(f) => found.push(f.clone()),
            None => missing.push(key),
        }
    }
    Ok(BatchGetFleetsOutput {
        fleets: Some(found),
        fleets_not_found: Some(missing),
    })
}

pub(super) fn list_fleets(
    call: &mut Call<'_>,
    input: ListFleetsInput,
) -> Result<ListFleetsOutput, ServiceError> {
    let time_key =
        |t: Option<Timestamp>, n: &str| format!("{:020.6}|{n}", t.map(|t| t.0).unwrap_or(0.0));
    let mut items: Vec<(String, String)> = call
        .state
        .resources
        .fleets
        .iter()
        .map(|(arn, f)| {
            let name = f.name.clone().unwrap_or_default();
            let key = match input.sort_by {
                Some(FleetSortByType::CreatedTime) => time_key(f.created, &name),
                Some(FleetSortByType::LastModifiedTime) => time_key(f.last_modified, &name),
                _ => name,
            };
            (key, arn.clone())
        })
        .collect();
    items.sort();
    let order = if matches!(input.sort_order, Some(SortOrderType::Descending)) {
        items.reverse();
        Order::Descending
    } else {
        Order::Ascending
    };
    let limit = input.max_results.unwrap_or(100).clamp(1, 100) as usize;
    let page = paginate_ordered(
        items.iter().map(|(k, v)| (k.as_str(), v)),
        input.next_token.as_deref(),
        limit,
        order,
    )
    .map_err(|_| ServiceError::new("InvalidInputException", "Invalid next token"))?;
    Ok(ListFleetsOutput {
        next_token: page.next_token,
        fleets: Some(page.items),
    })
}
