//! HTML `<table>` elements (embedded in the Markdown pages) read into the shared [`Table`] model.
//! The `tl` crate parses the HTML; `html-escape` decodes entities. This module walks the tree:
//! rows and header cells, `rowspan`/`colspan` spread over the grid, `<br>`, `<p>`, `<li>` and
//! `<div>` as line breaks, nested tags flattened to their text, and the targets of `<a href>`
//! links kept on the row so nested structures can be followed.

use super::table::{Column, Row, Table};

/// One cell as read: its text, links, and how far it spans.
struct Cell {
    text: String,
    links: Vec<String>,
    header: bool,
    rowspan: usize,
    colspan: usize,
}

/// Tags whose end starts a new line of cell text.
const BLOCK_TAGS: &[&str] = &["p", "br", "li", "div", "tr", "ul", "ol"];

fn attribute(tag: &tl::HTMLTag<'_>, name: &str) -> Option<String> {
    tag.attributes().get(name).flatten().map(|b| b.as_utf8_str().into_owned())
}

/// Appends the text and links below `handle` to `text` and `links`.
fn collect(handle: tl::NodeHandle, parser: &tl::Parser<'_>, text: &mut String, links: &mut Vec<String>) {
    let Some(node) = handle.get(parser) else { return };
    match node {
        tl::Node::Raw(bytes) => text.push_str(&html_escape::decode_html_entities(&bytes.as_utf8_str())),
        tl::Node::Comment(_) => {}
        tl::Node::Tag(tag) => {
            let name = tag.name().as_utf8_str().to_ascii_lowercase();
            if name == "a"
                && let Some(href) = attribute(tag, "href")
            {
                links.push(href);
            }
            if name == "br" {
                text.push('\n');
            }
            for child in tag.children().top().iter() {
                collect(*child, parser, text, links);
            }
            if BLOCK_TAGS.contains(&name.as_str()) {
                text.push('\n');
            }
        }
    }
}

/// Cell text as the other readers give it: one line per paragraph, spaces collapsed.
fn tidy(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn span(tag: &tl::HTMLTag<'_>, name: &str) -> usize {
    attribute(tag, name).and_then(|v| v.trim().parse().ok()).filter(|n: &usize| *n >= 1).unwrap_or(1).min(50)
}

/// The rows of the table: each a list of cells, with the byte offset the row starts at.
fn read_rows(dom: &tl::VDom<'_>) -> Vec<(usize, Vec<Cell>)> {
    let parser = dom.parser();
    let mut rows = Vec::new();
    let Some(trs) = dom.query_selector("tr") else { return rows };
    for tr in trs {
        let Some(tl::Node::Tag(tag)) = tr.get(parser) else { continue };
        let (offset, _) = tag.boundaries(parser);
        let mut cells = Vec::new();
        for child in tag.children().top().iter() {
            let Some(tl::Node::Tag(cell)) = child.get(parser) else { continue };
            let name = cell.name().as_utf8_str().to_ascii_lowercase();
            if name != "td" && name != "th" {
                continue;
            }
            let (mut text, mut links) = (String::new(), Vec::new());
            for c in cell.children().top().iter() {
                collect(*c, parser, &mut text, &mut links);
            }
            cells.push(Cell {
                text: tidy(&text),
                links,
                header: name == "th",
                rowspan: span(cell, "rowspan"),
                colspan: span(cell, "colspan"),
            });
        }
        rows.push((offset, cells));
    }
    rows
}

/// A row laid out on the grid: its source offset, whether it is a header row, each slot's text
/// and links.
struct GridRow {
    offset: usize,
    header: bool,
    slots: Vec<(String, Vec<String>)>,
}

/// Lays the cells out on a grid: a cell spanning rows or columns fills every slot it covers.
fn grid(rows: Vec<(usize, Vec<Cell>)>) -> Vec<GridRow> {
    let mut out = Vec::new();
    // Slots still covered by a cell of an earlier row: column → (rows left, text).
    let mut pending: Vec<Option<(usize, String)>> = Vec::new();
    for (offset, cells) in rows {
        let header = !cells.is_empty() && cells.iter().all(|c| c.header);
        let mut line: Vec<(String, Vec<String>)> = Vec::new();
        let mut cells = cells.into_iter();
        let mut col = 0;
        loop {
            if let Some(Some((left, text))) = pending.get_mut(col) {
                line.push((text.clone(), Vec::new()));
                *left -= 1;
                if *left == 0 {
                    pending[col] = None;
                }
                col += 1;
                continue;
            }
            let Some(cell) = cells.next() else { break };
            for i in 0..cell.colspan {
                if pending.len() <= col + i {
                    pending.resize(col + i + 1, None);
                }
                if cell.rowspan > 1 {
                    pending[col + i] = Some((cell.rowspan - 1, cell.text.clone()));
                }
                line.push((cell.text.clone(), if i == 0 { cell.links.clone() } else { Vec::new() }));
            }
            col += cell.colspan;
        }
        out.push(GridRow { offset, header, slots: line });
    }
    out
}

/// An HTML `<table>` element (the text from `<table` to `</table>`), first line number `line`.
/// `None` when no row names a column derive reads.
pub(super) fn parse_html(html: &str, line: usize) -> Option<Table> {
    let dom = tl::parse(html, tl::ParserOptions::default()).ok()?;
    let mut columns: Vec<Column> = Vec::new();
    let mut rows = Vec::new();
    for GridRow { offset, header, slots: cells } in grid(read_rows(&dom)) {
        let row_line = line + html[..offset.min(html.len())].matches('\n').count();
        let names_columns = cells.iter().any(|(c, _)| Column::from_name(c).is_some());
        if columns.is_empty() && (header || names_columns) {
            columns = cells.iter().map(|(c, _)| Column::from_header(c)).collect();
            continue;
        }
        if cells.is_empty() || cells.iter().all(|(c, _)| c.is_empty()) {
            continue;
        }
        let links = cells.iter().flat_map(|(_, l)| l.iter().cloned()).collect();
        rows.push(Row { cells: cells.into_iter().map(|(c, _)| c).collect(), line: row_line, links });
    }
    let known = columns.iter().filter(|c| !matches!(c, Column::Other(_))).count();
    let truncated = !html.contains("</table>") || rows.iter().any(|r| r.cells.len() != columns.len());
    (known >= 2).then_some(Table { columns, rows, line, truncated, ..Table::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_table_with_chinese_header() {
        let html = "<table><thead><tr><th><p>参数</p></th><th><p>类型</p></th><th><p>说明</p></th></tr></thead>\n<tbody><tr><td><p>taskId</p></td><td><p>String</p></td><td><p>任务&lt;ID&gt;。</p></td></tr></tbody></table>";
        let t = parse_html(html, 10).expect("a table");
        assert_eq!(t.columns, vec![Column::Parameter, Column::Type, Column::Description]);
        assert_eq!(t.rows[0].cells, vec!["taskId", "String", "任务<ID>。"]);
        assert_eq!(t.rows[0].line, 11);
    }

    #[test]
    fn entities_breaks_nested_tags_spans_and_links() {
        let html = "<table><tr><td>名称</td><td>类型</td><td>说明</td></tr>\n<tr><td rowspan=\"2\">a&amp;b</td><td>Object</td><td><p>第一行<br>第二行 <b>粗</b></p><p>见<a href=\"#table42\">表4</a>&#12290;</p></td></tr>\n<tr><td colspan=\"2\">整行&nbsp;说明</td></tr></table>";
        let t = parse_html(html, 1).expect("a table");
        assert_eq!(t.columns, vec![Column::Parameter, Column::Type, Column::Description]);
        assert_eq!(t.rows[0].cells, vec!["a&b", "Object", "第一行\n第二行 粗\n见表4。"]);
        assert_eq!(t.rows[0].links, vec!["#table42"]);
        assert_eq!(t.rows[1].cells, vec!["a&b", "整行 说明", "整行 说明"]);
        assert_eq!(t.rows[1].line, 3);
        assert!(!t.truncated);
    }
}
