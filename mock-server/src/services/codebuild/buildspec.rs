//! The buildspec: parsing and validating a buildspec (version 0.2, and 0.1) into typed structs,
//! with the phase-context messages CodeBuild's agent writes when a buildspec is bad.
//!
//! A bad buildspec fails a build in DOWNLOAD_SOURCE with status code `YAML_FILE_ERROR`; the
//! [`BuildspecError::message`] is the message of that phase context. Message sources:
//! - YAML syntax errors are the YAML scanner's own text with ` at line N` ("found character that
//!   cannot start any token at line 3", "did not find expected ',' or ']' at line 19": build
//!   logs quoted in awsdocs/aws-codebuild-user-guide#25 and aws-samples/bedrock-chat#441).
//! - "Expected Commands\[2\] to be of string type: found subkeys instead at line 40, value of the
//!   key tag on line 39 might be empty": a CodeBuild log quoted in
//!   aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#518 (a command
//!   with an unquoted `: ` is read as a map; the second line is the line before it).
//! - The other texts (version, type errors of sections) follow the agent's style but are not
//!   confirmed against AWS recordings; each says so where it is written.
//!
//! YAML here is read from the raw scalars (not YAML 1.2 typing), as the agent (Go) reads every
//! value into a string: `version: 0.2` is the text `0.2`, `git-credential-helper: yes` is yes.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A bad buildspec: the phase context message as CodeBuild writes it (the status code is
/// always `YAML_FILE_ERROR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildspecError {
    pub message: String,
}

impl BuildspecError {
    fn new(message: impl Into<String>) -> BuildspecError {
        BuildspecError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for BuildspecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "YAML_FILE_ERROR: {}", self.message)
    }
}

impl std::error::Error for BuildspecError {}

/// A parsed, validated buildspec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Buildspec {
    /// `0.1` or `0.2`.
    pub version: String,
    /// Version 0.1 runs each command in its own shell instance (so `cd` and `export` do not carry
    /// over between commands); 0.2 runs all commands of a build in one shell.
    pub each_command_own_shell: bool,
    /// `run-as` at the top level (the Linux user that runs all commands).
    pub run_as: Option<String>,
    pub env: BuildspecEnv,
    /// The phases the buildspec names, in CodeBuild's order (install, pre_build, build,
    /// post_build), whatever their order in the file.
    pub phases: Vec<PhaseSpec>,
    pub artifacts: Option<ArtifactsSpec>,
    /// `artifacts.secondary-artifacts`, by artifact identifier, in file order.
    pub secondary_artifacts: Vec<(String, ArtifactsSpec)>,
    pub reports: Vec<ReportSpec>,
    pub cache_paths: Vec<String>,
    pub batch: Option<BatchSpec>,
}

impl Buildspec {
    /// The named phase, if the buildspec has it.
    pub fn phase(&self, name: PhaseName) -> Option<&PhaseSpec> {
        self.phases.iter().find(|p| p.name == name)
    }
}

/// The buildspec's `env` section.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BuildspecEnv {
    pub shell: Option<String>,
    pub variables: Vec<(String, String)>,
    /// Variable name -> Parameter Store parameter name.
    pub parameter_store: Vec<(String, String)>,
    /// Variable name -> `secret-id:json-key:version-stage:version-id`.
    pub secrets_manager: Vec<(String, String)>,
    pub exported_variables: Vec<String>,
    pub git_credential_helper: bool,
}

/// The four phases a buildspec may define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PhaseName {
    Install,
    PreBuild,
    Build,
    PostBuild,
}

impl PhaseName {
    /// All of them, in the order CodeBuild runs them.
    pub const ALL: [PhaseName; 4] = [
        PhaseName::Install,
        PhaseName::PreBuild,
        PhaseName::Build,
        PhaseName::PostBuild,
    ];

    /// The key in the buildspec (`pre_build`).
    pub fn key(self) -> &'static str {
        match self {
            PhaseName::Install => "install",
            PhaseName::PreBuild => "pre_build",
            PhaseName::Build => "build",
            PhaseName::PostBuild => "post_build",
        }
    }

    /// The build phase type as the API names it (`PRE_BUILD`).
    pub fn phase_type(self) -> &'static str {
        match self {
            PhaseName::Install => "INSTALL",
            PhaseName::PreBuild => "PRE_BUILD",
            PhaseName::Build => "BUILD",
            PhaseName::PostBuild => "POST_BUILD",
        }
    }

    fn from_key(key: &str) -> Option<PhaseName> {
        PhaseName::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// What a phase does when one of its commands fails (`on-failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnFailure {
    /// Stop the build (the default).
    #[default]
    Abort,
    /// Go on with the next phase.
    Continue,
}

/// One phase of the buildspec.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSpec {
    pub name: PhaseName,
    /// `runtime-versions` (install only): runtime -> version.
    pub runtime_versions: Vec<(String, String)>,
    pub commands: Vec<String>,
    /// `finally`: run after `commands`, whether they failed or not.
    pub finally: Vec<String>,
    pub on_failure: OnFailure,
    /// The phase's `run-as`.
    pub run_as: Option<String>,
}

/// An artifact section (`artifacts` or one of `secondary-artifacts`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArtifactsSpec {
    pub files: Vec<String>,
    pub name: Option<String>,
    pub discard_paths: bool,
    pub base_directory: Option<String>,
    pub exclude_paths: Vec<String>,
    pub enable_symlinks: bool,
    pub s3_prefix: Option<String>,
}

/// A report group the build writes test or coverage results to.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSpec {
    /// The key under `reports`: a report group name (then the group is `<project>-<name>`) or ARN.
    pub group: String,
    pub files: Vec<String>,
    pub base_directory: Option<String>,
    pub discard_paths: bool,
    /// `JUNITXML` (the default), `CUCUMBERJSON`, ... `CLOVERXML`, `SIMPLECOV`.
    pub file_format: String,
}

/// The file formats `reports.<group>.file-format` accepts (test and coverage).
pub const REPORT_FILE_FORMATS: [&str; 10] = [
    "JUNITXML",
    "CUCUMBERJSON",
    "TESTNGXML",
    "VISUALSTUDIOTRX",
    "NUNITXML",
    "NUNIT3XML",
    "CLOVERXML",
    "COBERTURAXML",
    "JACOCOXML",
    "SIMPLECOV",
];

/// The `batch` section: how a batch build is made of builds.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSpec {
    /// `fast-fail`: stop the batch when one build fails.
    pub fast_fail: bool,
    pub kind: BatchKind,
}

/// The batch's shape.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchKind {
    /// `build-list`: the builds, run in parallel.
    List(Vec<BatchEntry>),
    /// `build-graph`: the builds with `depend-on` edges.
    Graph(Vec<BatchEntry>),
    /// `build-matrix`: the product of the dynamic values.
    Matrix(Box<BatchMatrix>),
    /// `build-fanout`: one build split into `parallelism` builds.
    Fanout {
        parallelism: u32,
        ignore_failure: bool,
    },
}

/// One build of a list or graph batch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchEntry {
    pub identifier: String,
    pub env: BatchEnv,
    /// Another buildspec for this build (a path in the source, or inline).
    pub buildspec: Option<String>,
    pub depend_on: Vec<String>,
    pub ignore_failure: bool,
    pub debug_session: bool,
}

/// Environment overrides of a batch build.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchEnv {
    pub compute_type: Option<String>,
    pub fleet: Option<String>,
    pub image: Option<String>,
    /// `type` (LINUX_CONTAINER ...).
    pub environment_type: Option<String>,
    pub privileged_mode: Option<bool>,
    pub variables: Vec<(String, String)>,
}

/// A `build-matrix`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchMatrix {
    /// `static`: what every build of the matrix shares.
    pub static_env: BatchEnv,
    pub static_ignore_failure: bool,
    /// `dynamic.buildspec`.
    pub buildspecs: Vec<String>,
    /// `dynamic.env.compute-type`.
    pub compute_types: Vec<String>,
    /// `dynamic.env.image`.
    pub images: Vec<String>,
    /// `dynamic.env.variables`: name -> its values.
    pub variables: Vec<(String, Vec<String>)>,
}

impl BatchMatrix {
    /// The builds of the matrix: every combination of the dynamic values, each with the static
    /// settings. Identifiers are `build1`, `build2`, ... in the order of the combinations
    /// (buildspec slowest, then compute type, image, variables in file order).
    pub fn expand(&self) -> Vec<BatchEntry> {
        let mut combos: Vec<BatchEntry> = vec![BatchEntry {
            env: self.static_env.clone(),
            ignore_failure: self.static_ignore_failure,
            ..BatchEntry::default()
        }];
        fn product<T: Clone>(
            combos: Vec<BatchEntry>,
            values: &[T],
            apply: impl Fn(&mut BatchEntry, &T),
        ) -> Vec<BatchEntry> {
            if values.is_empty() {
                return combos;
            }
            let mut out = Vec::with_capacity(combos.len() * values.len());
            for c in &combos {
                for v in values {
                    let mut e = c.clone();
                    apply(&mut e, v);
                    out.push(e);
                }
            }
            out
        }
        combos = product(combos, &self.buildspecs, |e, v| {
            e.buildspec = Some(v.clone())
        });
        combos = product(combos, &self.compute_types, |e, v| {
            e.env.compute_type = Some(v.clone())
        });
        combos = product(combos, &self.images, |e, v| e.env.image = Some(v.clone()));
        for (name, values) in &self.variables {
            combos = product(combos, values, |e, v| {
                e.env.variables.retain(|(k, _)| k != name);
                e.env.variables.push((name.clone(), v.clone()));
            });
        }
        for (i, c) in combos.iter_mut().enumerate() {
            c.identifier = format!("build{}", i + 1);
        }
        combos
    }
}

// ---------------------------------------------------------------------------------------------
// A YAML tree with line numbers (yaml-rust2's own tree has none, and the agent's messages name
// lines).

#[derive(Debug, Clone)]
enum Kind {
    Scalar(String, bool),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    line: usize,
}

impl Node {
    /// A plain, unquoted empty value (`key:` with nothing after it) or `null` / `~`.
    fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s, false) if s.is_empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    }

    fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Scalar(..) => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "subkeys",
        }
    }
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<(Node, Option<usize>)>,
    keys: Vec<Option<Node>>,
    anchors: std::collections::HashMap<usize, Node>,
    docs: Vec<Node>,
}

impl TreeBuilder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.insert(node);
    }

    fn insert(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some((parent, _)) => match &mut parent.kind {
                Kind::Seq(items) => items.push(node),
                Kind::Map(entries) => {
                    let slot = self.keys.last_mut().expect("a key slot per open map");
                    match slot.take() {
                        None => *slot = Some(node),
                        Some(key) => entries.push((key, node)),
                    }
                }
                Kind::Scalar(..) => {}
            },
        }
    }
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, style, anchor, _) => {
                let quoted = style != TScalarStyle::Plain;
                self.push_value(
                    Node {
                        kind: Kind::Scalar(value, quoted),
                        line: mark.line(),
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => self.stack.push((
                Node {
                    kind: Kind::Seq(Vec::new()),
                    line: mark.line(),
                },
                Some(anchor),
            )),
            Event::MappingStart(anchor, _) => {
                self.keys.push(None);
                self.stack.push((
                    Node {
                        kind: Kind::Map(Vec::new()),
                        line: mark.line(),
                    },
                    Some(anchor),
                ));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, anchor)) = self.stack.pop() {
                    if matches!(node.kind, Kind::Map(_)) {
                        self.keys.pop();
                    }
                    self.push_value(node, anchor.unwrap_or(0));
                }
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node {
                    kind: Kind::Scalar(String::new(), false),
                    line: mark.line(),
                });
                self.insert(node);
            }
            _ => {}
        }
    }
}

fn load(text: &str) -> Result<Option<Node>, BuildspecError> {
    let mut builder = TreeBuilder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, false)
        .map_err(|e| BuildspecError::new(format!("{} at line {}", e.info(), e.marker().line())))?;
    Ok(builder.docs.into_iter().next())
}

// ---------------------------------------------------------------------------------------------
// Reading the tree.

fn entries<'a>(node: &'a Node, what: &str) -> Result<&'a [(Node, Node)], BuildspecError> {
    match &node.kind {
        Kind::Map(entries) => Ok(entries),
        _ if node.is_null() => Ok(&[]),
        // Not confirmed against AWS: the agent's "<section> must be a map" style.
        _ => Err(BuildspecError::new(format!(
            "{what} must be a map: found {} instead at line {}",
            node.describe(),
            node.line
        ))),
    }
}

fn key_of(key: &Node) -> &str {
    key.scalar().unwrap_or("")
}

/// A scalar as the agent reads it into a string; `null` is the empty string.
fn string_of(node: &Node, what: &str) -> Result<String, BuildspecError> {
    if node.is_null() {
        return Ok(String::new());
    }
    match &node.kind {
        Kind::Scalar(s, _) => Ok(s.clone()),
        // Same shape as the confirmed Commands[i] message.
        _ => Err(BuildspecError::new(format!(
            "Expected {what} to be of string type: found {} instead at line {}",
            node.describe(),
            node.line
        ))),
    }
}

fn opt_string(node: &Node, what: &str) -> Result<Option<String>, BuildspecError> {
    let s = string_of(node, what)?;
    Ok(if s.is_empty() { None } else { Some(s) })
}

/// YAML 1.1 booleans as the agent (go-yaml) reads them: yes/no, true/false, on/off.
fn bool_of(node: &Node, what: &str) -> Result<bool, BuildspecError> {
    let s = string_of(node, what)?;
    match s.to_ascii_lowercase().as_str() {
        "" | "no" | "false" | "off" | "n" => Ok(false),
        "yes" | "true" | "on" | "y" => Ok(true),
        // Not confirmed against AWS.
        _ => Err(BuildspecError::new(format!(
            "Expected {what} to be of bool type: found '{s}' instead at line {}",
            node.line
        ))),
    }
}

/// A list of strings (`commands`, `files`, ...). A single scalar is taken as a one-item list.
/// A map item is the classic unquoted `: ` mistake and gets the agent's message.
fn string_list(node: &Node, what: &str) -> Result<Vec<String>, BuildspecError> {
    match &node.kind {
        _ if node.is_null() => Ok(Vec::new()),
        Kind::Scalar(s, _) => Ok(vec![s.clone()]),
        Kind::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match &item.kind {
                Kind::Scalar(s, _) => Ok(s.clone()),
                Kind::Map(_) => Err(BuildspecError::new(format!(
                    "Expected {what}[{i}] to be of string type: found subkeys instead at line {}, value of the key tag on line {} might be empty",
                    item.line,
                    item.line.saturating_sub(1)
                ))),
                Kind::Seq(_) => Err(BuildspecError::new(format!(
                    "Expected {what}[{i}] to be of string type: found a list instead at line {}",
                    item.line
                ))),
            })
            .collect(),
        Kind::Map(_) => Err(BuildspecError::new(format!(
            "Expected {what} to be of list type: found subkeys instead at line {}",
            node.line
        ))),
    }
}

fn string_map(node: &Node, what: &str) -> Result<Vec<(String, String)>, BuildspecError> {
    entries(node, what)?
        .iter()
        .map(|(k, v)| {
            let key = key_of(k).to_string();
            let value = string_of(v, &format!("{what}.{key}"))?;
            Ok((key, value))
        })
        .collect()
}

/// Parses and validates a buildspec.
pub fn parse(text: &str) -> Result<Buildspec, BuildspecError> {
    let root = load(text)?;
    let Some(root) = root.filter(|r| !r.is_null()) else {
        // Not confirmed against AWS.
        return Err(BuildspecError::new("YAML file is empty"));
    };
    let Kind::Map(top) = &root.kind else {
        return Err(BuildspecError::new(format!(
            "buildspec must be a map: found {} instead at line {}",
            root.describe(),
            root.line
        )));
    };
    let get = |name: &str| top.iter().find(|(k, _)| key_of(k) == name).map(|(_, v)| v);

    let mut spec = Buildspec::default();
    // The version is required and must be 0.1 or 0.2 (AWS documents only these; the message
    // wording is not confirmed against AWS).
    let version = match get("version") {
        Some(v) => string_of(v, "version")?,
        None => String::new(),
    };
    match version.as_str() {
        "0.1" | "0.2" => {}
        "" => {
            return Err(BuildspecError::new(
                "Invalid buildspec version: no version found",
            ))
        }
        other => {
            return Err(BuildspecError::new(format!(
                "Invalid buildspec version: {other}"
            )))
        }
    }
    spec.each_command_own_shell = version == "0.1";
    spec.version = version;
    if let Some(v) = get("run-as") {
        spec.run_as = opt_string(v, "run-as")?;
    }
    if let Some(env) = get("env") {
        spec.env = parse_env(env)?;
    }
    // A buildspec without phases does nothing (batch buildspecs often have none); CodeBuild
    // runs it.
    if let Some(phases) = get("phases") {
        {
            let Kind::Map(list) = &phases.kind else {
                if phases.is_null() {
                    return Err(BuildspecError::new("phases must be a map"));
                }
                return Err(BuildspecError::new(format!(
                    "phases must be a map: found {} instead at line {}",
                    phases.describe(),
                    phases.line
                )));
            };
            for (k, v) in list {
                let key = key_of(k);
                let Some(name) = PhaseName::from_key(key) else {
                    // Not confirmed against AWS: the agent rejects a phase it does not know.
                    return Err(BuildspecError::new(format!(
                        "Unknown phase name: {key} at line {}",
                        k.line
                    )));
                };
                if spec.phases.iter().any(|p| p.name == name) {
                    continue;
                }
                spec.phases.push(parse_phase(name, v)?);
            }
            spec.phases.sort_by_key(|p| p.name);
        }
    }
    if let Some(artifacts) = get("artifacts") {
        if !artifacts.is_null() {
            let (primary, secondary) = parse_artifacts(artifacts)?;
            spec.artifacts = primary;
            spec.secondary_artifacts = secondary;
        }
    }
    if let Some(reports) = get("reports") {
        for (k, v) in entries(reports, "reports")? {
            spec.reports.push(parse_report(key_of(k), v)?);
        }
    }
    if let Some(cache) = get("cache") {
        for (k, v) in entries(cache, "cache")? {
            if key_of(k) == "paths" {
                spec.cache_paths = string_list(v, "paths")?;
            }
        }
    }
    if let Some(batch) = get("batch") {
        if !batch.is_null() {
            spec.batch = Some(parse_batch(batch)?);
        }
    }
    Ok(spec)
}

fn parse_env(node: &Node) -> Result<BuildspecEnv, BuildspecError> {
    let mut env = BuildspecEnv::default();
    for (k, v) in entries(node, "env")? {
        match key_of(k) {
            "shell" => env.shell = opt_string(v, "shell")?,
            "variables" => env.variables = string_map(v, "variables")?,
            "parameter-store" => env.parameter_store = string_map(v, "parameter-store")?,
            "secrets-manager" => env.secrets_manager = string_map(v, "secrets-manager")?,
            "exported-variables" => {
                env.exported_variables = string_list(v, "exported-variables")?;
            }
            "git-credential-helper" => {
                env.git_credential_helper = bool_of(v, "git-credential-helper")?;
            }
            _ => {}
        }
    }
    if let Some(shell) = &env.shell {
        // The shells AWS documents for `env.shell` (Linux: bash, /bin/sh; Windows: powershell.exe,
        // cmd.exe); the message wording is not confirmed against AWS.
        if !matches!(
            shell.as_str(),
            "bash" | "/bin/sh" | "sh" | "powershell.exe" | "cmd.exe" | "pwsh"
        ) {
            return Err(BuildspecError::new(format!("Unsupported shell: {shell}")));
        }
    }
    Ok(env)
}

fn parse_phase(name: PhaseName, node: &Node) -> Result<PhaseSpec, BuildspecError> {
    let mut phase = PhaseSpec {
        name,
        runtime_versions: Vec::new(),
        commands: Vec::new(),
        finally: Vec::new(),
        on_failure: OnFailure::Abort,
        run_as: None,
    };
    for (k, v) in entries(node, name.key())? {
        match key_of(k) {
            "commands" => phase.commands = string_list(v, "Commands")?,
            "finally" => phase.finally = string_list(v, "Finally")?,
            "runtime-versions" => phase.runtime_versions = string_map(v, "runtime-versions")?,
            "run-as" => phase.run_as = opt_string(v, "run-as")?,
            "on-failure" => {
                let value = string_of(v, "on-failure")?;
                phase.on_failure = match value.as_str() {
                    "ABORT" | "" => OnFailure::Abort,
                    "CONTINUE" => OnFailure::Continue,
                    // Not confirmed against AWS.
                    other => {
                        return Err(BuildspecError::new(format!(
                            "Invalid value for on-failure: {other} at line {}; expected ABORT or CONTINUE",
                            v.line
                        )))
                    }
                };
            }
            _ => {}
        }
    }
    if !phase.runtime_versions.is_empty() && name != PhaseName::Install {
        // AWS documents runtime-versions as install-only; the wording is not confirmed.
        return Err(BuildspecError::new(format!(
            "runtime-versions is only supported in the install phase, found in {}",
            name.key()
        )));
    }
    Ok(phase)
}

fn parse_artifact_fields(node: &Node, what: &str) -> Result<ArtifactsSpec, BuildspecError> {
    let mut a = ArtifactsSpec::default();
    for (k, v) in entries(node, what)? {
        match key_of(k) {
            "files" => a.files = string_list(v, "files")?,
            "name" => a.name = opt_string(v, "name")?,
            "discard-paths" => a.discard_paths = bool_of(v, "discard-paths")?,
            "base-directory" => a.base_directory = opt_string(v, "base-directory")?,
            "exclude-paths" => a.exclude_paths = string_list(v, "exclude-paths")?,
            "enable-symlinks" => a.enable_symlinks = bool_of(v, "enable-symlinks")?,
            "s3-prefix" => a.s3_prefix = opt_string(v, "s3-prefix")?,
            _ => {}
        }
    }
    Ok(a)
}

type ArtifactSections = (Option<ArtifactsSpec>, Vec<(String, ArtifactsSpec)>);

fn parse_artifacts(node: &Node) -> Result<ArtifactSections, BuildspecError> {
    let fields = entries(node, "artifacts")?;
    let mut secondary = Vec::new();
    for (k, v) in fields {
        if key_of(k) == "secondary-artifacts" {
            for (id, section) in entries(v, "secondary-artifacts")? {
                let id = key_of(id).to_string();
                let spec = parse_artifact_fields(section, &id)?;
                secondary.push((id, spec));
            }
        }
    }
    let has_primary = fields
        .iter()
        .any(|(k, _)| key_of(k) != "secondary-artifacts");
    let primary = if has_primary {
        Some(parse_artifact_fields(node, "artifacts")?)
    } else {
        None
    };
    Ok((primary, secondary))
}

fn parse_report(group: &str, node: &Node) -> Result<ReportSpec, BuildspecError> {
    let mut r = ReportSpec {
        group: group.to_string(),
        files: Vec::new(),
        base_directory: None,
        discard_paths: false,
        file_format: "JUNITXML".to_string(),
    };
    for (k, v) in entries(node, group)? {
        match key_of(k) {
            "files" => r.files = string_list(v, "files")?,
            "base-directory" => r.base_directory = opt_string(v, "base-directory")?,
            "discard-paths" => r.discard_paths = bool_of(v, "discard-paths")?,
            "file-format" => {
                let f = string_of(v, "file-format")?.to_ascii_uppercase();
                if !f.is_empty() {
                    if !REPORT_FILE_FORMATS.contains(&f.as_str()) {
                        // Not confirmed against AWS.
                        return Err(BuildspecError::new(format!(
                            "Invalid report file format: {f} at line {}",
                            v.line
                        )));
                    }
                    r.file_format = f;
                }
            }
            _ => {}
        }
    }
    Ok(r)
}

fn parse_batch_env(node: &Node) -> Result<BatchEnv, BuildspecError> {
    let mut env = BatchEnv::default();
    for (k, v) in entries(node, "env")? {
        match key_of(k) {
            "compute-type" => env.compute_type = opt_string(v, "compute-type")?,
            "fleet" => env.fleet = opt_string(v, "fleet")?,
            "image" => env.image = opt_string(v, "image")?,
            "type" => env.environment_type = opt_string(v, "type")?,
            "privileged-mode" => env.privileged_mode = Some(bool_of(v, "privileged-mode")?),
            "variables" => env.variables = string_map(v, "variables")?,
            _ => {}
        }
    }
    Ok(env)
}

fn parse_batch_entries(node: &Node, what: &str) -> Result<Vec<BatchEntry>, BuildspecError> {
    let Kind::Seq(items) = &node.kind else {
        if node.is_null() {
            return Ok(Vec::new());
        }
        return Err(BuildspecError::new(format!(
            "{what} must be a list: found {} instead at line {}",
            node.describe(),
            node.line
        )));
    };
    let mut out: Vec<BatchEntry> = Vec::new();
    for item in items {
        let mut e = BatchEntry::default();
        for (k, v) in entries(item, what)? {
            match key_of(k) {
                "identifier" => e.identifier = string_of(v, "identifier")?,
                "env" => e.env = parse_batch_env(v)?,
                "buildspec" => e.buildspec = opt_string(v, "buildspec")?,
                "depend-on" => e.depend_on = string_list(v, "depend-on")?,
                "ignore-failure" => e.ignore_failure = bool_of(v, "ignore-failure")?,
                "debug-session" => e.debug_session = bool_of(v, "debug-session")?,
                _ => {}
            }
        }
        // Identifiers name the builds of the batch (`<batch-id>/<identifier>`); AWS requires
        // them unique. Wording not confirmed against AWS.
        if e.identifier.is_empty() {
            return Err(BuildspecError::new(format!(
                "{what} entry at line {} has no identifier",
                item.line
            )));
        }
        if !e
            .identifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(BuildspecError::new(format!(
                "Invalid identifier {}: only letters, digits and underscores are allowed",
                e.identifier
            )));
        }
        if out.iter().any(|o| o.identifier == e.identifier) {
            return Err(BuildspecError::new(format!(
                "Duplicate identifier {} in {what}",
                e.identifier
            )));
        }
        out.push(e);
    }
    Ok(out)
}

fn parse_batch(node: &Node) -> Result<BatchSpec, BuildspecError> {
    let mut fast_fail = false;
    let mut kind = None;
    for (k, v) in entries(node, "batch")? {
        let key = key_of(k);
        match key {
            "fast-fail" => fast_fail = bool_of(v, "fast-fail")?,
            "build-list" => kind = Some(BatchKind::List(parse_batch_entries(v, key)?)),
            "build-graph" => {
                let list = parse_batch_entries(v, key)?;
                for e in &list {
                    for d in &e.depend_on {
                        if !list.iter().any(|o| &o.identifier == d) {
                            // Not confirmed against AWS.
                            return Err(BuildspecError::new(format!(
                                "Build {} depends on unknown build {d}",
                                e.identifier
                            )));
                        }
                    }
                }
                if has_cycle(&list) {
                    return Err(BuildspecError::new("build-graph has a dependency cycle"));
                }
                kind = Some(BatchKind::Graph(list));
            }
            "build-matrix" => kind = Some(BatchKind::Matrix(Box::new(parse_matrix(v)?))),
            "build-fanout" => {
                let mut parallelism = 1;
                let mut ignore_failure = false;
                for (fk, fv) in entries(v, key)? {
                    match key_of(fk) {
                        "parallelism" => {
                            let s = string_of(fv, "parallelism")?;
                            parallelism = s.parse().map_err(|_| {
                                BuildspecError::new(format!(
                                    "Expected parallelism to be of int type: found '{s}' instead at line {}",
                                    fv.line
                                ))
                            })?;
                        }
                        "ignore-failure" => ignore_failure = bool_of(fv, "ignore-failure")?,
                        _ => {}
                    }
                }
                kind = Some(BatchKind::Fanout {
                    parallelism,
                    ignore_failure,
                });
            }
            _ => {}
        }
    }
    let kind = kind.ok_or_else(|| {
        // Not confirmed against AWS.
        BuildspecError::new(
            "batch must have one of build-list, build-matrix, build-graph or build-fanout",
        )
    })?;
    Ok(BatchSpec { fast_fail, kind })
}

fn has_cycle(list: &[BatchEntry]) -> bool {
    // 0 = unvisited, 1 = on the path, 2 = done.
    fn visit(i: usize, list: &[BatchEntry], mark: &mut [u8]) -> bool {
        if mark[i] == 1 {
            return true;
        }
        if mark[i] == 2 {
            return false;
        }
        mark[i] = 1;
        for d in &list[i].depend_on {
            if let Some(j) = list.iter().position(|o| &o.identifier == d) {
                if visit(j, list, mark) {
                    return true;
                }
            }
        }
        mark[i] = 2;
        false
    }
    let mut mark = vec![0u8; list.len()];
    (0..list.len()).any(|i| visit(i, list, &mut mark))
}

fn parse_matrix(node: &Node) -> Result<BatchMatrix, BuildspecError> {
    let mut m = BatchMatrix::default();
    for (k, v) in entries(node, "build-matrix")? {
        match key_of(k) {
            "static" => {
                for (sk, sv) in entries(v, "static")? {
                    match key_of(sk) {
                        "env" => m.static_env = parse_batch_env(sv)?,
                        "ignore-failure" => {
                            m.static_ignore_failure = bool_of(sv, "ignore-failure")?;
                        }
                        _ => {}
                    }
                }
            }
            "dynamic" => {
                for (dk, dv) in entries(v, "dynamic")? {
                    match key_of(dk) {
                        "buildspec" => m.buildspecs = string_list(dv, "buildspec")?,
                        "env" => {
                            for (ek, ev) in entries(dv, "env")? {
                                match key_of(ek) {
                                    "compute-type" => {
                                        m.compute_types = string_list(ev, "compute-type")?;
                                    }
                                    "image" => m.images = string_list(ev, "image")?,
                                    "variables" => {
                                        for (vk, vv) in entries(ev, "variables")? {
                                            let name = key_of(vk).to_string();
                                            let values = string_list(vv, &name)?;
                                            m.variables.push((name, values));
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text).expect_err("should fail").message
    }

    #[test]
    fn a_full_0_2_buildspec_parses_into_its_parts() {
        let spec = parse(
            r#"version: 0.2
run-as: root
env:
  shell: bash
  variables:
    STAGE: "prod"
    COUNT: 3
  parameter-store:
    TOKEN: /app/token
  secrets-manager:
    PASS: "db:password"
  exported-variables:
    - STAGE
    - OUT
  git-credential-helper: yes
phases:
  build:
    on-failure: CONTINUE
    commands:
      - echo build
      - make
    finally:
      - echo done
  install:
    runtime-versions:
      python: 3.12
      nodejs: 20
    commands:
      - echo install
artifacts:
  files:
    - '**/*'
  base-directory: dist
  discard-paths: yes
  name: app-$(date +%s)
  exclude-paths:
    - '*.tmp'
  enable-symlinks: true
  s3-prefix: out
  secondary-artifacts:
    docs:
      files: [docs/**/*]
reports:
  unit:
    files:
      - 'reports/*.xml'
    base-directory: build
    discard-paths: no
  coverage:
    files: cov.xml
    file-format: coberturaxml
cache:
  paths:
    - '/root/.m2/**/*'
"#,
        )
        .expect("valid buildspec");
        assert_eq!(spec.version, "0.2");
        assert!(!spec.each_command_own_shell);
        assert_eq!(spec.run_as.as_deref(), Some("root"));
        assert_eq!(spec.env.shell.as_deref(), Some("bash"));
        assert_eq!(
            spec.env.variables,
            vec![
                ("STAGE".into(), "prod".into()),
                ("COUNT".into(), "3".into())
            ]
        );
        assert_eq!(
            spec.env.parameter_store,
            vec![("TOKEN".into(), "/app/token".into())]
        );
        assert_eq!(
            spec.env.secrets_manager,
            vec![("PASS".into(), "db:password".into())]
        );
        assert_eq!(spec.env.exported_variables, vec!["STAGE", "OUT"]);
        assert!(spec.env.git_credential_helper);
        // Phases come in CodeBuild's order, not the file's.
        let names: Vec<_> = spec.phases.iter().map(|p| p.name).collect();
        assert_eq!(names, vec![PhaseName::Install, PhaseName::Build]);
        let install = spec.phase(PhaseName::Install).expect("test value");
        assert_eq!(
            install.runtime_versions,
            vec![
                ("python".into(), "3.12".into()),
                ("nodejs".into(), "20".into())
            ]
        );
        let build = spec.phase(PhaseName::Build).expect("test value");
        assert_eq!(build.commands, vec!["echo build", "make"]);
        assert_eq!(build.finally, vec!["echo done"]);
        assert_eq!(build.on_failure, OnFailure::Continue);
        assert_eq!(install.on_failure, OnFailure::Abort);
        let a = spec.artifacts.as_ref().expect("test value");
        assert_eq!(a.files, vec!["**/*"]);
        assert_eq!(a.base_directory.as_deref(), Some("dist"));
        assert!(a.discard_paths);
        assert_eq!(a.name.as_deref(), Some("app-$(date +%s)"));
        assert_eq!(a.exclude_paths, vec!["*.tmp"]);
        assert!(a.enable_symlinks);
        assert_eq!(a.s3_prefix.as_deref(), Some("out"));
        assert_eq!(spec.secondary_artifacts.len(), 1);
        assert_eq!(spec.secondary_artifacts[0].0, "docs");
        assert_eq!(spec.secondary_artifacts[0].1.files, vec!["docs/**/*"]);
        assert_eq!(spec.reports.len(), 2);
        assert_eq!(spec.reports[0].group, "unit");
        assert_eq!(spec.reports[0].file_format, "JUNITXML");
        assert_eq!(spec.reports[0].base_directory.as_deref(), Some("build"));
        assert_eq!(spec.reports[1].files, vec!["cov.xml"]);
        assert_eq!(spec.reports[1].file_format, "COBERTURAXML");
        assert_eq!(spec.cache_paths, vec!["/root/.m2/**/*"]);
        assert!(spec.batch.is_none());
    }

    #[test]
    fn version_0_1_runs_each_command_in_its_own_shell() {
        let spec = parse("version: 0.1\nphases:\n  build:\n    commands:\n      - cd x\n")
            .expect("test value");
        assert_eq!(spec.version, "0.1");
        assert!(spec.each_command_own_shell);
    }

    #[test]
    fn a_quoted_version_is_accepted() {
        assert_eq!(
            parse("version: '0.2'\n").expect("test value").version,
            "0.2"
        );
    }

    #[test]
    fn a_missing_or_unknown_version_is_rejected() {
        assert_eq!(
            err("phases:\n  build:\n    commands: [ls]\n"),
            "Invalid buildspec version: no version found"
        );
        assert_eq!(err("version: 0.3\n"), "Invalid buildspec version: 0.3");
    }

    #[test]
    fn a_command_with_an_unquoted_colon_is_the_agents_subkeys_error() {
        let text = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo ok\n      - echo FATAL: broken\n";
        assert_eq!(
            err(text),
            "Expected Commands[1] to be of string type: found subkeys instead at line 6, value of the key tag on line 5 might be empty"
        );
    }

    #[test]
    fn a_finally_item_that_is_a_map_names_finally() {
        let text = "version: 0.2\nphases:\n  build:\n    finally:\n      - a: b\n";
        assert!(err(text).starts_with("Expected Finally[0] to be of string type: found subkeys"));
    }

    #[test]
    fn phases_must_be_a_map() {
        assert_eq!(
            err("version: 0.2\nphases:\n  - build\n"),
            "phases must be a map: found a list instead at line 3"
        );
        assert_eq!(err("version: 0.2\nphases:\n"), "phases must be a map");
    }

    #[test]
    fn an_unknown_phase_is_rejected() {
        assert_eq!(
            err("version: 0.2\nphases:\n  compile:\n    commands: [ls]\n"),
            "Unknown phase name: compile at line 3"
        );
    }

    #[test]
    fn yaml_syntax_errors_carry_the_scanner_text_and_line() {
        let e = err("version: 0.2\nphases:\n\tbuild:\n");
        assert!(e.contains("at line 3"), "{e}");
        let e = err("version: 0.2\nphases:\n  build:\n    commands: [a, b\n");
        assert!(e.contains("at line"), "{e}");
    }

    #[test]
    fn an_empty_file_is_rejected() {
        assert_eq!(err(""), "YAML file is empty");
        assert_eq!(err("# just a comment\n"), "YAML file is empty");
    }

    #[test]
    fn a_non_map_root_is_rejected() {
        assert!(err("- a\n- b\n").starts_with("buildspec must be a map"));
    }

    #[test]
    fn on_failure_must_be_abort_or_continue() {
        let e = err("version: 0.2\nphases:\n  build:\n    on-failure: RETRY_ME\n");
        assert!(
            e.starts_with("Invalid value for on-failure: RETRY_ME"),
            "{e}"
        );
    }

    #[test]
    fn runtime_versions_outside_install_is_rejected() {
        let e = err("version: 0.2\nphases:\n  build:\n    runtime-versions:\n      java: 21\n");
        assert!(e.contains("only supported in the install phase"), "{e}");
    }

    #[test]
    fn variables_must_be_a_map_and_values_scalars() {
        let e = err("version: 0.2\nenv:\n  variables:\n    - A\n");
        assert_eq!(e, "variables must be a map: found a list instead at line 4");
        let e = err("version: 0.2\nenv:\n  variables:\n    A:\n      - x\n");
        assert!(
            e.starts_with("Expected variables.A to be of string type: found a list"),
            "{e}"
        );
    }

    #[test]
    fn an_unsupported_shell_is_rejected() {
        assert_eq!(
            err("version: 0.2\nenv:\n  shell: fish\n"),
            "Unsupported shell: fish"
        );
    }

    #[test]
    fn a_bad_report_format_is_rejected() {
        let e = err("version: 0.2\nreports:\n  g:\n    files: [a]\n    file-format: XMLISH\n");
        assert!(e.starts_with("Invalid report file format: XMLISH"), "{e}");
    }

    #[test]
    fn a_bad_boolean_is_rejected() {
        let e = err("version: 0.2\nartifacts:\n  files: [a]\n  discard-paths: maybe\n");
        assert!(
            e.starts_with("Expected discard-paths to be of bool type"),
            "{e}"
        );
    }

    #[test]
    fn only_secondary_artifacts_leaves_no_primary() {
        let spec = parse(
            "version: 0.2\nartifacts:\n  secondary-artifacts:\n    a1:\n      files: [x]\n    a2:\n      files: [y]\n      name: two\n",
        )
        .expect("test value");
        assert!(spec.artifacts.is_none());
        assert_eq!(spec.secondary_artifacts.len(), 2);
        assert_eq!(spec.secondary_artifacts[1].1.name.as_deref(), Some("two"));
    }

    #[test]
    fn anchors_and_aliases_are_followed() {
        let spec = parse(
            "version: 0.2\nx-common: &cmds\n  - echo a\n  - echo b\nphases:\n  build:\n    commands: *cmds\n",
        )
        .expect("test value");
        assert_eq!(spec.phases[0].commands, vec!["echo a", "echo b"]);
    }

    #[test]
    fn json_buildspecs_parse_too() {
        // CDK writes inline buildspecs as JSON, which CodeBuild accepts (aws/aws-cdk#22087).
        let spec = parse(r#"{"version": "0.2", "phases": {"build": {"commands": ["echo hi"]}}}"#)
            .expect("test value");
        assert_eq!(spec.phases[0].commands, vec!["echo hi"]);
    }

    #[test]
    fn batch_build_list_with_env_overrides() {
        let spec = parse(
            r#"version: 0.2
batch:
  fast-fail: true
  build-list:
    - identifier: linux
      env:
        compute-type: BUILD_GENERAL1_SMALL
        image: aws/codebuild/standard:7.0
        type: LINUX_CONTAINER
        privileged-mode: true
        variables:
          TARGET: linux
      ignore-failure: false
    - identifier: windows
      buildspec: windows.yml
      ignore-failure: true
"#,
        )
        .expect("test value");
        let batch = spec.batch.expect("test value");
        assert!(batch.fast_fail);
        let BatchKind::List(list) = batch.kind else {
            panic!("a list")
        };
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].identifier, "linux");
        assert_eq!(
            list[0].env.compute_type.as_deref(),
            Some("BUILD_GENERAL1_SMALL")
        );
        assert_eq!(list[0].env.privileged_mode, Some(true));
        assert_eq!(
            list[0].env.variables,
            vec![("TARGET".into(), "linux".into())]
        );
        assert_eq!(list[1].buildspec.as_deref(), Some("windows.yml"));
        assert!(list[1].ignore_failure);
    }

    #[test]
    fn batch_build_graph_checks_its_edges() {
        let spec = parse(
            "version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n    - identifier: b\n      depend-on:\n        - a\n",
        )
        .expect("test value");
        let BatchKind::Graph(g) = spec.batch.expect("test value").kind else {
            panic!("a graph")
        };
        assert_eq!(g[1].depend_on, vec!["a"]);
        let e = err(
            "version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n      depend-on: [zz]\n",
        );
        assert_eq!(e, "Build a depends on unknown build zz");
        let e = err("version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n      depend-on: [b]\n    - identifier: b\n      depend-on: [a]\n");
        assert_eq!(e, "build-graph has a dependency cycle");
    }

    #[test]
    fn batch_identifiers_must_be_present_unique_and_plain() {
        assert!(
            err("version: 0.2\nbatch:\n  build-list:\n    - buildspec: x.yml\n")
                .contains("has no identifier")
        );
        assert!(err(
            "version: 0.2\nbatch:\n  build-list:\n    - identifier: a\n    - identifier: a\n"
        )
        .starts_with("Duplicate identifier a"));
        assert!(
            err("version: 0.2\nbatch:\n  build-list:\n    - identifier: a-b\n")
                .starts_with("Invalid identifier a-b")
        );
        assert!(err("version: 0.2\nbatch:\n  fast-fail: true\n").starts_with("batch must have"));
    }

    #[test]
    fn batch_build_matrix_expands_to_every_combination() {
        let spec = parse(
            r#"version: 0.2
batch:
  build-matrix:
    static:
      ignore-failure: false
      env:
        type: LINUX_CONTAINER
        privileged-mode: true
    dynamic:
      buildspec:
        - matrix1.yml
        - matrix2.yml
      env:
        variables:
          MY_VAR:
            - VALUE1
            - VALUE2
            - VALUE3
"#,
        )
        .expect("test value");
        let BatchKind::Matrix(m) = spec.batch.expect("test value").kind else {
            panic!("a matrix")
        };
        let builds = m.expand();
        assert_eq!(builds.len(), 6);
        assert_eq!(builds[0].identifier, "build1");
        assert_eq!(builds[0].buildspec.as_deref(), Some("matrix1.yml"));
        assert_eq!(
            builds[0].env.variables,
            vec![("MY_VAR".into(), "VALUE1".into())]
        );
        assert_eq!(builds[5].buildspec.as_deref(), Some("matrix2.yml"));
        assert_eq!(
            builds[5].env.variables,
            vec![("MY_VAR".into(), "VALUE3".into())]
        );
        assert_eq!(
            builds[3].env.environment_type.as_deref(),
            Some("LINUX_CONTAINER")
        );
    }

    #[test]
    fn batch_build_fanout() {
        let spec = parse("version: 0.2\nbatch:\n  build-fanout:\n    parallelism: 5\n")
            .expect("test value");
        assert_eq!(
            spec.batch.expect("test value").kind,
            BatchKind::Fanout {
                parallelism: 5,
                ignore_failure: false
            }
        );
        assert!(
            err("version: 0.2\nbatch:\n  build-fanout:\n    parallelism: lots\n")
                .starts_with("Expected parallelism to be of int type")
        );
    }

    #[test]
    fn a_single_command_string_is_one_command() {
        let spec =
            parse("version: 0.2\nphases:\n  build:\n    commands: make all\n").expect("test value");
        assert_eq!(spec.phases[0].commands, vec!["make all"]);
    }

    #[test]
    fn block_scalars_keep_their_lines() {
        let spec = parse(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        echo one\n        echo two\n",
        )
        .expect("test value");
        assert_eq!(spec.phases[0].commands, vec!["echo one\necho two\n"]);
    }
}
