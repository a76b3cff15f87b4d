//! Legitimate variants of the reference server: behaviours of the real cloud that no page forbids
//! (issue 11), so the project can test its suite against correct servers that choose differently
//! wherever the pages are silent.
//!
//! Each [`Variant`] is parsed from `NAME[=VALUE]` (`hwconform serve --variant NAME`, repeatable, or
//! [`ServerConfig::variants`](super::ServerConfig) in-process) and compiled into one
//! [`VariantSet`] the application consults. Every variant keeps the server correct per the pages;
//! the comment on each names the page or table that leaves the choice open.
//!
//! What a variant changes is applied where it belongs: authentication answers and backup lifecycle
//! rules in the request pipeline (`app.rs`, `state.rs`), and everything a gateway or HTTP stack does
//! to any exchange (throttling, latency, extra members, content coding, connection handling,
//! chunking) in one middleware (`gateway.rs`) that is only installed when such a variant is on.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How long backups stay `backing_up` under `slow-backups` without a value.
pub(super) const DEFAULT_SLOW_BACKUP: Duration = Duration::from_secs(3);

/// The share of requests throttled under `throttle` without a value, in thousandths.
pub(super) const DEFAULT_THROTTLE_PER_MILLE: u32 = 100;

/// The added latency under `latency` without a value.
pub(super) const DEFAULT_LATENCY: Duration = Duration::from_millis(20);

/// One legitimate behaviour of a correct server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Authentication refused by an API gateway before the service, in the gateway's snake_case
    /// envelope (`{"error_code":"APIG.0301","error_msg":…}`) whatever the API's own envelope:
    /// 401 without credentials, 403 with credentials the server does not accept.
    ///
    /// Left open: every GES page's "Status Code" table lists 401 "Authentication failed." and 403
    /// "No operation permissions." as rows with no response table or example under them (pages
    /// 000, 001, 002, 003); the GeminiDB page (004) defers to a shared status-code page. No page
    /// documents the body of a 401 or 403.
    GatewayAuth,
    /// Backups stay `backing_up` for this long; exporting a backup that is still `backing_up` is
    /// refused with a 400 in the API's envelope.
    ///
    /// Left open: the list page's `status` row (002, Table 5 backup) enumerates
    /// `backing_up | success | failed` and no page says how long a backup takes; the export page
    /// (001, Status Code table) lists 400 "Request error." for a request the service cannot carry out.
    SlowBackups(Duration),
    /// A deterministic share (thousandths, from a seed) of requests, GET and POST alike, answered
    /// 429 before any processing, with `Retry-After` and the gateway's envelope (`APIG.0308`).
    /// A request identical to one just throttled (its retry) is let through.
    ///
    /// Left open: throttling happens at the API gateway in front of every operation; no page
    /// documents a 429 body, and nothing a page fixes is processed when it is refused.
    Throttle {
        /// Share of requests throttled, in thousandths (from the `throttle=FRACTION` value).
        per_mille: u32,
        /// Seed of the pseudo-random choice of throttled requests (`throttle=FRACTION@SEED`; default 1).
        seed: u64,
    },
    /// The list shows the newest backup first (by start time).
    ///
    /// Left open: the list page (002, Table 4 `backupList`) says nothing about order.
    NewestFirst,
    /// The list shows the oldest backup first (by start time).
    ///
    /// Left open: as for [`Variant::NewestFirst`].
    OldestFirst,
    /// One backup at a time per graph: adding a backup while another of the same graph is still
    /// `backing_up` is refused with a 400 in the API's envelope.
    ///
    /// Left open: the add pages (000 v2, 003 v1.0) list 400 "Request error." and say nothing about
    /// concurrent backups of one graph.
    OneBackupPerGraph,
    /// Every JSON body (and every object in a top-level list member) carries members no page
    /// documents.
    ///
    /// Left open: the response tables list the members a body has, never that it has no others;
    /// the schemas (`schemas/`) allow additional members for that reason.
    ExtraMembers,
    /// Bodies are gzip-encoded when the request's `Accept-Encoding` allows it.
    ///
    /// Left open: no page names a content coding; HTTP content negotiation (RFC 9110 §12.5.3) lets
    /// a server use any coding the client accepts.
    Gzip,
    /// Every response carries `Connection: close` (the connection is not reused).
    ///
    /// Left open: no page says anything about connection management.
    ConnectionClose,
    /// Bodies are sent with chunked transfer coding instead of a `Content-Length`.
    ///
    /// Left open: no page says how a body is framed on the wire.
    Chunked,
    /// Every answer is delayed by this long.
    ///
    /// Left open: no page promises a response time.
    Latency(Duration),
    /// "Like the real cloud": gateway auth, slow backups, throttling, extra members and gzip at once.
    RealCloud,
}

/// Every variant name with its one-line description, in the order `--help` and errors show them.
pub const VARIANT_NAMES: &[(&str, &str)] = &[
    ("gateway-auth", "401/403 from an API gateway in its own envelope (APIG.0301/APIG.0302)"),
    ("slow-backups[=MS]", "backups stay backing_up for MS ms (default 3000); exports of unfinished backups refused"),
    ("throttle[=FRACTION[@SEED]]", "a seeded share of requests answered 429 with Retry-After (default 0.1)"),
    ("newest-first", "the list shows the newest backup first"),
    ("oldest-first", "the list shows the oldest backup first"),
    ("one-backup-per-graph", "an add while the graph has a backup in progress is refused (400)"),
    ("extra-members", "undocumented members in every body"),
    ("gzip", "gzip-encoded bodies when Accept-Encoding allows"),
    ("connection-close", "Connection: close on every response"),
    ("chunked", "chunked transfer coding instead of Content-Length"),
    ("latency[=MS]", "every answer delayed by MS ms (default 20)"),
    ("real-cloud", "gateway-auth, slow-backups, throttle, extra-members and gzip together"),
];

/// A variant that could not be parsed or combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariantError {
    /// The name is not a known variant; holds the name as given.
    #[error("unknown variant {0:?} (known: {known})", known = known_names())]
    Unknown(String),
    /// A variant's value cannot be parsed.
    #[error("variant {name}: {message}")]
    Value {
        /// The variant's name.
        name: String,
        /// What is wrong with the value.
        message: String,
    },
    /// Two variants given together contradict each other; holds both names.
    #[error("variants {0} and {1} cannot be combined")]
    Conflict(&'static str, &'static str),
}

fn known_names() -> String {
    VARIANT_NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

impl FromStr for Variant {
    type Err = VariantError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, value) = match text.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (text.trim(), None),
        };
        let bad = |message: &str| VariantError::Value { name: name.to_owned(), message: message.to_owned() };
        let millis = |default: Duration| -> Result<Duration, VariantError> {
            value.map_or(Ok(default), |v| {
                v.parse::<u64>()
                    .ok()
                    .filter(|ms| *ms <= 3_600_000)
                    .map(Duration::from_millis)
                    .ok_or_else(|| bad("the value is a whole number of milliseconds up to 3600000"))
            })
        };
        let plain = |v: Self| if value.is_some() { Err(bad("takes no value")) } else { Ok(v) };
        match name {
            "gateway-auth" => plain(Self::GatewayAuth),
            "slow-backups" => Ok(Self::SlowBackups(millis(DEFAULT_SLOW_BACKUP)?)),
            "throttle" => {
                let Some(v) = value else {
                    return Ok(Self::Throttle { per_mille: DEFAULT_THROTTLE_PER_MILLE, seed: 1 });
                };
                let (fraction, seed) = v.split_once('@').map_or((v, None), |(f, s)| (f, Some(s)));
                let fraction: f64 = fraction.parse().map_err(|_| bad("the fraction is a number from 0 to 1"))?;
                if !(0.0..=1.0).contains(&fraction) {
                    return Err(bad("the fraction is a number from 0 to 1"));
                }
                let seed = seed.map_or(Ok(1), |s| s.parse::<u64>().map_err(|_| bad("the seed is a whole number")))?;
                // In range by the check above: 0 ≤ fraction × 1000 ≤ 1000.
                #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "0..=1000")]
                let per_mille = (fraction * 1000.0).round() as u32;
                Ok(Self::Throttle { per_mille, seed })
            }
            "newest-first" => plain(Self::NewestFirst),
            "oldest-first" => plain(Self::OldestFirst),
            "one-backup-per-graph" => plain(Self::OneBackupPerGraph),
            "extra-members" => plain(Self::ExtraMembers),
            "gzip" => plain(Self::Gzip),
            "connection-close" => plain(Self::ConnectionClose),
            "chunked" => plain(Self::Chunked),
            "latency" => Ok(Self::Latency(millis(DEFAULT_LATENCY)?)),
            "real-cloud" => plain(Self::RealCloud),
            other => Err(VariantError::Unknown(other.to_owned())),
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::GatewayAuth => f.write_str("gateway-auth"),
            Self::SlowBackups(d) => write!(f, "slow-backups={}", d.as_millis()),
            Self::Throttle { per_mille, seed } => write!(f, "throttle={}@{seed}", f64::from(*per_mille) / 1000.0),
            Self::NewestFirst => f.write_str("newest-first"),
            Self::OldestFirst => f.write_str("oldest-first"),
            Self::OneBackupPerGraph => f.write_str("one-backup-per-graph"),
            Self::ExtraMembers => f.write_str("extra-members"),
            Self::Gzip => f.write_str("gzip"),
            Self::ConnectionClose => f.write_str("connection-close"),
            Self::Chunked => f.write_str("chunked"),
            Self::Latency(d) => write!(f, "latency={}", d.as_millis()),
            Self::RealCloud => f.write_str("real-cloud"),
        }
    }
}

impl Variant {
    /// Every single variant with its default value, presets excluded: what a test runs one at a time.
    pub fn all() -> Vec<Self> {
        vec![
            Self::GatewayAuth,
            Self::SlowBackups(DEFAULT_SLOW_BACKUP),
            Self::Throttle { per_mille: DEFAULT_THROTTLE_PER_MILLE, seed: 1 },
            Self::NewestFirst,
            Self::OldestFirst,
            Self::OneBackupPerGraph,
            Self::ExtraMembers,
            Self::Gzip,
            Self::ConnectionClose,
            Self::Chunked,
            Self::Latency(DEFAULT_LATENCY),
        ]
    }

    /// The variants a preset stands for (itself for a single variant).
    pub fn expand(self) -> Vec<Self> {
        match self {
            Self::RealCloud => vec![
                Self::GatewayAuth,
                Self::SlowBackups(DEFAULT_SLOW_BACKUP),
                Self::Throttle { per_mille: DEFAULT_THROTTLE_PER_MILLE, seed: 1 },
                Self::ExtraMembers,
                Self::Gzip,
            ],
            single => vec![single],
        }
    }
}

/// In what order the list shows backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum ListOrder {
    /// As stored: the seed's order (the page's example), then backups in the order they were added.
    #[default]
    Stored,
    NewestFirst,
    OldestFirst,
}

/// The variants in force, compiled once at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[expect(clippy::struct_excessive_bools, reason = "independent variants, each on or off (`--variant`)")]
pub(super) struct VariantSet {
    pub gateway_auth: bool,
    pub slow_backups: Option<Duration>,
    pub throttle: Option<(u32, u64)>,
    pub order: ListOrder,
    pub one_backup_per_graph: bool,
    pub extra_members: bool,
    pub gzip: bool,
    pub connection_close: bool,
    pub chunked: bool,
    pub latency: Option<Duration>,
}

impl VariantSet {
    /// Combines variants (presets expanded); the same variant twice keeps the last value.
    pub(super) fn new(variants: &[Variant]) -> Result<Self, VariantError> {
        let mut set = Self::default();
        for v in variants.iter().flat_map(|v| v.expand()) {
            match v {
                Variant::GatewayAuth => set.gateway_auth = true,
                Variant::SlowBackups(d) => set.slow_backups = Some(d),
                Variant::Throttle { per_mille, seed } => set.throttle = Some((per_mille, seed)),
                Variant::NewestFirst | Variant::OldestFirst => {
                    let order = if v == Variant::NewestFirst { ListOrder::NewestFirst } else { ListOrder::OldestFirst };
                    if set.order != ListOrder::Stored && set.order != order {
                        return Err(VariantError::Conflict("newest-first", "oldest-first"));
                    }
                    set.order = order;
                }
                Variant::OneBackupPerGraph => set.one_backup_per_graph = true,
                Variant::ExtraMembers => set.extra_members = true,
                Variant::Gzip => set.gzip = true,
                Variant::ConnectionClose => set.connection_close = true,
                Variant::Chunked => set.chunked = true,
                Variant::Latency(d) => set.latency = Some(d),
                Variant::RealCloud => {}
            }
        }
        Ok(set)
    }

    /// Whether any variant acts on every exchange (the gateway middleware is needed).
    pub(super) fn shapes_exchanges(&self) -> bool {
        self.throttle.is_some()
            || self.latency.is_some()
            || self.extra_members
            || self.gzip
            || self.connection_close
            || self.chunked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for v in Variant::all().into_iter().chain([Variant::RealCloud]) {
            assert_eq!(v.to_string().parse::<Variant>().unwrap(), v, "{v}");
        }
        assert_eq!("slow-backups=250".parse::<Variant>().unwrap(), Variant::SlowBackups(Duration::from_millis(250)));
        assert_eq!("throttle=0.25@7".parse::<Variant>().unwrap(), Variant::Throttle { per_mille: 250, seed: 7 });
    }

    #[test]
    fn bad_names_and_values_are_clear_errors() {
        let e = "gzipp".parse::<Variant>().unwrap_err().to_string();
        assert!(e.contains("gzipp") && e.contains("real-cloud"), "{e}");
        assert!("throttle=2".parse::<Variant>().is_err());
        assert!("latency=-1".parse::<Variant>().is_err());
        assert!("gzip=1".parse::<Variant>().is_err());
        let conflict = VariantSet::new(&[Variant::NewestFirst, Variant::OldestFirst]).unwrap_err();
        assert!(conflict.to_string().contains("cannot be combined"));
    }

    #[test]
    fn the_real_cloud_preset_combines_five() {
        let set = VariantSet::new(&[Variant::RealCloud]).unwrap();
        assert!(set.gateway_auth && set.extra_members && set.gzip);
        assert_eq!(set.slow_backups, Some(DEFAULT_SLOW_BACKUP));
        assert!(set.throttle.is_some());
        assert!(!set.chunked && !set.connection_close && set.order == ListOrder::Stored);
    }
}
