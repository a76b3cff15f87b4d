//! A documentation page as a sequence of blocks: format detection (pipe-delimited text, one cell
//! per line, Markdown with HTML tables), page chrome stripped (navigation menus before the title,
//! cookie banners, feedback widgets after the content), tables parsed by [`super::table`].

use std::sync::LazyLock;

use regex::Regex;

use super::phrases::re;

use super::DeriveError;
use super::table::{Line, Table, parse_cells, parse_html, parse_pipe};

/// The page syntax, detected from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tables as `Parameter |` … `|---|` cells, one or more lines each (pages 000, 004).
    Pipe,
    /// Tables as one cell per line after a run of column names (pages 001, 002).
    Cells,
    /// Markdown with embedded HTML `<table>` elements (page 003).
    Markdown,
}

/// One block of page content, with the page line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading ("URI", "Status code: 200", "## 响应" …).
    Heading {
        text: String,
        line: usize,
    },
    /// A list item ("- URI example", "-   请求成功样例").
    Bullet {
        text: String,
        line: usize,
    },
    /// Any other line of text.
    Text {
        text: String,
        line: usize,
    },
    /// A fenced code block (Markdown), dedented.
    Code {
        text: String,
        line: usize,
    },
    Table(Table),
}

/// A parsed page: its file name (the provenance `page`), title and content blocks.
#[derive(Debug, Clone)]
pub struct Page {
    pub file: String,
    pub format: Format,
    pub title: String,
    pub doc_version: Option<String>,
    pub blocks: Vec<Block>,
}

static TABLE_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^Table \d+\s+\S.*$"));
static STATUS_HEADING: LazyLock<Regex> = LazyLock::new(|| re(r"^Status code: \d{3}$"));
static SEPARATOR_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^\|?(-{3,}\|)+-*$"));
static VERSIONED_TITLE: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*?)\s*\((\d+(?:\.\d+)+)\)$"));
static ANCHOR: LazyLock<Regex> = LazyLock::new(|| re(r"<a [^>]*>\s*</a>"));
static MD_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^\*\*表\s*(\d+)\*\*\s*(.+)$"));
static MD_BULLET: LazyLock<Regex> = LazyLock::new(|| re(r"^-\s+(.+)$"));

/// Section headings of the English page formats.
const HEADINGS: &[&str] = &[
    "Function",
    "URI",
    "Constraints",
    "Request Parameters",
    "Response Parameters",
    "Example Request",
    "Example Requests",
    "Example Response",
    "Example Responses",
    "Status Codes",
    "Status Code",
    "Error Codes",
];

/// Lines that end the page content (the feedback widget and what follows it).
const END_MARKERS: &[&str] = &["Feedback", "Was this page helpful?"];

/// Substrings of cookie-banner lines, which some pages place inside the content.
const COOKIE_MARKERS: &[&str] = &["cookie", "çerez"];

/// Whether a line of an English page is a section heading or a table caption.
pub fn is_heading(line: &str) -> bool {
    HEADINGS.contains(&line) || STATUS_HEADING.is_match(line) || TABLE_LABEL.is_match(line)
}

impl Page {
    /// Parses the text of the page file `file` (its name is the provenance of everything derived).
    pub fn parse(file: &str, text: &str) -> Result<Self, DeriveError> {
        let format = detect(text);
        let page = match format {
            Format::Markdown => parse_markdown(file, text)?,
            Format::Pipe | Format::Cells => parse_text(file, text, format)?,
        };
        if !page.blocks.iter().any(|b| matches!(b, Block::Table(_))) {
            return Err(DeriveError::NoTables { page: file.to_owned() });
        }
        Ok(page)
    }
}

fn detect(text: &str) -> Format {
    if text.contains("<table") {
        Format::Markdown
    } else if text.lines().any(|l| SEPARATOR_LINE.is_match(l.trim())) {
        Format::Pipe
    } else {
        Format::Cells
    }
}

fn split_title(title: &str) -> (String, Option<String>) {
    match VERSIONED_TITLE.captures(title) {
        Some(c) => (c[1].to_owned(), Some(c[2].to_owned())),
        None => (title.to_owned(), None),
    }
}

fn is_chrome(line: &str) -> bool {
    let lower = line.to_lowercase();
    COOKIE_MARKERS.iter().any(|m| lower.contains(m))
}

fn parse_text(file: &str, text: &str, format: Format) -> Result<Page, DeriveError> {
    let all: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim().to_owned()))
        .filter(|(_, l)| !l.is_empty() && !is_chrome(l))
        .collect();
    // The content starts at the title: the line before the first `Function` heading (skipping an
    // "Updated on" stamp); everything before it is navigation.
    let function =
        all.iter().position(|(_, l)| l == "Function").ok_or_else(|| DeriveError::NoTitle { page: file.to_owned() })?;
    let title_at = all[..function]
        .iter()
        .rposition(|(_, l)| !l.starts_with("Updated on"))
        .ok_or_else(|| DeriveError::NoTitle { page: file.to_owned() })?;
    let end =
        all[function..].iter().position(|(_, l)| END_MARKERS.contains(&l.as_str())).map_or(all.len(), |p| p + function);
    let (title, doc_version) = split_title(&all[title_at].1);
    let lines: Vec<Line> =
        all[title_at + 1..end].iter().filter(|(_, l)| !l.starts_with("Updated on")).cloned().collect();

    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let parsed = match format {
            Format::Pipe => parse_pipe(&lines, i),
            _ => parse_cells(&lines, i),
        };
        if let Some((mut table, next)) = parsed {
            if let Some(Block::Heading { text, .. }) = blocks.last()
                && TABLE_LABEL.is_match(text)
            {
                table.label = Some(text.clone());
                blocks.pop();
            }
            blocks.push(Block::Table(table));
            i = next;
            continue;
        }
        let (line, text) = lines[i].clone();
        blocks.push(if is_heading(&text) {
            Block::Heading { text, line }
        } else if let Some(item) = text.strip_prefix("- ") {
            Block::Bullet { text: item.trim().to_owned(), line }
        } else {
            Block::Text { text, line }
        });
        i += 1;
    }
    Ok(Page { file: file.to_owned(), format, title, doc_version, blocks })
}

fn clean_md(text: &str) -> String {
    let text = ANCHOR.replace_all(text, "");
    text.replace("\\(", "(").replace("\\)", ")").replace("\\_", "_").trim().to_owned()
}

fn parse_markdown(file: &str, text: &str) -> Result<Page, DeriveError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut title = None;
    let mut label = None;
    let mut i = 0;
    while i < lines.len() {
        let line = i + 1;
        let trimmed = lines[i].trim();
        if trimmed.is_empty() || (trimmed.starts_with("<a ") && clean_md(trimmed).is_empty()) || is_chrome(trimmed) {
            i += 1;
        } else if let Some(h) = trimmed.strip_prefix("# ") {
            title.get_or_insert_with(|| clean_md(h));
            i += 1;
        } else if trimmed.starts_with("##") {
            blocks.push(Block::Heading { text: clean_md(trimmed.trim_start_matches('#')), line });
            i += 1;
        } else if let Some(c) = MD_LABEL.captures(trimmed) {
            label = Some(format!("表{} {}", &c[1], c[2].trim()));
            i += 1;
        } else if trimmed.starts_with("<table") {
            let start = i;
            while i < lines.len() && !lines[i].contains("</table>") {
                i += 1;
            }
            let html = lines[start..(i + 1).min(lines.len())].join("\n");
            i += 1;
            if let Some(mut table) = parse_html(&html, line) {
                table.label = label.take();
                blocks.push(Block::Table(table));
            }
        } else if trimmed.starts_with("```") {
            let start = i + 1;
            i += 1;
            while i < lines.len() && !lines[i].trim().starts_with("```") {
                i += 1;
            }
            let body = &lines[start..i.min(lines.len())];
            let indent = body.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
            let text = body.iter().map(|l| l.get(indent.unwrap_or(0)..).unwrap_or("").trim_end()).collect::<Vec<_>>();
            blocks.push(Block::Code { text: text.join("\n").trim_matches('\n').to_owned(), line: start + 1 });
            i += 1;
        } else if let Some(c) = MD_BULLET.captures(trimmed) {
            blocks.push(Block::Bullet { text: clean_md(&c[1]), line });
            i += 1;
        } else {
            blocks.push(Block::Text { text: clean_md(trimmed), line });
            i += 1;
        }
    }
    let title = title.ok_or_else(|| DeriveError::NoTitle { page: file.to_owned() })?;
    let (title, doc_version) = split_title(&title);
    Ok(Page { file: file.to_owned(), format: Format::Markdown, title, doc_version, blocks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_before_the_title_and_feedback_after_are_dropped() {
        let text = "Products\nCompute\nStorage\nListing Zones (2.1.0)\nUpdated on 2025-01-01\nFunction\nLists zones.\nURI\nGET /v2/zones\nParameter\nType\nDescription\nzone\nString\nZone name\nFeedback\nParameter\nType\nDescription\n";
        let page = Page::parse("t.txt", text).expect("parses");
        assert_eq!(page.format, Format::Cells);
        assert_eq!(page.title, "Listing Zones");
        assert_eq!(page.doc_version.as_deref(), Some("2.1.0"));
        let tables = page.blocks.iter().filter(|b| matches!(b, Block::Table(_))).count();
        assert_eq!(tables, 1, "the table after Feedback is chrome");
        assert!(!page.blocks.iter().any(|b| matches!(b, Block::Text { text, .. } if text == "Compute")));
    }

    #[test]
    fn a_page_without_tables_is_an_error() {
        let err = Page::parse("empty.txt", "Title\nFunction\nNothing here.\n").expect_err("no tables");
        assert_eq!(err.to_string(), "empty.txt: no tables found (is this a documentation page?)");
    }
}
