//! The accept loop: every connection is served by hyper's HTTP/1 with a header read timeout
//! (axum's own `serve` sets no timer, so a client could take for ever to send its headers),
//! and the refusals hyper answers by itself, before the router sees a request, get a JSON
//! body like every other refusal of the service.

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::unread::Unread;

/// Accepts connections until `shutdown` completes, then lets every open connection finish the
/// request it is answering and waits for them. A connection is closed when its client takes
/// longer than `header_timeout` to send its headers, or reads nothing of an answer for
/// `unread_timeout`.
pub async fn accept_loop(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    unread_timeout: Duration,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let (closing, closed) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let stop = closed.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let stream = Unread::new(stream, unread_timeout);
            match tls {
                None => serve_connection(stream, service, header_timeout, stop).await,
                // The handshake gets the time a client has to send its headers.
                Some(tls) => match tokio::time::timeout(header_timeout, tls.accept(stream)).await {
                    Ok(Ok(stream)) => serve_connection(stream, service, header_timeout, stop).await,
                    Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
                    Err(_) => tracing::debug!("TLS handshake took too long"),
                },
            }
        });
    }
    drop(closed);
    let _ = closing.send(());
    closing.closed().await;
}

/// Serves one connection (plain or TLS) until it closes, or until `stop` says the service is
/// shutting down (then the request in flight is answered first).
async fn serve_connection<S>(
    stream: S,
    service: TowerToHyperService<Router>,
    header_timeout: Duration,
    mut stop: watch::Receiver<()>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let io = TokioIo::new(JsonRefusals::new(stream));
    let mut connection = pin!(builder.serve_connection(io, service));
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!("connection closed: {e}");
    }
}

/// A failed accept: a connection that went away before it was accepted is nothing; anything
/// else (e.g. out of file descriptors) is logged and retried after a pause rather than spun on.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!("cannot accept a connection: {e}; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// A connection whose writes pass through, except hyper's own refusals of a request it could
/// not parse (400, a URI over 65,534 bytes 414, a head over its buffer or over 100 headers
/// 431), which hyper writes with an empty body and which are replaced here by the same status
/// with a JSON `error`.
pub struct JsonRefusals<S> {
    inner: S,
    /// The replacement still to be written, and how much of it is written.
    pending: Vec<u8>,
    written: usize,
}

impl<S> JsonRefusals<S> {
    /// Wraps a connection.
    pub fn new(inner: S) -> JsonRefusals<S> {
        JsonRefusals {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> JsonRefusals<S> {
    /// Writes what is left of a replacement.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let rest = self.pending.get(self.written..).unwrap_or_default();
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        Poll::Ready(Ok(()))
    }
}

/// The JSON answer replacing hyper's empty refusal `head`, if it is one: a whole head with
/// `content-length: 0` and one of hyper's statuses (the service's own refusals all have a
/// body).
pub fn json_refusal(head: &[u8]) -> Option<Vec<u8>> {
    let (status, message) = match head.get(..13)? {
        b"HTTP/1.1 400 " => (
            "400 Bad Request",
            "the request is not valid HTTP/1.1 (request line or header); send `METHOD /path HTTP/1.1` and `Name: value` headers",
        ),
        b"HTTP/1.1 414 " => (
            "414 URI Too Long",
            "the URI is longer than 65534 bytes; the service takes URIs of at most 8192 bytes",
        ),
        b"HTTP/1.1 431 " => (
            "431 Request Header Fields Too Large",
            "the request line and headers are over 400 KiB or over 100 headers; the service takes at most 32768 bytes of headers",
        ),
        _ => return None,
    };
    let end = memchr::memmem::find(head, b"\r\n\r\n")? + 4;
    let empty = memchr::memmem::find(&head.to_ascii_lowercase(), b"\r\ncontent-length: 0\r\n");
    if end != head.len() || empty.is_none() {
        return None;
    }
    let body = json!({ "error": message }).to_string();
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonRefusals<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonRefusals<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if let Some(replacement) = json_refusal(buf) {
            self.pending = replacement;
            self.written = 0;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(head), None) = (filled.next(), filled.next())
            && let Some(replacement) = json_refusal(head)
        {
            self.pending = replacement;
            self.written = 0;
            return Poll::Ready(Ok(head.len()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
