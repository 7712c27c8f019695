//! Test report parsers: JUnit XML, Cucumber JSON, TestNG XML, Visual Studio TRX, NUnit 2 and 3.
//!
//! Each maps its format's outcome to CodeBuild's statuses (SUCCEEDED, FAILED, ERROR, SKIPPED,
//! UNKNOWN), its class or fixture to `prefix`, its suite to `testSuiteName`, and its duration
//! to nanoseconds.

use super::xml::{self, Element};
use super::{seconds_to_nanos, TestCaseResult};

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// The message of a JUnit/NUnit failure element: its `message` attribute, then its text.
fn failure_message(e: &Element) -> Option<String> {
    let attr = e.attr("message").unwrap_or("").trim().to_string();
    let text = e.all_text();
    match (attr.is_empty(), text.is_empty()) {
        (true, true) => None,
        (false, true) => Some(attr),
        (true, false) => Some(text),
        (false, false) if text.starts_with(&attr) => Some(text),
        (false, false) => Some(format!("{attr}\n{text}")),
    }
}

/// JUnit XML: `<testsuites>` of `<testsuite name>` of `<testcase classname name time>` with
/// `<failure>`, `<error>` or `<skipped>`; suites may nest, and a bare `<testsuite>` root is fine.
pub fn junit(raw_path: &str, content: &[u8]) -> Result<Vec<TestCaseResult>, String> {
    let root = xml::parse(content)?;
    if root.name != "testsuites" && root.name != "testsuite" {
        return Err(format!(
            "not a JUnit report: root element is <{}>",
            root.name
        ));
    }
    let mut out = Vec::new();
    fn suite(e: &Element, raw: &str, out: &mut Vec<TestCaseResult>) {
        let suite_name = e.attr("name").unwrap_or("").to_string();
        for c in &e.children {
            match c.name.as_str() {
                "testsuite" => suite(c, raw, out),
                "testcase" => {
                    let (status, message) = if let Some(f) = c.child("failure") {
                        ("FAILED", failure_message(f))
                    } else if let Some(f) = c.child("error") {
                        ("ERROR", failure_message(f))
                    } else if let Some(f) = c.child("skipped") {
                        ("SKIPPED", failure_message(f))
                    } else {
                        ("SUCCEEDED", None)
                    };
                    out.push(TestCaseResult {
                        test_raw_data_path: raw.to_string(),
                        test_suite_name: suite_name.clone(),
                        prefix: c.attr("classname").unwrap_or("").to_string(),
                        name: c.attr("name").unwrap_or("").to_string(),
                        status: status.to_string(),
                        duration_in_nano_seconds: seconds_to_nanos(c.attr("time").unwrap_or("0")),
                        message,
                    });
                }
                _ => {}
            }
        }
    }
    suite(&root, raw_path, &mut out);
    Ok(out)
}

/// TestNG XML: `<testng-results><suite name><test><class name><test-method status name
/// duration-ms>`; configuration methods (`is-config="true"`) are not test cases.
pub fn testng(raw_path: &str, content: &[u8]) -> Result<Vec<TestCaseResult>, String> {
    let root = xml::parse(content)?;
    if root.name != "testng-results" {
        return Err(format!(
            "not a TestNG report: root element is <{}>",
            root.name
        ));
    }
    let mut out = Vec::new();
    for suite in root.descendants("suite") {
        let suite_name = suite.attr("name").unwrap_or("");
        for class in suite.descendants("class") {
            for m in class.children_named("test-method") {
                if m.attr("is-config") == Some("true") {
                    continue;
                }
                let status = match m.attr("status").unwrap_or("") {
                    "PASS" => "SUCCEEDED",
                    "FAIL" => "FAILED",
                    "SKIP" => "SKIPPED",
                    _ => "UNKNOWN",
                };
                let message = m
                    .child("exception")
                    .and_then(|e| e.child("message").map(|m| m.all_text()))
                    .and_then(non_empty);
                let millis: f64 = m
                    .attr("duration-ms")
                    .and_then(|d| d.trim().parse().ok())
                    .unwrap_or(0.0);
                out.push(TestCaseResult {
                    test_raw_data_path: raw_path.to_string(),
                    test_suite_name: suite_name.to_string(),
                    prefix: class.attr("name").unwrap_or("").to_string(),
                    name: m.attr("name").unwrap_or("").to_string(),
                    status: status.to_string(),
                    duration_in_nano_seconds: (millis * 1e6).round() as i64,
                    message,
                });
            }
        }
    }
    Ok(out)
}

/// A TRX duration `hh:mm:ss.fffffff` to nanoseconds.
fn trx_duration(d: &str) -> i64 {
    let mut parts = d.trim().split(':');
    let (Some(h), Some(m), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        return 0;
    };
    let h: i64 = h.parse().unwrap_or(0);
    let m: i64 = m.parse().unwrap_or(0);
    (h * 3600 + m * 60) * 1_000_000_000 + seconds_to_nanos(s)
}

/// Visual Studio TRX: `<TestRun><Results><UnitTestResult testId testName outcome duration>`,
/// the class from `<TestDefinitions><UnitTest id><TestMethod className>`.
pub fn trx(raw_path: &str, content: &[u8]) -> Result<Vec<TestCaseResult>, String> {
    let root = xml::parse(content)?;
    if root.name != "TestRun" {
        return Err(format!("not a TRX report: root element is <{}>", root.name));
    }
    let suite_name = root.attr("name").unwrap_or("").to_string();
    let definitions = root.descendants("UnitTest");
    let mut out = Vec::new();
    for r in root.descendants("UnitTestResult") {
        let test_id = r.attr("testId").unwrap_or("");
        let class = definitions
            .iter()
            .find(|d| d.attr("id") == Some(test_id))
            .and_then(|d| d.child("TestMethod"))
            .and_then(|m| m.attr("className"))
            .unwrap_or("");
        let status = match r.attr("outcome").unwrap_or("") {
            "Passed" | "PassedButRunAborted" => "SUCCEEDED",
            "Failed" => "FAILED",
            "Error" | "Timeout" | "Aborted" => "ERROR",
            "NotExecuted" | "NotRunnable" | "Inconclusive" | "Disconnected" | "Warning"
            | "Completed" | "InProgress" | "Pending" => "SKIPPED",
            _ => "UNKNOWN",
        };
        let message = r
            .descendants("ErrorInfo")
            .first()
            .and_then(|e| e.child("Message"))
            .map(|m| m.all_text())
            .and_then(non_empty);
        out.push(TestCaseResult {
            test_raw_data_path: raw_path.to_string(),
            test_suite_name: suite_name.clone(),
            prefix: class.to_string(),
            name: r.attr("testName").unwrap_or("").to_string(),
            status: status.to_string(),
            duration_in_nano_seconds: r.attr("duration").map(trx_duration).unwrap_or(0),
            message,
        });
    }
    Ok(out)
}

/// The innermost fixture (or any suite) around each test case, NUnit 2 and 3 alike.
fn nunit_cases<'a>(e: &'a Element, fixture: &'a str, out: &mut Vec<(&'a str, &'a Element)>) {
    for c in &e.children {
        match c.name.as_str() {
            "test-case" => out.push((fixture, c)),
            "test-suite" => {
                let name = c.attr("name").unwrap_or(fixture);
                nunit_cases(c, name, out);
            }
            _ => nunit_cases(c, fixture, out),
        }
    }
}

/// The failure (or skip reason) message, untrimmed: AWS's DescribeTestCases example for NUnit
/// shows `"No arguments were provided\n"` (aws-cli examples, describe-test-cases.rst).
fn nunit_message(c: &Element) -> Option<String> {
    c.child("failure")
        .or_else(|| c.child("reason"))
        .and_then(|f| f.child("message"))
        .map(|m| m.text.clone())
        .filter(|t| !t.trim().is_empty())
}

/// Splits `Namespace.Class.Method` into (`Namespace.Class`, `Method`).
fn split_full_name(full: &str) -> (String, String) {
    // Parameterised names carry dots in their arguments: split before any `(`.
    let head_end = full.find('(').unwrap_or(full.len());
    match full[..head_end].rfind('.') {
        Some(i) => (full[..i].to_string(), full[i + 1..].to_string()),
        None => (String::new(), full.to_string()),
    }
}

/// NUnit 2 XML: `<test-results>` with nested `<test-suite>` and `<test-case name executed
/// result time>`; the case's name is `Namespace.Class.Method`.
pub fn nunit2(raw_path: &str, content: &[u8]) -> Result<Vec<TestCaseResult>, String> {
    let root = xml::parse(content)?;
    if root.name != "test-results" {
        return Err(format!(
            "not an NUnit 2 report: root element is <{}>",
            root.name
        ));
    }
    let mut cases = Vec::new();
    nunit_cases(&root, "", &mut cases);
    Ok(cases
        .into_iter()
        .map(|(fixture, c)| {
            let status = match c.attr("result").unwrap_or("") {
                "Success" => "SUCCEEDED",
                "Failure" => "FAILED",
                "Error" | "Cancelled" | "NotRunnable" => "ERROR",
                "Ignored" | "Skipped" | "Inconclusive" => "SKIPPED",
                _ if c.attr("executed") == Some("False") => "SKIPPED",
                _ => "UNKNOWN",
            };
            // AWS's example: prefix `NUnit.Tests.Assemblies.MockTestFixture`, name
            // `NUnit.Tests.Assemblies.MockTestFixture.NotRunnableTest` (the full name), status
            // ERROR for NotRunnable.
            let full = c.attr("name").unwrap_or("");
            let (prefix, _) = split_full_name(full);
            let name = full.to_string();
            TestCaseResult {
                test_raw_data_path: raw_path.to_string(),
                test_suite_name: fixture.to_string(),
                prefix,
                name,
                status: status.to_string(),
                duration_in_nano_seconds: seconds_to_nanos(c.attr("time").unwrap_or("0")),
                message: nunit_message(c),
            }
        })
        .collect())
}

/// NUnit 3 XML: `<test-run>` with nested `<test-suite>` and `<test-case name fullname
/// classname result label duration>`.
pub fn nunit3(raw_path: &str, content: &[u8]) -> Result<Vec<TestCaseResult>, String> {
    let root = xml::parse(content)?;
    if root.name != "test-run" {
        return Err(format!(
            "not an NUnit 3 report: root element is <{}>",
            root.name
        ));
    }
    let mut cases = Vec::new();
    nunit_cases(&root, "", &mut cases);
    Ok(cases
        .into_iter()
        .map(|(fixture, c)| {
            let label = c.attr("label").unwrap_or("");
            let status = match (c.attr("result").unwrap_or(""), label) {
                ("Passed", _) => "SUCCEEDED",
                ("Failed", "Error" | "Cancelled" | "Invalid") => "ERROR",
                ("Failed", _) => "FAILED",
                ("Skipped" | "Inconclusive" | "Warning", _) => "SKIPPED",
                _ => "UNKNOWN",
            };
            let prefix = match c.attr("classname") {
                Some(cn) => cn.to_string(),
                None => split_full_name(c.attr("fullname").unwrap_or("")).0,
            };
            TestCaseResult {
                test_raw_data_path: raw_path.to_string(),
                test_suite_name: fixture.to_string(),
                prefix,
                // The full name, as for NUnit 2.
                name: c
                    .attr("fullname")
                    .or(c.attr("name"))
                    .unwrap_or("")
                    .to_string(),
                status: status.to_string(),
                duration_in_nano_seconds: seconds_to_nanos(c.attr("duration").unwrap_or("0")),
                message: nunit_message(c),
            }
        })
        .collect())
}

/// Cucumber JSON: an array of features (`uri`, `name`, `elements`), each scenario a test case
/// whose status comes from its steps (any failed -> FAILED; all passed -> SUCCEEDED; skipped,
/// pending or undefined steps -> SKIPPED) and whose duration is the sum of its steps'
/// (Cucumber writes step durations in nanoseconds).
pub fn cucumber(raw_path: &str, content: &[u8]) -> Result<Vec<TestCaseResult>, String> {
    let json: serde_json::Value =
        serde_json::from_slice(content).map_err(|e| format!("invalid JSON: {e}"))?;
    let features = json
        .as_array()
        .ok_or("not a Cucumber report: the top level is not an array")?;
    let mut out = Vec::new();
    for f in features {
        let feature_name = f["name"].as_str().unwrap_or("");
        let uri = f["uri"].as_str().unwrap_or(feature_name);
        let Some(elements) = f["elements"].as_array() else {
            continue;
        };
        for el in elements {
            if el["type"].as_str() == Some("background") {
                continue;
            }
            let mut nanos: i64 = 0;
            let mut any_failed = false;
            let mut any_skipped = false;
            let mut any_unknown = false;
            let mut message = None;
            let steps = el["steps"].as_array().into_iter().flatten();
            let hooks = el["before"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(el["after"].as_array().into_iter().flatten());
            for step in steps.chain(hooks) {
                let result = &step["result"];
                nanos += result["duration"].as_i64().unwrap_or(0);
                match result["status"].as_str().unwrap_or("") {
                    "passed" => {}
                    "failed" => {
                        any_failed = true;
                        if message.is_none() {
                            message = result["error_message"]
                                .as_str()
                                .map(|s| s.trim().to_string());
                        }
                    }
                    "skipped" | "pending" | "undefined" => any_skipped = true,
                    _ => any_unknown = true,
                }
            }
            let status = if any_failed {
                "FAILED"
            } else if any_skipped {
                "SKIPPED"
            } else if any_unknown {
                "UNKNOWN"
            } else {
                "SUCCEEDED"
            };
            out.push(TestCaseResult {
                test_raw_data_path: raw_path.to_string(),
                test_suite_name: feature_name.to_string(),
                prefix: uri.to_string(),
                name: el["name"].as_str().unwrap_or("").to_string(),
                status: status.to_string(),
                duration_in_nano_seconds: nanos,
                message,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(cases: &[TestCaseResult]) -> Vec<&str> {
        cases.iter().map(|c| c.status.as_str()).collect()
    }

    #[test]
    fn junit_cases_with_every_outcome() {
        let cases = junit(
            "/src/reports/TEST-a.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="com.example.CalcTest" tests="4" time="0.5">
    <testcase classname="com.example.CalcTest" name="adds" time="0.25"/>
    <testcase classname="com.example.CalcTest" name="divides" time="0.1">
      <failure message="expected 2 but was 3" type="AssertionError">at CalcTest.java:12</failure>
    </testcase>
    <testcase classname="com.example.CalcTest" name="boom" time="0.001">
      <error message="NullPointerException"/>
    </testcase>
    <testcase classname="com.example.CalcTest" name="later"><skipped/></testcase>
  </testsuite>
</testsuites>"#,
        )
        .expect("test value");
        assert_eq!(
            statuses(&cases),
            ["SUCCEEDED", "FAILED", "ERROR", "SKIPPED"]
        );
        assert_eq!(cases[0].duration_in_nano_seconds, 250_000_000);
        assert_eq!(cases[0].prefix, "com.example.CalcTest");
        assert_eq!(cases[0].test_suite_name, "com.example.CalcTest");
        assert_eq!(cases[0].test_raw_data_path, "/src/reports/TEST-a.xml");
        assert_eq!(
            cases[1].message.as_deref(),
            Some("expected 2 but was 3\nat CalcTest.java:12")
        );
        assert_eq!(cases[2].message.as_deref(), Some("NullPointerException"));
        assert_eq!(cases[3].message, None);
    }

    #[test]
    fn junit_accepts_a_bare_testsuite_and_nested_suites() {
        let cases = junit(
            "r.xml",
            br#"<testsuite name="outer"><testsuite name="inner"><testcase name="t" time="1,5"/></testsuite></testsuite>"#,
        )
        .expect("test value");
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].test_suite_name, "inner");
        assert_eq!(cases[0].duration_in_nano_seconds, 15_000_000_000);
    }

    #[test]
    fn junit_rejects_other_documents() {
        assert!(junit("r.xml", b"<html/>").is_err());
        assert!(junit("r.xml", b"{}").is_err());
    }

    #[test]
    fn testng_methods_without_config_methods() {
        let cases = testng(
            "testng-results.xml",
            br#"<testng-results skipped="1" failed="1" total="3" passed="1">
  <suite name="Suite1" duration-ms="40">
    <test name="T1">
      <class name="com.example.ATest">
        <test-method status="PASS" name="setUp" is-config="true" duration-ms="1"/>
        <test-method status="PASS" name="works" duration-ms="12"/>
        <test-method status="FAIL" name="breaks" duration-ms="3">
          <exception class="java.lang.AssertionError"><message><![CDATA[expected [1] but found [2]]]></message></exception>
        </test-method>
        <test-method status="SKIP" name="skipped" duration-ms="0"/>
      </class>
    </test>
  </suite>
</testng-results>"#,
        )
        .expect("test value");
        assert_eq!(statuses(&cases), ["SUCCEEDED", "FAILED", "SKIPPED"]);
        assert_eq!(cases[0].duration_in_nano_seconds, 12_000_000);
        assert_eq!(cases[0].prefix, "com.example.ATest");
        assert_eq!(cases[0].test_suite_name, "Suite1");
        assert_eq!(
            cases[1].message.as_deref(),
            Some("expected [1] but found [2]")
        );
    }

    #[test]
    fn trx_results_with_classes_from_definitions() {
        let cases = trx(
            "results.trx",
            br#"<?xml version="1.0" encoding="utf-8"?>
<TestRun id="1" name="user@host 2024-01-01" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Results>
    <UnitTestResult testId="a1" testName="Adds" outcome="Passed" duration="00:00:01.5000000"/>
    <UnitTestResult testId="a2" testName="Fails" outcome="Failed" duration="00:01:00.0000000">
      <Output><ErrorInfo><Message>Assert.AreEqual failed</Message><StackTrace>at X</StackTrace></ErrorInfo></Output>
    </UnitTestResult>
    <UnitTestResult testId="a3" testName="Skips" outcome="NotExecuted"/>
  </Results>
  <TestDefinitions>
    <UnitTest id="a1" name="Adds"><TestMethod className="Calc.Tests" name="Adds"/></UnitTest>
    <UnitTest id="a2" name="Fails"><TestMethod className="Calc.Tests" name="Fails"/></UnitTest>
  </TestDefinitions>
</TestRun>"#,
        )
        .expect("test value");
        assert_eq!(statuses(&cases), ["SUCCEEDED", "FAILED", "SKIPPED"]);
        assert_eq!(cases[0].duration_in_nano_seconds, 1_500_000_000);
        assert_eq!(cases[1].duration_in_nano_seconds, 60_000_000_000);
        assert_eq!(cases[0].prefix, "Calc.Tests");
        assert_eq!(cases[2].prefix, "");
        assert_eq!(cases[1].message.as_deref(), Some("Assert.AreEqual failed"));
        assert_eq!(cases[0].test_suite_name, "user@host 2024-01-01");
    }

    #[test]
    fn nunit2_cases_split_their_full_names() {
        let cases = nunit2(
            "TestResult.xml",
            br#"<test-results name="tests.dll" total="3">
  <test-suite type="Assembly" name="tests.dll">
    <results>
      <test-suite type="TestFixture" name="CalcTests">
        <results>
          <test-case name="App.Tests.CalcTests.Adds" executed="True" result="Success" success="True" time="0.012"/>
          <test-case name="App.Tests.CalcTests.Fails" executed="True" result="Failure" success="False" time="0.003">
            <failure><message><![CDATA[Expected: 2 But was: 3]]></message><stack-trace/></failure>
          </test-case>
          <test-case name="App.Tests.CalcTests.Later" executed="False" result="Ignored">
            <reason><message><![CDATA[not yet]]></message></reason>
          </test-case>
          <test-case name="App.Tests.CalcTests.Param(1.5)" executed="True" result="Error" time="0"/>
        </results>
      </test-suite>
    </results>
  </test-suite>
</test-results>"#,
        )
        .expect("test value");
        assert_eq!(
            statuses(&cases),
            ["SUCCEEDED", "FAILED", "SKIPPED", "ERROR"]
        );
        assert_eq!(cases[0].prefix, "App.Tests.CalcTests");
        assert_eq!(cases[0].name, "App.Tests.CalcTests.Adds");
        assert_eq!(cases[0].test_suite_name, "CalcTests");
        assert_eq!(cases[0].duration_in_nano_seconds, 12_000_000);
        assert_eq!(cases[1].message.as_deref(), Some("Expected: 2 But was: 3"));
        assert_eq!(cases[2].message.as_deref(), Some("not yet"));
        assert_eq!(cases[3].prefix, "App.Tests.CalcTests");
    }

    #[test]
    fn nunit3_cases_with_labels() {
        let cases = nunit3(
            "TestResult.xml",
            br#"<test-run id="2" testcasecount="4" result="Failed">
  <test-suite type="Assembly" name="tests.dll">
    <test-suite type="TestFixture" name="CalcTests" fullname="App.CalcTests">
      <test-case name="Adds" fullname="App.CalcTests.Adds" classname="App.CalcTests" result="Passed" duration="0.5"/>
      <test-case name="Fails" fullname="App.CalcTests.Fails" result="Failed" duration="0.1">
        <failure><message><![CDATA[Expected 1]]></message></failure>
      </test-case>
      <test-case name="Throws" fullname="App.CalcTests.Throws" result="Failed" label="Error"/>
      <test-case name="Ignored" fullname="App.CalcTests.Ignored" result="Skipped" label="Ignored"/>
    </test-suite>
  </test-suite>
</test-run>"#,
        )
        .expect("test value");
        assert_eq!(
            statuses(&cases),
            ["SUCCEEDED", "FAILED", "ERROR", "SKIPPED"]
        );
        assert_eq!(cases[0].prefix, "App.CalcTests");
        assert_eq!(cases[1].prefix, "App.CalcTests");
        assert_eq!(cases[1].name, "App.CalcTests.Fails");
        assert_eq!(cases[0].duration_in_nano_seconds, 500_000_000);
        assert_eq!(cases[1].message.as_deref(), Some("Expected 1"));
        assert_eq!(cases[0].test_suite_name, "CalcTests");
    }

    #[test]
    fn cucumber_scenarios_from_their_steps() {
        let cases = cucumber(
            "cucumber.json",
            br#"[{"uri": "features/login.feature", "name": "Login", "elements": [
  {"type": "background", "name": "bg", "steps": []},
  {"type": "scenario", "name": "good password", "steps": [
    {"result": {"status": "passed", "duration": 1000}},
    {"result": {"status": "passed", "duration": 2000}}]},
  {"type": "scenario", "name": "bad password", "steps": [
    {"result": {"status": "failed", "duration": 5, "error_message": "expected error page\n at step"}},
    {"result": {"status": "skipped"}}]},
  {"type": "scenario", "name": "todo", "steps": [{"result": {"status": "undefined"}}]}
]}]"#,
        )
        .expect("test value");
        assert_eq!(statuses(&cases), ["SUCCEEDED", "FAILED", "SKIPPED"]);
        assert_eq!(cases[0].duration_in_nano_seconds, 3000);
        assert_eq!(cases[0].prefix, "features/login.feature");
        assert_eq!(cases[0].test_suite_name, "Login");
        assert_eq!(
            cases[1].message.as_deref(),
            Some("expected error page\n at step")
        );
        assert!(cucumber("c.json", b"{}").is_err());
        assert!(cucumber("c.json", b"not json").is_err());
    }
}
