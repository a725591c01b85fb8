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
