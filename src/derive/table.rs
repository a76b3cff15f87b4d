//! The one table model every page syntax is read into: columns by meaning, rows of cells with the
//! page line each starts on and the links its cells carry, the caption and the anchor that name
//! the table. The readers live in [`super::text_tables`] (plain text), [`super::html`] (HTML
//! `<table>` elements) and [`super::markdown`] (where those elements sit in a Markdown page).

/// A column of a documentation table, by meaning (the pages name them in English or Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The parameter or member name column ("Parameter", "参数").
    Parameter,
    /// The column saying whether the member is mandatory ("Mandatory", "是否必选").
    Mandatory,
    /// The type column ("Type", "参数类型").
    Type,
    /// The description column, where ranges, defaults and values are read ("Description", "描述").
    Description,
    /// The status column of a status-code table ("Return Value", "Status Code", "返回值").
    Status,
    /// A column derive does not read (its header as written), kept so cells stay aligned.
    Other(String),
}

impl Column {
    /// The column a header cell names, if it is one derive reads.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.trim() {
            "Parameter" | "Name" | "Parameter Name" | "参数" | "名称" | "参数名" | "参数名称" | "字段" => {
                Self::Parameter
            }
            "Mandatory" | "Required" | "是否必选" | "必选" | "是否必填" | "必填" => Self::Mandatory,
            "Type" | "Data Type" | "类型" | "参数类型" | "数据类型" => Self::Type,
            "Description" | "说明" | "描述" | "参数说明" => Self::Description,
            "Return Value" | "Status Code" | "返回值" | "状态码" => Self::Status,
            _ => return None,
        })
    }

    /// The column a header cell of an HTML table names: unknown headers are kept as [`Column::Other`].
    pub fn from_header(name: &str) -> Self {
        Self::from_name(name).unwrap_or_else(|| Self::Other(name.trim().to_owned()))
    }
}

/// One table row: its cells in column order, the page line it starts on, and the targets of the
/// links in its cells (`#table123`, `page.md#table4`), in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's cells, in column order, as text.
    pub cells: Vec<String>,
    /// The page line (1-based) the row starts on.
    pub line: usize,
    /// The targets of the links in its cells (`#table123`, `page.md#table4`), in order.
    pub links: Vec<String>,
}

impl Row {
    /// A row of these cells starting on page line `line`, without links.
    pub fn new(cells: Vec<String>, line: usize) -> Self {
        Self { cells, line, links: Vec::new() }
    }

    /// The first cell: the row's name in provenance (`x-source.row`).
    pub fn key(&self) -> &str {
        self.cells.first().map_or("", String::as_str)
    }
}

/// A parsed table. `label` is the page's own caption ("Table 3 …", "表2 要素说明") where it has one;
/// `anchor` the name other tables link to it by (`<a name="table123">` before it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The page's own caption ("Table 3 Request body parameters"); `None` where the page numbers none.
    pub label: Option<String>,
    /// The anchor other tables link to it by (`table123`); `None` where it has none.
    pub anchor: Option<String>,
    /// The table's columns by meaning, in page order.
    pub columns: Vec<Column>,
    /// The table's rows, header excluded.
    pub rows: Vec<Row>,
    /// The page line (1-based) the table starts on.
    pub line: usize,
    /// The page ended inside the table (its last row is incomplete).
    pub truncated: bool,
}

impl Table {
    /// The cell of `row` under `column`, if the table has that column.
    pub fn cell<'a>(&self, row: &'a Row, column: &Column) -> Option<&'a str> {
        let i = self.columns.iter().position(|c| c == column)?;
        row.cells.get(i).map(String::as_str)
    }

    /// Whether the table has a column of this meaning.
    pub fn has(&self, column: &Column) -> bool {
        self.columns.contains(column)
    }
}
