//! The pipeline structure rules CreatePipeline and UpdatePipeline enforce, with defaults filled
//! the way GetPipeline returns them.
//!
//! The rules are the ones the CodePipeline user guide lists ("Pipeline structure reference"):
//! at least two stages; the first stage holds source actions only and at least one; only the
//! first stage holds source actions; unique stage names, action names within a stage, output
//! artifact names; every input artifact produced by an earlier action. The text of the
//! two-stage rule is recorded from AWS (moto's tests assert it verbatim); the other texts follow
//! the rules' wording and are not recorded.

use super::actions::provider_for;
use crate::error::ServiceError;
use codemock_wire::codepipeline::{
    Condition, ExecutionMode, PipelineDeclaration, PipelineType, ResultShape, RuleCategory,
    RuleOwner, StageDeclaration,
};
use std::collections::{BTreeMap, BTreeSet};

fn structure(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidStructureException", message)
}

fn action_declaration(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidActionDeclarationException", message)
}

/// Checks `d` and fills the defaults (runOrder 1, empty artifact lists, pipeline type V1,
/// execution mode SUPERSEDED).
pub fn check(d: &mut PipelineDeclaration) -> Result<(), ServiceError> {
    if d.artifact_store.is_some() && d.artifact_stores.is_some() {
        return Err(structure(
            "Pipeline cannot have both artifactStore and artifactStores",
        ));
    }
    if d.artifact_store.is_none() && d.artifact_stores.is_none() {
        return Err(structure(
            "Pipeline must have either artifactStore or artifactStores",
        ));
    }
    let d_v2 = d.pipeline_type == Some(PipelineType::V2);
    // V2 git triggers (git.rs). The text is recorded from AWS without its exception's name;
    // InvalidStructureException as for the other declaration rules is unconfirmed.
    super::git::check_triggers(d).map_err(structure)?;
    let stages = &mut d.stages;
    if stages.len() < 2 {
        return Err(structure(format!(
            "Pipeline has only {} stage(s). There should be a minimum of 2 stages in a pipeline",
            stages.len()
        )));
    }
    let mut stage_names = BTreeSet::new();
    let mut produced: BTreeMap<String, (usize, i32)> = BTreeMap::new();
    for (si, stage) in stages.iter_mut().enumerate() {
        let sname = stage.name.clone();
        if !stage_names.insert(sname.clone()) {
            return Err(structure(format!(
                "Pipeline contains more than one stage named '{sname}'; stage names must be unique"
            )));
        }
        check_conditions(stage, &sname, d_v2)?;
        let actions = &mut stage.actions;
        if actions.is_empty() {
            return Err(structure(format!(
                "Stage '{sname}' must contain at least one action"
            )));
        }
        let mut action_names = BTreeSet::new();
        let mut has_source = false;
        for a in actions.iter_mut() {
            let aname = a.name.clone();
            if !action_names.insert(aname.clone()) {
                return Err(structure(format!(
                    "Stage '{sname}' contains more than one action named '{aname}'"
                )));
            }
            let t = a.action_type_id.clone();
            let category = t.category.as_str();
            let is_source = category == "Source";
            has_source |= is_source;
            if si == 0 && !is_source {
                return Err(structure(format!(
                    "Action '{aname}' in stage '{sname}': the first stage of a pipeline can contain source actions only"
                )));
            }
            if si > 0 && is_source {
                return Err(structure(format!(
                    "Action '{aname}' in stage '{sname}' is a source action: only the first stage of a pipeline can contain source actions"
                )));
            }
            let run_order = *a.run_order.get_or_insert(1);
            a.input_artifacts.get_or_insert_with(Vec::new);
            a.output_artifacts.get_or_insert_with(Vec::new);
            let owner = t.owner.as_str();
            let provider = t.provider.clone();
            let config = a.configuration.clone().unwrap_or_default();
            if owner == "AWS" {
                for key in provider_for(category, owner, &provider).required() {
                    if !config.contains_key(*key) {
                        return Err(action_declaration(format!(
                            "Action configuration for action '{aname}' is missing required configuration '{key}'"
                        )));
                    }
                }
            }
            for input in a.input_artifacts.iter().flatten() {
                let iname = input.name.clone();
                match produced.get(&iname) {
                    Some((s, o)) if *s < si || (*s == si && *o < run_order) => {}
                    _ => {
                        return Err(structure(format!(
                            "Input artifact '{iname}' of action '{aname}' in stage '{sname}' is not the output artifact of a preceding action"
                        )))
                    }
                }
            }
            for output in a.output_artifacts.iter().flatten() {
                let oname = output.name.clone();
                if produced.insert(oname.clone(), (si, run_order)).is_some() {
                    return Err(structure(format!(
                        "Output artifact name '{oname}' is used by more than one action; output artifact names must be unique in a pipeline"
                    )));
                }
            }
        }
        if si == 0 && !has_source {
            return Err(structure(
                "The first stage of a pipeline must contain at least one source action",
            ));
        }
    }
    let v2 = d.pipeline_type == Some(PipelineType::V2);
    if !v2 {
        if d.variables.as_ref().is_some_and(|v| !v.is_empty()) {
            return Err(ServiceError::new(
                "ValidationException",
                "Pipeline variables are supported by pipelines of type V2 only",
            ));
        }
        if d.execution_mode
            .is_some_and(|m| m != ExecutionMode::Superseded)
        {
            return Err(ServiceError::new(
                "ValidationException",
                "Execution modes other than SUPERSEDED are supported by pipelines of type V2 only",
            ));
        }
    }
    d.pipeline_type.get_or_insert(PipelineType::V1);
    d.execution_mode.get_or_insert(ExecutionMode::Superseded);
    Ok(())
}

/// Stage conditions (V2 pipelines only): each kind takes the results the user guide lists for
/// it (entry: FAIL or SKIP; on success: ROLLBACK or FAIL; on failure: ROLLBACK, and as the
/// automatic result RETRY, ROLLBACK or FAIL), 1 to 5 rules (the API's limits) of AWS rule types
/// with their required configuration. The texts are codemock's (no recording found).
/// A kind of condition: its name, its conditions, the results it takes.
type ConditionKind<'a> = (
    &'static str,
    Option<&'a Vec<Condition>>,
    &'static [ResultShape],
);

fn check_conditions(stage: &StageDeclaration, sname: &str, v2: bool) -> Result<(), ServiceError> {
    let kinds: [ConditionKind<'_>; 3] = [
        (
            "beforeEntry",
            stage.before_entry.as_ref().map(|c| &c.conditions),
            &[ResultShape::Fail, ResultShape::Skip],
        ),
        (
            "onSuccess",
            stage.on_success.as_ref().map(|c| &c.conditions),
            &[ResultShape::Rollback, ResultShape::Fail],
        ),
        (
            "onFailure",
            stage
                .on_failure
                .as_ref()
                .and_then(|c| c.conditions.as_ref()),
            &[ResultShape::Rollback],
        ),
    ];
    let automatic = stage
        .on_failure
        .as_ref()
        .and_then(|f| f.result)
        .filter(|r| *r != ResultShape::Fail);
    let any = kinds
        .iter()
        .any(|(_, c, _)| c.is_some_and(|c| !c.is_empty()))
        || automatic.is_some();
    if any && !v2 {
        return Err(ServiceError::new(
            "ValidationException",
            "Stage conditions, and onFailure results other than FAIL, are supported by pipelines of type V2 only",
        ));
    }
    if let Some(r) = automatic {
        if !matches!(r, ResultShape::Retry | ResultShape::Rollback) {
            return Err(structure(format!(
                "Stage '{sname}': onFailure result {} is not valid; use ROLLBACK, RETRY or FAIL",
                r.as_str()
            )));
        }
    }
    for (kind, conditions, allowed) in kinds {
        for c in conditions.into_iter().flatten() {
            if let Some(r) = c.result {
                if !allowed.contains(&r) {
                    let names: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                    return Err(structure(format!(
                        "Stage '{sname}': the result of a {kind} condition must be one of {}, not {}",
                        names.join(", "),
                        r.as_str()
                    )));
                }
            }
            let rules = c.rules.as_deref().unwrap_or_default();
            if rules.is_empty() || rules.len() > 5 {
                return Err(structure(format!(
                    "Stage '{sname}': a {kind} condition must have between 1 and 5 rules"
                )));
            }
            let mut names = BTreeSet::new();
            for r in rules {
                let rname = r.name.clone();
                if !names.insert(rname.clone()) {
                    return Err(structure(format!(
                        "Stage '{sname}': a {kind} condition contains more than one rule named '{rname}'"
                    )));
                }
                let t = r.rule_type_id.clone();
                let provider = t.provider.clone();
                let known = t.category == RuleCategory::Rule
                    && t.owner.is_none_or(|o| o == RuleOwner::Aws)
                    && t.version.as_deref().is_none_or(|v| v == "1");
                let required = known
                    .then(|| super::types::rule_required(&provider))
                    .flatten();
                let Some(required) = required else {
                    return Err(structure(format!(
                        "Rule '{rname}' in stage '{sname}' has a rule type that does not exist: category Rule, owner AWS, provider {provider}, version 1"
                    )));
                };
                let config = r.configuration.clone().unwrap_or_default();
                for key in required {
                    if !config.contains_key(key) {
                        return Err(structure(format!(
                            "Rule configuration for rule '{rname}' is missing required configuration '{key}'"
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decl(stages: serde_json::Value) -> PipelineDeclaration {
        serde_json::from_value(json!({
            "name": "p",
            "roleArn": "arn:aws:iam::1:role/r",
            "artifactStore": {"type": "S3", "location": "b"},
            "stages": stages,
        }))
        .expect("declaration")
    }

    fn action(
        name: &str,
        category: &str,
        provider: &str,
        inputs: &[&str],
        outputs: &[&str],
        order: i32,
    ) -> serde_json::Value {
        json!({
            "name": name,
            "actionTypeId": {"category": category, "owner": "Custom", "provider": provider, "version": "1"},
            "runOrder": order,
            "inputArtifacts": inputs.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
            "outputArtifacts": outputs.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
        })
    }

    fn code(r: Result<(), ServiceError>) -> String {
        r.err().map(|e| e.code).unwrap_or_default()
    }

    #[test]
    fn defaults_are_filled_and_a_single_stage_is_refused_with_awss_text() {
        let mut one =
            decl(json!([{"name": "S", "actions": [action("a", "Source", "X", &[], &["A"], 1)]}]));
        let e = check(&mut one).err().map(|e| e.message);
        assert_eq!(
            e.as_deref(),
            Some(
                "Pipeline has only 1 stage(s). There should be a minimum of 2 stages in a pipeline"
            )
        );
        let mut ok = decl(json!([
            {"name": "S", "actions": [{"name": "a", "actionTypeId": {"category": "Source", "owner": "Custom", "provider": "X", "version": "1"}, "outputArtifacts": [{"name": "A"}]}]},
            {"name": "B", "actions": [action("b", "Build", "X", &["A"], &[], 1)]},
        ]));
        assert!(check(&mut ok).is_ok());
        assert_eq!(ok.pipeline_type, Some(PipelineType::V1));
        assert_eq!(ok.execution_mode, Some(ExecutionMode::Superseded));
        let first = &ok.stages[0].actions[0];
        assert_eq!(first.run_order, Some(1));
        assert_eq!(first.input_artifacts, Some(vec![]));
    }

    #[test]
    fn inputs_come_from_earlier_actions_only() {
        let same_group = decl(json!([
            {"name": "S", "actions": [action("a", "Source", "X", &[], &["A"], 1)]},
            {"name": "B", "actions": [
                action("b", "Build", "X", &["A"], &["B"], 1),
                action("c", "Build", "X", &["B"], &[], 1),
            ]},
        ]));
        assert_eq!(
            code(check(&mut same_group.clone())),
            "InvalidStructureException"
        );
        let mut later_group = same_group;
        later_group.stages[1].actions[1].run_order = Some(2);
        assert!(check(&mut later_group).is_ok());
    }

    #[test]
    fn source_actions_belong_to_the_first_stage_only_and_names_are_unique() {
        let mut late = decl(json!([
            {"name": "S", "actions": [action("a", "Source", "X", &[], &["A"], 1)]},
            {"name": "B", "actions": [action("b", "Source", "X", &[], &["B"], 1)]},
        ]));
        assert_eq!(code(check(&mut late)), "InvalidStructureException");
        let mut twice = decl(json!([
            {"name": "S", "actions": [action("a", "Source", "X", &[], &["A"], 1)]},
            {"name": "S", "actions": [action("b", "Build", "X", &["A"], &[], 1)]},
        ]));
        assert_eq!(code(check(&mut twice)), "InvalidStructureException");
        let mut outputs = decl(json!([
            {"name": "S", "actions": [action("a", "Source", "X", &[], &["A"], 1)]},
            {"name": "B", "actions": [action("b", "Build", "X", &["A"], &["A"], 1)]},
        ]));
        assert_eq!(code(check(&mut outputs)), "InvalidStructureException");
    }

    #[test]
    fn v1_pipelines_take_neither_variables_nor_other_modes() {
        let mut d = decl(json!([
            {"name": "S", "actions": [action("a", "Source", "X", &[], &["A"], 1)]},
            {"name": "B", "actions": [action("b", "Build", "X", &["A"], &[], 1)]},
        ]));
        d.execution_mode = Some(ExecutionMode::Queued);
        assert_eq!(code(check(&mut d.clone())), "ValidationException");
        d.pipeline_type = Some(PipelineType::V2);
        assert!(check(&mut d).is_ok());
    }

    fn two_stage(extra: serde_json::Value) -> PipelineDeclaration {
        let mut build =
            json!({"name": "B", "actions": [action("b", "Build", "X", &["A"], &[], 1)]});
        if let (Some(b), Some(e)) = (build.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let mut d = decl(json!([
            {"name": "S", "actions": [action("a", "Source", "X", &[], &["A"], 1)]},
            build,
        ]));
        d.pipeline_type = Some(PipelineType::V2);
        d
    }

    fn rule(provider: &str, config: serde_json::Value) -> serde_json::Value {
        json!({"name": "r", "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": provider, "version": "1"}, "configuration": config})
    }

    #[test]
    fn conditions_take_the_results_of_their_kind_and_known_rules() {
        let check_rule = rule(
            "VariableCheck",
            json!({"Variable": "#{variables.x}", "Value": "1", "Operator": "EQ"}),
        );
        let mut ok = two_stage(json!({
            "beforeEntry": {"conditions": [{"result": "SKIP", "rules": [check_rule]}]},
            "onFailure": {"result": "RETRY", "retryConfiguration": {"retryMode": "FAILED_ACTIONS"}},
        }));
        assert!(check(&mut ok).is_ok());
        let mut v1 = ok.clone();
        v1.pipeline_type = Some(PipelineType::V1);
        assert_eq!(code(check(&mut v1)), "ValidationException");
        let mut skip_on_success = two_stage(json!({
            "onSuccess": {"conditions": [{"result": "SKIP", "rules": [check_rule]}]},
        }));
        assert_eq!(
            code(check(&mut skip_on_success)),
            "InvalidStructureException"
        );
        let mut missing = two_stage(json!({
            "beforeEntry": {"conditions": [{"result": "FAIL", "rules": [rule("DeploymentWindow", json!({}))]}]},
        }));
        let e = check(&mut missing).err().map(|e| e.message);
        assert_eq!(
            e.as_deref(),
            Some("Rule configuration for rule 'r' is missing required configuration 'Cron'")
        );
        let mut unknown = two_stage(json!({
            "beforeEntry": {"conditions": [{"rules": [rule("Nope", json!({}))]}]},
        }));
        assert_eq!(code(check(&mut unknown)), "InvalidStructureException");
    }
}
