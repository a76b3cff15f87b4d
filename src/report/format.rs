//! The output formats a report can be rendered to, their file names, and `--format` parsing.

use std::fmt;
use std::str::FromStr;

use super::ReportError;

/// One rendering of a [`Report`](super::Report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `report.json`: the machine-readable truth.
    Json,
    /// `junit.xml`: for CI systems.
    Junit,
    /// `report.md`: a summary for people (pull requests, wikis).
    Markdown,
    /// `report.html`: one self-contained, filterable page.
    Html,
}

impl Format {
    /// Every format, in the order they are written.
    pub const ALL: [Format; 4] = [Format::Json, Format::Junit, Format::Markdown, Format::Html];

    /// The file a format is written to inside the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Json => "report.json",
            Self::Junit => "junit.xml",
            Self::Markdown => "report.md",
            Self::Html => "report.html",
        }
    }

    /// The format's name, as `--format` takes it (`json`, `junit`, `markdown`, `html`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Junit => "junit",
            Self::Markdown => "markdown",
            Self::Html => "html",
        }
    }

    /// Parses a comma-separated list such as `json,junit,markdown,html` (duplicates dropped, order kept).
    pub fn parse_list(list: &str) -> Result<Vec<Format>, ReportError> {
        let mut out = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let format: Format = item.parse()?;
            if !out.contains(&format) {
                out.push(format);
            }
        }
        if out.is_empty() {
            return Err(ReportError::UnknownFormat(list.to_owned()));
        }
        Ok(out)
    }
}

impl FromStr for Format {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "junit" | "xml" => Ok(Self::Junit),
            "markdown" | "md" => Ok(Self::Markdown),
            "html" => Ok(Self::Html),
            _ => Err(ReportError::UnknownFormat(s.to_owned())),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_list_and_drops_duplicates() {
        let list = Format::parse_list("json, junit,markdown,html,json").unwrap();
        assert_eq!(list, vec![Format::Json, Format::Junit, Format::Markdown, Format::Html]);
    }

    #[test]
    fn rejects_unknown_and_empty() {
        let err = Format::parse_list("json,pdf").unwrap_err().to_string();
        assert!(err.contains("\"pdf\""), "{err}");
        assert!(Format::parse_list(" , ").is_err());
    }

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>().unwrap(), f);
        }
    }
}
