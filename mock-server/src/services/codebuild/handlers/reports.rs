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
    let name = input.name.unwrap_or_default();
    let export = input.export_config.unwrap_or_default();
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
        r#type: input.r#type,
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
    let arn = input.arn.unwrap_or_default();
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
    let arn = input.arn.unwrap_or_default();
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
    for arn in input.report_group_arns.unwrap_or_default() {
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
    for arn in input.report_arns.unwrap_or_default() {
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
    let arn = input.arn.unwrap_or_default();
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
    let arn = input.report_group_arn.unwrap_or_default();
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
    let arn = input.report_arn.unwrap_or_default();
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
    let arn = input.report_arn.unwrap_or_default();
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
    let arn = input.report_group_arn.unwrap_or_default();
    let resources = &call.state.resources;
    if !resources.report_groups.contains_key(&arn) {
        return Err(group_not_found(&arn));
    }
    // The most recent `numOfReports` reports (default and maximum 100, the model's range).
    let n = input.num_of_reports.unwrap_or(100).clamp(1, 100) as usize;
    let reports = resources.reports_of_group(&arn);
    let recent: Vec<_> = reports.iter().rev().take(n).collect();
    let field = input
        .trend_field
        .unwrap_or(ReportGroupTrendFieldType::PassRate);
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
