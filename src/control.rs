//! Owns what a client and the reference server agree on outside the documented contract: the
//! fault-injection request headers and the reference server's default token. Both sides read them
//! from here, so the client never imports the server (nor the server the client).

use std::time::Duration;

/// The token the reference server accepts by default, for local use only
/// (`X-Auth-Token: hwconform-local-token`).
pub const DEFAULT_TOKEN: &str = "hwconform-local-token";

/// Request header that injects a fault when the server's fault injection is enabled (ignored
/// otherwise).
///
/// The value `internal` answers with the operation's documented internal-fault error example
/// (`applies_to: internal_fault`, e.g. 400 `GES.7006` on the GES v1.0 list); where the page
/// documents none, with 500 and the server's own code `HWC.0500` in the operation's envelope.
pub const FAULT_HEADER: &str = "x-hwconform-fault";

/// The value of [`FAULT_HEADER`] that injects the internal fault.
pub const FAULT_INTERNAL: &str = "internal";

/// Request header that delays the answer by this many milliseconds when fault injection is enabled
/// (ignored otherwise). Values above [`MAX_INJECTED_LATENCY`] or not a whole number are a 400.
pub const LATENCY_HEADER: &str = "x-hwconform-latency-ms";

/// The longest latency a request may inject.
pub const MAX_INJECTED_LATENCY: Duration = Duration::from_secs(10);
