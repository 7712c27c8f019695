//! Code coverage parsers: Clover XML, Cobertura XML, JaCoCo XML and SimpleCov JSON, each into
//! per-file line and branch counts.

use super::xml;
use super::FileCoverage;

fn int(s: Option<&str>) -> i32 {
    s.and_then(|v| v.trim().parse::<i64>().ok())
        .map(|v| v.clamp(0, i32::MAX as i64) as i32)
        .unwrap_or(0)
}

fn file(path: &str) -> FileCoverage {
    FileCoverage {
        file_path: path.to_string(),
        lines_covered: 0,
        lines_missed: 0,
        branches_covered: 0,
        branches_missed: 0,
    }
}

fn entry<'a>(files: &'a mut Vec<FileCoverage>, path: &str) -> &'a mut FileCoverage {
    let i = match files.iter().position(|f| f.file_path == path) {
        Some(i) => i,
        None => {
            files.push(file(path));
            files.len() - 1
        }
    };
    &mut files[i]
}

/// Clover XML: `<coverage><project><package><file name path>` with `<line num type count
/// truecount falsecount>`; statement lines count as lines, `cond` lines as two branches each.
pub fn clover(content: &[u8]) -> Result<Vec<FileCoverage>, String> {
    let root = xml::parse(content)?;
    if root.name != "coverage" || root.child("project").is_none() {
        return Err("not a Clover report: no <coverage><project>".to_string());
    }
    let mut out = Vec::new();
    for f in root.descendants("file") {
        let path = f.attr("path").or(f.attr("name")).unwrap_or("");
        let mut c = file(path);
        let lines: Vec<_> = f.children_named("line").collect();
        if lines.is_empty() {
            // Only the totals: `<metrics statements coveredstatements conditionals
            // coveredconditionals>`.
            if let Some(m) = f.child("metrics") {
                let st = int(m.attr("statements"));
                let cst = int(m.attr("coveredstatements"));
                let co = int(m.attr("conditionals"));
                let cco = int(m.attr("coveredconditionals"));
                c.lines_covered = cst;
                c.lines_missed = (st - cst).max(0);
                c.branches_covered = cco;
                c.branches_missed = (co - cco).max(0);
            }
        }
        for l in lines {
            match l.attr("type").unwrap_or("stmt") {
                "cond" => {
                    let t = int(l.attr("truecount"));
                    let fa = int(l.attr("falsecount"));
                    c.branches_covered += (t > 0) as i32 + (fa > 0) as i32;
                    c.branches_missed += (t == 0) as i32 + (fa == 0) as i32;
                    if t > 0 || fa > 0 {
                        c.lines_covered += 1;
                    } else {
                        c.lines_missed += 1;
                    }
                }
                "method" => {}
                _ => {
                    if int(l.attr("count")) > 0 {
                        c.lines_covered += 1;
                    } else {
                        c.lines_missed += 1;
                    }
                }
            }
        }
        out.push(c);
    }
    Ok(out)
}

/// `condition-coverage="50% (1/2)"` -> (1, 2).
fn condition_coverage(s: &str) -> Option<(i32, i32)> {
    let inner = s.split_once('(')?.1.split_once(')')?.0;
    let (a, b) = inner.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// Cobertura XML: `<coverage><packages><package><classes><class filename><lines><line number
/// hits branch condition-coverage>`; classes of one file add up, a line counted once per file.
pub fn cobertura(content: &[u8]) -> Result<Vec<FileCoverage>, String> {
    let root = xml::parse(content)?;
    if root.name != "coverage" {
        return Err(format!(
            "not a Cobertura report: root element is <{}>",
            root.name
        ));
    }
    let mut out: Vec<FileCoverage> = Vec::new();
    // (file, line number) -> (hit, branches covered, branches total), the best seen.
    let mut seen: std::collections::BTreeMap<(String, String), (bool, i32, i32)> =
        Default::default();
    let mut order: Vec<String> = Vec::new();
    for class in root.descendants("class") {
        let path = class.attr("filename").unwrap_or("").to_string();
        if !order.contains(&path) {
            order.push(path.clone());
        }
        let Some(lines) = class.child("lines") else {
            continue;
        };
        for l in lines.children_named("line") {
            let number = l.attr("number").unwrap_or("").to_string();
            let hit = int(l.attr("hits")) > 0;
            let (bc, bt) = if l.attr("branch") == Some("true") {
                l.attr("condition-coverage")
                    .and_then(condition_coverage)
                    .unwrap_or((0, 0))
            } else {
                (0, 0)
            };
            let slot = seen.entry((path.clone(), number)).or_insert((false, 0, 0));
            slot.0 |= hit;
            slot.1 = slot.1.max(bc);
            slot.2 = slot.2.max(bt);
        }
    }
    for path in order {
        entry(&mut out, &path);
    }
    for ((path, _), (hit, bc, bt)) in seen {
        let c = entry(&mut out, &path);
        if hit {
            c.lines_covered += 1;
        } else {
            c.lines_missed += 1;
        }
        c.branches_covered += bc;
        c.branches_missed += (bt - bc).max(0);
    }
    Ok(out)
}

/// JaCoCo XML: `<report><package name><sourcefile name>` with `<counter type="LINE"|"BRANCH"
/// missed covered>` (or, without counters, `<line nr mi ci mb cb>`); the path is
/// `<package>/<file>`.
pub fn jacoco(content: &[u8]) -> Result<Vec<FileCoverage>, String> {
    let root = xml::parse(content)?;
    if root.name != "report" {
        return Err(format!(
            "not a JaCoCo report: root element is <{}>",
            root.name
        ));
    }
    let mut out = Vec::new();
    for package in root.descendants("package") {
        let pkg = package.attr("name").unwrap_or("");
        for sf in package.children_named("sourcefile") {
            let name = sf.attr("name").unwrap_or("");
            let path = if pkg.is_empty() {
                name.to_string()
            } else {
                format!("{pkg}/{name}")
            };
            let mut c = file(&path);
            let counters: Vec<_> = sf.children_named("counter").collect();
            if counters.is_empty() {
                for l in sf.children_named("line") {
                    if int(l.attr("ci")) > 0 {
                        c.lines_covered += 1;
                    } else {
                        c.lines_missed += 1;
                    }
                    c.branches_covered += int(l.attr("cb"));
                    c.branches_missed += int(l.attr("mb"));
                }
            }
            for k in counters {
                let (missed, covered) = (int(k.attr("missed")), int(k.attr("covered")));
                match k.attr("type") {
                    Some("LINE") => {
                        c.lines_covered = covered;
                        c.lines_missed = missed;
                    }
                    Some("BRANCH") => {
                        c.branches_covered = covered;
                        c.branches_missed = missed;
                    }
                    _ => {}
                }
            }
            out.push(c);
        }
    }
    Ok(out)
}

/// Line hits (`[1, null, 0]`: null is not a relevant line) into (covered, missed).
fn simplecov_lines(lines: &serde_json::Value) -> (i32, i32) {
    let mut covered = 0;
    let mut missed = 0;
    for v in lines.as_array().into_iter().flatten() {
        match v.as_i64() {
            Some(n) if n > 0 => covered += 1,
            Some(_) => missed += 1,
            None => {}
        }
    }
    (covered, missed)
}

/// SimpleCov 0.18+ branches: `{"[:if, 0, 3, 4, 3, 10]": {"[:then, 1, ...]": 2, "[:else, ...]": 0}}`.
fn simplecov_branches(branches: &serde_json::Value) -> (i32, i32) {
    let mut covered = 0;
    let mut missed = 0;
    for conds in branches.as_object().into_iter().flat_map(|m| m.values()) {
        for hits in conds.as_object().into_iter().flat_map(|m| m.values()) {
            if hits.as_i64().unwrap_or(0) > 0 {
                covered += 1;
            } else {
                missed += 1;
            }
        }
    }
    (covered, missed)
}

/// SimpleCov JSON: the JSON formatter's `{"coverage": {"<file>": {"lines": [...], "branches":
/// {...}}}}`, the `.resultset.json` `{"<command>": {"coverage": {...}}}` (with the pre-0.18
/// `"<file>": [...]` form), or simplecov-json's `{"files": [{"filename", "coverage"}]}`.
pub fn simplecov(content: &[u8]) -> Result<Vec<FileCoverage>, String> {
    let json: serde_json::Value =
        serde_json::from_slice(content).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = json
        .as_object()
        .ok_or("not a SimpleCov report: the top level is not an object")?;
    let mut out = Vec::new();
    let add_map = |coverage: &serde_json::Map<String, serde_json::Value>,
                   out: &mut Vec<FileCoverage>| {
        for (path, data) in coverage {
            let (lc, lm) = if data.is_array() {
                simplecov_lines(data)
            } else {
                simplecov_lines(&data["lines"])
            };
            let (bc, bm) = simplecov_branches(&data["branches"]);
            let c = entry(out, path);
            c.lines_covered += lc;
            c.lines_missed += lm;
            c.branches_covered += bc;
            c.branches_missed += bm;
        }
    };
    if let Some(files) = obj.get("files").and_then(|f| f.as_array()) {
        for f in files {
            let path = f["filename"].as_str().unwrap_or("");
            let cov = &f["coverage"];
            let (lc, lm) = if cov.is_array() {
                simplecov_lines(cov)
            } else {
                simplecov_lines(&cov["lines"])
            };
            let (bc, bm) = simplecov_branches(&cov["branches"]);
            let c = entry(&mut out, path);
            c.lines_covered += lc;
            c.lines_missed += lm;
            c.branches_covered += bc;
            c.branches_missed += bm;
        }
    } else if let Some(coverage) = obj.get("coverage").and_then(|c| c.as_object()) {
        add_map(coverage, &mut out);
    } else {
        let mut any = false;
        for run in obj.values() {
            if let Some(coverage) = run.get("coverage").and_then(|c| c.as_object()) {
                add_map(coverage, &mut out);
                any = true;
            }
        }
        if !any {
            return Err("not a SimpleCov report: no coverage found".to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(f: &FileCoverage) -> (i32, i32, i32, i32) {
        (
            f.lines_covered,
            f.lines_missed,
            f.branches_covered,
            f.branches_missed,
        )
    }

    #[test]
    fn clover_lines_and_conditions() {
        let files = clover(
            br#"<?xml version="1.0"?>
<coverage generated="1" clover="4.4.1">
  <project timestamp="1">
    <metrics statements="4" coveredstatements="3"/>
    <package name="app">
      <file name="calc.js" path="/src/app/calc.js">
        <metrics statements="3" coveredstatements="2" conditionals="2" coveredconditionals="1"/>
        <line num="1" count="1" type="stmt"/>
        <line num="2" count="0" type="stmt"/>
        <line num="3" count="4" type="cond" truecount="4" falsecount="0"/>
        <line num="4" count="1" type="method"/>
      </file>
      <file name="only-metrics.js" path="/src/app/m.js">
        <metrics statements="10" coveredstatements="7" conditionals="4" coveredconditionals="4"/>
      </file>
    </package>
  </project>
</coverage>"#,
        )
        .expect("test value");
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].file_path, "/src/app/calc.js");
        assert_eq!(counts(&files[0]), (2, 1, 1, 1));
        assert_eq!(counts(&files[1]), (7, 3, 4, 0));
        assert!(clover(b"<coverage/>").is_err());
    }

    #[test]
    fn cobertura_lines_and_condition_coverage() {
        let files = cobertura(
            br#"<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.5" branch-rate="0.5" version="1.9">
  <packages><package name="app"><classes>
    <class name="Calc" filename="app/calc.py" line-rate="0.5">
      <lines>
        <line number="1" hits="1"/>
        <line number="2" hits="0"/>
        <line number="3" hits="2" branch="true" condition-coverage="50% (1/2)"/>
      </lines>
    </class>
    <class name="Calc2" filename="app/calc.py">
      <lines><line number="2" hits="3"/><line number="9" hits="0"/></lines>
    </class>
    <class name="Empty" filename="app/empty.py"><lines/></class>
  </classes></package></packages>
</coverage>"#,
        )
        .expect("test value");
        assert_eq!(files.len(), 2);
        // Line 2 is hit by the second class: a line counts once per file.
        assert_eq!(counts(&files[0]), (3, 1, 1, 1));
        assert_eq!(files[1].file_path, "app/empty.py");
        assert_eq!(counts(&files[1]), (0, 0, 0, 0));
    }

    #[test]
    fn jacoco_counters_per_source_file() {
        let files = jacoco(
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="app">
  <package name="com/example">
    <class name="com/example/Calc" sourcefilename="Calc.java"/>
    <sourcefile name="Calc.java">
      <line nr="3" mi="0" ci="3" mb="0" cb="0"/>
      <counter type="INSTRUCTION" missed="2" covered="10"/>
      <counter type="BRANCH" missed="1" covered="3"/>
      <counter type="LINE" missed="2" covered="8"/>
    </sourcefile>
    <sourcefile name="Lines.java">
      <line nr="1" mi="0" ci="3" mb="1" cb="1"/>
      <line nr="2" mi="2" ci="0" mb="0" cb="0"/>
    </sourcefile>
  </package>
  <counter type="LINE" missed="2" covered="8"/>
</report>"#,
        )
        .expect("test value");
        assert_eq!(files[0].file_path, "com/example/Calc.java");
        assert_eq!(counts(&files[0]), (8, 2, 3, 1));
        assert_eq!(counts(&files[1]), (1, 1, 1, 1));
        assert_eq!(files[0].line_coverage_percentage(), 80.0);
    }

    #[test]
    fn simplecov_json_formatter_resultset_and_legacy_forms() {
        let files = simplecov(
            br#"{"meta": {"simplecov_version": "0.22.0"}, "coverage": {
  "/app/lib/calc.rb": {"lines": [1, null, 0, 3], "branches": {"[:if, 0, 3, 4, 3, 10]": {"[:then, 1, 3, 4, 3, 5]": 2, "[:else, 2, 3, 4, 3, 10]": 0}}}
}}"#,
        )
        .expect("test value");
        assert_eq!(counts(&files[0]), (2, 1, 1, 1));
        let files = simplecov(
            br#"{"RSpec": {"coverage": {"/app/a.rb": {"lines": [0, 0]}, "/app/b.rb": [1, null]}, "timestamp": 1}}"#,
        )
        .expect("test value");
        assert_eq!(counts(&files[0]), (0, 2, 0, 0));
        assert_eq!(counts(&files[1]), (1, 0, 0, 0));
        let files = simplecov(br#"{"files": [{"filename": "/app/c.rb", "coverage": [1, 1, 0]}]}"#)
            .expect("test value");
        assert_eq!(counts(&files[0]), (2, 1, 0, 0));
        assert!(simplecov(b"[]").is_err());
        assert!(simplecov(br#"{"x": 1}"#).is_err());
    }
}
