//! Selecting a build's artifact (and report) files in a workspace as CodeBuild does, and zipping
//! them.
//!
//! CodeBuild's rules (AWS's buildspec reference, "artifacts"): `files` are globs relative to
//! `base-directory` (or the source root), `**/*` is every file below it, `*` stays within one
//! directory; the path in the artifact is the path relative to `base-directory`, or only the
//! file name with `discard-paths: yes`; `exclude-paths` are globs relative to the same base
//! directory. Directories themselves are not artifact entries; files are.

use super::buildspec::{ArtifactsSpec, ReportSpec};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::io::{Error, ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The phase context message when no file matches (status code `CLIENT_ERROR` in
/// UPLOAD_ARTIFACTS), as CodeBuild's logs show it.
pub const NO_MATCHING_ARTIFACT_PATHS: &str = "no matching artifact paths found";

/// A file chosen for an artifact: where it is on disk, and its path inside the artifact.
pub type Selected = (PathBuf, String);

fn glob_set(patterns: &[String]) -> std::io::Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let p = normalize(p);
        if p.is_empty() {
            continue;
        }
        let glob = GlobBuilder::new(&p)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| Error::new(ErrorKind::InvalidInput, e.to_string()))?;
        builder.add(glob);
        // `dir/**/*` also matches files directly in `dir` with globset already; a pattern that
        // names a directory exactly (`dist`, `dist/`) takes the files under it, as CodeBuild does.
        if !p.contains(['*', '?', '[', '{']) {
            if let Ok(g) = GlobBuilder::new(&format!("{}/**", p.trim_end_matches('/')))
                .literal_separator(true)
                .build()
            {
                builder.add(g);
            }
        }
    }
    builder
        .build()
        .map_err(|e| Error::new(ErrorKind::InvalidInput, e.to_string()))
}

/// `./a/b` -> `a/b`; `a//b` -> `a/b`.
fn normalize(p: &str) -> String {
    let mut s = p.trim().replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    while s.contains("//") {
        s = s.replace("//", "/");
    }
    s
}

/// Every regular file below `dir` (following symlinks to files, not to directories, so a link
/// loop cannot hang a build), as paths relative to `dir` with `/` separators, sorted.
fn walk(dir: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        let entries = match std::fs::read_dir(&path) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child_rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                stack.push((entry.path(), child_rel));
            } else if file_type.is_file()
                || (file_type.is_symlink() && entry.path().metadata().is_ok_and(|m| m.is_file()))
            {
                out.push((entry.path(), child_rel));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The files of an artifact section in the workspace `root`, in artifact-path order. An empty
/// result is CodeBuild's [`NO_MATCHING_ARTIFACT_PATHS`] failure (the caller decides). A bad glob
/// is an `InvalidInput` error.
pub fn select(spec: &ArtifactsSpec, root: &Path) -> std::io::Result<Vec<Selected>> {
    select_files(
        &spec.files,
        spec.base_directory.as_deref(),
        spec.discard_paths,
        &spec.exclude_paths,
        root,
    )
}

/// The report files of a `reports` group in the workspace `root` (same rules as artifacts,
/// without exclusions).
pub fn select_report_files(spec: &ReportSpec, root: &Path) -> std::io::Result<Vec<Selected>> {
    select_files(
        &spec.files,
        spec.base_directory.as_deref(),
        spec.discard_paths,
        &[],
        root,
    )
}

fn select_files(
    files: &[String],
    base_directory: Option<&str>,
    discard_paths: bool,
    exclude_paths: &[String],
    root: &Path,
) -> std::io::Result<Vec<Selected>> {
    let base = match base_directory.map(normalize) {
        Some(b) if !b.is_empty() && b != "." => root.join(b.trim_end_matches('/')),
        _ => root.to_path_buf(),
    };
    let include = glob_set(files)?;
    let exclude = glob_set(exclude_paths)?;
    let mut out: Vec<Selected> = Vec::new();
    for (path, rel) in walk(&base)? {
        if !include.is_match(&rel) || exclude.is_match(&rel) {
            continue;
        }
        let name = if discard_paths {
            rel.rsplit('/').next().unwrap_or(&rel).to_string()
        } else {
            rel
        };
        // With discard-paths two files may share a name; the later one wins as in CodeBuild's
        // zip (one entry per name).
        out.retain(|(_, n)| n != &name);
        out.push((path, name));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Zips the files (deflate, fixed 1980-01-01 timestamps so the same files give the same bytes).
pub fn zip_files(files: &[Selected]) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (path, name) in files {
        let bytes = std::fs::read(path)?;
        #[cfg(unix)]
        let options = {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)?.permissions().mode();
            options.unix_permissions(mode & 0o777)
        };
        zip.start_file(name.as_str(), options)
            .map_err(|e| Error::other(e.to_string()))?;
        zip.write_all(&bytes)?;
    }
    let cursor = zip.finish().map_err(|e| Error::other(e.to_string()))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("test value");
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().expect("test value")).expect("test value");
            std::fs::write(&p, format!("content of {f}")).expect("test value");
        }
        dir
    }

    fn names(spec: &ArtifactsSpec, root: &Path) -> Vec<String> {
        select(spec, root)
            .expect("test value")
            .into_iter()
            .map(|(_, n)| n)
            .collect()
    }

    fn spec(files: &[&str]) -> ArtifactsSpec {
        ArtifactsSpec {
            files: files.iter().map(|s| s.to_string()).collect(),
            ..ArtifactsSpec::default()
        }
    }

    #[test]
    fn double_star_takes_every_file() {
        let ws = workspace(&["a.txt", "src/b.rs", "src/deep/c.rs"]);
        assert_eq!(
            names(&spec(&["**/*"]), ws.path()),
            vec!["a.txt", "src/b.rs", "src/deep/c.rs"]
        );
    }

    #[test]
    fn a_single_star_stays_in_its_directory() {
        let ws = workspace(&["dist/app.js", "dist/lib/x.js", "top.js"]);
        assert_eq!(names(&spec(&["dist/*"]), ws.path()), vec!["dist/app.js"]);
        assert_eq!(names(&spec(&["*.js"]), ws.path()), vec!["top.js"]);
    }

    #[test]
    fn base_directory_roots_the_paths() {
        let ws = workspace(&["build/out/app.jar", "build/out/lib/dep.jar", "other.txt"]);
        let mut s = spec(&["**/*"]);
        s.base_directory = Some("build/out".into());
        assert_eq!(names(&s, ws.path()), vec!["app.jar", "lib/dep.jar"]);
    }

    #[test]
    fn discard_paths_keeps_only_file_names() {
        let ws = workspace(&["a/one.txt", "b/c/two.txt"]);
        let mut s = spec(&["**/*"]);
        s.discard_paths = true;
        assert_eq!(names(&s, ws.path()), vec!["one.txt", "two.txt"]);
    }

    #[test]
    fn exclude_paths_drop_matches() {
        let ws = workspace(&["app.js", "app.js.map", "node_modules/x/i.js"]);
        let mut s = spec(&["**/*"]);
        s.exclude_paths = vec!["*.map".into(), "node_modules/**/*".into()];
        assert_eq!(names(&s, ws.path()), vec!["app.js"]);
    }

    #[test]
    fn a_directory_name_takes_its_files_and_dot_slash_is_ignored() {
        let ws = workspace(&["dist/a", "dist/b/c", "x"]);
        assert_eq!(
            names(&spec(&["dist"]), ws.path()),
            vec!["dist/a", "dist/b/c"]
        );
        assert_eq!(names(&spec(&["./x"]), ws.path()), vec!["x"]);
    }

    #[test]
    fn nothing_matching_is_empty_and_a_missing_base_directory_too() {
        let ws = workspace(&["a.txt"]);
        assert!(names(&spec(&["*.jar"]), ws.path()).is_empty());
        let mut s = spec(&["**/*"]);
        s.base_directory = Some("nope".into());
        assert!(names(&s, ws.path()).is_empty());
    }

    #[test]
    fn a_bad_glob_is_invalid_input() {
        let ws = workspace(&["a"]);
        let e = select(&spec(&["a[b"]), ws.path()).expect_err("should fail");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn report_files_use_the_same_rules() {
        let ws = workspace(&["build/test-results/TEST-a.xml", "build/other.txt"]);
        let r = ReportSpec {
            group: "g".into(),
            files: vec!["**/*.xml".into()],
            base_directory: Some("build".into()),
            discard_paths: false,
            file_format: "JUNITXML".into(),
        };
        let got = select_report_files(&r, ws.path()).expect("test value");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "test-results/TEST-a.xml");
        assert!(got[0].0.ends_with("build/test-results/TEST-a.xml"));
    }

    #[test]
    fn zip_holds_the_files_under_their_artifact_paths() {
        use std::io::Read;
        let ws = workspace(&["out/a.txt", "out/sub/b.txt"]);
        let mut s = spec(&["**/*"]);
        s.base_directory = Some("out".into());
        let files = select(&s, ws.path()).expect("test value");
        let bytes = zip_files(&files).expect("test value");
        // Deterministic: the same files zip to the same bytes.
        assert_eq!(bytes, zip_files(&files).expect("test value"));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("test value");
        assert_eq!(archive.len(), 2);
        let mut content = String::new();
        archive
            .by_name("sub/b.txt")
            .expect("test value")
            .read_to_string(&mut content)
            .expect("test value");
        assert_eq!(content, "content of out/sub/b.txt");
    }

    #[test]
    fn an_empty_zip_is_still_a_zip() {
        let bytes = zip_files(&[]).expect("test value");
        assert_eq!(
            zip::ZipArchive::new(std::io::Cursor::new(bytes))
                .expect("test value")
                .len(),
            0
        );
    }
}
