//! The reference server: an in-memory stand-in for the documented operations, driven by the catalogue.
//!
//! [`spawn`] starts one in-process inside a Tokio runtime (tests bind `127.0.0.1:0`);
//! `hwconform serve` runs one until Ctrl-C.
//!
//! - **Routes** are each operation's `method` + `path` from the catalogue; request rules are its
//!   compiled parameter and body schemas; success members, pagination members and error examples
//!   come from its metadata (see `behaviour.rs` for how each operation's behaviour is chosen).
//! - **State** is in memory. Every project id that passes the operation's project rule gets its own
//!   copy of the seed (`fixtures/seed.json`) on first use, so parallel clients isolate themselves
//!   with unique project ids. Seeded graph and instance ids are valid in every project. Adds create
//!   a backup that the list shows `backing_up`, then `success` once `backup_delay` has passed.
//!   Deletes (any `DELETE` operation with a backup path parameter) remove it from the list and its
//!   count; a backup still `backing_up` cannot be deleted (400 `HWC.0409`), an unknown or already
//!   deleted one is the page's not-found answer.
//! - **Auth**: one `X-Auth-Token` header holding a configured token ([`DEFAULT_TOKEN`] by default);
//!   otherwise 401 in the operation's envelope. [`Authenticator`] is the seam for other schemes:
//!   [`SignatureAuthenticator`] checks AK/SK `SDK-HMAC-SHA256` signatures of requests without a token.
//! - **Errors** use the operation's envelope. Documented examples give status and code (unknown
//!   graph: 404 `GES.0047` on v2 add, 400 `GES.7000` on v1.0 add; export body rule broken: 400
//!   `GES.0001`; injected fault on the list: 400 `GES.7006`). Where a page names no code the
//!   server uses its own [`OwnCode`]s: `HWC.0400` invalid request, `HWC.0401` credentials,
//!   `HWC.0404` unknown route or resource, `HWC.0405` wrong method, `HWC.0413` body over the
//!   limit, `HWC.0415` body without `Content-Type: application/json`, `HWC.0429` project limit,
//!   `HWC.0500` injected fault without a documented one. Unknown routes and wrong methods answer
//!   in the envelope of the path's API version (`/v1.0/` camelCase, otherwise snake_case).
//! - **Both spellings where the official SDK disagrees with a page**: for every erratum of kind
//!   `sdk_disagrees` on the list operation that names an `sdk_member` (E6 in `fixtures/errata.json`:
//!   the page's `graph_name`, the SDK's `graphName`), each list item carries the documented member and
//!   the SDK's spelling with the same value, so page-faithful clients and SDK users both read it. The
//!   catalogue stays the pages' contract (the extra member is allowed, not required); where the SDK
//!   reads no member at all (E7, `backup_id`), nothing is added.
//! - **Pagination** as the list page documents it: the total member counts every backup of the
//!   project, the limit defaults to the parameter's schema default (10), offset skips; a negative
//!   limit or offset is a 400 (`HWC.0400`), a limit of 0 an empty page.
//! - **Fault injection** (off unless [`ServerConfig::fault_injection`]): [`FAULT_HEADER`]`: internal`
//!   and [`LATENCY_HEADER`]`: <ms>` (at most [`MAX_INJECTED_LATENCY`]).
//! - **Legitimate variants** ([`ServerConfig::variants`], `serve --variant NAME`): behaviours of the
//!   real cloud no page forbids — gateway auth (401/403 in the gateway's `APIG.*` envelope), slow
//!   backups, seeded throttling (429 + `Retry-After`), list order, one backup per graph at a time,
//!   extra members, gzip, `Connection: close`, chunked bodies, latency, and the `real-cloud`
//!   preset. `variant.rs` names, for each, the page that leaves it open.
//! - **Foreign target** ([`ServerConfig::foreign`], `serve --foreign`): one state shared by every
//!   project id, seed ids drawn afresh, no fault injection — a target the reference profile has
//!   never seen.
//! - **Logging**: one `tracing` event per request (method, path, status, latency); never headers.
//! - **Limits of the envelope promise**: a request that is not HTTP at all (a malformed request
//!   line or header) never reaches routing; hyper answers it with its own plain-text 400 and closes
//!   the connection. It is still a 4xx, never a 5xx or a hang (`tests/integration/server.rs`).

mod aksk;
mod app;
mod auth;
mod behaviour;
mod breaks;
mod config;
mod envelope;
mod error;
mod gateway;
mod logging;
mod request;
mod run;
mod seed;
mod state;
mod variant;

pub use aksk::SignatureAuthenticator;
pub use auth::{AuthFailure, AuthRequest, Authenticator, TokenAuthenticator};
pub use behaviour::Behaviour;
pub use config::{
    DEFAULT_BACKUP_DELAY, DEFAULT_BODY_LIMIT, DEFAULT_TOKEN, FAULT_HEADER, FAULT_INTERNAL, LATENCY_HEADER,
    MAX_INJECTED_LATENCY, Projects, ServerConfig,
};
pub use envelope::{ApiError, OwnCode};
pub use error::ServerError;
pub use gateway::{GATEWAY_FORBIDDEN, GATEWAY_THROTTLED, GATEWAY_UNAUTHORIZED};
pub use run::{RunningServer, spawn};
pub use seed::{Lifecycle, Seed, SeedGraph, SeedInstance};
pub use state::{InstanceBackup, MAX_PROJECTS, ServerStats};
pub use variant::{VARIANT_NAMES, Variant, VariantError};
