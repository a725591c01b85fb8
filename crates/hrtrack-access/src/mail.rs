//! A minimal SMTP client (RFC 5321) for sending notification e-mails.
//!
//! It talks to an internal mail relay over plain TCP, **without
//! authentication and without TLS**: use it only with a relay on a trusted
//! network (for example one on the same host or inside the same private
//! network) that forwards mail onwards. Each message is plain UTF-8 text
//! (`Content-Transfer-Encoding: 8bit`); a subject that is not plain ASCII is
//! sent as RFC 2047 encoded words.
//!
//! The relay is configured with `HRTRACK_SMTP` (`host:port`) and
//! `HRTRACK_MAIL_FROM` (the sender address, `hrtrack@localhost` by default).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64ct::{Base64, Encoding};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::timeout;

use crate::token::new_secret;
use hrtrack_domain::Date;

/// Sender address used when `HRTRACK_MAIL_FROM` is not set.
pub const DEFAULT_FROM: &str = "hrtrack@localhost";

/// Longest wait for the TCP connection to the relay.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for one step of the dialogue (a command and its reply).
const STEP_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest reply line read from the server; longer lines are cut.
const MAX_REPLY_LINE_BYTES: u64 = 2_048;
/// Most lines accepted in one multi-line reply.
const MAX_REPLY_LINES: usize = 100;
/// Most UTF-8 bytes put in one encoded word, so that it stays under 76 characters.
const MAX_ENCODED_WORD_INPUT_BYTES: usize = 45;
/// Longest subject sent without encoding.
const MAX_PLAIN_SUBJECT_CHARS: usize = 900;

/// Why an e-mail could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// An address is empty or contains characters that could inject headers
    /// or SMTP commands; nothing was sent.
    #[error("the e-mail address {address:?} is not acceptable: {reason}")]
    InvalidAddress {
        address: String,
        reason: &'static str,
    },
    /// The TCP connection to the relay could not be made.
    #[error("could not connect to the mail server {server}: {reason}")]
    Connect { server: String, reason: String },
    /// The server answered a step with an unexpected reply code.
    #[error("the mail server refused {step}: {reply}")]
    Refused { step: &'static str, reply: String },
    /// A step did not complete in time.
    #[error("the mail server did not answer {step} within {} seconds", STEP_TIMEOUT.as_secs())]
    Timeout { step: &'static str },
    /// The connection failed during a step, or the reply was not SMTP.
    #[error("the SMTP dialogue failed at {step}: {reason}")]
    Protocol { step: &'static str, reason: String },
}

/// Where and how to send e-mails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailer {
    /// Host name or IP address of the relay.
    pub host: String,
    /// TCP port of the relay (usually 25).
    pub port: u16,
    /// Sender address used in `MAIL FROM` and the `From` header.
    pub from: String,
    /// Name this client gives in `EHLO`/`HELO`.
    pub hello_name: String,
}

/// One reply of the server: its code and its text lines joined by newlines.
struct Reply {
    code: u16,
    text: String,
}

impl Mailer {
    /// Reads the relay from `HRTRACK_SMTP` and the sender from `HRTRACK_MAIL_FROM`.
    ///
    /// Gives `None` when `HRTRACK_SMTP` is unset, empty or not `host:port`,
    /// in which case e-mails are not sent.
    pub fn from_env() -> Option<Mailer> {
        let relay = std::env::var("HRTRACK_SMTP").ok();
        let from = std::env::var("HRTRACK_MAIL_FROM").ok();
        Mailer::from_settings(relay.as_deref(), from.as_deref())
    }

    /// Makes a mailer from a `host:port` relay setting and an optional sender.
    ///
    /// The host may be an IPv6 address in brackets (`[::1]:25`). The name
    /// given in `EHLO` is the domain of the sender address.
    pub fn from_settings(relay: Option<&str>, from: Option<&str>) -> Option<Mailer> {
        let (host, port) = relay?.trim().rsplit_once(':')?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = port.parse().ok()?;
        if host.is_empty() {
            return None;
        }
        let from = match from.map(str::trim) {
            Some(from) if !from.is_empty() => from,
            _ => DEFAULT_FROM,
        };
        let hello_name = from
            .rsplit_once('@')
            .map(|(_, domain)| domain)
            .filter(|domain| !domain.is_empty())
            .unwrap_or("localhost");
        Some(Mailer {
            host: host.to_owned(),
            port,
            from: from.to_owned(),
            hello_name: hello_name.to_owned(),
        })
    }

    /// Sends a plain-text e-mail to one recipient.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        check_address(&self.from)?;
        check_address(to)?;
        check_hello_name(&self.hello_name)?;
        let message = compose_message(&self.from, to, subject, body, SystemTime::now());

        let server = format!("{}:{}", self.host, self.port);
        let stream = match timeout(
            CONNECT_TIMEOUT,
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                return Err(MailError::Connect {
                    server,
                    reason: error.to_string(),
                });
            }
            Err(_) => {
                return Err(MailError::Connect {
                    server,
                    reason: format!("no connection within {} seconds", CONNECT_TIMEOUT.as_secs()),
                });
            }
        };
        let (reader, writer) = stream.into_split();
        let mut session = Session {
            reader: BufReader::new(reader),
            writer,
        };

        session.step("greeting", None, &[220]).await?;
        let ehlo = format!("EHLO {}", self.hello_name);
        match session.step("EHLO", Some(&ehlo), &[250]).await {
            Err(MailError::Refused { reply, .. }) if reply.starts_with('5') => {
                let helo = format!("HELO {}", self.hello_name);
                session.step("HELO", Some(&helo), &[250]).await?;
            }
            other => {
                other?;
            }
        }
        let mail_from = format!("MAIL FROM:<{}>", self.from);
        session.step("MAIL FROM", Some(&mail_from), &[250]).await?;
        let rcpt_to = format!("RCPT TO:<{to}>");
        session.step("RCPT TO", Some(&rcpt_to), &[250, 251]).await?;
        session.step("DATA", Some("DATA"), &[354]).await?;
        session.step("message", Some(&message), &[250]).await?;
        // The message is accepted at this point; a failing QUIT must not make
        // the caller send it again.
        let _ = session.step("QUIT", Some("QUIT"), &[221]).await;
        Ok(())
    }
}

/// The open connection to the relay.
struct Session {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Session {
    /// Sends `command` (if any, CRLF appended) and reads the reply, which
    /// must have one of the `expected` codes; all within [`STEP_TIMEOUT`].
    async fn step(
        &mut self,
        step: &'static str,
        command: Option<&str>,
        expected: &[u16],
    ) -> Result<Reply, MailError> {
        let exchange = async {
            if let Some(command) = command {
                self.writer.write_all(command.as_bytes()).await?;
                self.writer.write_all(b"\r\n").await?;
                self.writer.flush().await?;
            }
            self.read_reply().await
        };
        let reply = match timeout(STEP_TIMEOUT, exchange).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(error)) => {
                return Err(MailError::Protocol {
                    step,
                    reason: error.to_string(),
                });
            }
            Err(_) => return Err(MailError::Timeout { step }),
        };
        if expected.contains(&reply.code) {
            Ok(reply)
        } else {
            Err(MailError::Refused {
                step,
                reply: reply.text,
            })
        }
    }

    /// Reads one reply, following continuation lines (`250-…`) to the last one (`250 …`).
    async fn read_reply(&mut self) -> std::io::Result<Reply> {
        let mut lines: Vec<String> = Vec::new();
        loop {
            let mut raw_line = Vec::new();
            (&mut self.reader)
                .take(MAX_REPLY_LINE_BYTES)
                .read_until(b'\n', &mut raw_line)
                .await?;
            if raw_line.is_empty() {
                return Err(invalid_reply("the server closed the connection"));
            }
            let line = String::from_utf8_lossy(&raw_line)
                .trim_end_matches(['\r', '\n'])
                .to_owned();
            let code = line
                .get(..3)
                .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_digit()))
                .and_then(|digits| digits.parse::<u16>().ok())
                .ok_or_else(|| invalid_reply(&format!("not an SMTP reply: {line:?}")))?;
            let is_last = match line.as_bytes().get(3) {
                None | Some(b' ') => true,
                Some(b'-') => false,
                Some(_) => return Err(invalid_reply(&format!("not an SMTP reply: {line:?}"))),
            };
            lines.push(line);
            if is_last {
                return Ok(Reply {
                    code,
                    text: lines.join("\n"),
                });
            }
            if lines.len() >= MAX_REPLY_LINES {
                return Err(invalid_reply("the reply has too many lines"));
            }
        }
    }
}

/// An I/O error for a reply that does not follow SMTP.
fn invalid_reply(reason: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, reason.to_owned())
}

/// Refuses addresses that are empty or could inject headers or SMTP commands.
fn check_address(address: &str) -> Result<(), MailError> {
    let reason = if address.trim().is_empty() {
        Some("it is empty")
    } else if address.contains(['\r', '\n']) {
        Some("it contains a line break")
    } else if address.contains(['<', '>']) {
        Some("it contains '<' or '>'")
    } else if address.chars().any(char::is_control) {
        Some("it contains a control character")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(MailError::InvalidAddress {
            address: address.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Refuses an `EHLO` name that would break the command line.
fn check_hello_name(hello_name: &str) -> Result<(), MailError> {
    if hello_name.is_empty() || hello_name.chars().any(|c| c.is_control() || c == ' ') {
        return Err(MailError::Protocol {
            step: "EHLO",
            reason: format!("the client name {hello_name:?} is not a valid host name"),
        });
    }
    Ok(())
}

/// The text sent after the 354 reply to `DATA`: the headers, a blank line,
/// the dot-stuffed body with CRLF line endings and the closing `.`, whose
/// line ending is added when it is sent.
fn compose_message(from: &str, to: &str, subject: &str, body: &str, now: SystemTime) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, domain)| domain)
        .filter(|domain| !domain.is_empty())
        .unwrap_or("localhost");
    let mut message = String::with_capacity(body.len() + 512);
    for (name, value) in [
        ("From", from.to_owned()),
        ("To", to.to_owned()),
        ("Subject", encode_subject(subject)),
        ("Date", rfc5322_date(now)),
        ("Message-ID", format!("<{}@{domain}>", new_secret(""))),
        ("MIME-Version", "1.0".to_owned()),
        ("Content-Type", "text/plain; charset=utf-8".to_owned()),
        ("Content-Transfer-Encoding", "8bit".to_owned()),
    ] {
        message.push_str(name);
        message.push_str(": ");
        message.push_str(&value);
        message.push_str("\r\n");
    }
    message.push_str("\r\n");
    let normalised = body.replace("\r\n", "\n").replace('\r', "\n");
    for line in normalised.lines() {
        if line.starts_with('.') {
            message.push('.');
        }
        message.push_str(line);
        message.push_str("\r\n");
    }
    message.push('.');
    message
}

/// The subject as a header value: unchanged when it is short printable
/// ASCII, otherwise as folded RFC 2047 `=?UTF-8?B?…?=` encoded words.
fn encode_subject(subject: &str) -> String {
    let plain = subject
        .chars()
        .all(|c| c.is_ascii() && !c.is_ascii_control())
        && subject.len() <= MAX_PLAIN_SUBJECT_CHARS
        && !subject.contains("=?");
    if plain {
        return subject.to_owned();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for character in subject.chars() {
        if chunk.len() + character.len_utf8() > MAX_ENCODED_WORD_INPUT_BYTES {
            words.push(format!(
                "=?UTF-8?B?{}?=",
                Base64::encode_string(chunk.as_bytes())
            ));
            chunk.clear();
        }
        chunk.push(character);
    }
    words.push(format!(
        "=?UTF-8?B?{}?=",
        Base64::encode_string(chunk.as_bytes())
    ));
    words.join("\r\n ")
}

/// The RFC 5322 date of `time` in UTC, for example `Tue, 01 Apr 2025 09:05:00 +0000`.
fn rfc5322_date(time: SystemTime) -> String {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX);
    let second_of_day = seconds % 86_400;
    let date = Date::from_days_since_unix_epoch(days);
    // 1970-01-01 was a Thursday.
    let weekday_index = (date.days_since_unix_epoch() + 4).rem_euclid(7);
    let weekday = usize::try_from(weekday_index)
        .ok()
        .and_then(|index| WEEKDAYS.get(index))
        .copied()
        .unwrap_or("Thu");
    let month = MONTHS
        .get(usize::from(date.month()).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {:02} {month} {} {:02}:{:02}:{:02} +0000",
        date.day(),
        date.year(),
        second_of_day / 3_600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;
    use tokio::task::JoinHandle;

    /// How the fake relay answers the commands that tests vary.
    struct FakeRelayScript {
        ehlo_reply: &'static str,
        rcpt_reply: &'static str,
    }

    const FRIENDLY_RELAY: FakeRelayScript = FakeRelayScript {
        ehlo_reply: "250-fake.relay greets you\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n",
        rcpt_reply: "250 2.1.5 ok\r\n",
    };

    /// Starts a fake relay on a free local port; its task returns every line
    /// the client sent (without CRLF), message lines included.
    async fn start_fake_relay(script: FakeRelayScript) -> (u16, JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let relay = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            let (reader, mut writer) = stream.into_split();
            let mut reader = BufReader::new(reader);
            let mut dialogue = Vec::new();
            let mut in_data = false;
            writer
                .write_all(b"220 fake.relay ESMTP\r\n")
                .await
                .expect("greet");
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).await.expect("read") == 0 {
                    break;
                }
                let line = line.strip_suffix("\r\n").expect("CRLF ending").to_owned();
                dialogue.push(line.clone());
                let reply: &str = if in_data {
                    if line != "." {
                        continue;
                    }
                    in_data = false;
                    "250 2.0.0 queued\r\n"
                } else if line.starts_with("EHLO ") {
                    script.ehlo_reply
                } else if line.starts_with("HELO ") || line.starts_with("MAIL FROM:") {
                    "250 ok\r\n"
                } else if line.starts_with("RCPT TO:") {
                    script.rcpt_reply
                } else if line == "DATA" {
                    in_data = true;
                    "354 end with <CRLF>.<CRLF>\r\n"
                } else if line == "QUIT" {
                    writer.write_all(b"221 bye\r\n").await.expect("reply");
                    break;
                } else {
                    "500 unknown command\r\n"
                };
                writer.write_all(reply.as_bytes()).await.expect("reply");
            }
            dialogue
        });
        (port, relay)
    }

    fn local_mailer(port: u16) -> Mailer {
        Mailer {
            host: "127.0.0.1".to_owned(),
            port,
            from: "roadmap@gov.example".to_owned(),
            hello_name: "hrtrack.gov.example".to_owned(),
        }
    }

    #[tokio::test]
    async fn sends_a_complete_message() {
        let (port, relay) = start_fake_relay(FRIENDLY_RELAY).await;
        local_mailer(port)
            .send(
                "focal.point@ministry.example",
                "Report due on 2025-04-30",
                "Dear colleague,\n.hidden line\n..two dots\r\nend.",
            )
            .await
            .expect("sent");
        let dialogue = relay.await.expect("relay finished");

        let commands: Vec<&str> = dialogue
            .iter()
            .map(String::as_str)
            .filter(|line| {
                ["EHLO", "HELO", "MAIL", "RCPT", "DATA", "QUIT"]
                    .iter()
                    .any(|verb| line.starts_with(verb))
            })
            .collect();
        assert_eq!(
            commands,
            [
                "EHLO hrtrack.gov.example",
                "MAIL FROM:<roadmap@gov.example>",
                "RCPT TO:<focal.point@ministry.example>",
                "DATA",
                "QUIT"
            ]
        );

        let data_start = dialogue
            .iter()
            .position(|line| line == "DATA")
            .expect("DATA")
            + 1;
        let data_end = dialogue.iter().rposition(|line| line == ".").expect("end");
        let message = &dialogue[data_start..data_end];
        let blank = message
            .iter()
            .position(String::is_empty)
            .expect("blank line");
        let (headers, body) = (&message[..blank], &message[blank + 1..]);
        assert_eq!(headers[0], "From: roadmap@gov.example");
        assert_eq!(headers[1], "To: focal.point@ministry.example");
        assert_eq!(headers[2], "Subject: Report due on 2025-04-30");
        assert!(headers[3].starts_with("Date: ") && headers[3].ends_with(" +0000"));
        assert!(headers[4].starts_with("Message-ID: <") && headers[4].ends_with("@gov.example>"));
        assert_eq!(
            &headers[5..],
            [
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit"
            ]
        );
        assert_eq!(
            body,
            ["Dear colleague,", "..hidden line", "...two dots", "end."]
        );
    }

    #[tokio::test]
    async fn non_ascii_subject_is_encoded() {
        let (port, relay) = start_fake_relay(FRIENDLY_RELAY).await;
        local_mailer(port)
            .send(
                "a@b.example",
                "Rapport dû — ☑",
                "Corps du message : à faire.",
            )
            .await
            .expect("sent");
        let dialogue = relay.await.expect("relay finished");
        assert!(
            dialogue.contains(&"Subject: =?UTF-8?B?UmFwcG9ydCBkw7sg4oCUIOKYkQ==?=".to_owned()),
            "{dialogue:?}"
        );
        assert!(dialogue.contains(&"Corps du message : à faire.".to_owned()));
    }

    #[tokio::test]
    async fn falls_back_to_helo_when_ehlo_is_refused() {
        let (port, relay) = start_fake_relay(FakeRelayScript {
            ehlo_reply: "502 5.5.1 command not implemented\r\n",
            ..FRIENDLY_RELAY
        })
        .await;
        local_mailer(port)
            .send("a@b.example", "Hello", "Body")
            .await
            .expect("sent");
        let dialogue = relay.await.expect("relay finished");
        assert_eq!(dialogue[0], "EHLO hrtrack.gov.example");
        assert_eq!(dialogue[1], "HELO hrtrack.gov.example");
    }

    #[tokio::test]
    async fn refused_recipient_names_the_step_and_the_reply() {
        let (port, relay) = start_fake_relay(FakeRelayScript {
            rcpt_reply: "550 5.1.1 <nobody@b.example>: user unknown\r\n",
            ..FRIENDLY_RELAY
        })
        .await;
        let error = local_mailer(port)
            .send("nobody@b.example", "Hello", "Body")
            .await
            .expect_err("refused");
        assert_eq!(
            error,
            MailError::Refused {
                step: "RCPT TO",
                reply: "550 5.1.1 <nobody@b.example>: user unknown".to_owned()
            }
        );
        let message = error.to_string();
        assert!(message.contains("RCPT TO") && message.contains("550 5.1.1"));
        drop(relay);
    }

    #[tokio::test]
    async fn header_injection_is_refused_before_connecting() {
        // Port 9 on the loopback interface: nothing is ever sent there,
        // because the address is refused first.
        let mailer = local_mailer(9);
        for address in [
            "a@b.example\r\nBcc: everyone@b.example",
            "a@b.example\nDATA",
            "a@b.example>",
            "<a@b.example",
            "",
        ] {
            let error = mailer
                .send(address, "Hi", "Body")
                .await
                .expect_err("refused");
            assert!(
                matches!(error, MailError::InvalidAddress { .. }),
                "{address:?}: {error:?}"
            );
        }
    }

    #[tokio::test]
    async fn unreachable_relay_is_a_connect_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);
        let error = local_mailer(port)
            .send("a@b.example", "Hi", "Body")
            .await
            .expect_err("nothing listens");
        assert!(matches!(error, MailError::Connect { .. }), "{error:?}");
    }

    #[test]
    fn subject_with_line_break_is_encoded_not_injected() {
        let encoded = encode_subject("Hello\r\nBcc: x@y.example");
        assert!(encoded.starts_with("=?UTF-8?B?"));
        let unfolded = encoded.replace("\r\n ", "");
        assert!(!unfolded.contains(['\r', '\n']), "{encoded:?}");
    }

    #[test]
    fn long_subjects_are_folded_into_short_encoded_words() {
        let encoded = encode_subject(&"é".repeat(100));
        for word in encoded.split("\r\n ") {
            assert!(word.len() <= 75, "{word}");
            assert!(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
        }
        assert!(encoded.split("\r\n ").count() >= 5);
    }

    #[test]
    fn dates_follow_rfc_5322() {
        let at = |seconds| UNIX_EPOCH + Duration::from_secs(seconds);
        assert_eq!(rfc5322_date(at(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(at(1_743_498_300)),
            "Tue, 01 Apr 2025 09:05:00 +0000"
        );
        assert_eq!(
            rfc5322_date(at(1_709_251_199)),
            "Thu, 29 Feb 2024 23:59:59 +0000"
        );
    }

    #[test]
    fn settings_are_read_from_host_and_port() {
        let mailer = Mailer::from_settings(Some("relay.internal:2525"), None).expect("valid");
        assert_eq!(
            mailer,
            Mailer {
                host: "relay.internal".to_owned(),
                port: 2525,
                from: DEFAULT_FROM.to_owned(),
                hello_name: "localhost".to_owned(),
            }
        );
        let mailer =
            Mailer::from_settings(Some("[::1]:25"), Some("roadmap@gov.example")).expect("valid");
        assert_eq!((mailer.host.as_str(), mailer.port), ("::1", 25));
        assert_eq!(mailer.hello_name, "gov.example");
        for relay in [
            None,
            Some(""),
            Some("relay"),
            Some("relay:"),
            Some(":25"),
            Some("relay:99999"),
        ] {
            assert_eq!(Mailer::from_settings(relay, None), None, "{relay:?}");
        }
    }
}
