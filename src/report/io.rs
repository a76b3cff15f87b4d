//! Reading a saved `report.json` and writing a report in several formats to a folder.

use std::path::{Path, PathBuf};

use super::{Format, Report, ReportError, SCHEMA_VERSION, render_html, render_json, render_junit, render_markdown};

/// Reads and checks a `report.json`: a missing file, bad JSON, a wrong shape or a newer
/// `schema_version` each give a one-line error naming the file.
pub fn read_report(path: &Path) -> Result<Report, ReportError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ReportError::Read { path: shown.clone(), message: io_message(&e) })?;
    parse_report(&text, &shown)
}

/// Parses the text of a `report.json`; `name` is used in error messages.
pub fn parse_report(text: &str, name: &str) -> Result<Report, ReportError> {
    let parse = |message: String| ReportError::Parse { path: name.to_owned(), message };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| parse(format!("invalid JSON: {e}")))?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| parse("not a hwconform report: no schema_version".into()))?;
    let found = u32::try_from(version).unwrap_or(u32::MAX);
    if found > SCHEMA_VERSION {
        return Err(ReportError::UnsupportedVersion { path: name.to_owned(), found, supported: SCHEMA_VERSION });
    }
    serde_json::from_value(value).map_err(|e| parse(format!("not a hwconform report: {e}")))
}

/// Renders `report` in each format and writes `dir/<file name>` (creating `dir`); returns the
/// paths written, in the order of `formats`. Redact secrets first ([`redact_report`](super::redact_report)).
pub fn write_reports(report: &Report, dir: &Path, formats: &[Format]) -> Result<Vec<PathBuf>, ReportError> {
    let write_err =
        |p: &Path, e: std::io::Error| ReportError::Write { path: p.display().to_string(), message: io_message(&e) };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    let mut written = Vec::with_capacity(formats.len());
    for &format in formats {
        let text = render(report, format)?;
        let path = dir.join(format.file_name());
        std::fs::write(&path, text).map_err(|e| write_err(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Renders `report` in one format.
pub fn render(report: &Report, format: Format) -> Result<String, ReportError> {
    match format {
        Format::Json => render_json(report),
        Format::Junit => render_junit(report),
        Format::Markdown => Ok(render_markdown(report)),
        Format::Html => render_html(report),
    }
}

/// An I/O error in lowercase, without the "(os error N)" tail.
pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
            let mut chars = text.chars();
            chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_inputs_give_one_line_errors() {
        let cases = [
            ("{", "invalid JSON"),
            ("{\"x\":1}", "no schema_version"),
            ("{\"schema_version\":1}", "missing field"),
            ("{\"schema_version\":99}", "schema_version 99 is not supported"),
            ("[]", "no schema_version"),
        ];
        for (text, want) in cases {
            let err = parse_report(text, "r.json").unwrap_err().to_string();
            assert!(err.contains(want) && err.contains("r.json") && !err.contains('\n'), "{text}: {err}");
        }
        let err = read_report(Path::new("/nonexistent/report.json")).unwrap_err().to_string();
        assert_eq!(err, "read /nonexistent/report.json: no such file or directory");
    }
}
