//! Variable references in action configuration: `#{Namespace.Name}`, with the namespaces an
//! execution has (`codepipeline` for `PipelineExecutionId`, `variables` for V2 pipeline
//! variables, and each action's `namespace` for its output variables).

use std::collections::BTreeMap;

/// Resolves every `#{ns.name}` in `text`; the first reference that has no value is the error.
pub fn resolve(
    text: &str,
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("#{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let reference = &after[..end];
        let value = reference
            .split_once('.')
            .and_then(|(ns, name)| namespaces.get(ns).and_then(|vars| vars.get(name)));
        match value {
            Some(v) => out.push_str(v),
            None => return Err(reference.to_owned()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_from_their_namespace() {
        let mut ns = BTreeMap::new();
        ns.insert(
            "SourceVariables".to_owned(),
            BTreeMap::from([("VersionId".to_owned(), "v1".to_owned())]),
        );
        ns.insert(
            "codepipeline".to_owned(),
            BTreeMap::from([("PipelineExecutionId".to_owned(), "e-1".to_owned())]),
        );
        assert_eq!(
            resolve(
                "x-#{SourceVariables.VersionId}-#{codepipeline.PipelineExecutionId}",
                &ns
            ),
            Ok("x-v1-e-1".to_owned())
        );
        assert_eq!(resolve("plain", &ns), Ok("plain".to_owned()));
        assert_eq!(
            resolve("#{Build.Missing}", &ns),
            Err("Build.Missing".to_owned())
        );
    }
}
