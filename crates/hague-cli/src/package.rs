//! `hague package build` and `hague package validate`.

use std::io::BufReader;
use std::path::Path;

use cli_support::{CliError, OutputTarget, Report};
use hague_package::{
    PackageBuilder, Problem, Severity, St96Inspector, ValidationOptions, validate_package,
};

use crate::errors::read_file;

/// The `kind` tag of a problem (`crc_mismatch`...), as in the JSON report.
fn kind_of(problem: &Problem) -> String {
    serde_json::to_value(problem)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "problem".to_owned())
}

/// One line per finding: `error: <kind>: <message>`, the message kept on one line.
pub(crate) fn finding_lines(report: &hague_package::Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| {
            let tag = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let text = f
                .problem
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!("{tag}: {}: {text}", kind_of(&f.problem))
        })
        .collect()
}

/// Runs `hague-package`'s validation (default options, ST.96 rules) on the file.
fn check(path: &Path) -> Result<hague_package::Validation, CliError> {
    let unreadable = |e: std::io::Error| {
        CliError::invalid_input(
            format!("cannot read the package {}: {e}", path.display()),
            "check the path, and that the file is complete and readable",
        )
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    validate_package(
        &mut BufReader::new(file),
        &ValidationOptions::default(),
        &St96Inspector,
    )
    .map_err(unreadable)
}

/// Validates the package at `path`.
///
/// # Errors
/// Exit 5 when the file cannot be read or the package is invalid; the report
/// (one line per problem, or JSON) is printed to standard output first.
pub fn validate(path: &Path, json: bool) -> Result<Report, CliError> {
    let checked = check(path)?;
    let report = &checked.report;
    let lines = finding_lines(report);
    let errors = report.errors().count();
    let warnings = report.warnings().count();
    let mut json_value = report.to_json();
    if let Some(obj) = json_value.as_object_mut() {
        obj.insert("package".into(), path.display().to_string().into());
        obj.insert("entries".into(), checked.entries.len().into());
    }
    let head = if errors == 0 {
        format!(
            "{}: valid ({} entries, {warnings} warning(s))",
            path.display(),
            checked.entries.len()
        )
    } else {
        format!(
            "{}: INVALID ({errors} error(s), {warnings} warning(s))",
            path.display()
        )
    };
    let human = std::iter::once(head)
        .chain(lines)
        .collect::<Vec<_>>()
        .join("\n");
    let output = Report::new(human, json_value);
    if errors == 0 {
        return Ok(output);
    }
    // The report goes to standard output, the one-sentence error to standard error.
    let _ = output.print(json, &mut std::io::stdout().lock());
    Err(CliError::invalid_input(
        format!(
            "the package {} is invalid: {errors} error(s)",
            path.display()
        ),
        "fix each problem listed above; HWS would refuse this package",
    ))
}

/// Builds a package from the XML and the files it references.
///
/// # Errors
/// Exit 5 when the XML or a referenced file cannot be read, or the result is invalid.
pub fn build(xml: &Path, files: Option<&Path>, target: &OutputTarget) -> Result<Report, CliError> {
    let bytes = read_file(xml, "XML file")?;
    let name = xml
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package.xml".to_owned());
    let dir = files
        .map(Path::to_path_buf)
        .or_else(|| xml.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let build_error = |e: hague_package::BuildError| {
        CliError::invalid_input(
            format!("cannot build the package: {e}"),
            "every file the XML names must exist under --files DIR at the same relative path",
        )
    };
    let builder =
        PackageBuilder::from_xml_and_dir(name, bytes, &dir, &St96Inspector).map_err(build_error)?;
    let staging = target.staging()?;
    let output = staging.path();
    let entries = builder.build_to_path(output).map_err(build_error)?;
    let checked = check(output)?;
    let listed: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "  {} ({} bytes, {})",
                e.name,
                e.size,
                if e.stored { "stored" } else { "deflated" }
            )
        })
        .collect();
    if !checked.report.is_valid() {
        let lines = finding_lines(&checked.report);
        for line in &lines {
            cli_support::console::note("problem", &format!("- {line}"), serde_json::json!({}));
        }
        return Err(CliError::invalid_input(
            format!(
                "the package {} was written but is invalid: {} error(s)",
                target.display(),
                checked.report.errors().count()
            ),
            "fix the XML or the files (problems listed above), then build again",
        ));
    }
    staging.finish()?;
    let human = format!(
        "wrote {} ({} entries, valid)\n{}",
        target.display(),
        entries.len(),
        listed.join("\n")
    );
    let json = serde_json::json!({
        "path": target.json_path(),
        "valid": true,
        "entries": entries.iter().map(|e| serde_json::json!({
            "name": e.name, "size": e.size, "stored": e.stored,
        })).collect::<Vec<_>>(),
    });
    Ok(Report::new(human, json).on_stderr(target.is_stdout()))
}
