//! The server on a real loopback socket: it answers, and stops when its shutdown future
//! completes.

use std::time::Duration;

use hrtrack_db::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn serves_on_a_socket_and_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let address = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("address: {e}"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hrtrack_web::serve_on(store, listener, async {
        let _ = stopped.await;
    }));

    let mut stream = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("write: {e}"));
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .unwrap_or_else(|e| panic!("read: {e}"));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");
    assert!(
        response
            .to_lowercase()
            .contains("x-content-type-options: nosniff")
    );

    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap_or_else(|_| panic!("the server did not stop within 10 s"))
        .unwrap_or_else(|e| panic!("server task: {e}"));
    assert!(result.is_ok(), "{result:?}");
}

/// A server on a loopback port with short timeouts and a cap of `max_connections`; the
/// sender stops it.
async fn short_fused_server(
    max_connections: usize,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::open(&url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let address = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("address: {e}"));
    let options = hrtrack_web::ServeOptions {
        header_read_timeout: Duration::from_millis(500),
        body_read_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(5),
        max_connections,
        shutdown_grace: Duration::from_secs(5),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hrtrack_web::serve_with(store, listener, options, async {
        let _ = stopped.await;
    }));
    (address, stop, server, dir)
}

/// Reads until the server closes the connection; panics if it is still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration, what: &str) -> Vec<u8> {
    let mut seen = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut seen)).await {
        Ok(_) => seen,
        Err(_) => panic!("{what}: the connection was still open after {limit:?}"),
    }
}

#[tokio::test]
async fn silent_and_slow_connections_are_closed() {
    let (address, stop, server, _dir) = short_fused_server(64).await;

    // Nothing sent at all.
    let mut silent = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    closed_within(&mut silent, Duration::from_secs(5), "silent").await;

    // Headers trickled, one line every 200 ms, never finished.
    let mut slow = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    let trickle = async {
        let _ = slow.write_all(b"GET /healthz HTTP/1.1\r\n").await;
        for n in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if slow
                .write_all(format!("X-Slow-{n}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                return true;
            }
        }
        false
    };
    let refused = tokio::time::timeout(Duration::from_secs(8), trickle).await;
    // Either a write failed (closed) or the read below sees the end at once.
    if !matches!(refused, Ok(true)) {
        closed_within(&mut slow, Duration::from_millis(500), "trickled headers").await;
    }

    // A request whose body never comes: the answer is not a 5xx, and the connection ends.
    let mut no_body = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    no_body
        .write_all(
            b"POST /api/v1/sdg/submissions HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n",
        )
        .await
        .unwrap_or_else(|e| panic!("write: {e}"));
    let answer = closed_within(&mut no_body, Duration::from_secs(5), "missing body").await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(!answer.starts_with("HTTP/1.1 5"), "{answer}");

    // A kept-alive connection left idle after its request is closed too.
    let mut idle = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("write: {e}"));
    let answer = closed_within(&mut idle, Duration::from_secs(5), "idle keep-alive").await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));

    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap_or_else(|_| panic!("the server did not stop within 10 s"))
        .unwrap_or_else(|e| panic!("server task: {e}"));
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_slot() {
    let (address, stop, server, _dir) = short_fused_server(1).await;
    // The one slot is taken by a connection that sends nothing; the next one is answered
    // once the server has closed the first (header timeout), not refused or failed.
    let mut hog = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    let mut next = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    next.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("write: {e}"));
    // While the hog holds the only slot, nothing is answered.
    let mut byte = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(200), next.read(&mut byte))
            .await
            .is_err(),
        "answered while the only slot was taken"
    );
    closed_within(&mut hog, Duration::from_secs(5), "hog").await;
    let answer = closed_within(&mut next, Duration::from_secs(5), "next").await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap_or_else(|_| panic!("the server did not stop within 10 s"))
        .unwrap_or_else(|e| panic!("server task: {e}"));
    assert!(result.is_ok(), "{result:?}");
}
