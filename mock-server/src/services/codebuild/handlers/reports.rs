//! Report groups and reports: CreateReportGroup ... GetReportGroupTrend.
//!
//! Shapes follow AWS's CLI examples (aws-cli `awscli/examples/codebuild/*.rst`): a report's
//! `name` is its group's name, `expired` is 30 days after creation on whole seconds, test
//! summaries count all five statuses, coverage percentages have two decimals. Error message
//! texts are not in any recording we found; they follow CodeBuild's style and say so.

use crate::error::ServiceError;
use crate::services::codebuild::resources::report_group_arn;
use crate::services::codebuild::Call;
use crate::services::pagination::{paginate_ordered, Order};
use codemock_wire::codebuild::*;
use codemock_wire::types::Timestamp;

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidInputException", message)
}

fn not_found(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ResourceNotFoundException", message)
}

fn bad_token(_: crate::services::pagination::BadToken) -> ServiceError {
    invalid("Invalid next token")
}

/// `maxResults` within 1..=100, default 100 (the model's range for these operations).
fn limit(max_results: Option<i32>) -> usize {
    max_results.unwrap_or(100).clamp(1, 100) as usize
}

fn order(sort_order: Option<SortOrderType>, default: Order) -> Order {
    match sort_order {
        Some(SortOrderType::Ascending) => Order::Ascending,
        Some(SortOrderType::Descending) => Order::Descending,
        None => default,
    }
}

/// Pages `(key, item)` pairs sorted ascending by key, in `order`.
fn page<T: Clone>(
    mut items: Vec<(String, T)>,
    token: Option<&str>,
    limit: usize,
    order: Order,
) -> Result<crate::services::pagination::Page<T>, ServiceError> {
    items.sort_by(|a, b| a.0.cmp(&b.0));
    if order == Order::Descending {
        items.reverse();
    }
    paginate_ordered(
        items.iter().map(|(k, v)| (k.as_str(), v)),
        token,
        limit,
        order,
    )
    .map_err(bad_token)
}

fn time_key(t: Option<Timestamp>, tie: &str) -> String {
    format!("{:020.6}|{tie}", t.map(|t| t.0).unwrap_or(0.0))
}

/// Checks an export config as CodeBuild does: `S3` needs a destination bucket.
fn check_export(config: &ReportExportConfig) -> Result<(), ServiceError> {
    match config.export_config_type {
        Some(ReportExportConfigType::S3) => {
            let bucket = config
                .s3_destination
                .as_ref()
                .and_then(|d| d.bucket.as_deref())
                .unwrap_or("");
            if bucket.is_empty() {
                // Wording not confirmed against AWS.
                return Err(invalid(
                    "Report export config type S3 requires an S3 destination bucket",
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The export config as AWS echoes it: S3 destinations get `packaging` NONE and
/// `encryptionDisabled` false when not given (the CLI examples show both always present).
fn normalized_export(mut config: ReportExportConfig) -> ReportExportConfig {
    if let Some(d) = config.s3_destination.as_mut() {
        d.packaging.get_or_insert(ReportPackagingType::NoneValue);
        d.encryption_disabled.get_or_insert(false);
    }
    if config.export_config_type == Some(ReportExportConfigType::NoExport) {
        config.s3_destination = None;
    }
    config
}

pub(super) fn create_report_group(
    call: &mut Call<'_>,
    input: CreateReportGroupInput,
) -> Result<CreateReportGroupOutput, ServiceError> {
    let name = input.name;
    let export = input.export_config;
    check_export(&export)?;
    let arn = report_group_arn(&call.ctx.region, &call.ctx.account_id, &name);
    if call.state.resources.report_groups.contains_key(&arn) {
        // Wording not confirmed against AWS.
        return Err(ServiceError::new(
            "ResourceAlreadyExistsException",
            format!("Report group {arn} already exists"),
        ));
    }
    let now = Timestamp(call.ctx.received_at);
    let group = ReportGroup {
        arn: Some(arn.clone()),
        name: Some(name),
        r#type: Some(input.r#type),
        export_config: Some(normalized_export(export)),
        created: Some(now),
        last_modified: Some(now),
        tags: input.tags.filter(|t| !t.is_empty()),
        status: Some(ReportGroupStatusType::Active),
    };
    call.state
        .resources
        .report_groups
        .insert(arn, group.clone());
    Ok(CreateReportGroupOutput {
        report_group: Some(group),
    })
}

fn group_not_found(arn: &str) -> ServiceError {
    // Wording not confirmed against AWS.
    not_found(format!("Report group {arn} does not exist"))
}

pub(super) fn update_report_group(
    call: &mut Call<'_>,
    input: UpdateReportGroupInput,
) -> Result<UpdateReportGroupOutput, ServiceError> {
    let arn = input.arn;
    if let Some(export) = &input.export_config {
        check_export(export)?;
    }
    let now = Timestamp(call.ctx.received_at);
    let group = call
        .state
        .resources
        .report_groups
        .get_mut(&arn)
        .ok_or_else(|| group_not_found(&arn))?;
    if let Some(export) = input.export_config {
        group.export_config = Some(normalized_export(export));
    }
    if let Some(tags) = input.tags {
        group.tags = if tags.is_empty() { None } else { Some(tags) };
    }
    group.last_modified = Some(now);
    Ok(UpdateReportGroupOutput {
        report_group: Some(group.clone()),
    })
}

pub(super) fn delete_report_group(
    call: &mut Call<'_>,
    input: DeleteReportGroupInput,
) -> Result<DeleteReportGroupOutput, ServiceError> {
    let arn = input.arn;
    let resources = &mut call.state.resources;
    // Deleting a group that does not exist succeeds (the model lists no not-found error).
    if !resources.report_groups.contains_key(&arn) {
        return Ok(DeleteReportGroupOutput {});
    }
    let has_reports = resources
        .reports
        .values()
        .any(|r| r.report.report_group_arn.as_deref() == Some(arn.as_str()));
    if has_reports {
        if !input.delete_reports.unwrap_or(false) {
            // AWS documents that deleting a group with reports without deleteReports throws;
            // the wording is not confirmed.
            return Err(invalid(format!(
                "Report group {arn} has reports. Delete its reports first or set deleteReports to true"
            )));
        }
        resources
            .reports
            .retain(|_, r| r.report.report_group_arn.as_deref() != Some(arn.as_str()));
    }
    resources.report_groups.remove(&arn);
    resources.policies.remove(&arn);
    Ok(DeleteReportGroupOutput {})
}

pub(super) fn batch_get_report_groups(
    call: &mut Call<'_>,
    input: BatchGetReportGroupsInput,
) -> Result<BatchGetReportGroupsOutput, ServiceError> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for arn in input.report_group_arns {
        match call.state.resources.report_groups.get(&arn) {
            Some(g) => found.push(g.clone()),
            None => missing.push(arn),
        }
    }
    Ok(BatchGetReportGroupsOutput {
        report_groups: Some(found),
        report_groups_not_found: Some(missing),
    })
}

pub(super) fn list_report_groups(
    call: &mut Call<'_>,
    input: ListReportGroupsInput,
) -> Result<ListReportGroupsOutput, ServiceError> {
    let items = call
        .state
        .resources
        .report_groups
        .iter()
        .map(|(arn, g)| {
            let name = g.name.clone().unwrap_or_default();
            let key = match input.sort_by {
                Some(ReportGroupSortByType::CreatedTime) => time_key(g.created, &name),
                Some(ReportGroupSortByType::LastModifiedTime) => time_key(g.last_modified, &name),
                _ => name,
            };
            (key, arn.clone())
        })
        .collect();
    let p = page(
        items,
        input.next_token.as_deref(),
        limit(input.max_results),
        order(input.sort_order, Order::Ascending),
    )?;
    Ok(ListReportGroupsOutput {
        next_token: p.next_token,
        report_groups: Some(p.items),
    })
}

/// Nothing is shared with this account (codemock has no AWS RAM), so the list is empty.
pub(super) fn list_shared_report_groups(
    _call: &mut Call<'_>,
    _input: ListSharedReportGroupsInput,
) -> Result<ListSharedReportGroupsOutput, ServiceError> {
    Ok(ListSharedReportGroupsOutput {
        next_token: None,
        report_groups: Some(Vec::new()),
    })
}

pub(super) fn batch_get_reports(
    call: &mut Call<'_>,
    input: BatchGetReportsInput,
) -> Result<BatchGetReportsOutput, ServiceError> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for arn in input.report_arns {
        match call.state.resources.reports.get(&arn) {
            Some(r) => found.push(r.report.clone()),
            None => missing.push(arn),
        }
    }
    Ok(BatchGetReportsOutput {
        reports: Some(found),
        reports_not_found: Some(missing),
    })
}

pub(super) fn delete_report(
    call: &mut Call<'_>,
    input: DeleteReportInput,
) -> Result<DeleteReportOutput, ServiceError> {
    let arn = input.arn;
    call.state.resources.reports.remove(&arn);
    Ok(DeleteReportOutput {})
}

fn report_keys<'a>(
    reports: impl Iterator<Item = &'a crate::services::codebuild::resources::ReportRecord>,
    filter: Option<&ReportFilter>,
) -> Vec<(String, String)> {
    reports
        .filter(|r| {
            filter
                .and_then(|f| f.status)
                .is_none_or(|s| r.report.status == Some(s))
        })
        .map(|r| {
            (
                format!("{:020}", r.seq),
                r.report.arn.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// Reports of the account, newest first unless asked otherwise.
pub(super) fn list_reports(
    call: &mut Call<'_>,
    input: ListReportsInput,
) -> Result<ListReportsOutput, ServiceError> {
    let items = report_keys(call.state.resources.reports.values(), input.filter.as_ref());
    let p = page(
        items,
        input.next_token.as_deref(),
        limit(input.max_results),
        order(input.sort_order, Order::Descending),
    )?;
    Ok(ListReportsOutput {
        next_token: p.next_token,
        reports: Some(p.items),
    })
}

pub(super) fn list_reports_for_report_group(
    call: &mut Call<'_>,
    input: ListReportsForReportGroupInput,
) -> Result<ListReportsForReportGroupOutput, ServiceError> {
    let arn = input.report_group_arn;
    let resources = &call.state.resources;
    if !resources.report_groups.contains_key(&arn) {
        return Err(group_not_found(&arn));
    }
    let items = report_keys(
        resources.reports_of_group(&arn).into_iter(),
        input.filter.as_ref(),
    );
    let p = page(
        items,
        input.next_token.as_deref(),
        limit(input.max_results),
        order(input.sort_order, Order::Descending),
    )?;
    Ok(ListReportsForReportGroupOutput {
        next_token: p.next_token,
        reports: Some(p.items),
    })
}

fn report_not_found(arn: &str) -> ServiceError {
    // Wording not confirmed against AWS.
    not_found(format!("Report {arn} does not exist"))
}

pub(super) fn describe_test_cases(
    call: &mut Call<'_>,
    input: DescribeTestCasesInput,
) -> Result<DescribeTestCasesOutput, ServiceError> {
    let arn = input.report_arn;
    let record = call
        .state
        .resources
        .reports
        .get(&arn)
        .ok_or_else(|| report_not_found(&arn))?;
    let status = input.filter.as_ref().and_then(|f| f.status.clone());
    if let Some(s) = &status {
        if !crate::services::codebuild::reports::TEST_STATUSES.contains(&s.as_str()) {
            // The statuses AWS documents for TestCaseFilter.status.
            return Err(invalid(format!(
                "Invalid test case status {s}: valid values are SUCCEEDED, FAILED, ERROR, SKIPPED, UNKNOWN"
            )));
        }
    }
    let keyword = input.filter.as_ref().and_then(|f| f.keyword.clone());
    let expired = record.report.expired;
    let items: Vec<(String, TestCase)> = record
        .test_cases
        .iter()
        .enumerate()
        .filter(|(_, c)| status.as_ref().is_none_or(|s| &c.status == s))
        // The keyword filters on the name or the prefix (TestCaseFilter.keyword's doc).
        .filter(|(_, c)| {
            keyword
                .as_ref()
                .is_none_or(|k| c.name.contains(k.as_str()) || c.prefix.contains(k.as_str()))
        })
        .map(|(i, c)| {
            (
                format!("{i:010}"),
                TestCase {
                    report_arn: Some(arn.clone()),
                    test_raw_data_path: Some(c.test_raw_data_path.clone()),
                    prefix: Some(c.prefix.clone()),
                    name: Some(c.name.clone()),
                    status: Some(c.status.clone()),
                    duration_in_nano_seconds: Some(c.duration_in_nano_seconds),
                    message: c.message.clone(),
                    expired,
                    test_suite_name: Some(c.test_suite_name.clone()),
                },
            )
        })
        .collect();
    let p = page(
        items,
        input.next_token.as_deref(),
        limit(input.max_results),
        Order::Ascending,
    )?;
    Ok(DescribeTestCasesOutput {
        next_token: p.next_token,
        test_cases: Some(p.items),
    })
}

pub(super) fn describe_code_coverages(
    call: &mut Call<'_>,
    input: DescribeCodeCoveragesInput,
) -> Result<DescribeCodeCoveragesOutput, ServiceError> {
    use crate::services::codebuild::reports::round2;
    let arn = input.report_arn;
    // DescribeCodeCoverages models no not-found error: an unknown report has no coverage.
    let Some(record) = call.state.resources.reports.get(&arn) else {
        return Ok(DescribeCodeCoveragesOutput {
            next_token: None,
            code_coverages: Some(Vec::new()),
        });
    };
    let min = input.min_line_coverage_percentage.unwrap_or(0.0);
    let max = input.max_line_coverage_percentage.unwrap_or(100.0);
    let by_coverage = matches!(
        input.sort_by,
        Some(ReportCodeCoverageSortByType::LineCoveragePercentage)
    );
    let items: Vec<(String, CodeCoverage)> = record
        .coverage
        .iter()
        .filter(|(_, f)| {
            let pct = round2(f.line_coverage_percentage());
            pct >= min && pct <= max
        })
        .map(|(id, f)| {
            let pct = round2(f.line_coverage_percentage());
            let key = if by_coverage {
                format!("{:010.2}|{}", pct, f.file_path)
            } else {
                f.file_path.clone()
            };
            (
                key,
                CodeCoverage {
                    id: Some(id.clone()),
                    report_arn: Some(arn.clone()),
                    file_path: Some(f.file_path.clone()),
                    line_coverage_percentage: Some(pct),
                    lines_covered: Some(f.lines_covered),
                    lines_missed: Some(f.lines_missed),
                    branch_coverage_percentage: Some(round2(f.branch_coverage_percentage())),
                    branches_covered: Some(f.branches_covered),
                    branches_missed: Some(f.branches_missed),
                    expired: record.report.expired,
                },
            )
        })
        .collect();
    let p = page(
        items,
        input.next_token.as_deref(),
        limit(input.max_results),
        order(input.sort_order, Order::Ascending),
    )?;
    Ok(DescribeCodeCoveragesOutput {
        next_token: p.next_token,
        code_coverages: Some(p.items),
    })
}

/// A number as the trend writes it: whole numbers without a fraction, others with up to two
/// decimals.
fn trend_number(v: f64) -> String {
    let r = crate::services::codebuild::reports::round2(v);
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

pub(super) fn get_report_group_trend(
    call: &mut Call<'_>,
    input: GetReportGroupTrendInput,
) -> Result<GetReportGroupTrendOutput, ServiceError> {
    use crate::services::codebuild::reports::percentage;
    let arn = input.report_group_arn;
    let resources = &call.state.resources;
    if !resources.report_groups.contains_key(&arn) {
        return Err(group_not_found(&arn));
    }
    // The most recent `numOfReports` reports (default and maximum 100, the model's range).
    let n = input.num_of_reports.unwrap_or(100).clamp(1, 100) as usize;
    let reports = resources.reports_of_group(&arn);
    let recent: Vec<_> = reports.iter().rev().take(n).collect();
    let field = input.trend_field;
    let mut raw = Vec::new();
    let mut values = Vec::new();
    for r in recent {
        let t = r.report.test_summary.as_ref();
        let c = r.report.code_coverage_summary.as_ref();
        let v = match field {
            ReportGroupTrendFieldType::PassRate => t.map(|t| {
                let ok = t
                    .status_counts
                    .as_ref()
                    .and_then(|m| m.get("SUCCEEDED").copied())
                    .unwrap_or(0);
                let total = t.total.unwrap_or(0);
                percentage(ok, total - ok)
            }),
            ReportGroupTrendFieldType::Duration => {
                t.map(|t| t.duration_in_nano_seconds.unwrap_or(0) as f64)
            }
            ReportGroupTrendFieldType::Total => t.map(|t| t.total.unwrap_or(0) as f64),
            ReportGroupTrendFieldType::LineCoverage => {
                c.map(|c| c.line_coverage_percentage.unwrap_or(0.0))
            }
            ReportGroupTrendFieldType::LinesCovered => {
                c.map(|c| c.lines_covered.unwrap_or(0) as f64)
            }
            ReportGroupTrendFieldType::LinesMissed => c.map(|c| c.lines_missed.unwrap_or(0) as f64),
            ReportGroupTrendFieldType::BranchCoverage => {
                c.map(|c| c.branch_coverage_percentage.unwrap_or(0.0))
            }
            ReportGroupTrendFieldType::BranchesCovered => {
                c.map(|c| c.branches_covered.unwrap_or(0) as f64)
            }
            ReportGroupTrendFieldType::BranchesMissed => {
                c.map(|c| c.branches_missed.unwrap_or(0) as f64)
            }
        };
        if let Some(v) = v {
            values.push(v);
            raw.push(ReportWithRawData {
                report_arn: r.report.arn.clone(),
                data: Some(trend_number(v)),
            });
        }
    }
    let stats = if values.is_empty() {
        ReportGroupTrendStats::default()
    } else {
        let sum: f64 = values.iter().sum();
        ReportGroupTrendStats {
            average: Some(trend_number(sum / values.len() as f64)),
            max: Some(trend_number(
                values.iter().cloned().fold(f64::MIN, f64::max),
            )),
            min: Some(trend_number(
                values.iter().cloned().fold(f64::MAX, f64::min),
            )),
        }
    };
    Ok(GetReportGroupTrendOutput {
        stats: Some(stats),
        raw_data: Some(raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Config, Core, RequestContext};
    use crate::effects::Effects;
    use crate::services::codebuild::reports::Parsed;
    use crate::services::codebuild::state::State;

    const ACCOUNT: &str = "123456789012";
    const REGION: &str = "us-east-1";

    struct Fixture {
        core: std::sync::Arc<Core>,
        ctx: RequestContext,
        state: State,
        effects: Effects,
    }

    impl Fixture {
        fn new() -> Fixture {
            Fixture {
                core: Core::new(Config::default()),
                ctx: RequestContext::internal(ACCOUNT, REGION, 1000.0),
                state: State::default(),
                effects: Effects::new(),
            }
        }

        fn call(&mut self) -> Call<'_> {
            Call {
                ctx: &self.ctx,
                state: &mut self.state,
                core: &self.core,
                effects: &mut self.effects,
            }
        }

        fn record(&mut self, group: &str, format: &str, body: &str, now: f64) -> String {
            let parsed = Parsed::from_files(format, &[("/src/r".into(), body.as_bytes().to_vec())]);
            self.state.resources.record_report(
                ACCOUNT,
                REGION,
                group,
                "web",
                "arn:aws:codebuild:us-east-1:123456789012:build/web:1",
                parsed,
                now,
                &self.core.ids,
            )
        }
    }

    const JUNIT: &str = r#"<testsuite name="s">
      <testcase classname="a.B" name="one" time="1"/>
      <testcase classname="a.B" name="two" time="2"><failure message="bad"/></testcase>
      <testcase classname="a.C" name="three"><skipped/></testcase>
    </testsuite>"#;

    const JACOCO: &str = r#"<report name="r"><package name="p">
      <sourcefile name="A.java"><counter type="LINE" missed="1" covered="5"/><counter type="BRANCH" missed="1" covered="1"/></sourcefile>
      <sourcefile name="B.java"><counter type="LINE" missed="1" covered="10"/></sourcefile>
      <sourcefile name="C.java"><counter type="LINE" missed="9" covered="1"/></sourcefile>
    </package></report>"#;

    fn group_arn(name: &str) -> String {
        report_group_arn(REGION, ACCOUNT, name)
    }

    #[test]
    fn test_cases_filter_by_status_and_keyword_and_page() {
        let mut f = Fixture::new();
        let arn = f.record("unit", "JUNITXML", JUNIT, 1000.0);
        let mut call = f.call();
        let all = describe_test_cases(
            &mut call,
            DescribeTestCasesInput {
                report_arn: arn.clone(),
                ..Default::default()
            },
        )
        .expect("cases");
        let cases = all.test_cases.expect("list");
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].report_arn.as_deref(), Some(arn.as_str()));
        assert_eq!(cases[0].duration_in_nano_seconds, Some(1_000_000_000));
        assert_eq!(cases[0].expired, Some(Timestamp(1000.0 + 30.0 * 86400.0)));
        let failed = describe_test_cases(
            &mut call,
            DescribeTestCasesInput {
                report_arn: arn.clone(),
                filter: Some(TestCaseFilter {
                    status: Some("FAILED".into()),
                    keyword: None,
                }),
                ..Default::default()
            },
        )
        .expect("failed")
        .test_cases
        .expect("list");
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].message.as_deref(), Some("bad"));
        let by_keyword = describe_test_cases(
            &mut call,
            DescribeTestCasesInput {
                report_arn: arn.clone(),
                filter: Some(TestCaseFilter {
                    status: None,
                    keyword: Some("a.C".into()),
                }),
                ..Default::default()
            },
        )
        .expect("keyword")
        .test_cases
        .expect("list");
        assert_eq!(by_keyword.len(), 1);
        let first = describe_test_cases(
            &mut call,
            DescribeTestCasesInput {
                report_arn: arn.clone(),
                max_results: Some(2),
                ..Default::default()
            },
        )
        .expect("page");
        assert_eq!(first.test_cases.as_ref().map(Vec::len), Some(2));
        let second = describe_test_cases(
            &mut call,
            DescribeTestCasesInput {
                report_arn: arn.clone(),
                max_results: Some(2),
                next_token: first.next_token,
                ..Default::default()
            },
        )
        .expect("page 2");
        assert_eq!(
            second.test_cases.expect("list")[0].name.as_deref(),
            Some("three")
        );
        assert!(second.next_token.is_none());
        let bad = describe_test_cases(
            &mut call,
            DescribeTestCasesInput {
                report_arn: arn,
                filter: Some(TestCaseFilter {
                    status: Some("PASSED".into()),
                    keyword: None,
                }),
                ..Default::default()
            },
        );
        assert_eq!(bad.expect_err("bad status").code, "InvalidInputException");
    }

    #[test]
    fn code_coverages_filter_by_line_coverage_and_sort() {
        let mut f = Fixture::new();
        let arn = f.record("cov", "JACOCOXML", JACOCO, 1000.0);
        let mut call = f.call();
        let rows = describe_code_coverages(
            &mut call,
            DescribeCodeCoveragesInput {
                report_arn: arn.clone(),
                ..Default::default()
            },
        )
        .expect("coverages")
        .code_coverages
        .expect("list");
        let paths: Vec<_> = rows.iter().filter_map(|r| r.file_path.as_deref()).collect();
        assert_eq!(paths, ["p/A.java", "p/B.java", "p/C.java"]);
        // Two decimals, as AWS's example (83.33, 90.9).
        assert_eq!(rows[0].line_coverage_percentage, Some(83.33));
        assert_eq!(rows[1].line_coverage_percentage, Some(90.91));
        assert_eq!(rows[0].branch_coverage_percentage, Some(50.0));
        let sorted = describe_code_coverages(
            &mut call,
            DescribeCodeCoveragesInput {
                report_arn: arn.clone(),
                sort_by: Some(ReportCodeCoverageSortByType::LineCoveragePercentage),
                sort_order: Some(SortOrderType::Descending),
                min_line_coverage_percentage: Some(50.0),
                ..Default::default()
            },
        )
        .expect("sorted")
        .code_coverages
        .expect("list");
        let paths: Vec<_> = sorted
            .iter()
            .filter_map(|r| r.file_path.as_deref())
            .collect();
        assert_eq!(paths, ["p/B.java", "p/A.java"]);
        let report = &call.state.resources.reports[&arn].report;
        let s = report.code_coverage_summary.as_ref().expect("summary");
        assert_eq!((s.lines_covered, s.lines_missed), (Some(16), Some(11)));
        assert_eq!(s.line_coverage_percentage, Some(59.26));
        assert_eq!(report.r#type, Some(ReportType::CodeCoverage));
        assert_eq!(report.status, Some(ReportStatusType::Succeeded));
    }

    #[test]
    fn trend_stats_over_the_most_recent_reports() {
        let mut f = Fixture::new();
        f.record("unit", "JUNITXML", JUNIT, 1000.0);
        f.record(
            "unit",
            "JUNITXML",
            r#"<testsuite name="s"><testcase name="a" time="4"/></testsuite>"#,
            1001.0,
        );
        let mut call = f.call();
        let trend = |call: &mut Call<'_>, field, n| {
            get_report_group_trend(
                call,
                GetReportGroupTrendInput {
                    report_group_arn: group_arn("web-unit"),
                    num_of_reports: n,
                    trend_field: field,
                },
            )
            .expect("trend")
        };
        let t = trend(&mut call, ReportGroupTrendFieldType::PassRate, None);
        let stats = t.stats.expect("stats");
        // 1 of 3 passed (33.33) and 1 of 1 (100).
        assert_eq!(stats.min.as_deref(), Some("33.33"));
        assert_eq!(stats.max.as_deref(), Some("100"));
        assert_eq!(stats.average.as_deref(), Some("66.67"));
        let raw = t.raw_data.expect("raw");
        assert_eq!(raw.len(), 2);
        assert_eq!(raw[0].data.as_deref(), Some("100"));
        let t = trend(&mut call, ReportGroupTrendFieldType::Total, Some(1));
        assert_eq!(t.raw_data.expect("raw").len(), 1);
        assert_eq!(t.stats.expect("stats").max.as_deref(), Some("1"));
        let t = trend(&mut call, ReportGroupTrendFieldType::Duration, None);
        assert_eq!(t.stats.expect("stats").max.as_deref(), Some("4000000000"));
    }

    #[test]
    fn reports_list_newest_first_and_filter_by_status() {
        let mut f = Fixture::new();
        let failed = f.record("unit", "JUNITXML", JUNIT, 1000.0);
        let ok = f.record(
            "unit",
            "JUNITXML",
            r#"<testsuite name="s"><testcase name="a"/></testsuite>"#,
            1001.0,
        );
        let mut call = f.call();
        let all = list_reports(&mut call, ListReportsInput::default())
            .expect("list")
            .reports
            .expect("arns");
        assert_eq!(all, vec![ok.clone(), failed.clone()]);
        let only_failed = list_reports_for_report_group(
            &mut call,
            ListReportsForReportGroupInput {
                report_group_arn: group_arn("web-unit"),
                filter: Some(ReportFilter {
                    status: Some(ReportStatusType::Failed),
                }),
                ..Default::default()
            },
        )
        .expect("list")
        .reports
        .expect("arns");
        assert_eq!(only_failed, vec![failed.clone()]);
        let got = batch_get_reports(
            &mut call,
            BatchGetReportsInput {
                report_arns: vec![failed.clone()],
            },
        )
        .expect("get")
        .reports
        .expect("reports");
        let summary = got[0].test_summary.as_ref().expect("summary");
        assert_eq!(summary.total, Some(3));
        assert_eq!(
            summary.status_counts.as_ref().map(|m| m["UNKNOWN"]),
            Some(0)
        );
    }

    #[test]
    fn a_group_with_reports_is_deleted_only_with_delete_reports() {
        let mut f = Fixture::new();
        let report = f.record("unit", "JUNITXML", JUNIT, 1000.0);
        let mut call = f.call();
        let arn = group_arn("web-unit");
        let err = delete_report_group(
            &mut call,
            DeleteReportGroupInput {
                arn: arn.clone(),
                delete_reports: None,
            },
        )
        .expect_err("has reports");
        assert_eq!(err.code, "InvalidInputException");
        delete_report_group(
            &mut call,
            DeleteReportGroupInput {
                arn: arn.clone(),
                delete_reports: Some(true),
            },
        )
        .expect("deleted");
        assert!(!call.state.resources.reports.contains_key(&report));
        assert!(!call.state.resources.report_groups.contains_key(&arn));
    }
}
