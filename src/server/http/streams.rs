//! Live streams served outside hyper's HTTP/1 connection, to keep an idle stream small.
//!
//! hyper gives every HTTP/1 connection an 8 KB read buffer and an 8 KB header write buffer for
//! the connection's whole life (neither configurable below 8 KB), so a server-sent-events
//! stream that sits idle for an hour costs ~16 KB before the stream itself. A stream needs
//! neither after its request head is read: it answers once and writes events until one side
//! goes away.
//!
//! [`StreamSplitter`] is the server's listener. Each accepted connection's first bytes are
//! peeked at (not consumed): a `GET` of a live-stream path ([`is_stream_request`]) is served
//! here — the head read into a buffer freed once parsed, the request handed to the same
//! router (so every middleware applies), the response head written once and the body's
//! frames written straight to the socket, then the connection closed. Everything else, and
//! anything that cannot be told from the first segment, goes to hyper as before (the stream
//! routes also work there, at hyper's cost). Reverse proxies must open a fresh upstream
//! connection for the stream paths to benefit (docs/deploy.md: the `rbay_streams` upstream).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, Version};
use axum::Router;
use http_body_util::BodyExt;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tower::ServiceExt;

/// A request head larger than this is refused (431), as hyper's own limit would.
pub const MAX_HEAD: usize = 8 * 1024;
/// Header lines a stream request may carry.
const MAX_HEADERS: usize = 48;
/// How long a connection may take to send its first bytes, and then the rest of its head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes peeked at to tell a stream request (`GET /items/18446744073709551615/events ` fits).
const PEEK: usize = 64;

/// Whether a request's first bytes are a `GET` of a live-stream path: `/items/<id>/events`
/// (an item's events), or anything under `/api/live/` (a user's notices, the market board).
pub fn is_stream_request(first: &[u8]) -> bool {
    let Some(rest) = first.strip_prefix(b"GET /") else {
        return false;
    };
    if rest.starts_with(b"api/live/") {
        return true;
    }
    let Some(rest) = rest.strip_prefix(b"items/") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0
        && rest[digits..]
            .strip_prefix(b"/events")
            .is_some_and(|end| matches!(end.first(), Some(b' ' | b'?')))
}

/// The server's listener: accepts connections, keeps the live streams, and yields every other
/// connection to `axum::serve` (wrapped in `ListenerExt::tap_io`, through which axum gives
/// handlers the peer's `ConnectInfo<SocketAddr>` for a listener of its own kind).
pub struct StreamSplitter {
    inner: TcpListener,
    app: Router,
    to_hyper: mpsc::UnboundedSender<(TcpStream, SocketAddr)>,
    from_peek: mpsc::UnboundedReceiver<(TcpStream, SocketAddr)>,
}

impl StreamSplitter {
    /// `app` is the router the streams are served by (the same one `axum::serve` runs).
    pub fn new(inner: TcpListener, app: Router) -> Self {
        let (to_hyper, from_peek) = mpsc::unbounded_channel();
        StreamSplitter {
            inner,
            app,
            to_hyper,
            from_peek,
        }
    }
}

impl axum::serve::Listener for StreamSplitter {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            tokio::select! {
                accepted = self.inner.accept() => match accepted {
                    Ok((tcp, addr)) => {
                        tokio::spawn(route(tcp, addr, self.app.clone(), self.to_hyper.clone()));
                    }
                    Err(e) => accept_error(e).await,
                },
                Some(conn) = self.from_peek.recv() => return conn,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// Errors of one connection (it was reset before we took it) are skipped; others (out of file
/// descriptors) are logged and waited out, so that the loop does not spin.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accept failed: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Peeks at a new connection's first bytes and serves it here or hands it to hyper.
async fn route(
    tcp: TcpStream,
    addr: SocketAddr,
    app: Router,
    to_hyper: mpsc::UnboundedSender<(TcpStream, SocketAddr)>,
) {
    let mut first = [0u8; PEEK];
    let stream = match tokio::time::timeout(HEAD_TIMEOUT, tcp.peek(&mut first)).await {
        Ok(Ok(n)) => is_stream_request(&first[..n]),
        // A silent or failed connection is hyper's to time out or drop, as before.
        _ => false,
    };
    if stream {
        // Each event goes out as soon as it is written (no Nagle delay).
        let _ = tcp.set_nodelay(true);
        serve_stream(tcp, addr, app).await;
    } else {
        // The server is stopping when nobody receives: the connection is dropped.
        let _ = to_hyper.send((tcp, addr));
    }
}

/// What reading a request head came to.
enum Head {
    /// More bytes are needed.
    Partial,
    /// The request, without a body.
    Complete(Box<Request<Body>>),
    /// Answer this status and close.
    Refused(StatusCode),
}

/// Parses a request head (no body is accepted on a stream request).
fn parse_head(buf: &[u8]) -> Head {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let status = match parsed.parse(buf) {
        Ok(status) => status,
        Err(httparse::Error::TooManyHeaders) => {
            return Head::Refused(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        }
        Err(_) => return Head::Refused(StatusCode::BAD_REQUEST),
    };
    if status.is_partial() {
        return if buf.len() >= MAX_HEAD {
            Head::Refused(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        } else {
            Head::Partial
        };
    }
    let (Some(method), Some(path), Some(minor)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Head::Refused(StatusCode::BAD_REQUEST);
    };
    let mut request = Request::new(Body::empty());
    *request.method_mut() = match Method::from_bytes(method.as_bytes()) {
        Ok(method) => method,
        Err(_) => return Head::Refused(StatusCode::BAD_REQUEST),
    };
    *request.uri_mut() = match path.parse() {
        Ok(uri) => uri,
        Err(_) => return Head::Refused(StatusCode::BAD_REQUEST),
    };
    *request.version_mut() = if minor == 0 {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    for header in parsed.headers.iter() {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(header.name.as_bytes()),
            HeaderValue::from_bytes(header.value),
        ) else {
            return Head::Refused(StatusCode::BAD_REQUEST);
        };
        // A stream request has no body; one that announces a body is not what it claims.
        if name == axum::http::header::TRANSFER_ENCODING
            || (name == axum::http::header::CONTENT_LENGTH && value.as_bytes() != b"0")
        {
            return Head::Refused(StatusCode::BAD_REQUEST);
        }
        request.headers_mut().append(name, value);
    }
    Head::Complete(Box::new(request))
}

/// Reads the head (bounded in size and time), runs the router, writes the response and then its
/// body frames as they come, until the body ends, the client goes away or a write fails.
async fn serve_stream(mut tcp: TcpStream, addr: SocketAddr, app: Router) {
    let mut request = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut tcp)).await {
        Ok(Ok(request)) => request,
        Ok(Err(status)) => {
            let _ = write_refusal(&mut tcp, status).await;
            return;
        }
        Err(_) => return,
    };
    request.extensions_mut().insert(ConnectInfo(addr));
    // Boxed: the router's future is large and is needed only until the response is made; the
    // stream's task keeps only what the body needs for its whole life.
    let response = match Box::pin(app.oneshot(request)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let _ = write_response(tcp, response).await;
}

/// The request head, or the status to refuse it with.
async fn read_head(tcp: &mut TcpStream) -> Result<Request<Body>, StatusCode> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        let n = tcp
            .read_buf(&mut buf)
            .await
            .map_err(|_| StatusCode::BAD_REQUEST)?;
        if n == 0 {
            return Err(StatusCode::BAD_REQUEST);
        }
        match parse_head(&buf) {
            Head::Partial => {}
            Head::Complete(request) => return Ok(*request),
            Head::Refused(status) => return Err(status),
        }
    }
}

async fn write_refusal(tcp: &mut TcpStream, status: StatusCode) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.shutdown().await
}

/// The response head as bytes: the status line, the router's headers, and how the body ends.
/// Its length is stated when known; otherwise the body runs until the connection closes
/// (`connection: close` either way: a stream's connection serves one request).
fn response_head(response: &Response<Body>) -> Vec<u8> {
    use std::io::Write;
    let mut head = Vec::with_capacity(512);
    let status = response.status();
    let _ = write!(
        head,
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        if name == axum::http::header::CONNECTION || name == axum::http::header::TRANSFER_ENCODING {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if !response
        .headers()
        .contains_key(axum::http::header::CONTENT_LENGTH)
    {
        if let Some(len) = http_body::Body::size_hint(response.body()).exact() {
            let _ = write!(head, "content-length: {len}\r\n");
        }
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    head
}

async fn write_response(mut tcp: TcpStream, response: Response<Body>) -> std::io::Result<()> {
    tcp.write_all(&response_head(&response)).await?;
    let mut body = response.into_body();
    let (mut reader, mut writer) = tcp.split();
    // The client sends nothing more; reading tells at once when it hangs up, so an idle stream
    // is freed then rather than at the next keep-alive comment.
    let mut scratch = [0u8; 16];
    loop {
        tokio::select! {
            frame = body.frame() => match frame {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        writer.write_all(&data).await?;
                    }
                }
                Some(Err(_)) | None => break,
            },
            read = reader.read(&mut scratch) => match read {
                Ok(0) | Err(_) => return Ok(()),
                Ok(_) => {}
            },
        }
    }
    writer.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_paths_are_told_from_their_first_bytes() {
        for yes in [
            "GET /items/2/events HTTP/1.1\r\n",
            "GET /items/18446744073709551615/events HTTP/1.1",
            "GET /items/2/events?x=1 HTTP/1.1",
            "GET /api/live/me HTTP/1.1",
            "GET /api/live/market HTTP/1.1",
        ] {
            assert!(is_stream_request(yes.as_bytes()), "{yes}");
        }
        for no in [
            "GET /items/2 HTTP/1.1",
            "GET /items/2/eventsx HTTP/1.1",
            "GET /items/2/events",
            "GET /items//events HTTP/1.1",
            "GET /items/x/events HTTP/1.1",
            "POST /api/live/me HTTP/1.1",
            "HEAD /items/2/events HTTP/1.1",
            "GET /api/items/watch HTTP/1.1",
            "GET /items/2/ev",
            "",
        ] {
            assert!(!is_stream_request(no.as_bytes()), "{no}");
        }
    }

    /// The status a head is refused with; `None` for a whole head, `Some(OK)` for a partial one.
    fn refusal(head: &[u8]) -> Option<StatusCode> {
        match parse_head(head) {
            Head::Complete(_) => None,
            Head::Partial => Some(StatusCode::OK),
            Head::Refused(status) => Some(status),
        }
    }

    #[test]
    fn heads_parse_with_limits() {
        let Head::Complete(request) = parse_head(
            b"GET /items/2/events HTTP/1.1\r\nHost: a\r\nLast-Event-ID: 1-0\r\nCookie: x=1\r\n\r\n",
        ) else {
            panic!("a whole head");
        };
        assert_eq!(request.uri().path(), "/items/2/events");
        assert_eq!(request.headers()["last-event-id"], "1-0");
        assert_eq!(request.headers()["cookie"], "x=1");
        assert_eq!(
            refusal(b"GET /items/2/events HTTP/1.1\r\nHost: a\r\n"),
            Some(StatusCode::OK),
            "partial"
        );
        assert_eq!(
            refusal(b"GET /items/2/events HTTP/1.1\r\nContent-Length: 5\r\n\r\n"),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            refusal(b"GET /items/2/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            refusal(b"GET /items/2/events HTTP/1.1\r\nBad Header: x\r\n\r\n"),
            Some(StatusCode::BAD_REQUEST)
        );
        let mut long = b"GET /items/2/events HTTP/1.1\r\nX-Pad: ".to_vec();
        long.resize(MAX_HEAD, b'a');
        assert_eq!(
            refusal(&long),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: 1\r\n"))
            .collect();
        assert_eq!(
            refusal(format!("GET /api/live/me HTTP/1.1\r\n{many}\r\n").as_bytes()),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
    }
}
