//! A documentation page as a sequence of blocks: format detection (pipe-delimited text, one cell
//! per line, Markdown with HTML tables), page chrome stripped (navigation menus before the title,
//! cookie banners, feedback widgets after the content). Plain-text tables are read by
//! [`super::text_tables`], Markdown pages by [`super::markdown`].

use std::sync::LazyLock;

use regex::Regex;

use super::DeriveError;
use super::markdown::read_markdown;
use super::phrases::re;
use super::sections::{caption, is_heading, section_of};
use super::table::Table;
use super::text_tables::{Line, parse_cells, parse_pipe};

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
        /// The heading's text.
        text: String,
        /// The page line (1-based) it is on.
        line: usize,
    },
    /// A list item ("- URI example", "-   请求成功样例").
    Bullet {
        /// The item's text, without the bullet.
        text: String,
        /// The page line (1-based) it is on.
        line: usize,
    },
    /// Any other line of text.
    Text {
        /// The line's text, trimmed.
        text: String,
        /// The page line (1-based) it is on.
        line: usize,
    },
    /// A fenced code block (Markdown), dedented.
    Code {
        /// The block's content, dedented.
        text: String,
        /// The page line (1-based) it starts on.
        line: usize,
    },
    /// A documentation table.
    Table(Table),
}

/// A parsed page: its file name (the provenance `page`), title and content blocks.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's file name (the seed file name provenance cites).
    pub file: String,
    /// How the page lays out its tables.
    pub format: Format,
    /// The page title, without its version suffix ("Creating a Backup").
    pub title: String,
    /// The version the title ends with in brackets (`1.0.0`); `None` where it has none.
    pub doc_version: Option<String>,
    /// The page's content from after the title to the feedback widget, in order.
    pub blocks: Vec<Block>,
}

static SEPARATOR_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^\|?(-{3,}\|)+-*$"));
static VERSIONED_TITLE: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*?)\s*[(（](\d+(?:\.\d+)+)[)）]$"));

/// Lines that end the page content (the feedback widget and what follows it).
const END_MARKERS: &[&str] = &["Feedback", "Was this page helpful?"];

/// Substrings of cookie-banner lines, which some pages place inside the content.
const COOKIE_MARKERS: &[&str] = &["cookie", "çerez"];

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

/// Whether a line is page chrome (a cookie banner placed inside the content).
pub(super) fn is_chrome(line: &str) -> bool {
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
    let function = all
        .iter()
        .position(|(_, l)| matches!(l.as_str(), "Function" | "功能介绍"))
        .ok_or_else(|| DeriveError::NoTitle { page: file.to_owned() })?;
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
                && caption(text).is_some()
                && section_of(text).is_none()
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

fn parse_markdown(file: &str, text: &str) -> Result<Page, DeriveError> {
    let page = read_markdown(text);
    let title = page.title.ok_or_else(|| DeriveError::NoTitle { page: file.to_owned() })?;
    let (title, doc_version) = split_title(&title);
    Ok(Page { file: file.to_owned(), format: Format::Markdown, title, doc_version, blocks: page.blocks })
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
