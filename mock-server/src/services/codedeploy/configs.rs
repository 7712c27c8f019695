//! Deployment configurations: the predefined `CodeDeployDefault.*` ones as AWS returns them, and
//! the rule a configuration sets on an in-place fleet (how many targets may be down at once).
//!
//! Facts from reference/events-and-states.md §3.5 (AWS user guide `deployment-configurations.md`).

use codemock_wire::codedeploy::{
    ComputePlatform, DeploymentConfigInfo, MinimumHealthyHosts, MinimumHealthyHostsType,
    TimeBasedCanary, TimeBasedLinear, TrafficRoutingConfig, TrafficRoutingType,
};
use codemock_wire::types::Timestamp;

/// The default configuration of a Server deployment group.
pub const DEFAULT_SERVER: &str = "CodeDeployDefault.OneAtATime";
pub const DEFAULT_LAMBDA: &str = "CodeDeployDefault.LambdaAllAtOnce";
pub const DEFAULT_ECS: &str = "CodeDeployDefault.ECSAllAtOnce";

/// How many hosts must stay healthy during an in-place deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinHealthy {
    /// `CodeDeployDefault.OneAtATime`: AWS's API answers type `MOST_CONCURRENCY` value 1, a type
    /// not in the SDK enum; in effect all but one host stay healthy.
    OneAtATime,
    HostCount(i64),
    FleetPercent(i64),
}

impl MinHealthy {
    /// The number of hosts that must stay healthy in a fleet of `n`.
    pub fn required(self, n: usize) -> usize {
        let n_i = i64::try_from(n).unwrap_or(i64::MAX);
        let v = match self {
            MinHealthy::OneAtATime => n_i - 1,
            MinHealthy::HostCount(c) => c,
            // AWS rounds the percentage up (HalfAtATime: at least ceil(n/2) stay healthy).
            MinHealthy::FleetPercent(p) => (n_i * p + 99) / 100,
        };
        usize::try_from(v.clamp(0, n_i)).unwrap_or(0)
    }

    pub fn from_wire(m: &MinimumHealthyHosts) -> MinHealthy {
        let v = i64::from(m.value.unwrap_or(0));
        match m.r#type {
            Some(MinimumHealthyHostsType::FleetPercent) => MinHealthy::FleetPercent(v),
            Some(MinimumHealthyHostsType::HostCount) => MinHealthy::HostCount(v),
            Some(MinimumHealthyHostsType::MostConcurrency) | None => MinHealthy::OneAtATime,
        }
    }
}

/// Traffic shifting of a Lambda or ECS configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    AllAtOnce,
    /// percentage first, the rest `minutes` later.
    Canary {
        percent: i32,
        minutes: i32,
    },
    /// `percent` every `minutes`.
    Linear {
        percent: i32,
        minutes: i32,
    },
}

impl Shift {
    pub fn from_wire(t: Option<&TrafficRoutingConfig>) -> Shift {
        let Some(t) = t else {
            return Shift::AllAtOnce;
        };
        match t.r#type {
            Some(TrafficRoutingType::TimeBasedCanary) => {
                let c = t.time_based_canary.clone().unwrap_or_default();
                Shift::Canary {
                    percent: c.canary_percentage.unwrap_or(0),
                    minutes: c.canary_interval.unwrap_or(0),
                }
            }
            Some(TrafficRoutingType::TimeBasedLinear) => {
                let c = t.time_based_linear.clone().unwrap_or_default();
                Shift::Linear {
                    percent: c.linear_percentage.unwrap_or(0),
                    minutes: c.linear_interval.unwrap_or(0),
                }
            }
            _ => Shift::AllAtOnce,
        }
    }

    /// The traffic steps: (seconds after the first shift, weight of the new version in percent).
    pub fn steps(self) -> Vec<(f64, f64)> {
        match self {
            Shift::AllAtOnce => vec![(0.0, 100.0)],
            Shift::Canary { percent, minutes } => vec![
                (0.0, f64::from(percent)),
                (f64::from(minutes) * 60.0, 100.0),
            ],
            Shift::Linear { percent, minutes } => {
                let mut out = Vec::new();
                let p = percent.max(1);
                let mut w = 0;
                let mut k = 0.0;
                while w < 100 {
                    w = (w + p).min(100);
                    out.push((k * f64::from(minutes) * 60.0, f64::from(w)));
                    k += 1.0;
                }
                out
            }
        }
    }
}

fn server(name: &str, min: Option<MinimumHealthyHosts>) -> DeploymentConfigInfo {
    DeploymentConfigInfo {
        deployment_config_name: Some(name.to_owned()),
        minimum_healthy_hosts: min,
        compute_platform: Some(ComputePlatform::Server),
        ..DeploymentConfigInfo::default()
    }
}

fn routed(name: &str, platform: ComputePlatform, t: TrafficRoutingConfig) -> DeploymentConfigInfo {
    DeploymentConfigInfo {
        deployment_config_name: Some(name.to_owned()),
        compute_platform: Some(platform),
        // AWS answers the type-less `minimumHealthyHosts {type: FLEET_PERCENT, value: 0}`? It is
        // not documented; Lambda/ECS configs carry only trafficRoutingConfig here.
        traffic_routing_config: Some(t),
        ..DeploymentConfigInfo::default()
    }
}

fn canary(percent: i32, minutes: i32) -> TrafficRoutingConfig {
    TrafficRoutingConfig {
        r#type: Some(TrafficRoutingType::TimeBasedCanary),
        time_based_canary: Some(TimeBasedCanary {
            canary_percentage: Some(percent),
            canary_interval: Some(minutes),
        }),
        ..TrafficRoutingConfig::default()
    }
}

fn linear(percent: i32, minutes: i32) -> TrafficRoutingConfig {
    TrafficRoutingConfig {
        r#type: Some(TrafficRoutingType::TimeBasedLinear),
        time_based_linear: Some(TimeBasedLinear {
            linear_percentage: Some(percent),
            linear_interval: Some(minutes),
        }),
        ..TrafficRoutingConfig::default()
    }
}

fn all_at_once() -> TrafficRoutingConfig {
    TrafficRoutingConfig {
        r#type: Some(TrafficRoutingType::AllAtOnce),
        ..TrafficRoutingConfig::default()
    }
}

/// Every predefined configuration, in name order (as ListDeploymentConfigs lists them).
pub fn predefined() -> Vec<DeploymentConfigInfo> {
    use ComputePlatform::{Ecs as ECS, Lambda};
    let mut v = vec![
        // OneAtATime: AWS answers type MOST_CONCURRENCY (not in botocore's enum; the generator
        // adds it), value 1; SDKs read the type as unknown.
        server(
            "CodeDeployDefault.OneAtATime",
            Some(MinimumHealthyHosts {
                r#type: Some(MinimumHealthyHostsType::MostConcurrency),
                value: Some(1),
            }),
        ),
        server(
            "CodeDeployDefault.HalfAtATime",
            Some(MinimumHealthyHosts {
                r#type: Some(MinimumHealthyHostsType::FleetPercent),
                value: Some(50),
            }),
        ),
        server(
            "CodeDeployDefault.AllAtOnce",
            Some(MinimumHealthyHosts {
                r#type: Some(MinimumHealthyHostsType::HostCount),
                value: Some(0),
            }),
        ),
        routed("CodeDeployDefault.LambdaAllAtOnce", Lambda, all_at_once()),
        routed(
            "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            Lambda,
            canary(10, 5),
        ),
        routed(
            "CodeDeployDefault.LambdaCanary10Percent10Minutes",
            Lambda,
            canary(10, 10),
        ),
        routed(
            "CodeDeployDefault.LambdaCanary10Percent15Minutes",
            Lambda,
            canary(10, 15),
        ),
        routed(
            "CodeDeployDefault.LambdaCanary10Percent30Minutes",
            Lambda,
            canary(10, 30),
        ),
        routed(
            "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
            Lambda,
            linear(10, 1),
        ),
        routed(
            "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
            Lambda,
            linear(10, 2),
        ),
        routed(
            "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
            Lambda,
            linear(10, 3),
        ),
        routed(
            "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
            Lambda,
            linear(10, 10),
        ),
        routed("CodeDeployDefault.ECSAllAtOnce", ECS, all_at_once()),
        routed(
            "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
            ECS,
            linear(10, 1),
        ),
        routed(
            "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
            ECS,
            linear(10, 3),
        ),
        routed(
            "CodeDeployDefault.ECSCanary10Percent5Minutes",
            ECS,
            canary(10, 5),
        ),
        routed(
            "CodeDeployDefault.ECSCanary10Percent15Minutes",
            ECS,
            canary(10, 15),
        ),
    ];
    for (i, c) in v.iter_mut().enumerate() {
        // Fixed ids and a fixed creation time: predefined configs exist before any account.
        c.deployment_config_id = Some(format!("00000000-0000-4000-8000-{:012}", i + 1));
        c.create_time = Some(Timestamp::from_secs(1_414_800_000));
    }
    v.sort_by(|a, b| a.deployment_config_name.cmp(&b.deployment_config_name));
    v
}

/// The predefined configuration `name`, if it is one.
pub fn find_predefined(name: &str) -> Option<DeploymentConfigInfo> {
    predefined()
        .into_iter()
        .find(|c| c.deployment_config_name.as_deref() == Some(name))
}

/// The in-place rule of a Server configuration.
pub fn min_healthy(c: &DeploymentConfigInfo) -> MinHealthy {
    match c.deployment_config_name.as_deref() {
        Some("CodeDeployDefault.OneAtATime") => MinHealthy::OneAtATime,
        _ => c
            .minimum_healthy_hosts
            .as_ref()
            .map_or(MinHealthy::OneAtATime, MinHealthy::from_wire),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_rules_give_aws_fleet_minimums() {
        assert_eq!(MinHealthy::OneAtATime.required(3), 2);
        assert_eq!(MinHealthy::FleetPercent(50).required(3), 2);
        assert_eq!(MinHealthy::FleetPercent(50).required(4), 2);
        assert_eq!(MinHealthy::HostCount(0).required(3), 0);
        assert_eq!(MinHealthy::HostCount(9).required(3), 3);
    }

    #[test]
    fn predefined_list_is_sorted_and_complete() {
        let p = predefined();
        assert_eq!(p.len(), 17);
        assert!(p
            .windows(2)
            .all(|w| w[0].deployment_config_name < w[1].deployment_config_name));
        let c = find_predefined("CodeDeployDefault.LambdaCanary10Percent5Minutes").expect("ok");
        assert_eq!(
            Shift::from_wire(c.traffic_routing_config.as_ref()).steps(),
            vec![(0.0, 10.0), (300.0, 100.0)]
        );
    }

    #[test]
    fn linear_shift_steps_every_interval() {
        let s = Shift::Linear {
            percent: 25,
            minutes: 1,
        }
        .steps();
        assert_eq!(
            s,
            vec![(0.0, 25.0), (60.0, 50.0), (120.0, 75.0), (180.0, 100.0)]
        );
    }
}
