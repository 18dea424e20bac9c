//! Runs the real `rbay` binary and talks HTTP/1.1 to it over a plain TCP socket.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Every port this test process has handed out. The kernel may give a port back to `bind(0)`
/// once its listener is dropped, before the server meant for it has bound it, and a cluster
/// node also binds its port + 10000 (its bus), which may be another server's port: without
/// this list two servers of one test binary could be handed the same port.
static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A free port that no other server of this test process was handed.
pub fn free_port() -> u16 {
    reserve_port(false)
}

/// A free port, and with `with_bus` one whose port + 10000 (a cluster node's bus) is free too:
/// an ephemeral port above 55535 has no bus port at all, and such a node would not start.
pub fn reserve_port(with_bus: bool) -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut handed = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        if handed.contains(&port) {
            continue;
        }
        if !with_bus {
            handed.insert(port);
            return port;
        }
        let Some(bus) = port.checked_add(10_000) else {
            continue;
        };
        if !handed.contains(&bus) && TcpListener::bind(("127.0.0.1", bus)).is_ok() {
            handed.insert(port);
            handed.insert(bus);
            return port;
        }
    }
}

pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> Result<(), ()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(())
}

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

/// In [`Server::start`]'s environment: a file to write the server's log to (for tests that
/// read it), not passed to the server.
pub const LOG_FILE: &str = "RBAY_TEST_LOG_FILE";

impl Server {
    /// Starts the binary with `REDIS_URL` and extra environment variables, and waits until it
    /// accepts connections (not until Redis is ready: see [`Server::wait_ready`]).
    ///
    /// A free port can be taken by another test's process (a Redis) between `free_port` and
    /// the server's bind: then the server exits, and it is started again on another port,
    /// rather than the test talking HTTP to someone else's socket.
    pub fn start(redis_url: &str, env: &[(&str, &str)]) -> Self {
        for _ in 0..5 {
            if let Some(server) = Self::try_start(redis_url, env) {
                return server;
            }
        }
        panic!("rbay did not start on any of 5 free ports");
    }

    fn try_start(redis_url: &str, env: &[(&str, &str)]) -> Option<Self> {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rbay"));
        cmd.env("REDIS_URL", redis_url)
            .env("RBAY_ADDR", format!("127.0.0.1:{port}"))
            .env("RBAY_KEY_PREFIX", format!("srv{port}:"))
            .env("RUST_LOG", "warn")
            // RBAY_TEST_SERVER_LOGS=1 shows the server's log when debugging a test.
            .stdout(if std::env::var_os("RBAY_TEST_SERVER_LOGS").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stderr(if std::env::var_os("RBAY_TEST_SERVER_LOGS").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        for (k, v) in env {
            // Not the server's: where the test wants the server's log (stdout and stderr).
            if *k == LOG_FILE {
                let file = std::fs::File::create(v).expect("the log file");
                let again = file.try_clone().expect("the log file");
                cmd.stdout(Stdio::from(file)).stderr(Stdio::from(again));
                continue;
            }
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start rbay");
        let mut server = Server { child, port };
        // Listening, and it is this server that listens: it answers HTTP (any status) and has
        // not exited (a failed bind exits).
        let answered = wait_until(Duration::from_secs(10), || {
            server.exited() || server.answers_http()
        });
        if answered.is_err() || server.exited() {
            return None;
        }
        Some(server)
    }

    fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// `GET /healthz` gets an HTTP status line (whatever the status).
    fn answers_http(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 ")
    }

    /// A server on the test Redis in the namespace `prefix`, with an operator named Opal and
    /// the per-IP sign-up limit out of the way (every test signs up from 127.0.0.1); ready.
    pub fn for_test(prefix: &str) -> Self {
        Self::for_test_with(prefix, &[])
    }

    /// [`Server::for_test`] with more environment variables.
    pub fn for_test_with(prefix: &str, extra: &[(&str, &str)]) -> Self {
        let mut env = vec![
            ("RBAY_KEY_PREFIX", prefix),
            ("RBAY_ADMINS", "Opal, someone"),
            ("RBAY_AUTH_IP_LIMIT", "10000/60"),
        ];
        env.extend_from_slice(extra);
        let server = Server::start(&super::redis_url(), &env);
        server.wait_ready();
        server
    }

    /// Waits until `/healthz` says Redis is ready.
    pub fn wait_ready(&self) {
        wait_until(Duration::from_secs(15), || {
            self.get("/healthz").status == 200
        })
        .expect("rbay ready");
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], "")
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        http(self.port, method, path, headers, body)
    }

    /// Like [`Server::request`] with a binary body.
    pub fn request_bytes(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        http_bytes(self.port, method, path, headers, body)
    }

    /// `http://127.0.0.1:<port>`, for Origin headers.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The process id, for memory readings.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits up to `limit` for a graceful exit; true if it exited.
    pub fn terminate(&mut self, limit: Duration) -> bool {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn assert_alive(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the server must not exit"
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// First header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// One HTTP/1.1 request with `Connection: close`; chunked bodies are decoded.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    http_bytes(port, method, path, headers, body.as_bytes())
}

/// [`http`] with a binary body. A `Transfer-Encoding: chunked` header sends the body in
/// chunks (no Content-Length).
pub fn http_bytes(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !chunked && (!body.is_empty() || method == "POST") {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut raw_request = req.into_bytes();
    if chunked {
        for chunk in body.chunks(64 * 1024) {
            raw_request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            raw_request.extend_from_slice(chunk);
            raw_request.extend_from_slice(b"\r\n");
        }
        raw_request.extend_from_slice(b"0\r\n\r\n");
    } else {
        raw_request.extend_from_slice(body);
    }
    raw(port, &raw_request)
}

/// Sends raw bytes and reads the response (the connection is closed by the server).
pub fn raw(port: u16, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    // A server may answer (e.g. 413) and close before reading a large body: keep its answer.
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    if let Err(e) = stream.read_to_end(&mut raw) {
        assert!(!raw.is_empty(), "no response: {e}");
    }
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const HTML: &str = "text/html,application/xhtml+xml";
pub const JSON: &str = "application/json";

/// A plain form post, as a browser with JavaScript off sends it (an HTML answer expected).
pub fn plain_post(server: &Server, path: &str, body: &str, cookie: Option<&str>) -> Response {
    let origin = server.origin();
    let mut headers = vec![
        ("Content-Type", FORM),
        ("Accept", HTML),
        ("Origin", origin.as_str()),
    ];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    server.request("POST", path, &headers, body)
}

/// Where a redirect (302) sends the browser; fails the test on any other answer.
pub fn location(r: &Response) -> &str {
    assert_eq!(r.status, 302, "{}", r.body);
    r.header("location").unwrap()
}

/// A call as the hydrated islands make it (fetch, form-encoded body, JSON answer).
pub fn call(server: &Server, path: &str, body: &str, cookie: Option<&str>) -> Response {
    let origin = server.origin();
    let mut headers = vec![
        ("Content-Type", FORM),
        ("Accept", JSON),
        ("Origin", origin.as_str()),
    ];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    server.request("POST", path, &headers, body)
}

pub fn get(server: &Server, path: &str, cookie: Option<&str>) -> Response {
    let mut headers = vec![("Accept", HTML)];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    server.request("GET", path, &headers, "")
}

/// Signs a new user up through the JSON call; returns the `rbay_session=...` cookie.
pub fn sign_up(server: &Server, name: &str) -> String {
    let r = call(
        server,
        "/api/auth/signup",
        &format!("username={name}&password=long-enough-pw&confirm=long-enough-pw"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    session_cookie(&r)
}

/// `rbay_session=...` from a response's Set-Cookie; fails the test when there is none.
pub fn session_cookie(r: &Response) -> String {
    r.all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("rbay_session="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie: {:?}", r.headers))
        .to_string()
}

/// A multipart body for the new-item form; `photo` is attached when given.
pub fn multipart(fields: &[(&str, &str)], photo: Option<&[u8]>) -> (String, Vec<u8>) {
    multipart_photos(fields, photo.as_slice())
}

/// A multipart body for the new-item form with any number of photos, after the fields.
pub fn multipart_photos(fields: &[(&str, &str)], photos: &[&[u8]]) -> (String, Vec<u8>) {
    let boundary = "----rbaytestboundary7";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for bytes in photos {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Lists an item through the JSON path of the form; returns the server's answer.
pub fn create_item(
    server: &Server,
    cookie: &str,
    name: &str,
    description: &str,
    photo: Option<&[u8]>,
) -> Response {
    create_listing(
        server,
        cookie,
        &[
            ("name", name),
            ("description", description),
            ("category", "other"),
            ("price", "10"),
            ("duration", "1d"),
        ],
        photo.as_slice(),
    )
}

/// `POST /api/items/create` with these form fields and photos, as the new-item form sends it
/// (JSON answer).
pub fn create_listing(
    server: &Server,
    cookie: &str,
    fields: &[(&str, &str)],
    photos: &[&[u8]],
) -> Response {
    let (content_type, body) = multipart_photos(fields, photos);
    let origin = server.origin();
    server.request_bytes(
        "POST",
        "/api/items/create",
        &[
            ("Content-Type", &content_type),
            ("Accept", JSON),
            ("Origin", &origin),
            ("Cookie", cookie),
        ],
        &body,
    )
}

/// Sends an item form (multipart: `fields`, then `photos`) to `path` as the island does (a
/// JSON answer) or, with `json` false, as a browser without JavaScript (a redirect).
pub fn send_item_form(
    server: &Server,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    photos: &[&[u8]],
    json: bool,
) -> Response {
    let (content_type, body) = multipart_photos(fields, photos);
    let origin = server.origin();
    server.request_bytes(
        "POST",
        path,
        &[
            ("Content-Type", &content_type),
            ("Accept", if json { JSON } else { HTML }),
            ("Origin", &origin),
            ("Cookie", cookie),
        ],
        &body,
    )
}

/// The id in a `{"Created":{"id":"7"}}` answer.
pub fn created_id(r: &Response) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v["Created"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("not created: {}", r.body))
        .to_string()
}

/// Follows a redirect as a browser would: a GET of its location (without the fragment) with
/// the session `cookie` and the one-time notice cookie the answer set, if it set one.
pub fn follow(server: &Server, r: &Response, cookie: Option<&str>) -> Response {
    let to = location(r)
        .split('#')
        .next()
        .unwrap_or_default()
        .to_string();
    let flash = r
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("rbay_flash="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string);
    let cookies: Vec<String> = cookie
        .map(str::to_string)
        .into_iter()
        .chain(flash)
        .collect();
    let cookies = cookies.join("; ");
    get(
        server,
        &to,
        (!cookies.is_empty()).then_some(cookies.as_str()),
    )
}
