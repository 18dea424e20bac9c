//! Faults, through the real server binary: Redis down at start, lost while running, back again;
//! a wrong REDIS_URL; a Redis without the search module.
//!
//! Each test starts its own throwaway redis-server (`common::redis_process`) so it can stop
//! and start it. The fault suite (`tests/faults.rs`) goes further: kills under load.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_process::RedisProcess;
use common::server::{free_port, Server};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn wait_for_status(server: &Server, path: &str, want: u16, limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    let mut last = 0;
    while Instant::now() < deadline {
        let response = server.get(path);
        if response.status == want {
            return response.body;
        }
        last = response.status;
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{path} never answered {want}; last answer was {last}");
}

#[test]
fn survives_redis_down_at_start_lost_while_running_and_back() {
    let redis_port = free_port();
    let url = format!("redis://127.0.0.1:{redis_port}");

    // 1. Redis is down when the server starts: it still serves, with 503.
    let mut server = Server::start(&url, &[]);
    let response = server.get("/");
    assert_eq!(response.status, 503);
    assert_eq!(response.header("retry-after"), Some("5"));
    assert!(
        response.body.contains("Temporarily unavailable"),
        "{}",
        response.body
    );
    assert_eq!(server.get("/healthz").status, 503);
    server.assert_alive();

    // 2. Redis comes up: pages work without a restart.
    let redis = RedisProcess::start(redis_port, true);
    let body = wait_for_status(&server, "/", 200, Duration::from_secs(15));
    assert!(body.contains("Ending soonest"));

    // 3. Redis is lost while running: 503, no crash.
    redis.stop();
    let body = wait_for_status(&server, "/", 503, Duration::from_secs(10));
    assert!(body.contains("Temporarily unavailable"), "{body}");
    server.assert_alive();

    // 4. Redis is back (empty: no persistence): indexes are re-created, pages work again.
    let _redis = RedisProcess::start(redis_port, true);
    let body = wait_for_status(&server, "/", 200, Duration::from_secs(15));
    assert!(body.contains("Ending soonest"));
    server.assert_alive();
}

/// Runs the server on `redis_url`, expects it to refuse it (a non-zero exit), and gives the
/// one `error:` line it printed.
fn refusal(redis_url: &str) -> String {
    let (code, err) = exit_message(redis_url);
    assert_ne!(code, 0, "rbay accepted REDIS_URL={redis_url}: {err}");
    err.lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error: line in {err}"))
        .to_string()
}

fn exit_message(redis_url: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rbay"))
        .env("REDIS_URL", redis_url)
        .env("RBAY_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("RUST_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut child = out;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("rbay kept running with REDIS_URL={redis_url}; it should exit with a message");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_malformed_redis_url_exits_with_a_one_line_fix() {
    let line = refusal("http//not-a-redis-url");
    assert!(
        line.contains("REDIS_URL") && line.contains("redis://HOST:PORT"),
        "{line}"
    );
}

#[test]
fn one_node_of_a_cluster_named_alone_asks_for_every_node() {
    let port = free_port();
    let _node = RedisProcess::start_cluster_node(port);
    let line = refusal(&format!("redis://127.0.0.1:{port}"));
    assert!(
        line.contains("one node of a Redis Cluster") && line.contains("separated by commas"),
        "{line}"
    );
}

#[test]
fn several_nodes_that_are_not_a_cluster_are_refused() {
    let (a, b) = (free_port(), free_port());
    let _a = RedisProcess::start(a, true);
    let _b = RedisProcess::start(b, true);
    let line = refusal(&format!("redis://127.0.0.1:{a},redis://127.0.0.1:{b}"));
    assert!(line.contains("not a Redis Cluster node"), "{line}");
}

#[test]
fn a_redis_without_search_exits_with_a_one_line_fix() {
    let port = free_port();
    let _plain = RedisProcess::start(port, false);
    let line = refusal(&format!("redis://127.0.0.1:{port}"));
    assert!(
        line.contains("no search module") && line.contains("--loadmodule"),
        "{line}"
    );
}

/// The server restarts itself once with the allocator settings that hand memory back
/// (`main.rs`, `ALLOCATOR_SETTINGS`): same process, still serving; an operator's own value wins.
#[test]
fn the_server_runs_with_the_allocator_settings_that_return_memory() {
    let server = Server::start(&common::redis_url(), &[("MIMALLOC_PURGE_DELAY", "7")]);
    server.wait_ready();
    let environ = std::fs::read(format!("/proc/{}/environ", server.pid())).unwrap();
    let vars: Vec<String> = environ
        .split(|b| *b == 0)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .filter(|v| v.starts_with("MIMALLOC_"))
        .collect();
    assert!(
        vars.contains(&"MIMALLOC_ARENA_EAGER_COMMIT=0".to_string()),
        "{vars:?}"
    );
    assert!(
        vars.contains(&"MIMALLOC_PURGE_DELAY=7".to_string()),
        "the operator's setting is kept: {vars:?}"
    );
    assert_eq!(server.get("/about").status, 200, "and it serves");
}
