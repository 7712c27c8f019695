//! Report files a build produces, parsed as CodeBuild parses them: test reports (JUnit XML,
//! Cucumber JSON, TestNG XML, Visual Studio TRX, NUnit 2 and NUnit 3 XML) into test cases, and
//! code coverage reports (Clover XML, Cobertura XML, JaCoCo XML, SimpleCov JSON) into per-file
//! coverage; with the report's status and summary as `BatchGetReports` shows them.

pub mod coverage;
pub mod testcases;
pub mod xml;

use std::collections::BTreeMap;

/// Whether a format is a test format or a coverage one (`ReportType` `TEST` / `CODE_COVERAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Test,
    CodeCoverage,
}

impl ReportKind {
    /// The `ReportType` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Test => "TEST",
            ReportKind::CodeCoverage => "CODE_COVERAGE",
        }
    }

    /// The kind of a `file-format`, or `None` for a format CodeBuild does not know.
    pub fn of_format(file_format: &str) -> Option<ReportKind> {
        match file_format {
            "JUNITXML" | "CUCUMBERJSON" | "TESTNGXML" | "VISUALSTUDIOTRX" | "NUNITXML"
            | "NUNIT3XML" => Some(ReportKind::Test),
            "CLOVERXML" | "COBERTURAXML" | "JACOCOXML" | "SIMPLECOV" => {
                Some(ReportKind::CodeCoverage)
            }
            _ => None,
        }
    }
}

/// The test case statuses CodeBuild reports.
pub const TEST_STATUSES: [&str; 5] = ["SUCCEEDED", "FAILED", "ERROR", "SKIPPED", "UNKNOWN"];

/// One test case as `DescribeTestCases` shows it (without the report ARN and expiry, which the
/// report group adds).
#[derive(Debug, Clone, PartialEq)]
pub struct TestCaseResult {
    /// The report file the case came from.
    pub test_raw_data_path: String,
    pub test_suite_name: String,
    /// The class (JUnit `classname`, TestNG class, TRX class, NUnit fixture; Cucumber feature).
    pub prefix: String,
    pub name: String,
    /// One of [`TEST_STATUSES`].
    pub status: String,
    pub duration_in_nano_seconds: i64,
    pub message: Option<String>,
}

/// Coverage of one source file as `DescribeCodeCoverages` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCoverage {
    pub file_path: String,
    pub lines_covered: i32,
    pub lines_missed: i32,
    pub branches_covered: i32,
    pub branches_missed: i32,
}

/// `covered / (covered + missed)` in percent; nothing to cover is 0 (an assumption: AWS's
/// value for files without branches is not recorded in what we could find).
pub fn percentage(covered: i32, missed: i32) -> f64 {
    let total = covered as i64 + missed as i64;
    if total <= 0 {
        0.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

impl FileCoverage {
    pub fn line_coverage_percentage(&self) -> f64 {
        percentage(self.lines_covered, self.lines_missed)
    }
    pub fn branch_coverage_percentage(&self) -> f64 {
        percentage(self.branches_covered, self.branches_missed)
    }
}

/// What a report's files hold, once parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub kind: ReportKind,
    /// The `file-format` of the files.
    pub file_format: String,
    pub test_cases: Vec<TestCaseResult>,
    pub coverage: Vec<FileCoverage>,
    /// Files that could not be parsed: (raw data path, why). A report with such files is
    /// `INCOMPLETE` when other files parsed, `FAILED` when none did.
    pub errors: Vec<(String, String)>,
}

/// `TestReportSummary`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSummary {
    pub total: i32,
    /// Every status of [`TEST_STATUSES`], zero counts included, as AWS returns them.
    pub status_counts: BTreeMap<String, i32>,
    pub duration_in_nano_seconds: i64,
}

/// `CodeCoverageReportSummary`.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageSummary {
    pub line_coverage_percentage: f64,
    pub lines_covered: i32,
    pub lines_missed: i32,
    pub branch_coverage_percentage: f64,
    pub branches_covered: i32,
    pub branches_missed: i32,
}

impl Parsed {
    /// An empty result of a format (no files matched).
    pub fn empty(file_format: &str) -> Parsed {
        Parsed {
            kind: ReportKind::of_format(file_format).unwrap_or(ReportKind::Test),
            file_format: file_format.to_string(),
            test_cases: Vec::new(),
            coverage: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Parses the report files of one `reports` group: `(raw data path, content)` each.
    pub fn from_files(file_format: &str, files: &[(String, Vec<u8>)]) -> Parsed {
        let mut parsed = Parsed::empty(file_format);
        for (path, content) in files {
            if let Err(e) = parsed.add_file(path, content) {
                parsed.errors.push((path.clone(), e));
            }
        }
        parsed
    }

    /// Parses one more file into the result.
    pub fn add_file(&mut self, raw_path: &str, content: &[u8]) -> Result<(), String> {
        match self.file_format.as_str() {
            "JUNITXML" => self.test_cases.extend(testcases::junit(raw_path, content)?),
            "CUCUMBERJSON" => self
                .test_cases
                .extend(testcases::cucumber(raw_path, content)?),
            "TESTNGXML" => self
                .test_cases
                .extend(testcases::testng(raw_path, content)?),
            "VISUALSTUDIOTRX" => self.test_cases.extend(testcases::trx(raw_path, content)?),
            "NUNITXML" => self
                .test_cases
                .extend(testcases::nunit2(raw_path, content)?),
            "NUNIT3XML" => self
                .test_cases
                .extend(testcases::nunit3(raw_path, content)?),
            "CLOVERXML" => merge(&mut self.coverage, coverage::clover(content)?),
            "COBERTURAXML" => merge(&mut self.coverage, coverage::cobertura(content)?),
            "JACOCOXML" => merge(&mut self.coverage, coverage::jacoco(content)?),
            "SIMPLECOV" => merge(&mut self.coverage, coverage::simplecov(content)?),
            other => return Err(format!("unsupported report file format {other}")),
        }
        Ok(())
    }

    /// The report's status: a test report with a FAILED or ERROR case is `FAILED`, one whose
    /// files could not all be read is `INCOMPLETE` (or `FAILED` when none could), otherwise
    /// `SUCCEEDED`.
    pub fn status(&self) -> &'static str {
        let nothing_read = self.test_cases.is_empty() && self.coverage.is_empty();
        if !self.errors.is_empty() {
            return if nothing_read { "FAILED" } else { "INCOMPLETE" };
        }
        if self.kind == ReportKind::Test
            && self
                .test_cases
                .iter()
                .any(|c| c.status == "FAILED" || c.status == "ERROR")
        {
            return "FAILED";
        }
        "SUCCEEDED"
    }

    pub fn test_summary(&self) -> TestSummary {
        test_summary(&self.test_cases)
    }

    pub fn coverage_summary(&self) -> CoverageSummary {
        coverage_summary(&self.coverage)
    }
}

fn merge(into: &mut Vec<FileCoverage>, more: Vec<FileCoverage>) {
    for f in more {
        match into.iter_mut().find(|e| e.file_path == f.file_path) {
            Some(e) => {
                e.lines_covered += f.lines_covered;
                e.lines_missed += f.lines_missed;
                e.branches_covered += f.branches_covered;
                e.branches_missed += f.branches_missed;
            }
            None => into.push(f),
        }
    }
}

pub fn test_summary(cases: &[TestCaseResult]) -> TestSummary {
    let mut status_counts: BTreeMap<String, i32> =
        TEST_STATUSES.iter().map(|s| (s.to_string(), 0)).collect();
    for c in cases {
        *status_counts.entry(c.status.clone()).or_default() += 1;
    }
    TestSummary {
        total: cases.len() as i32,
        status_counts,
        duration_in_nano_seconds: cases.iter().map(|c| c.duration_in_nano_seconds).sum(),
    }
}

pub fn coverage_summary(files: &[FileCoverage]) -> CoverageSummary {
    let lines_covered = files.iter().map(|f| f.lines_covered).sum();
    let lines_missed = files.iter().map(|f| f.lines_missed).sum();
    let branches_covered = files.iter().map(|f| f.branches_covered).sum();
    let branches_missed = files.iter().map(|f| f.branches_missed).sum();
    CoverageSummary {
        line_coverage_percentage: round2(percentage(lines_covered, lines_missed)),
        lines_covered,
        lines_missed,
        branch_coverage_percentage: round2(percentage(branches_covered, branches_missed)),
        branches_covered,
        branches_missed,
    }
}

/// Percentages with two decimals, as the console and API show them.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Seconds (a decimal string) to nanoseconds.
pub(crate) fn seconds_to_nanos(s: &str) -> i64 {
    s.trim()
        .replace(',', "")
        .parse::<f64>()
        .map(|v| (v * 1e9).round() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(status: &str, nanos: i64) -> TestCaseResult {
        TestCaseResult {
            test_raw_data_path: "r.xml".into(),
            test_suite_name: "s".into(),
            prefix: "p".into(),
            name: "n".into(),
            status: status.into(),
            duration_in_nano_seconds: nanos,
            message: None,
        }
    }

    #[test]
    fn the_test_summary_counts_every_status_with_zeros() {
        let s = test_summary(&[
            case("SUCCEEDED", 5),
            case("FAILED", 7),
            case("SUCCEEDED", 1),
        ]);
        assert_eq!(s.total, 3);
        assert_eq!(s.duration_in_nano_seconds, 13);
        assert_eq!(s.status_counts["SUCCEEDED"], 2);
        assert_eq!(s.status_counts["FAILED"], 1);
        assert_eq!(s.status_counts["ERROR"], 0);
        assert_eq!(s.status_counts.len(), 5);
    }

    #[test]
    fn a_report_with_a_failed_or_error_case_fails() {
        let mut p = Parsed::empty("JUNITXML");
        p.test_cases = vec![case("SUCCEEDED", 0), case("SKIPPED", 0)];
        assert_eq!(p.status(), "SUCCEEDED");
        p.test_cases.push(case("ERROR", 0));
        assert_eq!(p.status(), "FAILED");
    }

    #[test]
    fn unreadable_files_make_a_report_incomplete_or_failed() {
        let p = Parsed::from_files("JUNITXML", &[("bad.xml".into(), b"<x".to_vec())]);
        assert_eq!(p.status(), "FAILED");
        let p = Parsed::from_files(
            "JUNITXML",
            &[
                ("bad.xml".into(), b"<x".to_vec()),
                (
                    "ok.xml".into(),
                    br#"<testsuite name="s"><testcase name="t"/></testsuite>"#.to_vec(),
                ),
            ],
        );
        assert_eq!(p.status(), "INCOMPLETE");
        assert_eq!(p.errors.len(), 1);
    }

    #[test]
    fn the_coverage_summary_adds_files_up() {
        let files = vec![
            FileCoverage {
                file_path: "a".into(),
                lines_covered: 1,
                lines_missed: 2,
                branches_covered: 0,
                branches_missed: 0,
            },
            FileCoverage {
                file_path: "b".into(),
                lines_covered: 3,
                lines_missed: 0,
                branches_covered: 1,
                branches_missed: 1,
            },
        ];
        let s = coverage_summary(&files);
        assert_eq!((s.lines_covered, s.lines_missed), (4, 2));
        assert_eq!(s.line_coverage_percentage, 66.67);
        assert_eq!(s.branch_coverage_percentage, 50.0);
    }

    #[test]
    fn formats_have_kinds() {
        assert_eq!(
            ReportKind::of_format("JACOCOXML"),
            Some(ReportKind::CodeCoverage)
        );
        assert_eq!(ReportKind::of_format("NUNIT3XML"), Some(ReportKind::Test));
        assert_eq!(ReportKind::of_format("CSV"), None);
    }
}
