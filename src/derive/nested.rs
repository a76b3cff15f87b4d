//! Nested structures: which tables document the members of an object or array member. A member
//! names its table by a link (`<a href="#table…">表N</a>`), a number (`表N`, `Table N`, "see
//! Table N"), a structure name (`参见Graph类型数据结构说明`, `DataSource数据结构`, `Array of backup
//! objects`), or a later caption names the member (`schemaPath、edgesetPath和vertexsetPath属性列表`).
//! Only members whose type is an object, an array of objects or a structure are followed; a link
//! to a table the page lacks, or on another page, is a warning.

use std::sync::LazyLock;

use regex::Regex;

use super::phrases::re;
use super::sections::Caption;

/// A table as the resolver sees it: its caption and anchor.
pub(super) struct Target<'a> {
    pub caption: Option<&'a Caption>,
    pub anchor: Option<&'a str>,
}

/// What a member's cells say about the table of its members.
pub(super) enum Reference {
    /// The tables (indexes into the page's tables), in the order named.
    Tables(Vec<usize>),
    /// The member names a table the page does not have (the message says which).
    Missing(String),
    /// The member names no table.
    None,
}

static MEMBER_LIST: LazyLock<Regex> = LazyLock::new(|| re(r"、|，|,|和|及|\band\b|\bor\b|\s+"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"(?:表\s*(\d+)|Table\s+(\d+))"));
static NAMED: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:请参见|参见|请参考|具体请参考|参考|详见|[Ss]ee)\s*([^，。,;；()（）\s]+)"));
/// Words after a structure's name in a caption or reference ("数据结构说明", "参数说明" …).
const STRUCTURE_SUFFIXES: &[&str] = &[
    "属性列表",
    "类型数据结构说明",
    "类型数据结构",
    "数据结构说明",
    "数据结构",
    "结构说明",
    "结构体",
    "参数说明",
    "字段说明",
    "说明",
    "结构",
    "对象",
    "objects",
    "object",
    "parameters",
    "parameter",
];

/// A name as compared: lower case, no spaces or final punctuation, no structure suffix.
fn norm(name: &str) -> String {
    let mut n: String = name.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    n = n.trim_end_matches(['。', '.', '，', ',']).to_owned();
    loop {
        let before = n.len();
        for s in STRUCTURE_SUFFIXES {
            if let Some(stripped) = n.strip_suffix(s)
                && !stripped.is_empty()
            {
                n = stripped.to_owned();
            }
        }
        if n.len() == before {
            return n;
        }
    }
}

/// The names a caption's name lists (`a、b和c属性列表` → a, b, c).
fn caption_members(name: &str) -> Vec<String> {
    let stripped = norm_keep_case(name);
    MEMBER_LIST.split(&stripped).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn norm_keep_case(name: &str) -> String {
    let mut n = name.trim().trim_end_matches(['。', '.']).to_owned();
    for s in STRUCTURE_SUFFIXES {
        if let Some(stripped) = n.strip_suffix(s) {
            n = stripped.trim().to_owned();
        }
    }
    n
}

/// The object name of an English type (`Array of backup objects`, `backup object`).
pub(super) fn english_object_name(doc_type: &str) -> Option<&str> {
    let t = doc_type.trim();
    let t = t.strip_prefix("Array of ").unwrap_or(t);
    t.strip_suffix(" objects").or_else(|| t.strip_suffix(" object"))
}

/// The tables the member `name` (type cell `doc_type`, description, links of its row) refers
/// to, among `tables`; `own` is the member's own table.
pub(super) fn resolve(
    name: &str,
    doc_type: &str,
    description: &str,
    links: &[String],
    tables: &[Target<'_>],
    own: usize,
) -> Reference {
    // 1. Links to an anchor of this page (or of another page).
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for link in links {
        let Some((page, anchor)) = link.split_once('#') else { continue };
        if !page.is_empty() {
            missing.push(format!("its members are documented on another page ({link})"));
            continue;
        }
        match tables.iter().position(|t| t.anchor == Some(anchor)) {
            Some(i) if i != own => found.push(i),
            Some(_) => {}
            None => missing.push(format!("it links to {link}, a table this page does not have")),
        }
    }
    if !found.is_empty() {
        return Reference::Tables(dedup(found));
    }
    if !missing.is_empty() {
        return Reference::Missing(missing.join("; "));
    }
    // 2. Table numbers in the type or the description.
    let text = format!("{doc_type}\n{description}");
    for c in NUMBER.captures_iter(&text) {
        let n: Option<u32> = c.get(1).or(c.get(2)).and_then(|m| m.as_str().parse().ok());
        match tables.iter().position(|t| t.caption.is_some_and(|c| Some(c.number) == n)) {
            Some(i) if i != own => found.push(i),
            Some(_) => {}
            None => missing.push(format!("it refers to {}, a table this page does not have", &c[0])),
        }
    }
    if !found.is_empty() {
        return Reference::Tables(dedup(found));
    }
    // 3. A structure named in the type or after "参见"/"see".
    let mut names: Vec<String> = vec![doc_type.to_owned()];
    names.extend(english_object_name(doc_type).map(str::to_owned));
    names.extend(NAMED.captures_iter(&text).map(|c| c[1].to_owned()));
    for n in names.iter().map(|n| norm(n)).filter(|n| !n.is_empty()) {
        let hit = tables.iter().position(|t| t.caption.is_some_and(|c| norm(&c.name) == n));
        if let Some(i) = hit.filter(|i| *i != own) {
            found.push(i);
        }
    }
    if !found.is_empty() {
        return Reference::Tables(dedup(found));
    }
    // 4. A caption that names this member.
    if let Some(i) = tables
        .iter()
        .enumerate()
        .position(|(i, t)| i != own && t.caption.is_some_and(|c| caption_members(&c.name).iter().any(|m| m == name)))
    {
        return Reference::Tables(vec![i]);
    }
    if !missing.is_empty() {
        return Reference::Missing(missing.join("; "));
    }
    Reference::None
}

fn dedup(mut v: Vec<usize>) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|i| seen.insert(*i));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(number: u32, name: &str) -> Caption {
        Caption { number, name: name.into() }
    }

    #[test]
    fn links_numbers_names_and_captions() {
        let caps = [cap(1, "请求参数"), cap(2, "Graph类型数据结构"), cap(3, "a、b和c属性列表"), cap(4, "backup")];
        let tables: Vec<Target<'_>> = caps
            .iter()
            .enumerate()
            .map(|(i, c)| Target { caption: Some(c), anchor: (i == 1).then_some("table77") })
            .collect();
        let r = |n: &str, t: &str, d: &str, l: &[&str]| {
            let links: Vec<String> = l.iter().map(|s| (*s).to_owned()).collect();
            match resolve(n, t, d, &links, &tables, 0) {
                Reference::Tables(v) => format!("{v:?}"),
                Reference::Missing(m) => m,
                Reference::None => "none".into(),
            }
        };
        assert_eq!(r("g", "Object", "见表2。", &["#table77"]), "[1]");
        assert_eq!(r("g", "Object", "具体请参考表2和表4。", &[]), "[1, 3]");
        assert_eq!(r("g", "List结构，参见Graph类型数据结构说明。", "", &[]), "[1]");
        assert_eq!(r("b", "JsonArray", "路径。", &[]), "[2]");
        assert_eq!(r("x", "Array of backup objects", "", &[]), "[3]");
        assert!(r("g", "Object", "", &["#table404"]).contains("does not have"));
        assert!(r("g", "Object", "", &["other.md#table1"]).contains("another page"));
        assert_eq!(r("g", "Object", "Some object.", &[]), "none");
    }
}
