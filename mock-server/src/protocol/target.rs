//! Parsing of the `X-Amz-Target` header of the awsJson protocols: `<TargetPrefix>.<Operation>`.

/// Splits a target at its last `.` into (prefix, operation). `None` when either side is empty.
pub fn split_target(target: &str) -> Option<(&str, &str)> {
    let (prefix, operation) = target.rsplit_once('.')?;
    (!prefix.is_empty() && !operation.is_empty()).then_some((prefix, operation))
}

/// Splits a Smithy RPC v2 path `/service/<Service>/operation/<Operation>` (after any endpoint
/// path prefix, which the spec allows) into (service, operation).
pub fn split_rpc_v2_path(path: &str) -> Option<(&str, &str)> {
    let idx = path.rfind("/service/")?;
    let rest = &path[idx + "/service/".len()..];
    let (service, rest) = rest.split_once('/')?;
    let operation = rest.strip_prefix("operation/")?;
    let valid = |s: &str| !s.is_empty() && !s.contains('/');
    (valid(service) && valid(operation)).then_some((service, operation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_last_dot() {
        assert_eq!(
            split_target("CodePipeline_20150709.ListPipelines"),
            Some(("CodePipeline_20150709", "ListPipelines"))
        );
        assert_eq!(split_target("a.b.C"), Some(("a.b", "C")));
        assert_eq!(split_target("NoDot"), None);
        assert_eq!(split_target("Prefix."), None);
    }

    #[test]
    fn splits_rpc_v2_paths_with_and_without_prefix() {
        assert_eq!(
            split_rpc_v2_path("/service/CodeBuild_20161006/operation/ListProjects"),
            Some(("CodeBuild_20161006", "ListProjects"))
        );
        assert_eq!(
            split_rpc_v2_path("/custom/prefix/service/S/operation/Op"),
            Some(("S", "Op"))
        );
        assert_eq!(split_rpc_v2_path("/service/S/operation/"), None);
        assert_eq!(split_rpc_v2_path("/service/S/Op"), None);
    }
}
