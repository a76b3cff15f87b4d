//! One integration-test binary (one link on 2 cores), a submodule per area.

mod auth;
mod catalogue;
mod cleanup;
mod derive;
mod imports;
mod live;
mod reports;
mod selftest;
mod server;
mod server_breaks;
mod server_cli;
mod server_delete;
mod server_fuzz;
mod server_sdk;
mod server_variants;
mod suite;
mod suite_cli;
mod suite_foreign;
mod suite_hostile;
mod suite_variants;
mod support;
