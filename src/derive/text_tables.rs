//! The plain-text table layouts of the English pages, read into the shared [`Table`] model:
//! pipe-delimited text (`Parameter |` … `|---|`, cells over one or more lines) and one cell per
//! line (a header is a run of column names, then rows whose boundaries the column kinds give).

use std::sync::LazyLock;

use regex::Regex;

use super::phrases::re;
use super::sections::is_heading;
use super::table::{Column, Row, Table};

/// A page line: 1-based line number and trimmed text (blank lines are dropped before parsing).
pub(super) type Line = (usize, String);

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| re(r"^\|?(\s*:?-{3,}:?\s*\|)+\s*(:?-{3,}:?)?\s*$"));
static DOC_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(String|Integer|Long|Int|Boolean|Number|Float|Double|Object|Array|Array of .+|.+ array|Map<.+>|[A-Za-z]+ object)$",
    )
});
static STATUS_CELL: LazyLock<Regex> = LazyLock::new(|| re(r"^\d{3}\b"));

/// Whether a cell names a documented type (`String`, `Array of backup objects` …).
pub(super) fn is_doc_type(cell: &str) -> bool {
    DOC_TYPE.is_match(cell.trim())
}

/// A pipe-delimited table starting at `lines[start]` (an optional lone `|`, then `Parameter |`).
/// Returns the table and the index of the first line after it.
pub(super) fn parse_pipe(lines: &[Line], start: usize) -> Option<(Table, usize)> {
    let mut i = start;
    if lines.get(i).is_some_and(|(_, l)| l == "|") {
        i += 1;
    }
    let header_cell = |l: &str| l.strip_suffix('|').map(str::trim).and_then(Column::from_name);
    header_cell(&lines.get(i)?.1)?;
    let line = lines[i].0;
    let mut columns = Vec::new();
    while let Some((_, l)) = lines.get(i) {
        if SEPARATOR.is_match(l) {
            i += 1;
            break;
        }
        if l != "|" {
            columns.push(header_cell(l)?);
        }
        i += 1;
    }
    if columns.len() < 2 {
        return None;
    }
    let mut rows = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut cell: Vec<&str> = Vec::new();
    let mut row_line = 0;
    let mut truncated = false;
    while let Some((n, l)) = lines.get(i) {
        if cells.is_empty() && cell.is_empty() {
            // A row starts only with a lone `|` or a first cell closed on its own line; a header
            // cell starts the next table.
            let next_is_header = l == "|" && lines.get(i + 1).is_some_and(|(_, n)| header_cell(n).is_some());
            if (l != "|" && !l.ends_with('|')) || header_cell(l).is_some() || next_is_header {
                break;
            }
            row_line = *n;
        }
        i += 1;
        if l == "|" && cell.is_empty() {
            continue;
        }
        match l.strip_suffix('|') {
            Some(last) => {
                cell.push(last.trim_end());
                cells.push(cell.join("\n").trim().to_owned());
                cell.clear();
                if cells.len() == columns.len() {
                    rows.push(Row::new(std::mem::take(&mut cells), row_line));
                }
            }
            None => cell.push(l),
        }
    }
    if !cells.is_empty() || !cell.is_empty() {
        truncated = true;
        if !cell.is_empty() {
            cells.push(cell.join("\n").trim().to_owned());
        }
        rows.push(Row::new(cells, row_line));
    }
    Some((Table { columns, rows, line, truncated, ..Table::default() }, i))
}

/// A one-cell-per-line table starting at `lines[start]`: a run of at least two distinct column
/// names, then rows whose boundaries are found from the column kinds (a `Yes`/`No` cell follows
/// the name in parameter tables, a type follows it in body tables, a status code starts a row
/// of a status table). Returns the table and the index of the first line after it.
pub(super) fn parse_cells(lines: &[Line], start: usize) -> Option<(Table, usize)> {
    let mut columns = Vec::new();
    let mut i = start;
    while let Some(c) = lines.get(i).and_then(|(_, l)| Column::from_name(l)) {
        if columns.contains(&c) {
            break;
        }
        columns.push(c);
        i += 1;
    }
    if columns.len() < 2 {
        return None;
    }
    let line = lines[start].0;
    let is_row_start = |j: usize| -> bool {
        let Some((_, l)) = lines.get(j) else { return false };
        let next = lines.get(j + 1).map_or("", |(_, l)| l.as_str());
        if columns.get(1) == Some(&Column::Mandatory) {
            matches!(next, "Yes" | "No" | "是" | "否")
        } else if columns.first() == Some(&Column::Status) {
            STATUS_CELL.is_match(l)
        } else if columns.get(1) == Some(&Column::Type) {
            is_doc_type(next) && !is_doc_type(l)
        } else {
            true
        }
    };
    let ends_table =
        |j: usize| -> bool { lines.get(j).is_none_or(|(_, l)| is_heading(l) || parse_cells_header_at(lines, j)) };
    let mut rows = Vec::new();
    let mut truncated = false;
    while i < lines.len() && !ends_table(i) && is_row_start(i) {
        let row_line = lines[i].0;
        let mut cells = Vec::new();
        // Every cell but the last is one line; the last (the description) runs to the next row.
        for _ in 0..columns.len() - 1 {
            match lines.get(i) {
                Some((_, l)) if !ends_table(i) => cells.push(l.clone()),
                _ => break,
            }
            i += 1;
        }
        let mut last = Vec::new();
        while i < lines.len() && !ends_table(i) && !is_row_start(i) {
            last.push(lines[i].1.clone());
            i += 1;
        }
        if cells.len() < columns.len() - 1 || last.is_empty() {
            truncated = true;
        }
        if !last.is_empty() {
            cells.push(last.join("\n"));
        }
        rows.push(Row::new(cells, row_line));
    }
    Some((Table { columns, rows, line, truncated, ..Table::default() }, i))
}

fn parse_cells_header_at(lines: &[Line], j: usize) -> bool {
    let a = lines.get(j).and_then(|(_, l)| Column::from_name(l));
    let b = lines.get(j + 1).and_then(|(_, l)| Column::from_name(l));
    matches!((a, b), (Some(a), Some(b)) if a != b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim().to_owned())).filter(|(_, l)| !l.is_empty()).collect()
    }

    #[test]
    fn pipe_table_with_multi_line_cell() {
        let l = lines(
            "|\nParameter |\nType |\nDescription |\n|---|---|---|\n|\nticket |\nString |\nFirst line\nsecond line |\n|\ncount |\nInteger |\nHow many. |\nAfterwards",
        );
        let (t, next) = parse_pipe(&l, 0).expect("a table");
        assert_eq!(t.columns, vec![Column::Parameter, Column::Type, Column::Description]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells[2], "First line\nsecond line");
        assert_eq!(l[next].1, "Afterwards");
        assert!(!t.truncated);
    }

    #[test]
    fn pipe_table_cut_short_is_truncated() {
        let l = lines("Parameter |\nType |\n---|---|\nticket |\nStr");
        let (t, _) = parse_pipe(&l, 0).expect("a table");
        assert!(t.truncated);
    }

    #[test]
    fn cell_table_rows_found_by_mandatory_column() {
        let l = lines(
            "Parameter\nMandatory\nType\nDescription\nzone\nYes\nString\nZone name\nmore text\nlimit\nNo\nInteger\nPage size.\nExample Request",
        );
        let (t, next) = parse_cells(&l, 0).expect("a table");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells, vec!["zone", "Yes", "String", "Zone name\nmore text"]);
        assert_eq!(l[next].1, "Example Request");
    }
}
