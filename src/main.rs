//! The Rbay web server and its operator commands.

use clap::{Parser, Subcommand};
use rbay::server::redis::supervisor;
use rbay::server::router::router;
use rbay::server::state::AppState;
use rbay::server::{Config, Db, Keys};
use std::net::SocketAddr;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc hands freed memory back to the system (glibc's allocator keeps the peaks of
/// password hashing and photo decoding resident per thread), with the settings of
/// [`ALLOCATOR_SETTINGS`].
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's defaults keep memory: it commits its arena eagerly (~16 MiB resident before the
/// first request) and purges freed pages 10 ms later but only when the freeing thread calls
/// the allocator again, so the 12 MiB of each password hash stayed resident on the idle
/// hashing threads (one sign-up: 31 -> 45 MiB for good; two at once: 61 MiB). mimalloc reads
/// these when the process starts, before `main`, so they come from the environment. Measured
/// with both: 16 MiB at start, 35 MiB after the same sign-ups, the same req/s, and a whole
/// benchmark run's peak 37 MiB instead of 64-70 MiB.
const ALLOCATOR_SETTINGS: [(&str, &str); 2] = [
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
    ("MIMALLOC_PURGE_DELAY", "0"),
];

/// Starts this program again with [`ALLOCATOR_SETTINGS`] in its environment (same process id,
/// arguments and standard streams) unless they are there; an operator's own `MIMALLOC_*`
/// values are kept. Should that fail, the server runs with mimalloc's defaults.
fn with_allocator_settings() {
    use std::os::unix::process::CommandExt;
    let missing: Vec<_> = ALLOCATOR_SETTINGS
        .iter()
        .filter(|(name, _)| std::env::var_os(name).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    command.args(args);
    for (name, value) in missing {
        command.env(name, value);
    }
    // `exec` returns only when it failed.
    let error = command.exec();
    eprintln!("note: running with the allocator's default settings ({error})");
}

/// A setting's variable that is set but empty (a shell's `RBAY_ADMINS=`) counts as not set:
/// its default applies. Called before any other thread exists.
fn forget_empty_settings() {
    use clap::CommandFactory;
    let command = Cli::command();
    for name in command.get_arguments().filter_map(|arg| arg.get_env()) {
        if std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
            std::env::remove_var(name);
        }
    }
}

/// Rbay: an auction marketplace on Leptos and Redis.
#[derive(Debug, Parser)]
#[command(name = "rbay", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the site, and run the job workers unless RBAY_WORKERS=0 (what `rbay` does
    /// without a command).
    Serve,
    /// Run only the job workers (closing auctions, notices, thumbnails), for operators who
    /// scale them apart from the web servers. SIGTERM lets running jobs finish.
    Worker,
    /// Write demo data (users with the login demo / demo-password, items with photos, bids,
    /// views, likes) into the configured key namespace, and nothing outside it.
    Seed {
        /// Number of users (the first is the demo login).
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(0..=100_000))]
        users: u32,
        /// Number of items.
        #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
        items: u32,
        /// Do nothing when the namespace already has items.
        #[arg(long)]
        if_empty: bool,
    },
    /// Measure the job queue: enqueue probe jobs and run them with in-process workers, each
    /// its own consumer (scripts/bench.sh jobs). Writes into the configured namespace.
    #[command(hide = true)]
    BenchJobs {
        /// Jobs to run.
        #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        jobs: u32,
        /// Workers (consumers), each with RBAY_WORKER_CONCURRENCY slots.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
        workers: u32,
    },
    /// Measure saved-search alerts: save SEARCHES searches, then list LISTINGS items at
    /// PER_MINUTE and match each (scripts/bench.sh alerts). Writes into the configured namespace.
    #[command(hide = true)]
    BenchAlerts {
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        searches: u32,
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        listings: u32,
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        per_minute: u32,
        /// Words that share their first letters (the buckets' worst case).
        #[arg(long)]
        shared_prefixes: bool,
    },
    /// Delete every key under RBAY_KEY_PREFIX, and its search index (benchmark and test data).
    Purge {
        /// Required: this deletes data.
        #[arg(long)]
        yes: bool,
    },
}

fn main() -> ExitCode {
    with_allocator_settings();
    forget_empty_settings();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => fail(&format!("cannot start the async runtime: {e}")),
    }
}

async fn run() -> ExitCode {
    // Every setting comes from the command line or its environment variable (`rbay --help`);
    // a bad value ends the program here, naming the variable.
    let Cli { command, config } = Cli::parse();
    let seeding = matches!(command, Some(Command::Seed { .. }));
    // The seed command shows a progress bar; per-item log lines would drown it. The Redis
    // Cluster client warns of every failed connection attempt to every node (14 lines a
    // second with the cluster down); the supervisor already says once a second, with
    // backoff, that Redis cannot be reached.
    let default_filter = if seeding {
        "warn"
    } else {
        "info,redis::cluster_handling=error"
    };
    let filter = config.log.as_deref().unwrap_or(default_filter);
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .init();

    match command {
        Some(Command::Seed {
            users,
            items,
            if_empty,
        }) => seed(&config, users as usize, items as usize, if_empty).await,
        Some(Command::Purge { yes }) => purge(&config, yes).await,
        Some(Command::Worker) => worker(config).await,
        Some(Command::BenchJobs { jobs, workers }) => bench_jobs(&config, jobs, workers).await,
        Some(Command::BenchAlerts {
            searches,
            listings,
            per_minute,
            shared_prefixes,
        }) => bench_alerts(&config, searches, listings, per_minute, shared_prefixes).await,
        Some(Command::Serve) | None => serve(config).await,
    }
}

async fn serve(config: Config) -> ExitCode {
    if let Err(e) = rbay::wiring::configure(&config) {
        return fail(&e);
    }
    let db = match Db::new(&config.redis_url, Keys::new(&config.key_prefix)) {
        Ok(db) => db.with_replica_acks(config.replica_acks),
        Err(e) => return fail(&e),
    };
    // Connects in the background, retrying with backoff: the site answers 503 until Redis is up.
    // A Redis that cannot work (no search module) is reported here and ends the server.
    let (fatal, mut fatal_errors) = tokio::sync::mpsc::channel(1);
    supervisor::spawn(&db, fatal);

    let addr = config.listen_addr();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let job_settings = config.job_settings();
    let state = AppState::new(config, db, stopping, rbay::wiring::jobs());
    // One Redis subscription per instance for live updates; the job workers; the closing
    // sweep (a safety net for lost closing jobs); the index sync (search documents refreshed
    // in batches).
    state.live.spawn(&state.db);
    let workers = state
        .config
        .run_workers
        .then(|| rbay::wiring::start_workers(&state.db, job_settings, state.shutdown.clone()));
    rbay::auction::server::closer::spawn_sweep(&state.db);
    // Analytics: the stats logs folded into counts; this instance's figures for /ops.
    rbay::analytics::server::spawn_folder(&state.db);
    {
        let live = state.live.clone();
        let instance = format!("{addr}#{}", std::process::id());
        rbay::analytics::server::ops::spawn_reporter(&state.db, instance, move || live.listeners());
    }
    rbay::items::server::index_sync::spawn(&state.db);
    let app = router(state);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            return fail(&format!(
                "cannot listen on {addr}: {e}; set RBAY_ADDR to a free HOST:PORT"
            ))
        }
    };
    // Live streams are served beside hyper, at a fraction of its per-connection memory; every
    // other connection goes to hyper (`server::http::streams`).
    let listener = rbay::server::http::streams::StreamSplitter::new(listener, app.clone());
    // Responses go out as soon as they are written: a page written in two goes must not wait
    // for the client's delayed ACK (Nagle's algorithm).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set on a connection: {e}");
        }
    });
    tracing::info!("Rbay listening on http://{addr}");
    let (fatal_tx, fatal_rx) = tokio::sync::oneshot::channel();
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        tokio::select! {
            () = shutdown_signal() => {}
            Some(error) = fatal_errors.recv() => {
                let _ = fatal_tx.send(error);
            }
        }
        let _ = stop.send(true);
    })
    .await;
    if let Ok(error) = fatal_rx.await {
        return fail(&error);
    }
    // The stop signal reached the workers with the server's: let running jobs finish.
    if let Some(workers) = workers {
        let _ = workers.await;
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("server error: {e}")),
    }
}

/// `rbay worker`: the job workers alone, until SIGTERM (then running jobs finish).
async fn worker(config: Config) -> ExitCode {
    if let Err(e) = rbay::wiring::configure(&config) {
        return fail(&e);
    }
    let settings = config.job_settings();
    let db = match Db::new(&config.redis_url, Keys::new(&config.key_prefix)) {
        Ok(db) => db,
        Err(e) => return fail(&e),
    };
    let (fatal, mut fatal_errors) = tokio::sync::mpsc::channel(1);
    supervisor::spawn(&db, fatal);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let workers = rbay::wiring::start_workers(&db, settings, stopping);
    let failed = tokio::select! {
        () = shutdown_signal() => None,
        Some(error) = fatal_errors.recv() => Some(error),
    };
    let _ = stop.send(true);
    let _ = workers.await;
    match failed {
        Some(error) => fail(&error),
        None => ExitCode::SUCCESS,
    }
}

/// `rbay bench-alerts`: what saved searches cost, and matching new listings against them.
async fn bench_alerts(
    config: &Config,
    searches: u32,
    listings: u32,
    per_minute: u32,
    shared: bool,
) -> ExitCode {
    let db = match supervisor::connect(&config.redis_url, Keys::new(&config.key_prefix)).await {
        Ok(db) => db,
        Err(e) => return fail(&format!("{e}")),
    };
    let run = rbay::saved_searches::server::bench::run(&db, searches, listings, per_minute, shared);
    match run.await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("{e}")),
    }
}

/// `rbay bench-jobs`: enqueue → run → acknowledge throughput of no-op probe jobs.
async fn bench_jobs(config: &Config, jobs: u32, workers: u32) -> ExitCode {
    use rbay::server::jobs::enqueue;
    use std::time::Instant;
    let db = match supervisor::connect(&config.redis_url, Keys::new(&config.key_prefix)).await {
        Ok(db) => db,
        Err(e) => return fail(&format!("{e}")),
    };
    let settings = config.job_settings();
    let queue = rbay::items::server::close_job::QUEUE;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut running = Vec::new();
    for _ in 0..workers {
        running.push(rbay::wiring::start_workers(
            &db,
            settings.clone(),
            stopping.clone(),
        ));
    }
    let name = format!("bench{}", std::process::id());
    let payload = format!(r#"{{"name":"{name}"}}"#);
    let started = Instant::now();
    // 32 producers over the one multiplexed connection.
    let mut producers = tokio::task::JoinSet::new();
    for p in 0..32u32 {
        let db = db.clone();
        let payload = payload.clone();
        producers.spawn(async move {
            let mut n = p;
            while n < jobs {
                enqueue(&db, queue, "probe", &payload, None, None).await?;
                n += 32;
            }
            Ok::<_, rbay::server::jobs::EnqueueError>(())
        });
    }
    while let Some(done) = producers.join_next().await {
        if let Ok(Err(e)) = done {
            return fail(&format!("enqueue failed: {e}"));
        }
    }
    let enqueued = started.elapsed();
    let key = db.keys().queue_probe(queue, &name);
    let mut conn = db.raw_conn();
    loop {
        let done: u64 = redis::cmd("HLEN")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap_or(0);
        if done >= u64::from(jobs) || started.elapsed().as_secs() > 600 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let ran = started.elapsed();
    let runs: std::collections::HashMap<String, u64> = redis::cmd("HGETALL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    let twice = runs.values().filter(|n| **n > 1).count();
    let _ = stop.send(true);
    for w in running {
        let _ = w.await;
    }
    println!(
        "jobs: {jobs} probe jobs, {workers} workers x {} slots: enqueued in {:.2} s ({:.0}/s); \
         all run and acknowledged in {:.2} s ({:.0} jobs/s end to end); {} ran, {} lost, {} ran twice",
        settings.concurrency,
        enqueued.as_secs_f64(),
        f64::from(jobs) / enqueued.as_secs_f64(),
        ran.as_secs_f64(),
        f64::from(jobs) / ran.as_secs_f64(),
        runs.len(),
        (jobs as usize).saturating_sub(runs.len()),
        twice
    );
    ExitCode::SUCCESS
}

/// `rbay seed`: demo data in the configured namespace.
async fn seed(config: &Config, users: usize, items: usize, if_empty: bool) -> ExitCode {
    let db = match supervisor::connect(&config.redis_url, Keys::new(&config.key_prefix)).await {
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

/// `rbay purge --yes`: deletes the namespace.
async fn purge(config: &Config, yes: bool) -> ExitCode {
    if !yes {
        return fail(&format!(
            "this deletes every key under {}; add --yes to go ahead",
            config.key_prefix
        ));
    }
    let keys = Keys::new(&config.key_prefix);
    let db = match Db::new(&config.redis_url, keys) {
        Ok(db) => db,
        Err(e) => return fail(&e),
    };
    // No bootstrap (it would create the index): only the connection is needed.
    db.set_ready(true);
    match rbay::server::seed::purge(&db).await {
        Ok(n) => {
            eprintln!("Deleted {n} keys under {}", config.key_prefix);
            ExitCode::SUCCESS
        }
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
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {},
                    _ = term.recv() => {},
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "no SIGTERM handler; Ctrl-C still stops the server");
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
