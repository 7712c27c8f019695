//! AppSpec files: found in a revision bundle (zip, tar, tgz) or given as content (YAML or JSON),
//! parsed into the hooks a deployment runs and, for Lambda and ECS, the resource it shifts.
//!
//! Structure from AWS's `reference-appspec-file-structure-hooks.md`: EC2/on-premises hooks map
//! an event name to a list of `{location, timeout, runas}` scripts; Lambda and ECS hooks are a
//! list of one-entry maps from event name to a Lambda function.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::Read as _;
use yaml_rust2::{Yaml, YamlLoader};

/// One hook script of an EC2/on-premises AppSpec.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub location: String,
    /// Seconds; AWS's default (and maximum) is 3600.
    pub timeout: f64,
    pub runas: Option<String>,
}

/// The Lambda function a Lambda AppSpec shifts traffic on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LambdaResource {
    pub name: String,
    pub alias: String,
    pub current_version: String,
    pub target_version: String,
}

/// A parsed AppSpec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppSpec {
    /// Server hooks: event name to its scripts.
    pub scripts: BTreeMap<String, Vec<Script>>,
    /// Lambda and ECS hooks: event name to the function invoked.
    pub functions: BTreeMap<String, String>,
    pub lambda: Option<LambdaResource>,
    /// ECS: the task definition named by the resource (recorded only).
    pub ecs_task_definition: Option<String>,
}

/// Why a revision cannot be deployed (the deployment fails with `INVALID_REVISION`).
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid(pub String);

/// Parses AppSpec text, YAML or JSON.
pub fn parse(text: &str) -> Result<AppSpec, Invalid> {
    let doc = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(text)
            .map_err(|e| Invalid(format!("The AppSpec file is not valid JSON: {e}")))?
    } else {
        let docs = YamlLoader::load_from_str(text)
            .map_err(|e| Invalid(format!("The AppSpec file is not valid YAML: {e}")))?;
        docs.into_iter()
            .next()
            .map(yaml_to_json)
            .unwrap_or(Value::Null)
    };
    let Value::Object(map) = doc else {
        return Err(Invalid(
            "The AppSpec file is not a mapping of version, resources, files and hooks".into(),
        ));
    };
    from_map(&map)
}

/// `key` of `map`, whatever its case (Lambda and ECS AppSpecs spell `Resources` and `Hooks`
/// capitalised in AWS's examples; EC2 ones use lower case).
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn from_map(map: &Map<String, Value>) -> Result<AppSpec, Invalid> {
    if get(map, "version").is_none() {
        return Err(Invalid("The AppSpec file has no version (0.0)".into()));
    }
    let mut spec = AppSpec::default();
    if let Some(resources) = get(map, "resources").and_then(Value::as_array) {
        for r in resources.iter().filter_map(Value::as_object) {
            for body in r.values() {
                let ty = body.get("Type").or_else(|| body.get("type"));
                let props = body.get("Properties").or_else(|| body.get("properties"));
                let s = |k: &str| {
                    props
                        .and_then(|p| p.get(k))
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .unwrap_or_default()
                };
                match ty.and_then(Value::as_str) {
                    Some(t) if t.eq_ignore_ascii_case("AWS::Lambda::Function") => {
                        spec.lambda = Some(LambdaResource {
                            name: s("Name"),
                            alias: s("Alias"),
                            current_version: s("CurrentVersion"),
                            target_version: s("TargetVersion"),
                        });
                    }
                    Some(t) if t.eq_ignore_ascii_case("AWS::ECS::Service") => {
                        spec.ecs_task_definition = Some(s("TaskDefinition"));
                    }
                    _ => {}
                }
            }
        }
    }
    match get(map, "hooks") {
        None | Some(Value::Null) => {}
        // Lambda / ECS: `- BeforeAllowTraffic: "function"`.
        Some(Value::Array(list)) => {
            for item in list.iter().filter_map(Value::as_object) {
                for (event, f) in item {
                    let Some(f) = f.as_str().filter(|f| !f.is_empty()) else {
                        return Err(Invalid(format!(
                            "The hook {event} of the AppSpec file names no Lambda function"
                        )));
                    };
                    spec.functions.insert(event.clone(), f.to_owned());
                }
            }
        }
        // EC2/on-premises: `BeforeInstall: [{location, timeout, runas}]`.
        Some(Value::Object(hooks)) => {
            for (event, scripts) in hooks {
                let list = match scripts {
                    Value::Array(a) => a.clone(),
                    Value::Object(_) => vec![scripts.clone()],
                    Value::Null => Vec::new(),
                    _ => {
                        return Err(Invalid(format!(
                            "The hook {event} of the AppSpec file is not a list of scripts"
                        )))
                    }
                };
                let mut out = Vec::new();
                for s in list {
                    let Some(location) = s.get("location").and_then(Value::as_str) else {
                        return Err(Invalid(format!(
                            "The hook {event} of the AppSpec file has a script without a location"
                        )));
                    };
                    let timeout = s
                        .get("timeout")
                        .and_then(|t| t.as_f64().or_else(|| t.as_str()?.parse().ok()))
                        .unwrap_or(3600.0);
                    out.push(Script {
                        location: location.to_owned(),
                        timeout,
                        runas: s.get("runas").and_then(Value::as_str).map(str::to_owned),
                    });
                }
                spec.scripts.insert(event.clone(), out);
            }
        }
        Some(_) => {
            return Err(Invalid(
                "The hooks section of the AppSpec file is not valid".into(),
            ))
        }
    }
    Ok(spec)
}

fn yaml_to_json(y: Yaml) -> Value {
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::String(s), Value::Number),
        Yaml::Integer(i) => Value::from(i),
        Yaml::String(s) => Value::String(s),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(a) => Value::Array(a.into_iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) | Yaml::Real(s) => s,
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => continue,
                };
                m.insert(key, yaml_to_json(v));
            }
            Value::Object(m)
        }
        _ => Value::Null,
    }
}

const NAMES: [&str; 2] = ["appspec.yml", "appspec.yaml"];

fn missing() -> Invalid {
    // The agent's wording when the bundle has no AppSpec at its root.
    Invalid("The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory at revision-relative path \"appspec.yml\". The revision was unpacked to directory \"/opt/codedeploy-agent/deployment-root\", and the AppSpec file was expected but not found at path \"appspec.yml\".".into())
}

/// The AppSpec text of a bundle of `bundle_type` (`zip`, `tar`, `tgz`, `YAML`, `JSON`).
pub fn from_bundle(bundle_type: &str, bytes: &[u8]) -> Result<String, Invalid> {
    let bad = |e: &dyn std::fmt::Display| {
        Invalid(format!(
            "The revision bundle is not a valid {bundle_type} archive: {e}"
        ))
    };
    match bundle_type {
        "YAML" | "JSON" => String::from_utf8(bytes.to_vec()).map_err(|e| bad(&e)),
        "zip" => {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
            for name in NAMES {
                if let Ok(mut f) = z.by_name(name) {
                    let mut s = String::new();
                    f.read_to_string(&mut s).map_err(|e| bad(&e))?;
                    return Ok(s);
                }
            }
            Err(missing())
        }
        "tar" => from_tar(bytes).map_err(|e| bad(&e))?.ok_or_else(missing),
        "tgz" => {
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut raw)
                .map_err(|e| bad(&e))?;
            from_tar(&raw).map_err(|e| bad(&e))?.ok_or_else(missing)
        }
        other => Err(Invalid(format!("The bundle type {other} is not supported"))),
    }
}

fn from_tar(bytes: &[u8]) -> std::io::Result<Option<String>> {
    let mut a = tar::Archive::new(bytes);
    for entry in a.entries()? {
        let mut e = entry?;
        let path = e
            .path()?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_owned();
        if NAMES.contains(&path.as_str()) {
            let mut s = String::new();
            e.read_to_string(&mut s)?;
            return Ok(Some(s));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_hooks_with_default_timeout() {
        let s = parse(
            "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n      timeout: 30\n  BeforeInstall:\n    - location: scripts/a.sh\n",
        )
        .expect("ok");
        assert_eq!(s.scripts["ValidateService"][0].timeout, 30.0);
        assert_eq!(s.scripts["BeforeInstall"][0].timeout, 3600.0);
    }

    #[test]
    fn lambda_resource_and_hooks() {
        let s = parse(r#"{"version":0.0,"Resources":[{"f":{"Type":"AWS::Lambda::Function","Properties":{"Name":"fn","Alias":"live","CurrentVersion":"1","TargetVersion":"2"}}}],"hooks":[{"BeforeAllowTraffic":"pre"}]}"#).expect("ok");
        assert_eq!(s.lambda.expect("ok").target_version, "2");
        assert_eq!(s.functions["BeforeAllowTraffic"], "pre");
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(parse("hooks: [").is_err());
        assert!(parse("just text").is_err());
        assert!(parse("version: 0.0\nhooks:\n  BeforeInstall:\n    - timeout: 3\n").is_err());
    }

    #[test]
    fn appspec_is_found_in_a_zip() {
        use std::io::Write as _;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file("appspec.yml", zip::write::SimpleFileOptions::default())
                .expect("ok");
            w.write_all(b"version: 0.0\n").expect("ok");
            w.finish().expect("ok");
        }
        assert_eq!(
            from_bundle("zip", buf.get_ref()).expect("ok"),
            "version: 0.0\n"
        );
        assert!(from_bundle("zip", b"nope").is_err());
    }
}
