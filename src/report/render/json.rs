//! `report.json`: the model, pretty-printed. Field order is the model's, maps are sorted, so the
//! same report always renders to the same bytes.

use super::{Report, ReportError};

/// The report as pretty JSON with a trailing newline.
pub fn render_json(report: &Report) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| ReportError::Render { format: "json".into(), message: e.to_string() })?;
    text.push('\n');
    Ok(text)
}
