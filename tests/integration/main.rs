//! One integration-test binary (one link on 2 cores), a submodule per area.

mod catalogue;
mod server;
mod server_cli;
mod server_fuzz;
mod server_sdk;
