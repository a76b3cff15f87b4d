//! The documented rules of a schema, one at a time, each with probe values that keep it and
//! break it.
//!
//! This is where "one documented rule broken at a time" is derived from the catalogue: the case
//! generator turns probes into requests, and the catalogue tests turn them into mutated examples.
//! Probes are deterministic boundary values (at, just inside, just outside a limit; one case per
//! forbidden character), never random, so every case is reproducible and explainable.

use serde_json::{Map, Value};

use super::Source;

/// One documented rule of one member (or of a parameter value, where `pointer` is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// JSON Pointer of the member in an instance (`/name`, `/backupList/0/status`); `""` for the root.
    pub pointer: String,
    /// The member's name as documented (the last pointer segment, or the parameter name).
    pub field: String,
    /// What the rule demands, with its documented operand.
    pub kind: RuleKind,
    /// The page table rows that document the rule.
    pub sources: Vec<Source>,
    /// Every rule of the member together, so one rule's probes keep all the others.
    pub shape: Shape,
}

/// The documented rules of one member, together: what a probe of one rule must keep of the others.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// Documented least length in characters (`minLength`); `None` where the page gives none.
    pub min: Option<u64>,
    /// Documented greatest length in characters (`maxLength`); `None` where the page gives none.
    pub max: Option<u64>,
    /// Character classes or characters allowed first (`x-charset.first`); `None`: no rule.
    pub first: Option<Vec<String>>,
    /// Character classes or characters allowed anywhere (`x-charset.allowed`); `None`: no rule.
    pub allowed: Option<Vec<String>>,
    /// Characters never allowed (`x-charset.forbidden`); empty: no rule.
    pub forbidden: Vec<String>,
    /// The type list includes `null`.
    pub nullable: bool,
}

impl Shape {
    /// The rules of one schema node.
    pub fn of(node: &Value) -> Self {
        let charset = node.get("x-charset");
        let list = |k: &str| -> Option<Vec<String>> {
            charset?.get(k)?.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        };
        Self {
            min: node.get("minLength").and_then(Value::as_u64),
            max: node.get("maxLength").and_then(Value::as_u64),
            first: list("first"),
            allowed: list("allowed"),
            forbidden: list("forbidden").unwrap_or_default(),
            nullable: node.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|x| x == "null")),
        }
    }
}

/// What a rule demands, with its documented operands.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// The member is mandatory.
    Required,
    /// The member has the documented JSON type (`string`, `integer`, `boolean`, `array`, `object`).
    Type(String),
    /// The value has at least this many characters.
    MinLength(u64),
    /// The value has at most this many characters.
    MaxLength(u64),
    /// Characters allowed as the first character (classes `letter`, `digit`, or literal characters).
    FirstChar(Vec<String>),
    /// Characters allowed anywhere.
    AllowedChars(Vec<String>),
    /// Characters never allowed.
    ForbiddenChars(Vec<String>),
    /// The value is one of the documented values.
    Enum(Vec<Value>),
    /// The number is at least this.
    Minimum(i64),
}

impl RuleKind {
    /// The JSON Schema keyword that enforces the rule.
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Type(_) => "type",
            Self::MinLength(_) => "minLength",
            Self::MaxLength(_) => "maxLength",
            Self::FirstChar(_) | Self::AllowedChars(_) | Self::ForbiddenChars(_) => "pattern",
            Self::Enum(_) => "enum",
            Self::Minimum(_) => "minimum",
        }
    }

    /// A short stable slug for case ids (`max_length`, `forbidden_chars` …).
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Type(_) => "type",
            Self::MinLength(_) => "min_length",
            Self::MaxLength(_) => "max_length",
            Self::FirstChar(_) => "first_char",
            Self::AllowedChars(_) => "allowed_chars",
            Self::ForbiddenChars(_) => "forbidden_chars",
            Self::Enum(_) => "enum",
            Self::Minimum(_) => "minimum",
        }
    }
}

/// Every rule of `schema` and of the object members below it, following `$ref`s through `resolve`
/// (which maps a `$ref` value, as written, to the referenced document).
pub fn rules_of<'a>(schema: &'a Value, resolve: &dyn Fn(&str) -> Option<&'a Value>) -> Vec<Rule> {
    let mut out = Vec::new();
    walk(schema, "", "", &[], resolve, &mut out, 0);
    out
}

fn walk<'a>(
    node: &'a Value,
    pointer: &str,
    field: &str,
    inherited: &[Source],
    resolve: &dyn Fn(&str) -> Option<&'a Value>,
    out: &mut Vec<Rule>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let Some(obj) = node.as_object() else { return };
    if let Some(target) = obj.get("$ref").and_then(Value::as_str).and_then(resolve) {
        walk(target, pointer, field, inherited, resolve, out, depth + 1);
    }
    let mut sources = Source::from_annotation(node);
    if sources.is_empty() {
        sources = inherited.to_vec();
    }
    let shape = Shape::of(node);
    let rule = |kind| Rule {
        pointer: pointer.to_owned(),
        field: field.to_owned(),
        kind,
        sources: sources.clone(),
        shape: shape.clone(),
    };
    if let Some(t) = obj.get("type").and_then(Value::as_str) {
        out.push(rule(RuleKind::Type(t.to_owned())));
    }
    if let Some(n) = obj.get("minLength").and_then(Value::as_u64) {
        out.push(rule(RuleKind::MinLength(n)));
    }
    if let Some(n) = obj.get("maxLength").and_then(Value::as_u64) {
        out.push(rule(RuleKind::MaxLength(n)));
    }
    if let Some(n) = obj.get("minimum").and_then(Value::as_i64) {
        out.push(rule(RuleKind::Minimum(n)));
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array) {
        out.push(rule(RuleKind::Enum(values.clone())));
    }
    if let Some(charset) = obj.get("x-charset").and_then(Value::as_object) {
        let list = |k: &str| -> Option<Vec<String>> {
            charset.get(k)?.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        };
        if let Some(first) = list("first") {
            out.push(rule(RuleKind::FirstChar(first)));
        }
        if let Some(allowed) = list("allowed") {
            out.push(rule(RuleKind::AllowedChars(allowed)));
        }
        if let Some(forbidden) = list("forbidden") {
            out.push(rule(RuleKind::ForbiddenChars(forbidden)));
        }
    }
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let child = format!("{pointer}/{}", escape(name));
            if required.contains(&name.as_str()) {
                let src = Source::from_annotation(prop);
                out.push(Rule {
                    pointer: child.clone(),
                    field: name.clone(),
                    kind: RuleKind::Required,
                    sources: if src.is_empty() { sources.clone() } else { src },
                    shape: Shape::of(prop),
                });
            }
            walk(prop, &child, name, &sources, resolve, out, depth + 1);
        }
    }
    if let Some(items) = obj.get("items") {
        walk(items, &format!("{pointer}/0"), field, &sources, resolve, out, depth + 1);
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Whether `c` belongs to a class or literal of an `x-charset` list.
pub fn char_in(c: char, classes: &[String]) -> bool {
    classes.iter().any(|class| match class.as_str() {
        "letter" => c.is_ascii_alphabetic(),
        "digit" => c.is_ascii_digit(),
        literal => literal.chars().eq(std::iter::once(c)),
    })
}

/// What a correct target must do with a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Every rule of the member holds: the target must accept it.
    Accept,
    /// The rule is broken: the target must refuse it.
    Refuse,
    /// The page leaves the class open (does "letter" include `é`? is a line break "a character"?):
    /// either answer is legitimate and recorded as an observation.
    Open,
}

/// A value to put at a rule's member, and what the documented rule says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The value; `None` leaves the member out.
    pub value: Option<Value>,
    /// Whether the documented rule makes the target accept the value, refuse it, or leaves it open.
    pub verdict: Verdict,
    /// Short stable label for case ids (`len_65`, `has_0x3e`, `starts_1`, `missing`).
    pub label: String,
    /// One line in plain words naming the class and the boundary it covers.
    pub rationale: String,
    /// Only meaningful in a JSON body (`null`, arrays, objects, booleans): a query or path value is
    /// text, where these would be one more text probe.
    pub json_only: bool,
}

impl Probe {
    /// Whether the documented rule accepts the value (an open class counts as not accepted).
    pub fn valid(&self) -> bool {
        self.verdict == Verdict::Accept
    }
}

/// The character classes a rule's documented sets are made of: each probed with one
/// representative, since a server's set is usually wrong by a whole class.
const LETTER: char = 'a';
const DIGIT: char = '1';

/// Characters outside the ASCII letter and digit ranges that sit right next to them (`@`/`[`
/// around `A-Z`, `` ` ``/`{` around `a-z`, `/`/`:` around `0-9`): where an off-by-one range
/// (`[A-z]`, `[0-:]`) lets a character in.
const RANGE_NEIGHBOURS: &[char] = &['@', '[', '`', '{', '/', ':'];

/// Whitespace and line terminators, each a class of its own.
const BLANKS: &[(char, &str)] =
    &[(' ', "a space"), ('\t', "a tab"), ('\n', "a line feed"), ('\r', "a carriage return")];

/// Non-ASCII letters: whether the page's "letter" includes them is left open.
const WIDE_LETTERS: &[(char, &str)] =
    &[('é', "a non-ASCII Latin letter (é, 2 bytes)"), ('中', "a CJK character (中, 3 bytes)")];

/// Multi-byte characters for length probes: lengths count characters, not bytes.
const MULTIBYTE: &[(char, &str)] = &[('é', "2-byte"), ('中', "3-byte")];

/// A character's place in a value, where a rule gives it one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    First,
    Inner,
    Last,
}

impl Position {
    fn slug(self) -> &'static str {
        match self {
            Self::First => "starts",
            Self::Inner => "has",
            Self::Last => "ends",
        }
    }

    fn valid_slug(self) -> &'static str {
        match self {
            Self::First => "first",
            Self::Inner => "inner",
            Self::Last => "last",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::First => "as its first character",
            Self::Inner => "inside",
            Self::Last => "as its last character",
        }
    }
}

impl Shape {
    /// A character every rule of the member accepts first.
    fn lead(&self, sample: Option<&Value>) -> char {
        let from_sample =
            sample.and_then(Value::as_str).and_then(|s| s.chars().next()).filter(char::is_ascii_alphabetic);
        let candidates = from_sample.into_iter().chain(['A', DIGIT, LETTER]);
        for c in candidates {
            if self.accepts_at(c, Position::First) {
                return c;
            }
        }
        'A'
    }

    /// Whether every character rule accepts `c` at `pos` (non-ASCII letters count as letters here
    /// only when the rule has no class list).
    fn accepts_at(&self, c: char, pos: Position) -> bool {
        if self.forbidden.iter().any(|f| f.chars().eq(std::iter::once(c))) {
            return false;
        }
        if pos == Position::First
            && let Some(first) = &self.first
        {
            return char_in(c, first);
        }
        self.allowed.as_ref().is_none_or(|a| char_in(c, a))
    }

    /// A string of `n` characters: the lead, then `fill` (or `fill` throughout where it may lead).
    fn text(&self, sample: Option<&Value>, n: usize, fill: char) -> String {
        if n == 0 {
            return String::new();
        }
        let lead = if fill != LETTER && self.accepts_at(fill, Position::First) { fill } else { self.lead(sample) };
        std::iter::once(lead).chain(std::iter::repeat_n(fill, n - 1)).collect()
    }

    /// The length of the values character probes are built on: 4, or the nearest the limits allow.
    fn base_len(&self) -> usize {
        let min = self.min.map_or(0, |m| usize::try_from(m).unwrap_or(usize::MAX));
        let max = self.max.map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
        4.max(min).min(max)
    }

    /// The length classes of a length boundary: one filler per allowed class, or ASCII and
    /// multi-byte characters where the member takes any character.
    fn fillers(&self) -> Vec<(char, String)> {
        match &self.allowed {
            Some(allowed) => allowed
                .iter()
                .filter_map(|class| match class.as_str() {
                    "letter" => Some((LETTER, String::new())),
                    "digit" => Some((DIGIT, "digits".to_owned())),
                    lit => lit.chars().next().map(|c| (c, char_label(c))),
                })
                .collect(),
            None => std::iter::once((LETTER, String::new()))
                .chain(MULTIBYTE.iter().map(|(c, what)| (*c, (*what).to_owned())))
                .filter(|(c, _)| self.accepts_at(*c, Position::Inner))
                .collect(),
        }
    }
}

/// The probe verdict of `c` at `pos` for a class list: refused, or open where it is a non-ASCII
/// letter and the list has letters.
fn outsider(c: char, classes: &[String]) -> Verdict {
    if !c.is_ascii() && c.is_alphabetic() && classes.iter().any(|x| x == "letter") {
        Verdict::Open
    } else {
        Verdict::Refuse
    }
}

/// `base` with `c` at `pos`: replacing the first or last character, or inserted after the first.
fn place(base: &str, c: char, pos: Position, max: Option<u64>) -> String {
    let chars: Vec<char> = base.chars().collect();
    match pos {
        Position::First => std::iter::once(c).chain(chars.iter().copied().skip(1)).collect(),
        Position::Last => chars.iter().copied().take(chars.len().saturating_sub(1)).chain(std::iter::once(c)).collect(),
        Position::Inner => {
            let at_max = max.is_some_and(|m| chars.len() as u64 >= m);
            let rest = chars.iter().copied().skip(if at_max { 2 } else { 1 });
            chars.first().copied().into_iter().chain(std::iter::once(c)).chain(rest).collect()
        }
    }
}

impl Rule {
    /// Probe values for this rule, by the method of `docs/suite.md`: boundaries, one probe per
    /// character class at every position the rule governs, types and presence. `sample` is a value
    /// of the member satisfying every rule (its first letter shapes the strings); lengths count
    /// characters.
    pub fn probes(&self, sample: Option<&Value>) -> Vec<Probe> {
        // Two probes of one rule sending the same value test one thing (a range end placed where
        // the base value already has it): the first stands.
        let mut seen: Vec<Option<Value>> = Vec::new();
        let mut out = self.all_probes(sample);
        out.retain(|p| {
            let fresh = !seen.contains(&p.value);
            seen.push(p.value.clone());
            fresh
        });
        out
    }

    fn all_probes(&self, sample: Option<&Value>) -> Vec<Probe> {
        let f = &self.field;
        let shape = &self.shape;
        match &self.kind {
            RuleKind::Required => vec![Probe {
                value: None,
                verdict: Verdict::Refuse,
                label: "missing".into(),
                rationale: format!("presence: {f} left out, though the table marks it mandatory"),
                json_only: false,
            }],
            RuleKind::Type(t) => type_probes(f, t, shape, self.pointer.is_empty()),
            RuleKind::MinLength(n) => length_probes(f, shape, sample, *n, Bound::Min),
            RuleKind::MaxLength(n) => length_probes(f, shape, sample, *n, Bound::Max),
            RuleKind::FirstChar(first) => first_char_probes(f, shape, sample, first),
            RuleKind::AllowedChars(allowed) => allowed_char_probes(f, shape, sample, allowed),
            RuleKind::ForbiddenChars(forbidden) => forbidden_char_probes(f, shape, sample, forbidden),
            RuleKind::Enum(values) => enum_probes(f, values),
            RuleKind::Minimum(m) => vec![
                probe(
                    Value::from(*m),
                    Verdict::Accept,
                    format!("is_{m}"),
                    format!("boundary min: {f} at the documented minimum {m}"),
                ),
                probe(
                    Value::from(m - 1),
                    Verdict::Refuse,
                    "below_min".into(),
                    format!("boundary min-1: {f} below the documented minimum {m}"),
                ),
            ],
        }
    }
}

/// A probe with a value, for JSON and other bodies alike.
fn probe(value: Value, verdict: Verdict, label: String, rationale: String) -> Probe {
    Probe { value: Some(value), verdict, label, rationale, json_only: false }
}

/// Probes of a first-character rule: one representative of each class allowed first, and characters
/// allowed elsewhere, blanks, neighbours of ranges and a wide letter that are not.
fn first_char_probes(f: &str, shape: &Shape, sample: Option<&Value>, first: &[String]) -> Vec<Probe> {
    let base = shape.text(sample, shape.base_len(), LETTER);
    let mut out: Vec<Probe> = first
        .iter()
        .flat_map(|class| class_members(class))
        .map(|(c, words)| {
            probe(
                Value::from(place(&base, c, Position::First, shape.max)),
                Verdict::Accept,
                format!("first_{}", class_slug(c)),
                format!(
                    "character class at the first position: {f} starting with {words}, which the page allows first"
                ),
            )
        })
        .collect();
    let allowed_elsewhere: Vec<char> = shape
        .allowed
        .iter()
        .flatten()
        .filter_map(|class| class_representative(class).map(|(c, _)| c))
        .filter(|c| !char_in(*c, first))
        .collect();
    let mut candidates: Vec<char> = allowed_elsewhere;
    candidates.extend(BLANKS.iter().map(|(c, _)| *c).filter(|c| *c != '\r'));
    candidates.push('.');
    candidates.extend(RANGE_NEIGHBOURS);
    candidates.extend(WIDE_LETTERS.iter().map(|(c, _)| *c).take(1));
    for c in dedup(candidates) {
        if char_in(c, first) {
            continue;
        }
        let verdict = outsider(c, first);
        out.push(probe(
            Value::from(place(&base, c, Position::First, shape.max)),
            verdict,
            format!("starts_{}", char_label(c)),
            format!(
                "character class at the first position: {f} starting with {}, not {}{}",
                char_words(c),
                classes_words(first),
                open_words(verdict)
            ),
        ));
    }
    out
}

/// Probes of an allowed-characters rule, at each position it governs: one representative of each allowed
/// class, and the characters outside the set.
fn allowed_char_probes(f: &str, shape: &Shape, sample: Option<&Value>, allowed: &[String]) -> Vec<Probe> {
    let base = shape.text(sample, shape.base_len(), LETTER);
    let positions: &[Position] = if shape.first.is_some() {
        &[Position::Inner, Position::Last]
    } else {
        &[Position::First, Position::Inner, Position::Last]
    };
    let mut out = Vec::new();
    for &pos in positions {
        for (c, words) in allowed.iter().flat_map(|class| class_members(class)) {
            out.push(probe(
                Value::from(place(&base, c, pos, shape.max)),
                Verdict::Accept,
                format!("{}_{}", pos.valid_slug(), class_slug(c)),
                format!(
                    "character class {}: {f} with {words} {}, which the page allows",
                    pos.valid_slug(),
                    pos.words()
                ),
            ));
        }
        // Inside, every printable ASCII character outside the set, alone; at the ends, one
        // per class (a set is usually wrong by a whole class or an unanchored end).
        let mut candidates: Vec<char> = if pos == Position::Inner {
            (' '..='~').collect()
        } else {
            let mut v = vec!['.'];
            v.extend(RANGE_NEIGHBOURS);
            v
        };
        candidates.extend(BLANKS.iter().map(|(c, _)| *c).filter(|c| pos == Position::Inner || *c != '\r'));
        candidates.extend(WIDE_LETTERS.iter().map(|(c, _)| *c).take(if pos == Position::Inner { 2 } else { 1 }));
        for c in dedup(candidates) {
            if char_in(c, allowed) {
                continue;
            }
            let verdict = outsider(c, allowed);
            out.push(probe(
                Value::from(place(&base, c, pos, shape.max)),
                verdict,
                format!("{}_{}", pos.slug(), char_label(c)),
                format!(
                    "character class {}: {f} containing {} {}, outside the documented {}{}",
                    pos.valid_slug(),
                    char_words(c),
                    pos.words(),
                    classes_words(allowed),
                    open_words(verdict)
                ),
            ));
        }
    }
    out
}

/// Probes of a forbidden-characters rule: each forbidden character inside and alone; without an allowed
/// set, also what the page does not forbid (other ASCII, multi-byte, blanks).
fn forbidden_char_probes(f: &str, shape: &Shape, sample: Option<&Value>, forbidden: &[String]) -> Vec<Probe> {
    let base = shape.text(sample, shape.base_len(), LETTER);
    let chars: Vec<char> = forbidden.iter().filter_map(|s| s.chars().next()).collect();
    let mut out = Vec::new();
    for &c in &chars {
        out.push(probe(
            Value::from(place(&base, c, Position::Inner, shape.max)),
            Verdict::Refuse,
            format!("has_{}", char_label(c)),
            format!("forbidden character inside: {f} containing the forbidden character {c}"),
        ));
        out.push(probe(
            Value::from(c.to_string()),
            Verdict::Refuse,
            format!("only_{}", char_label(c)),
            format!("forbidden character alone: {f} that is the forbidden character {c} and nothing else"),
        ));
    }
    if shape.allowed.is_none() {
        let others: String = (' '..='~').filter(|c| !chars.contains(c)).collect();
        out.push(probe(
            Value::from(others),
            Verdict::Accept,
            "other_ascii".into(),
            format!("allowed class: {f} made of every printable ASCII character the page does not forbid"),
        ));
        let wide: String = std::iter::once(shape.lead(sample)).chain(MULTIBYTE.iter().map(|(c, _)| *c)).collect();
        out.push(probe(
            Value::from(wide),
            Verdict::Accept,
            "multibyte".into(),
            format!("allowed class: {f} with multi-byte characters (é, 中), which the page does not forbid"),
        ));
        for (c, words) in BLANKS.iter().filter(|(c, _)| *c != ' ') {
            out.push(probe(
                Value::from(place(&base, *c, Position::Inner, shape.max)),
                Verdict::Open,
                format!("blank_{}", char_label(*c)),
                format!(
                    "whitespace class: {f} containing {words}; the page forbids only {}, and leaves control characters open (observation)",
                    chars.iter().collect::<String>()
                ),
            ));
        }
    }
    out
}

/// Probes of an enumeration: each documented value, and one outside them.
fn enum_probes(f: &str, values: &[Value]) -> Vec<Probe> {
    let mut out: Vec<Probe> = values
        .iter()
        .map(|v| {
            let shown = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            probe(v.clone(), Verdict::Accept, format!("is_{shown}"), format!("{f} set to the documented value {shown}"))
        })
        .collect();
    out.push(probe(
        Value::from("hwconform-undocumented"),
        Verdict::Refuse,
        "undocumented".into(),
        format!("{f} outside its documented values"),
    ));
    out
}

/// Which end of a length range a rule fixes.
#[derive(Clone, Copy)]
enum Bound {
    Min,
    Max,
}

/// A length boundary and the value just outside it (min-1, or max+1), once per character class
/// of the member: lengths count characters, so multi-byte classes expose a server counting bytes.
fn length_probes(f: &str, shape: &Shape, sample: Option<&Value>, n: u64, bound: Bound) -> Vec<Probe> {
    let n = usize::try_from(n).unwrap_or(usize::MAX / 2);
    let (word, outside, outside_words) = match bound {
        Bound::Min => ("minimum", n.checked_sub(1), ("min-1", "shorter")),
        Bound::Max => ("maximum", Some(n + 1), ("max+1", "longer")),
    };
    let tag = match bound {
        Bound::Min => "min",
        Bound::Max => "max",
    };
    let mut out = Vec::new();
    for (fill, what) in shape.fillers() {
        let suffix = if what.is_empty() { String::new() } else { format!("_{what}") };
        let class = match fill {
            LETTER => "letters".to_owned(),
            DIGIT => "digits".to_owned(),
            c if !c.is_ascii() => format!("{what} characters ({c})"),
            c => format!("'{c}' characters"),
        };
        let mut probe = |len: usize, verdict: Verdict, rationale: String| {
            out.push(Probe {
                value: Some(Value::from(shape.text(sample, len, fill))),
                verdict,
                label: format!("len_{len}{suffix}"),
                rationale,
                json_only: false,
            });
        };
        probe(
            n,
            Verdict::Accept,
            format!("length boundary {tag}: {f} of exactly the documented {word} of {n} characters, {class}"),
        );
        if let Some(len) = outside {
            probe(
                len,
                Verdict::Refuse,
                format!(
                    "length boundary {}: {f} one character {} than the documented {word} of {n}, {class}",
                    outside_words.0, outside_words.1
                ),
            );
        }
    }
    out
}

/// Types and presence: each wrong JSON type, `null` and the empty string separately, since servers
/// treat them differently.
fn type_probes(f: &str, t: &str, shape: &Shape, root: bool) -> Vec<Probe> {
    let wrong = |value: Value, label: &str, what: &str, json_only: bool| Probe {
        value: Some(value),
        verdict: Verdict::Refuse,
        label: label.to_owned(),
        rationale: format!("type: {f} given as {what}, not the documented {t}"),
        json_only,
    };
    let mut out = Vec::new();
    match t {
        "string" => {
            out.push(wrong(Value::from(12345), "number", "a number", true));
            out.push(wrong(Value::from(true), "boolean", "a boolean", true));
            out.push(wrong(serde_json::json!(["x"]), "array", "an array", true));
            out.push(wrong(serde_json::json!({}), "object", "an object", true));
        }
        "integer" => {
            out.push(wrong(Value::from("abc"), "text", "text", false));
            out.push(wrong(Value::from(1.5), "fraction", "a fraction", false));
            out.push(wrong(Value::from(true), "boolean", "a boolean", true));
        }
        "boolean" => out.push(wrong(Value::from("true"), "text", "text", false)),
        "array" | "object" => {
            out.push(wrong(Value::from("x"), "text", "text", false));
            if root {
                out.push(wrong(serde_json::json!([]), "array", "an array", true));
                out.push(wrong(Value::from(1), "number", "a number", true));
            }
        }
        _ => {}
    }
    if !root && t != "null" && !shape.nullable {
        out.push(wrong(Value::Null, "null", "null", true));
    }
    // The empty string: refused where a documented rule refuses it; otherwise servers differ on
    // whether "" counts as given (an observation). For an integer in a query it is `limit=`.
    let refused = t == "string" && (shape.min.is_some_and(|m| m > 0) || shape.first.is_some());
    if matches!(t, "string" | "integer") {
        out.push(Probe {
            value: Some(Value::from("")),
            verdict: if refused { Verdict::Refuse } else { Verdict::Open },
            label: "empty".into(),
            rationale: if refused {
                format!("presence: {f} given as the empty string, which its documented rules refuse")
            } else {
                format!("presence: {f} given as the empty string; the page does not say whether that counts as given (observation)")
            },
            json_only: t != "integer",
        });
    }
    out
}

fn dedup(chars: Vec<char>) -> Vec<char> {
    let mut seen = Vec::new();
    for c in chars {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen
}

/// The characters an allowed class is probed with: its representative, then the ends of its ASCII
/// ranges (`A`, `Z`, `z`; `0`, `9`), since a server's set may miss one case or be off by one
/// inside a range (`[a-z]` for letters, `[1-9]` for digits).
fn class_members(class: &str) -> Vec<(char, String)> {
    let ends: &[(char, &str)] = match class {
        "letter" => &[('A', "an uppercase letter (A)"), ('Z', "an uppercase letter (Z)"), ('z', "the letter z")],
        "digit" => &[('0', "the digit 0"), ('9', "the digit 9")],
        _ => &[],
    };
    class_representative(class).into_iter().chain(ends.iter().map(|(c, words)| (*c, (*words).to_owned()))).collect()
}

/// One character standing for a class or literal of an `x-charset` list.
fn class_representative(class: &str) -> Option<(char, String)> {
    match class {
        "letter" => Some((LETTER, "a letter".into())),
        "digit" => Some((DIGIT, "a digit".into())),
        lit => lit.chars().next().map(|c| (c, format!("'{c}'"))),
    }
}

fn class_slug(c: char) -> String {
    match c {
        LETTER => "letter".into(),
        DIGIT => "digit".into(),
        c => char_label(c),
    }
}

fn open_words(verdict: Verdict) -> &'static str {
    if verdict == Verdict::Open { " (the page leaves open whether its letters include it: an observation)" } else { "" }
}

fn char_label(c: char) -> String {
    if c.is_ascii_alphanumeric() { c.to_string() } else { format!("0x{:x}", u32::from(c)) }
}

fn char_words(c: char) -> String {
    if let Some((_, words)) = BLANKS.iter().chain(WIDE_LETTERS).find(|(b, _)| *b == c) {
        return (*words).to_owned();
    }
    match c {
        c if c.is_ascii_digit() => "a digit".into(),
        c => format!("'{c}'"),
    }
}

fn classes_words(classes: &[String]) -> String {
    let parts: Vec<String> = classes
        .iter()
        .map(|c| match c.as_str() {
            "letter" => "letters".to_owned(),
            "digit" => "digits".to_owned(),
            other => format!("'{other}'"),
        })
        .collect();
    parts.join(", ")
}

/// Sets the member at `pointer` to `value` (or removes it for `None`), creating nothing: the
/// parent must exist. Returns whether the instance changed shape as asked.
pub fn apply(instance: &mut Value, pointer: &str, value: Option<&Value>) -> bool {
    if pointer.is_empty() {
        return match value {
            Some(v) => {
                *instance = v.clone();
                true
            }
            None => false,
        };
    }
    let (parent, last) = match pointer.rfind('/') {
        Some(i) => (&pointer[..i], pointer[i + 1..].replace("~1", "/").replace("~0", "~")),
        None => return false,
    };
    match instance.pointer_mut(parent) {
        Some(Value::Object(map)) => set_member(map, last, value),
        Some(Value::Array(items)) => match (last.parse::<usize>().ok(), value) {
            (Some(i), Some(v)) if i < items.len() => {
                items[i] = v.clone();
                true
            }
            _ => false,
        },
        _ => false,
    }
}

fn set_member(map: &mut Map<String, Value>, key: String, value: Option<&Value>) -> bool {
    match value {
        Some(v) => {
            map.insert(key, v.clone());
            true
        }
        None => map.remove(&key).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(schema: &Value) -> Vec<Rule> {
        rules_of(schema, &|_| None)
    }

    fn name_schema() -> Value {
        json!({"type": "object", "required": ["name"], "properties": {"name": {
            "type": "string", "minLength": 4, "maxLength": 64,
            "x-charset": {"first": ["letter"], "allowed": ["letter", "digit", "-", "_"]}}}})
    }

    fn probes_of(schema: &Value, kind: &str) -> Vec<Probe> {
        rules(schema)
            .into_iter()
            .filter(|r| r.kind.slug() == kind && !r.pointer.is_empty())
            .flat_map(|r| r.probes(None))
            .collect()
    }

    fn by_label<'a>(probes: &'a [Probe], label: &str) -> &'a Probe {
        probes.iter().find(|p| p.label == label).unwrap_or_else(|| panic!("no probe {label}: {probes:#?}"))
    }

    /// Which characters a narrowed server keeps.
    type Keeps = fn(char) -> bool;

    #[test]
    fn a_set_narrowed_inside_its_ranges_refuses_some_valid_probe() {
        // Servers whose set is right by class but wrong inside a range: each must refuse a value the
        // probes send as valid, or the suite could not tell it from a correct one.
        let valid: Vec<String> = ["first_char", "allowed_chars"]
            .iter()
            .flat_map(|kind| probes_of(&name_schema(), kind))
            .filter(|p| p.verdict == Verdict::Accept)
            .filter_map(|p| p.value.and_then(|v| v.as_str().map(str::to_owned)))
            .collect();
        let narrowed: [(&str, Keeps); 5] = [
            ("lowercase letters only after the first", |c| !c.is_ascii_uppercase()),
            ("digits 1-9", |c| c != '0'),
            ("digits 0-8", |c| c != '9'),
            ("letters a-y", |c| c != 'z'),
            ("letters B-Z", |c| c != 'A'),
        ];
        for (what, keeps) in narrowed {
            let refused = valid.iter().any(|v| v.chars().skip(1).any(|c| !keeps(c)) || !v.starts_with(keeps));
            assert!(refused, "a server accepting {what} passes every valid probe: {valid:?}");
        }
    }

    #[test]
    fn every_position_gets_its_classes_valid_and_its_outsiders_refused() {
        let first = probes_of(&name_schema(), "first_char");
        assert_eq!(by_label(&first, "first_letter").verdict, Verdict::Accept);
        // Allowed inside but not first: each its own probe.
        for label in ["starts_1", "starts_0x2d", "starts_0x5f", "starts_0x20", "starts_0xa", "starts_0x5b"] {
            assert_eq!(by_label(&first, label).verdict, Verdict::Refuse, "{label}");
        }
        assert_eq!(by_label(&first, "starts_0xe9").verdict, Verdict::Open, "non-ASCII letters are left open");
        let allowed = probes_of(&name_schema(), "allowed_chars");
        for pos in ["inner", "last"] {
            for class in ["letter", "digit", "0x2d", "0x5f"] {
                let p = by_label(&allowed, &format!("{pos}_{class}"));
                assert_eq!(p.verdict, Verdict::Accept);
            }
        }
        assert_eq!(by_label(&allowed, "last_0x2d").value, Some(json!("Aaa-")));
        // Inside: every printable ASCII character outside the set, alone; tabs and line breaks too.
        for c in (' '..='~').filter(|c| !c.is_ascii_alphanumeric() && !matches!(c, '-' | '_')) {
            let p = by_label(&allowed, &format!("has_0x{:x}", u32::from(c)));
            assert_eq!(p.verdict, Verdict::Refuse);
            assert_eq!(
                p.value.as_ref().and_then(Value::as_str).map(|s| s.chars().filter(|x| *x == c).count()),
                Some(1)
            );
        }
        for label in ["has_0x9", "has_0xa", "has_0xd", "ends_0x20", "ends_0xa"] {
            assert_eq!(by_label(&allowed, label).verdict, Verdict::Refuse, "{label}");
        }
        assert!(allowed.iter().all(|p| !p.label.starts_with("starts_")), "the first position has its own rule");
    }

    #[test]
    fn lengths_count_characters_at_each_boundary_with_each_class() {
        let max = probes_of(&name_schema(), "max_length");
        for (label, chars, verdict) in [
            ("len_64", 64, Verdict::Accept),
            ("len_65_digits", 65, Verdict::Refuse),
            ("len_64_0x5f", 64, Verdict::Accept),
        ] {
            let p = by_label(&max, label);
            let text = p.value.as_ref().and_then(Value::as_str).unwrap();
            assert_eq!((text.chars().count(), p.verdict), (chars, verdict), "{label}");
            assert!(text.starts_with(|c: char| c.is_ascii_alphabetic()), "{label} keeps the first-letter rule");
        }
        let min = probes_of(&name_schema(), "min_length");
        assert_eq!(by_label(&min, "len_3_digits").value, Some(json!("A11")));
        let description = json!({"type": "object", "properties": {"d": {"type": "string", "maxLength": 256,
            "x-charset": {"forbidden": [">", "&"]}}}});
        let max = probes_of(&description, "max_length");
        let wide = by_label(&max, "len_256_3-byte").value.clone().unwrap();
        let wide = wide.as_str().unwrap();
        assert_eq!((wide.chars().count(), wide.len()), (256, 768), "256 characters, 768 bytes: valid");
        assert_eq!(by_label(&max, "len_257_2-byte").verdict, Verdict::Refuse);
    }

    #[test]
    fn forbidden_characters_alone_and_inside_types_and_presence_separately() {
        let schema = json!({"type": "object", "required": ["d"], "properties": {"d": {"type": "string",
            "x-charset": {"forbidden": [">", "&"]}}}});
        let forbidden = probes_of(&schema, "forbidden_chars");
        assert_eq!(by_label(&forbidden, "only_0x3e").value, Some(json!(">")));
        assert_eq!(by_label(&forbidden, "has_0x26").verdict, Verdict::Refuse);
        let others = by_label(&forbidden, "other_ascii").value.clone().unwrap();
        assert!(others.as_str().unwrap().contains('!') && !others.as_str().unwrap().contains('>'));
        assert_eq!(by_label(&forbidden, "blank_0xa").verdict, Verdict::Open);
        let types = probes_of(&schema, "type");
        let labels: Vec<&str> = types.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["number", "boolean", "array", "object", "null", "empty"]);
        assert_eq!(by_label(&types, "empty").verdict, Verdict::Open, "no rule refuses the empty string");
        assert_eq!(by_label(&probes_of(&name_schema(), "type"), "empty").verdict, Verdict::Refuse);
        assert_eq!(probes_of(&schema, "required")[0].value, None);
    }
}
