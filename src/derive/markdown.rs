//! Markdown pages (the Chinese GES reference layout: headings, list items, fenced code, bold
//! `表N` captions, `<a name>` anchors and embedded HTML tables) read into page blocks. The
//! `pulldown-cmark` crate parses the Markdown (so escapes such as `\{project\_id\}` and emphasis
//! such as `_\{offset\}_` come out as the text they mean); each HTML `<table>` element it meets is
//! cut from the source, from its start to its matching end tag (blank lines inside a table end a
//! CommonMark HTML block, not the table), and read by [`super::html`].

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::html::parse_html;
use super::page::{Block, is_chrome};
use super::sections::{caption, caption_label};

/// The page's title (its first level-1 heading) and content blocks.
pub(super) struct MarkdownPage {
    pub title: Option<String>,
    pub blocks: Vec<Block>,
}

/// Inline text being gathered for one paragraph, heading or tight list item.
#[derive(Default)]
struct Inline {
    /// Lines of text with the page line each starts on.
    lines: Vec<(usize, String)>,
    /// The text so far opens with bold text (a caption is `**表 N**  name`).
    strong_first: Option<String>,
    in_strong: bool,
    started: bool,
}

impl Inline {
    fn push(&mut self, line: usize, text: &str) {
        if self.in_strong && !self.started {
            self.strong_first.get_or_insert_with(String::new).push_str(text);
        }
        if !self.in_strong {
            self.started = true;
        }
        match self.lines.last_mut() {
            Some((_, l)) => l.push_str(text),
            None => self.lines.push((line, text.to_owned())),
        }
    }

    fn newline(&mut self, line: usize) {
        self.lines.push((line, String::new()));
    }

    fn text(&self) -> String {
        self.lines.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join(" ").trim().to_owned()
    }
}

struct Reader<'s> {
    source: &'s str,
    line_starts: Vec<usize>,
    blocks: Vec<Block>,
    title: Option<String>,
    inline: Option<Inline>,
    /// The next text block opens a list item (it becomes a bullet).
    item_first: bool,
    code: Option<(usize, String)>,
    caption: Option<String>,
    anchor: Option<String>,
    /// Source offset up to which events belong to a table already read.
    skip_to: usize,
    heading_at: usize,
}

impl Reader<'_> {
    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|s| *s <= offset)
    }

    fn flush(&mut self) {
        let Some(inline) = self.inline.take() else { return };
        let text = inline.text();
        if text.is_empty() {
            return;
        }
        let line = inline.lines.first().map_or(0, |(l, _)| *l);
        if let Some(strong) = &inline.strong_first
            && let Some(c) = caption(&text)
            && caption(&format!("{} -", strong.trim())).is_some_and(|s| s.number == c.number)
        {
            let chinese = strong.trim_start().starts_with('表');
            self.caption = Some(caption_label(&c.number.to_string(), chinese, &c.name));
            self.item_first = false;
            return;
        }
        if std::mem::take(&mut self.item_first) {
            self.blocks.push(Block::Bullet { text, line });
            return;
        }
        for (line, text) in inline.lines {
            let text = text.trim();
            if !text.is_empty() && !is_chrome(text) {
                self.blocks.push(Block::Text { text: text.to_owned(), line });
            }
        }
    }

    /// An HTML fragment: a table starting here is read whole; an anchor is kept for the next table.
    fn html(&mut self, offset: usize, html: &str) {
        let in_source = self.source.get(offset..).and_then(|rest| rest.find("<table"));
        if let (true, Some(at)) = (html.contains("<table"), in_source) {
            self.flush();
            // Offsets come from the source, not the event text (a list item's indentation is
            // stripped from the latter).
            let start = offset + at;
            let end = table_end(self.source, start);
            let line = self.line(start);
            if let Some(mut table) = parse_html(&self.source[start..end], line) {
                table.label = self.caption.take();
                table.anchor = self.anchor.take();
                self.blocks.push(Block::Table(table));
            }
            self.skip_to = end;
        } else if let Some(name) = anchor_name(html) {
            self.anchor = Some(name);
        }
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        let line = self.line(offset);
        match event {
            Event::Start(Tag::Heading { .. }) => {
                self.flush();
                self.heading_at = line;
                self.inline = Some(Inline::default());
            }
            Event::Start(Tag::Paragraph) => {
                // A loose list item opens its first paragraph here: the item text is that paragraph.
                if self.inline.as_ref().is_some_and(|i| i.lines.is_empty()) {
                    return;
                }
                self.flush();
                self.inline = Some(Inline::default());
            }
            Event::End(TagEnd::Heading(level)) => {
                let text = self.inline.take().map(|i| i.text()).unwrap_or_default();
                if level == HeadingLevel::H1 {
                    self.title.get_or_insert(text);
                } else if !text.is_empty() {
                    self.blocks.push(Block::Heading { text, line: self.heading_at });
                }
                self.item_first = false;
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item)
            | Event::Start(Tag::List(_) | Tag::HtmlBlock | Tag::BlockQuote(_)) => self.flush(),
            Event::Start(Tag::Item) => {
                self.flush();
                self.item_first = true;
                self.inline = Some(Inline::default());
            }
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush();
                self.item_first = false;
                self.code = Some((line + 1, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((line, text)) = self.code.take() {
                    self.blocks.push(Block::Code { text: dedent(&text), line });
                }
            }
            Event::Start(Tag::Strong) => {
                if let Some(i) = &mut self.inline {
                    i.in_strong = true;
                }
            }
            Event::End(TagEnd::Strong) => {
                if let Some(i) = &mut self.inline {
                    i.in_strong = false;
                }
            }
            Event::Text(text) | Event::Code(text) => match (&mut self.code, &mut self.inline) {
                (Some((_, code)), _) => code.push_str(&text),
                (None, Some(inline)) => inline.push(line, &text),
                (None, None) => {
                    let mut inline = Inline::default();
                    inline.push(line, &text);
                    self.inline = Some(inline);
                }
            },
            Event::SoftBreak | Event::HardBreak => {
                if let Some(i) = &mut self.inline {
                    i.newline(line + 1);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => self.html(offset, &html),
            _ => {}
        }
    }
}

/// The offset just past the `</table>` that closes the table starting at `start`.
fn table_end(source: &str, start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < source.len() {
        let rest = &source[i..];
        let open = rest.find("<table");
        let close = rest.find("</table>");
        match (open, close) {
            (Some(o), Some(c)) if o < c => {
                depth += 1;
                i += o + "<table".len();
            }
            (_, Some(c)) => {
                depth = depth.saturating_sub(1);
                i += c + "</table>".len();
                if depth == 0 {
                    return i;
                }
            }
            _ => return source.len(),
        }
    }
    source.len()
}

/// The `name` of an `<a name="…">` anchor in an HTML fragment.
fn anchor_name(html: &str) -> Option<String> {
    let dom = tl::parse(html, tl::ParserOptions::default()).ok()?;
    dom.nodes()
        .iter()
        .filter_map(|n| n.as_tag())
        .filter(|t| t.name().as_utf8_str().eq_ignore_ascii_case("a"))
        .find_map(|t| t.attributes().get("name").flatten().map(|v| v.as_utf8_str().into_owned()))
}

/// Code text dedented to its least indented line, trailing spaces and blank edges dropped.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let indent = lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
    let body: Vec<&str> = lines.iter().map(|l| l.get(indent.unwrap_or(0)..).unwrap_or("").trim_end()).collect();
    body.join("\n").trim_matches('\n').to_owned()
}

/// Reads a Markdown page.
pub(super) fn read_markdown(source: &str) -> MarkdownPage {
    let mut line_starts = vec![0];
    line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
    let mut r = Reader {
        source,
        line_starts,
        blocks: Vec::new(),
        title: None,
        inline: None,
        item_first: false,
        code: None,
        caption: None,
        anchor: None,
        skip_to: 0,
        heading_at: 0,
    };
    for (event, range) in Parser::new_ext(source, Options::empty()).into_offset_iter() {
        if range.start < r.skip_to {
            continue;
        }
        r.event(event, range.start);
    }
    r.flush();
    MarkdownPage { title: r.title, blocks: r.blocks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_emphasis_captions_anchors_and_a_table_with_a_blank_line() {
        let md = "# 查询\\(1.0.0\\)<a name=\"x\"></a>\n\n## URI<a name=\"s\"></a>\n\n-   URI 格式\n\n    GET /v1.0/\\{project\\_id\\}/items?offset=_\\{offset\\}_\n\n-   参数说明\n\n    **表 1**  URI参数说明\n\n    <a name=\"table9\"></a>\n    <table><tr><th>参数</th><th>类型</th></tr>\n\n    <tr><td>offset</td><td>Integer</td></tr>\n    </table>\n\n```\nPOST /x\n{\n  \"a\": 1\n}\n```\n";
        let page = read_markdown(md);
        assert_eq!(page.title.as_deref(), Some("查询(1.0.0)"));
        assert!(matches!(&page.blocks[0], Block::Heading { text, line: 3 } if text == "URI"));
        assert!(matches!(&page.blocks[1], Block::Bullet { text, .. } if text == "URI 格式"));
        assert!(
            matches!(&page.blocks[2], Block::Text { text, line: 7 } if text == "GET /v1.0/{project_id}/items?offset={offset}")
        );
        let Block::Table(t) = &page.blocks[4] else { panic!("a table: {:?}", page.blocks) };
        assert_eq!(t.label.as_deref(), Some("表1 URI参数说明"));
        assert_eq!(t.anchor.as_deref(), Some("table9"));
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].line, 16);
        assert!(matches!(&page.blocks[5], Block::Code { text, line: 20 } if text == "POST /x\n{\n  \"a\": 1\n}"));
    }
}
