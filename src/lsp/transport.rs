//! The server's side of standard input and output: LSP's framing (`Content-Length` headers,
//! then that many bytes of JSON) read within bounds. A header line, a message or a count past
//! the bounds, a body that is not a JSON-RPC message, or input that ends inside a message stops
//! the server with an error that says which, never an allocation of whatever a header claims.

use std::io::{self, BufRead, Read, Write};
use std::thread::{self, JoinHandle};

use lsp_server::{Connection, Message};

use crate::lsp::LspError;

/// The largest message read: as large as the largest policy file (`docs/limits.md`), whose
/// text a `didOpen` or `didChange` carries, with room for the JSON around it.
pub const MAX_MESSAGE: usize = 17 << 20;

/// The longest header line, `\r\n` included; LSP's headers are a few dozen bytes.
const MAX_HEADER_LINE: usize = 1024;

/// The server's connection over standard input and output, and the threads that carry it.
pub struct Stdio {
    /// Whether the reader saw `exit` (else the input ended, or was refused).
    reader: JoinHandle<Result<bool, LspError>>,
    writer: JoinHandle<io::Result<()>>,
}

/// Connects a server to standard input and output.
pub fn stdio() -> (Connection, Stdio) {
    let (server, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    let reader = thread::spawn(move || {
        let mut input = io::stdin().lock();
        while let Some(message) = read_message(&mut input)? {
            let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
            if to_server.send(message).is_err() || exit {
                return Ok(exit);
            }
        }
        Ok(false)
    });
    let writer = thread::spawn(move || {
        let mut output = io::stdout().lock();
        for message in from_server {
            message.write(&mut output)?;
            output.flush()?;
        }
        Ok(())
    });
    (server, Stdio { reader, writer })
}

impl Stdio {
    /// Waits for the writer once the server's connection is dropped, and tells why the
    /// connection ended: the reader's error (what was wrong with the input) comes before the
    /// server's `served` result, which then only says the channel closed.
    pub fn finish(self, served: Result<(), LspError>) -> Result<(), LspError> {
        let written = self.writer.join();
        // The reader stops at `exit`, at the end of the input or at an error; when the
        // server stopped for a reason of its own, it may still wait on the input.
        if served.is_err() && !self.reader.is_finished() {
            return served;
        }
        match self.reader.join() {
            Ok(Err(e)) => return Err(e),
            Ok(Ok(false)) if served.is_err() => {
                return Err(LspError::Protocol(
                    "the input ended before the client sent `exit`".into(),
                ));
            }
            Ok(Ok(_)) => {}
            Err(_) => return Err(LspError::Protocol("the input thread failed".into())),
        }
        served?;
        match written {
            Ok(result) => Ok(result?),
            Err(_) => Err(LspError::Protocol("the output thread failed".into())),
        }
    }
}

/// Reads one framed message; `None` at the end of the input between messages.
pub fn read_message(input: &mut impl BufRead) -> Result<Option<Message>, LspError> {
    let bad = |what: String| Err(LspError::Protocol(what));
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    let mut first = true;
    loop {
        line.clear();
        let read = (&mut *input)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return match first {
                true => Ok(None),
                false => bad("the input ended inside a message's headers".into()),
            };
        }
        first = false;
        let Some(text) = line.strip_suffix(b"\r\n") else {
            return match line.len() >= MAX_HEADER_LINE {
                true => bad(format!(
                    "a header line is longer than {MAX_HEADER_LINE} bytes; LSP headers are `Content-Length: N` lines"
                )),
                false => bad(format!(
                    "a header line does not end with \\r\\n: {:?}",
                    String::from_utf8_lossy(&line)
                )),
            };
        };
        if text.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(text);
        let Some((name, value)) = text.split_once(':') else {
            return bad(format!("`{text}` is not a header (`Name: value`)"));
        };
        if name.trim().eq_ignore_ascii_case("Content-Length") {
            let n: usize = match value.trim().parse() {
                Ok(n) => n,
                Err(_) => {
                    return bad(format!(
                        "`Content-Length: {}` is not a byte count",
                        value.trim()
                    ));
                }
            };
            if n > MAX_MESSAGE {
                return bad(format!(
                    "a message of {n} bytes is over the limit of {MAX_MESSAGE} bytes"
                ));
            }
            length = Some(n);
        }
    }
    let Some(length) = length else {
        return bad("a message has no `Content-Length` header".into());
    };
    let mut body = vec![0; length];
    if let Err(e) = input.read_exact(&mut body) {
        return match e.kind() {
            io::ErrorKind::UnexpectedEof => bad(format!(
                "the input ended inside a message of {length} bytes"
            )),
            _ => Err(e.into()),
        };
    }
    match serde_json::from_slice::<Message>(&body) {
        Ok(message) => Ok(Some(message)),
        Err(e) => bad(format!(
            "a message is not a JSON-RPC request, response or notification: {e}"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> Result<Option<Message>, String> {
        read_message(&mut &input[..]).map_err(|e| e.to_string())
    }

    #[test]
    fn a_framed_message_is_read() {
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        let message = read(framed.as_bytes()).unwrap().unwrap();
        assert!(matches!(message, Message::Notification(n) if n.method == "exit"));
        assert!(read(b"").unwrap().is_none());
    }

    #[test]
    fn what_is_wrong_with_a_frame_is_said() {
        let cases: [(&[u8], &str); 8] = [
            (
                b"Content-Length: 999999999999\r\n\r\n{}",
                "a message of 999999999999 bytes is over the limit of 17825792 bytes",
            ),
            (
                b"Content-Length: -1\r\n\r\n",
                "`Content-Length: -1` is not a byte count",
            ),
            (
                b"Content-Type: x\r\n\r\n{}",
                "a message has no `Content-Length` header",
            ),
            (
                b"Content-Length: 10\r\n\r\n{}",
                "the input ended inside a message of 10 bytes",
            ),
            (
                b"Content-Length: 2\r\n",
                "the input ended inside a message's headers",
            ),
            (
                b"garbage\r\n\r\n",
                "`garbage` is not a header (`Name: value`)",
            ),
            (
                b"Content-Length: 2\n\n{}",
                "a header line does not end with \\r\\n: \"Content-Length: 2\\n\"",
            ),
            (
                b"Content-Length: 7\r\n\r\n[1,2,3]",
                "a message is not a JSON-RPC request, response or notification",
            ),
        ];
        for (input, expected) in cases {
            let error = read(input).unwrap_err();
            assert!(error.starts_with(expected), "{error}");
        }
        let long = vec![b'x'; 5000];
        let error = read(&long).unwrap_err();
        assert!(
            error.starts_with("a header line is longer than 1024 bytes"),
            "{error}"
        );
    }
}
