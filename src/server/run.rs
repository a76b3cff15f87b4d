//! Starting and stopping a server: [`spawn`] binds, serves in a background task, and returns a
//! [`RunningServer`] whose [`shutdown`](RunningServer::shutdown) (or drop) stops it gracefully.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::catalogue::Catalogue;

use super::app::{App, router};
use super::config::ServerConfig;
use super::error::ServerError;
use super::gateway::{self, Gateway};
use super::logging::log_request;
use super::seed::Seed;
use super::state::{InstanceBackup, ServerStats};

/// How long [`RunningServer::shutdown`] waits for open requests before giving up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A server serving in the background.
pub struct RunningServer {
    addr: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds `config.addr` and serves every catalogue operation until shut down.
pub async fn spawn(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let catalogue = match &config.catalogue {
        Some(c) => Arc::clone(c),
        None => Arc::new(Catalogue::builtin()?),
    };
    let app = Arc::new(App::new(&config, &catalogue)?);
    let mut router = router(&app, config.body_limit)?;
    if app.variants.shapes_exchanges() {
        let gateway = Arc::new(Gateway::new(app.variants.clone(), config.body_limit));
        router = router.layer(axum::middleware::from_fn_with_state(gateway, gateway::gateway));
    }
    let router = router.layer(axum::middleware::from_fn(log_request));
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| ServerError::Bind { addr: config.addr, message: e.to_string() })?;
    let addr = listener.local_addr().map_err(|e| ServerError::Bind { addr: config.addr, message: e.to_string() })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!(target: "hwconform::server", error = %e, "server stopped with an error");
        }
    });
    tracing::info!(target: "hwconform::server", %addr, "reference server listening");
    Ok(RunningServer { addr, app, stop: Some(stop), task: Some(task) })
}

impl RunningServer {
    /// The address the server listens on (the bound port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The graphs, instances and backups every project starts with (a foreign server's fresh ids).
    pub fn seed(&self) -> &Seed {
        self.app.store.seed()
    }

    /// What the server has done so far.
    pub fn stats(&self) -> ServerStats {
        self.app.store.stats()
    }

    /// The GeminiDB backups created in one project, oldest first.
    pub fn instance_backups(&self, project: &str) -> Vec<InstanceBackup> {
        self.app.store.instance_backups(project)
    }

    /// Stops accepting, lets open requests finish (up to a grace period), and waits for the task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Without an await the task is left to finish its graceful shutdown on its own.
        if let Some(task) = self.task.take() {
            drop(task);
        }
    }
}
