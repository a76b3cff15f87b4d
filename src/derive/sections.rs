//! Section headings and table captions of the documentation pages, in English and Chinese: which
//! lines of a plain-text page are headings, which section a heading opens (the section decides
//! whether a table documents the request or the response), the status a heading or caption names,
//! and the number and name a caption gives its table.

use std::sync::LazyLock;

use regex::Regex;

use super::phrases::re;

/// What the part of a page under a heading documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    /// Prose that documents no table role (function, constraints, error codes …).
    Other,
    Uri,
    Request,
    Response,
    ExampleRequest,
    ExampleResponse,
    StatusCodes,
}

static TABLE_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:Table\s*(\d+)|表\s*(\d+))\s+(\S.*)$"));
static STATUS_HEADING: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:Status code|状态码)\s*[:：]\s*(\d{3})$"));

/// Section headings and the section each opens. Plain-text pages know a heading only from this
/// list; Markdown pages mark headings themselves, and an unknown heading keeps the section.
const HEADINGS: &[(&str, Section)] = &[
    ("Function", Section::Other),
    ("Constraints", Section::Other),
    ("Calling Method", Section::Other),
    ("Authorization Information", Section::Other),
    ("Error Codes", Section::Other),
    ("Error Code", Section::Other),
    ("功能介绍", Section::Other),
    ("调用方法", Section::Other),
    ("约束与限制", Section::Other),
    ("授权信息", Section::Other),
    ("错误码", Section::Other),
    ("URI", Section::Uri),
    ("Request Parameters", Section::Request),
    ("Request", Section::Request),
    ("请求参数", Section::Request),
    ("请求", Section::Request),
    ("Response Parameters", Section::Response),
    ("Response", Section::Response),
    ("响应参数", Section::Response),
    ("响应", Section::Response),
    ("Example Request", Section::ExampleRequest),
    ("Example Requests", Section::ExampleRequest),
    ("请求示例", Section::ExampleRequest),
    ("Example Response", Section::ExampleResponse),
    ("Example Responses", Section::ExampleResponse),
    ("响应示例", Section::ExampleResponse),
    ("Status Codes", Section::StatusCodes),
    ("Status Code", Section::StatusCodes),
    ("返回值", Section::StatusCodes),
    ("状态码", Section::StatusCodes),
];

/// The section a heading opens, if it is one of the known section headings.
pub(super) fn section_of(heading: &str) -> Option<Section> {
    HEADINGS.iter().find(|(h, _)| *h == heading.trim()).map(|(_, s)| *s)
}

/// The status a status-code subsection heading names (`Status code: 200`, `状态码： 200`).
pub(super) fn heading_status(heading: &str) -> Option<u16> {
    STATUS_HEADING.captures(heading.trim()).and_then(|c| c[1].parse().ok())
}

/// Whether a line of a plain-text page is a section heading or a table caption.
pub(super) fn is_heading(line: &str) -> bool {
    section_of(line).is_some() || heading_status(line).is_some() || caption(line).is_some()
}

/// A table caption: its number and the rest (`Table 3 Request body parameters`, `表3 GesBackUp数据结构`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Caption {
    pub number: u32,
    pub name: String,
}

/// The caption a label or line gives, if it is one.
pub(super) fn caption(text: &str) -> Option<Caption> {
    let c = TABLE_LABEL.captures(text.trim())?;
    let number = c.get(1).or(c.get(2))?.as_str().parse().ok()?;
    Some(Caption { number, name: c[3].trim().to_owned() })
}

/// The label derive writes for a Markdown caption: `表2 要素说明` (Chinese) or `Table 2 …`.
pub(super) fn caption_label(number: &str, chinese: bool, name: &str) -> String {
    if chinese { format!("表{number} {}", name.trim()) } else { format!("Table {number} {}", name.trim()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_in_both_languages() {
        assert_eq!(section_of("响应"), Some(Section::Response));
        assert_eq!(section_of("Response Parameters"), Some(Section::Response));
        assert_eq!(section_of("请求参数"), Some(Section::Request));
        assert_eq!(heading_status("Status code: 202"), Some(202));
        assert_eq!(heading_status("状态码： 200"), Some(200));
        assert!(is_heading("Table 5 backup"));
        assert_eq!(caption("表 3 GesBackUp数据结构"), Some(Caption { number: 3, name: "GesBackUp数据结构".into() }));
        assert!(!is_heading("A description line"));
    }
}
