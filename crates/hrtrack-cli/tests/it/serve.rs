//! `hrtrack serve`: the real program listens, prints where, answers `/healthz` and the API on
//! the database it was given, and stops on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{Workspace, path_str, turkmenistan_csv};

/// A plain HTTP/1.1 GET over a socket; returns the status line and the body.
fn get(address: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("a request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

#[test]
fn serves_the_api_on_the_given_database() {
    let workspace = Workspace::new();
    workspace.ok(&["import", "upr-info", path_str(&turkmenistan_csv())]);
    let mut server = Command::new(env!("CARGO_BIN_EXE_hrtrack"))
        .current_dir(workspace.path())
        .env_remove("HRTRACK_DB")
        .args(["--db", workspace.db(), "serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hrtrack serve starts");
    let stdout = server.stdout.take().expect("its standard output");
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("the address line");
    let address = first_line
        .trim()
        .strip_prefix("hrtrack serving on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();

    let (status, body) = get(&address, "/healthz");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("ok"), "{body}");
    let (status, body) = get(&address, "/api/v1/stats?state=Turkmenistan&session=3");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"recommendation_state_pairs\":87"), "{body}");
    let (status, _) = get(&address, "/api/v1/recommendations?state=Atlantis");
    assert!(status.contains("400"), "{status}");

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    let exit = server.wait().expect("the server exits");
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
}
