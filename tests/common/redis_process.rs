//! Throwaway redis-server processes that a test may stop, kill and start again.
//!
//! Paths come from `RBAY_REDIS_SERVER_BIN` and `RBAY_REDIS_MODULE_DIR`, which
//! `scripts/test.sh` exports. Each process has its own data directory, kept across
//! [`RedisProcess::kill9`] and [`RedisProcess::restart`] and removed when the value is dropped.

use super::server::wait_until;
use std::io::{Read, Write};
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
        let mut redis = Self::unstarted(port, search, persistence, cluster);
        redis.restart();
        redis
    }

    fn unstarted(port: u16, search: bool, persistence: Persistence, cluster: bool) -> Self {
        let dir = std::env::temp_dir().join(format!("rbay-redis-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        RedisProcess {
            child: None,
            port,
            search,
            persistence,
            cluster,
            dir,
        }
    }

    /// A new cluster node on a free port (and free bus port). A port free when it was picked
    /// can be taken before the node binds it (or its bus port) by a process outside this list,
    /// even by an outgoing connection's local port: then the node exits, and it is started
    /// again on other ports.
    fn start_cluster_node_on_free_ports() -> Self {
        for _ in 0..5 {
            let mut node = Self::unstarted(cluster_port(), true, Persistence::None, true);
            match node.try_restart() {
                Ok(()) => return node,
                Err(problem) => eprintln!("{problem}; trying other ports"),
            }
        }
        panic!("no cluster node started on any of 5 free ports");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and data directory, and waits until it
    /// answers as itself (`INFO`'s process id; it may still be loading its AOF: Redis answers
    /// `INFO`, and LOADING to most commands, meanwhile). Panics if it does not come up.
    pub fn restart(&mut self) {
        if let Err(problem) = self.try_restart() {
            panic!("{problem}");
        }
    }

    fn try_restart(&mut self) -> Result<(), String> {
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
            // A primary that stops answering for a second is failed over (when it has a replica).
            cmd.args(["--cluster-enabled", "yes", "--cluster-node-timeout", "1000"])
                .arg("--cluster-config-file")
                .arg(self.dir.join("nodes.conf"));
        }
        if self.search {
            cmd.arg("--loadmodule")
                .arg(env_path("RBAY_REDIS_MODULE_DIR").join("redisearch.so"));
        }
        let mut child = cmd.spawn().expect("start redis-server");
        let (port, pid) = (self.port, child.id());
        // The server answering on the port must be this one: if the port was taken meanwhile,
        // this one exits and a bare connect would reach someone else's socket.
        let mut exited = None;
        let up = wait_until(Duration::from_secs(10), || {
            exited = child.try_wait().ok().flatten();
            exited.is_some() || process_id_on(port) == Some(pid)
        });
        if up.is_err() || exited.is_some() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "redis-server on port {port} did not come up (exit status {exited:?})"
            ));
        }
        self.child = Some(child);
        Ok(())
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

/// The process id of the Redis answering on `port`, read from `INFO server` over a plain
/// socket (this may run inside a test's async runtime).
fn process_id_on(port: u16) -> Option<u32> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream
        .write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
        .ok()?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        reply.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&reply);
        if let Some(rest) = text.split("process_id:").nth(1) {
            if let Some((pid, _)) = rest.split_once("\r\n") {
                return pid.trim().parse().ok();
            }
        }
    }
}

/// A free port for a cluster node whose cluster bus port (the port + 10000) is free too.
fn cluster_port() -> u16 {
    super::server::reserve_port(true)
}

/// A throwaway Redis Cluster of three primaries (with or without a replica each), each node
/// with the search module.
pub struct RedisCluster {
    /// The primaries first, then their replicas in the same order.
    pub nodes: Vec<RedisProcess>,
}

impl RedisCluster {
    /// Starts three cluster nodes on free ports, gives each a third of the slots, introduces
    /// them to each other and waits until every node says the cluster is ok.
    pub fn start() -> Self {
        Self::start_with(0)
    }

    /// [`RedisCluster::start`] with one replica of each primary, replicating before it returns.
    pub fn start_with_replicas() -> Self {
        Self::start_with(1)
    }

    fn start_with(replicas: usize) -> Self {
        let count = 3 * (1 + replicas);
        let nodes: Vec<RedisProcess> = (0..count)
            .map(|_| RedisProcess::start_cluster_node_on_free_ports())
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
        // Replica r of primary i is node 3 * (r + 1) + i; it can follow its primary once it
        // has heard of it.
        for (n, replica) in nodes.iter().enumerate().skip(3) {
            let primary_id: String = nodes[n % 3]
                .query(redis::cmd("CLUSTER").arg("MYID"))
                .expect("a primary's id");
            wait_until(Duration::from_secs(20), || {
                replica
                    .query::<()>(redis::cmd("CLUSTER").arg("REPLICATE").arg(&primary_id))
                    .is_ok()
            })
            .expect("a replica follows its primary");
        }
        let known = format!("cluster_known_nodes:{count}");
        wait_until(Duration::from_secs(20), || {
            nodes.iter().all(|node| {
                let info: String = node
                    .query(redis::cmd("CLUSTER").arg("INFO"))
                    .unwrap_or_default();
                info.contains("cluster_state:ok") && info.contains(&known)
            }) && nodes[3..].iter().all(|replica| {
                let info: String = replica
                    .query(redis::cmd("INFO").arg("replication"))
                    .unwrap_or_default();
                info.contains("master_link_status:up")
            })
        })
        .expect("the cluster comes up");
        RedisCluster { nodes }
    }

    /// Starts one more node, with the search module and no slots, and introduces it to the
    /// cluster: its index in `nodes`, once every node knows it.
    pub fn add_node(&mut self) -> usize {
        let node = RedisProcess::start_cluster_node_on_free_ports();
        let _: () = self.nodes[0]
            .query(
                redis::cmd("CLUSTER")
                    .arg("MEET")
                    .arg("127.0.0.1")
                    .arg(node.port),
            )
            .expect("introduce the new node");
        self.nodes.push(node);
        let known = format!("cluster_known_nodes:{}", self.nodes.len());
        wait_until(Duration::from_secs(20), || {
            self.nodes.iter().all(|node| {
                let info: String = node
                    .query(redis::cmd("CLUSTER").arg("INFO"))
                    .unwrap_or_default();
                info.contains("cluster_state:ok") && info.contains(&known)
            })
        })
        .expect("every node knows the new one");
        self.nodes.len() - 1
    }

    /// Moves `slots` from primary `from` to primary `to` with their keys, slot by slot, the
    /// way `redis-cli --cluster reshard` does: the new owner imports the slot and the old one
    /// migrates it (from then on, commands on keys already moved are redirected with `ASK`),
    /// `MIGRATE` carries its keys 100 at a time, then every primary is told the slot's new
    /// owner. Returns how many keys moved.
    pub fn move_slots(
        &self,
        from: usize,
        to: usize,
        slots: std::ops::RangeInclusive<u16>,
    ) -> usize {
        let connect = |node: &RedisProcess| {
            redis::Client::open(node.url())
                .and_then(|c| c.get_connection())
                .expect("a connection to a node")
        };
        let id = |conn: &mut redis::Connection| -> String {
            redis::cmd("CLUSTER")
                .arg("MYID")
                .query(conn)
                .expect("a node's id")
        };
        let (mut source, mut target) = (connect(&self.nodes[from]), connect(&self.nodes[to]));
        let (source_id, target_id) = (id(&mut source), id(&mut target));
        let mut others: Vec<redis::Connection> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(n, _)| *n != from && *n != to)
            .map(|(_, node)| connect(node))
            .collect();
        let setslot = |conn: &mut redis::Connection, slot: u16, how: &str, node: &str| {
            let _: () = redis::cmd("CLUSTER")
                .arg("SETSLOT")
                .arg(slot)
                .arg(how)
                .arg(node)
                .query(conn)
                .unwrap_or_else(|e| panic!("SETSLOT {slot} {how}: {e}"));
        };
        let mut moved = 0;
        for slot in slots {
            setslot(&mut target, slot, "IMPORTING", &source_id);
            setslot(&mut source, slot, "MIGRATING", &target_id);
            loop {
                let keys: Vec<Vec<u8>> = redis::cmd("CLUSTER")
                    .arg("GETKEYSINSLOT")
                    .arg(slot)
                    .arg(100)
                    .query(&mut source)
                    .expect("the slot's keys");
                if keys.is_empty() {
                    break;
                }
                let _: redis::Value = redis::cmd("MIGRATE")
                    .arg("127.0.0.1")
                    .arg(self.nodes[to].port)
                    .arg("")
                    .arg(0)
                    .arg(5_000)
                    .arg("KEYS")
                    .arg(&keys)
                    .query(&mut source)
                    .unwrap_or_else(|e| panic!("MIGRATE of slot {slot}: {e}"));
                moved += keys.len();
            }
            setslot(&mut target, slot, "NODE", &target_id);
            setslot(&mut source, slot, "NODE", &target_id);
            for other in &mut others {
                setslot(other, slot, "NODE", &target_id);
            }
        }
        moved
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
