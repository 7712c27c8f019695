//! CodeBuild's resources beside projects and builds: report groups and reports, fleets, source
//! credentials and resource policies.

use super::reports::{FileCoverage, Parsed, ReportKind, TestCaseResult};
use codemock_wire::codebuild::{
    CodeCoverageReportSummary, Fleet, Report, ReportExportConfig, ReportExportConfigType,
    ReportGroup, ReportGroupStatusType, ReportStatusType, ReportType, TestReportSummary,
};
use codemock_wire::types::Timestamp;
use std::collections::BTreeMap;

/// A report expires 30 days after it is created (AWS's `Report.expired` doc; the CLI example
/// shows `expired` on whole seconds).
pub const REPORT_LIFETIME_SECS: f64 = 30.0 * 24.0 * 3600.0;

/// A report and what it holds.
#[derive(Debug, Clone)]
pub struct ReportRecord {
    pub report: Report,
    pub test_cases: Vec<TestCaseResult>,
    /// Per file, with its code coverage id.
    pub coverage: Vec<(String, FileCoverage)>,
    /// Order of creation (reports created in the same instant keep their order).
    pub seq: u64,
}

/// An imported source credential (the token itself is kept only to honour the API; it is never
/// returned).
#[derive(Debug, Clone)]
pub struct SourceCredential {
    pub arn: String,
    pub server_type: String,
    pub auth_type: String,
    pub username: Option<String>,
    pub token: String,
}

/// The state of those resources in one partition.
#[derive(Debug, Default)]
pub struct Resources {
    /// Report groups by ARN.
    pub report_groups: BTreeMap<String, ReportGroup>,
    /// Reports by ARN.
    pub reports: BTreeMap<String, ReportRecord>,
    pub next_seq: u64,
    /// Source credentials by ARN.
    pub source_credentials: BTreeMap<String, SourceCredential>,
    /// Resource policies by resource ARN (projects and report groups).
    pub policies: BTreeMap<String, String>,
    /// Fleets by ARN.
    pub fleets: BTreeMap<String, Fleet>,
}

pub fn report_group_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:codebuild:{region}:{account}:report-group/{name}")
}

/// The name in a report group ARN (`...:report-group/<name>`).
pub fn report_group_name(arn: &str) -> Option<&str> {
    arn.split_once(":report-group/").map(|(_, n)| n)
}

/// The report group ARN of a report ARN (`...:report/<group>:<uuid>`).
pub fn report_group_of_report(report_arn: &str) -> Option<String> {
    let (prefix, rest) = report_arn.split_once(":report/")?;
    let (group, _) = rest.rsplit_once(':')?;
    Some(format!("{prefix}:report-group/{group}"))
}

impl Resources {
    /// Reports of a group, oldest first.
    pub fn reports_of_group<'a>(&'a self, group_arn: &'a str) -> Vec<&'a ReportRecord> {
        let mut v: Vec<&ReportRecord> = self
            .reports
            .values()
            .filter(|r| r.report.report_group_arn.as_deref() == Some(group_arn))
            .collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    /// Records a report a build produced from the files of one `reports` group of its
    /// buildspec, and answers the report's ARN.
    ///
    /// `group_name_or_arn` is the buildspec's key under `reports`: an ARN names an existing
    /// group; a name is the group `<project>-<name>`, which CodeBuild creates (type from the
    /// files, export `NO_EXPORT`) when it does not exist yet (AWS's test reporting guide:
    /// "CodeBuild creates a report group named `<project-name>-<report-group-name>`").
    #[allow(
        clippy::too_many_arguments,
        reason = "the build side's call, named by the lead's contract"
    )]
    pub fn record_report(
        &mut self,
        account: &str,
        region: &str,
        group_name_or_arn: &str,
        project: &str,
        build_arn: &str,
        parsed: Parsed,
        now: f64,
        ids: &crate::ids::Ids,
    ) -> String {
        let (group_arn, group_name) = if group_name_or_arn.starts_with("arn:") {
            let name = report_group_name(group_name_or_arn)
                .unwrap_or(group_name_or_arn)
                .to_string();
            (group_name_or_arn.to_string(), name)
        } else {
            let name = format!("{project}-{group_name_or_arn}");
            (report_group_arn(region, account, &name), name)
        };
        let kind = match parsed.kind {
            ReportKind::Test => ReportType::Test,
            ReportKind::CodeCoverage => ReportType::CodeCoverage,
        };
        let group = self
            .report_groups
            .entry(group_arn.clone())
            .or_insert_with(|| ReportGroup {
                arn: Some(group_arn.clone()),
                name: Some(group_name.clone()),
                r#type: Some(kind),
                export_config: Some(ReportExportConfig {
                    export_config_type: Some(ReportExportConfigType::NoExport),
                    s3_destination: None,
                }),
                created: Some(Timestamp(now)),
                last_modified: Some(Timestamp(now)),
                tags: None,
                status: Some(ReportGroupStatusType::Active),
            });
        let export_config = group.export_config.clone();
        let arn = format!(
            "arn:aws:codebuild:{region}:{account}:report/{group_name}:{}",
            ids.uuid()
        );
        let status = match parsed.status() {
            "FAILED" => ReportStatusType::Failed,
            "INCOMPLETE" => ReportStatusType::Incomplete,
            _ => ReportStatusType::Succeeded,
        };
        let mut report = Report {
            arn: Some(arn.clone()),
            r#type: Some(kind),
            name: Some(group_name),
            report_group_arn: Some(group_arn),
            execution_id: Some(build_arn.to_string()),
            status: Some(status),
            created: Some(Timestamp(now)),
            expired: Some(Timestamp((now + REPORT_LIFETIME_SECS).floor())),
            export_config,
            truncated: Some(false),
            test_summary: None,
            code_coverage_summary: None,
        };
        match parsed.kind {
            ReportKind::Test => {
                let s = parsed.test_summary();
                report.test_summary = Some(TestReportSummary {
                    total: Some(s.total),
                    status_counts: Some(s.status_counts),
                    duration_in_nano_seconds: Some(s.duration_in_nano_seconds),
                });
            }
            ReportKind::CodeCoverage => {
                let s = parsed.coverage_summary();
                report.code_coverage_summary = Some(CodeCoverageReportSummary {
                    line_coverage_percentage: Some(s.line_coverage_percentage),
                    lines_covered: Some(s.lines_covered),
                    lines_missed: Some(s.lines_missed),
                    branch_coverage_percentage: Some(s.branch_coverage_percentage),
                    branches_covered: Some(s.branches_covered),
                    branches_missed: Some(s.branches_missed),
                });
            }
        }
        let coverage = parsed
            .coverage
            .into_iter()
            .map(|f| (ids.uuid(), f))
            .collect();
        let seq = self.next_seq;
        self.next_seq += 1;
        self.reports.insert(
            arn.clone(),
            ReportRecord {
                report,
                test_cases: parsed.test_cases,
                coverage,
                seq,
            },
        );
        arn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn junit(body: &str) -> Parsed {
        Parsed::from_files("JUNITXML", &[("r.xml".into(), body.as_bytes().to_vec())])
    }

    #[test]
    fn recording_a_report_creates_the_project_group() {
        let ids = crate::ids::Ids::new(1);
        let mut r = Resources::default();
        let arn = r.record_report(
            "123456789012",
            "us-east-1",
            "unit",
            "web",
            "arn:aws:codebuild:us-east-1:123456789012:build/web:abc",
            junit(r#"<testsuite name="s"><testcase name="a" time="1"/><testcase name="b"><failure/></testcase></testsuite>"#),
            1000.5,
            &ids,
        );
        assert!(arn.starts_with("arn:aws:codebuild:us-east-1:123456789012:report/web-unit:"));
        let group =
            &r.report_groups["arn:aws:codebuild:us-east-1:123456789012:report-group/web-unit"];
        assert_eq!(group.name.as_deref(), Some("web-unit"));
        assert_eq!(group.r#type, Some(ReportType::Test));
        let rec = &r.reports[&arn];
        assert_eq!(rec.report.status, Some(ReportStatusType::Failed));
        assert_eq!(rec.report.name.as_deref(), Some("web-unit"));
        assert_eq!(
            rec.report.expired,
            Some(Timestamp(1000.0 + REPORT_LIFETIME_SECS))
        );
        let s = rec.report.test_summary.as_ref().expect("test value");
        assert_eq!(s.total, Some(2));
        assert_eq!(s.duration_in_nano_seconds, Some(1_000_000_000));
        assert_eq!(
            report_group_of_report(&arn).as_deref(),
            Some("arn:aws:codebuild:us-east-1:123456789012:report-group/web-unit")
        );
        // A second report lands in the same group.
        let arn2 = r.record_report(
            "123456789012",
            "us-east-1",
            "unit",
            "web",
            "b",
            junit(r#"<testsuite name="s"><testcase name="a"/></testsuite>"#),
            1001.0,
            &ids,
        );
        assert_eq!(r.report_groups.len(), 1);
        let group_arn = "arn:aws:codebuild:us-east-1:123456789012:report-group/web-unit";
        let of_group: Vec<_> = r
            .reports_of_group(group_arn)
            .iter()
            .map(|x| x.report.arn.clone().expect("test value"))
            .collect();
        assert_eq!(of_group, vec![arn, arn2]);
    }

    #[test]
    fn a_group_arn_is_used_as_is() {
        let ids = crate::ids::Ids::new(1);
        let mut r = Resources::default();
        let group = "arn:aws:codebuild:us-east-1:1:report-group/shared";
        let arn = r.record_report(
            "1",
            "us-east-1",
            group,
            "p",
            "b",
            junit("<testsuite/>"),
            0.0,
            &ids,
        );
        assert!(arn.contains(":report/shared:"));
        assert!(r.report_groups.contains_key(group));
    }
}
