//! The Rbay web server.

use rbay::server::http::{router, AppState};
use rbay::server::{Config, Db, Keys};
use std::net::SocketAddr;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeding = args.first().map(String::as_str) == Some("seed");
    // The seed command shows a progress bar; per-item log lines would drown it.
    let default_filter = if seeding { "warn" } else { "info" };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .init();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    if seeding {
        return seed(&config, &args[1..]).await;
    }

    let db = match Db::new(&config.redis_url, Keys::new(&config.key_prefix)) {
        Ok(db) => db,
        Err(e) => return fail(&e),
    };
    // Connects in the background, retrying with backoff: the site answers 503 until Redis is up.
    db.spawn_supervisor();

    let addr = config.listen_addr;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let state = AppState::new(config, db, stopping);
    // One Redis subscription per instance for live updates, and the auction closer.
    state.live.spawn(&state.db);
    rbay::server::closer::spawn(&state.db);
    let app = router(state);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            return fail(&format!(
                "cannot listen on {addr}: {e}; set RBAY_ADDR to a free HOST:PORT"
            ))
        }
    };
    tracing::info!("Rbay listening on http://{addr}");
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("server error: {e}")),
    }
}

/// `rbay seed [--users N] [--items M] [--if-empty]`: demo data in the configured namespace.
async fn seed(config: &Config, args: &[String]) -> ExitCode {
    let mut users = 12;
    let mut items = 48;
    let mut if_empty = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| match it.next().and_then(|v| v.parse::<usize>().ok()) {
            Some(n) if n <= 10_000 => Ok(n),
            _ => Err(format!("{name} needs a number from 0 to 10000")),
        };
        let parsed = match arg.as_str() {
            "--users" => number("--users").map(|n| users = n),
            "--items" => number("--items").map(|n| items = n),
            "--if-empty" => {
                if_empty = true;
                Ok(())
            }
            other => Err(format!(
                "unknown option {other:?}; use --users N --items M --if-empty"
            )),
        };
        if let Err(e) = parsed {
            return fail(&e);
        }
    }
    let db = match Db::connect(&config.redis_url, Keys::new(&config.key_prefix)).await {
        Ok(db) => db,
        Err(e) => return fail(&format!("{e}")),
    };
    if if_empty {
        match rbay::server::seed::is_empty(&db).await {
            Ok(false) => {
                eprintln!("Demo data: the database already has items; not seeding.");
                return ExitCode::SUCCESS;
            }
            Ok(true) => {}
            Err(e) => return fail(&e),
        }
    }
    eprintln!(
        "Seeding {users} users and {items} items into {}*",
        config.key_prefix
    );
    match rbay::server::seed::run(&db, users, items).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Prints a one-line error that says what to do, and exits non-zero.
fn fail(message: &dyn std::fmt::Display) -> ExitCode {
    tracing::error!("{message}");
    eprintln!("error: {message}");
    ExitCode::from(2)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
