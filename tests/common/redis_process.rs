//! Throwaway redis-server processes that a test may stop, kill and start again.
//!
//! Paths come from `RBAY_REDIS_SERVER_BIN` and `RBAY_REDIS_MODULE_DIR`, which
//! `scripts/test.sh` exports. Each process has its own data directory, kept across
//! [`RedisProcess::kill9`] and [`RedisProcess::restart`] and removed when the value is dropped.

use super::server::wait_until;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(
        std::env::var(name)
            .unwrap_or_else(|_| panic!("{name} is not set: run the tests through scripts/test.sh")),
    )
}

/// How the server keeps its data.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// Nothing on disk: a restart starts empty.
    None,
    /// The AOF, fsynced before every reply (`appendfsync always`), as Rbay is deployed.
    Durable,
}

pub struct RedisProcess {
    child: Option<Child>,
    pub port: u16,
    search: bool,
    persistence: Persistence,
    cluster: bool,
    dir: PathBuf,
}

impl RedisProcess {
    /// A Redis without persistence, with or without the search module.
    pub fn start(port: u16, with_search: bool) -> Self {
        Self::launch(port, with_search, Persistence::None)
    }

    /// A Redis with the search module and a durable AOF.
    pub fn start_durable(port: u16) -> Self {
        Self::launch(port, true, Persistence::Durable)
    }

    /// One node of a Redis Cluster (cluster mode on, no slots assigned), with the search module.
    pub fn start_cluster_node(port: u16) -> Self {
        Self::launch_with(port, true, Persistence::None, true)
    }

    fn launch(port: u16, search: bool, persistence: Persistence) -> Self {
        Self::launch_with(port, search, persistence, false)
    }

    fn launch_with(port: u16, search: bool, persistence: Persistence, cluster: bool) -> Self {
        let dir = std::env::temp_dir().join(format!("rbay-redis-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = RedisProcess {
            child: None,
            port,
            search,
            persistence,
            cluster,
            dir,
        };
        redis.restart();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and data directory, and waits until it
    /// accepts connections (it may still be loading its AOF: Redis answers LOADING meanwhile).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "redis-server is already running");
        let mut cmd = Command::new(env_path("RBAY_REDIS_SERVER_BIN"));
        cmd.args([
            "--port",
            &self.port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .arg("--dir")
        .arg(&self.dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        match self.persistence {
            Persistence::None => cmd.args(["--appendonly", "no"]),
            Persistence::Durable => cmd.args(["--appendonly", "yes", "--appendfsync", "always"]),
        };
        if self.cluster {
            cmd.args(["--cluster-enabled", "yes", "--cluster-config-file"])
                .arg(self.dir.join("nodes.conf"));
        }
        if self.search {
            cmd.arg("--loadmodule")
                .arg(env_path("RBAY_REDIS_MODULE_DIR").join("redisearch.so"));
        }
        self.child = Some(cmd.spawn().expect("start redis-server"));
        let port = self.port;
        wait_until(Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        })
        .expect("redis-server listening");
    }

    /// `kill -9`: no shutdown, no last write to disk.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn stop(mut self) {
        self.kill9();
    }

    /// One command on a connection of its own, from a test that is not async.
    pub fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> redis::RedisResult<T> {
        let url = self.url();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let client = redis::Client::open(url)?;
                let mut conn = client.get_multiplexed_async_connection().await?;
                cmd.query_async(&mut conn).await
            })
    }
}

/// A throwaway Redis Cluster of three primaries (no replicas), each with the search module.
pub struct RedisCluster {
    pub nodes: Vec<RedisProcess>,
}

impl RedisCluster {
    /// Starts three cluster nodes on free ports, gives each a third of the slots, introduces
    /// them to each other and waits until every node says the cluster is ok.
    pub fn start() -> Self {
        let nodes: Vec<RedisProcess> = (0..3)
            .map(|_| RedisProcess::start_cluster_node(super::server::free_port()))
            .collect();
        let ranges = [(0, 5460), (5461, 10922), (10923, 16383)];
        for (node, (first, last)) in nodes.iter().zip(ranges) {
            let _: () = node
                .query(
                    redis::cmd("CLUSTER")
                        .arg("ADDSLOTSRANGE")
                        .arg(first)
                        .arg(last),
                )
                .expect("assign slots");
        }
        for node in &nodes[1..] {
            let _: () = nodes[0]
                .query(
                    redis::cmd("CLUSTER")
                        .arg("MEET")
                        .arg("127.0.0.1")
                        .arg(node.port),
                )
                .expect("introduce the nodes");
        }
        wait_until(Duration::from_secs(20), || {
            nodes.iter().all(|node| {
                let info: String = node
                    .query(redis::cmd("CLUSTER").arg("INFO"))
                    .unwrap_or_default();
                info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3")
            })
        })
        .expect("the cluster comes up");
        RedisCluster { nodes }
    }

    /// The `REDIS_URL` that names every node.
    pub fn url(&self) -> String {
        let urls: Vec<String> = self.nodes.iter().map(RedisProcess::url).collect();
        urls.join(",")
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        self.kill9();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
