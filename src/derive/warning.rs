//! A reading derive could not make with certainty: named by page, table and row, never silent.

use std::fmt;

/// One uninterpreted row or sentence, an unresolved erratum, or a gap the overlay must fill.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// The page's file name.
    pub page: String,
    /// Table label or section the warning is about (`-` when it concerns the whole page).
    pub table: String,
    /// First cell of the row (`-` when it concerns the whole table).
    pub row: String,
    /// What derive could not read or decide, in one line.
    pub message: String,
    /// The page line the doubt is about, where derive knows it.
    pub line: Option<usize>,
}

impl Warning {
    /// A warning about `row` of `table` on `page`, with no line number.
    pub fn new(page: &str, table: &str, row: &str, message: impl Into<String>) -> Self {
        Self {
            page: page.to_owned(),
            table: table.to_owned(),
            row: row.to_owned(),
            message: message.into(),
            line: None,
        }
    }

    /// The same warning, naming the page line it is about.
    #[must_use]
    pub fn at(mut self, line: usize) -> Self {
        self.line = (line > 0).then_some(line);
        self
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {} · {} · {}: {}", self.page, self.table, self.row, self.message)?;
        match self.line {
            Some(line) => write!(f, " (line {line})"),
            None => Ok(()),
        }
    }
}
