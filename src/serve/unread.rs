//! A connection whose writes must make progress: a client that reads nothing of its answer for
//! the limit (`--request-timeout`) is disconnected, so an answer it never reads does not hold
//! the service's memory (and a connection) for ever.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// A connection that fails a write (and so closes) once its writes have waited `limit` with
/// nothing taken by the client.
pub struct Unread<S> {
    inner: S,
    limit: Duration,
    /// Started when a write first waits; cleared whenever one makes progress.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> Unread<S> {
    /// Wraps a connection.
    pub fn new(inner: S, limit: Duration) -> Unread<S> {
        Unread {
            inner,
            limit,
            stalled: None,
        }
    }

    /// What a write that `poll` answered is: progress clears the stall; waiting starts it,
    /// and waiting past the limit is an error.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the client read nothing of its answer for {} s",
                    limit.as_secs_f64()
                ),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Unread<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Unread<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, poll)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_client_that_stops_reading_is_cut_off_and_one_that_reads_is_not() {
        // A pipe of 64 bytes: the writer waits as soon as the reader stops taking.
        let (writer, mut reader) = tokio::io::duplex(64);
        let limit = Duration::from_millis(1000);
        let mut writer = Unread::new(writer, limit);
        // Read slowly, every 100 ms, well within the limit: the whole answer arrives.
        let slow = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut chunk = [0; 64];
            while got.len() < 256 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let n = reader.read(&mut chunk).await.unwrap();
                got.extend_from_slice(&chunk[..n]);
            }
            reader
        });
        writer.write_all(&[b'x'; 256]).await.unwrap();
        let reader = slow.await.unwrap();
        // Now the reader reads nothing: the write fails after the limit.
        let started = std::time::Instant::now();
        let error = writer.write_all(&[b'y'; 256]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= limit, "{:?}", started.elapsed());
        assert!(error.to_string().contains("read nothing of its answer"));
        drop(reader);
    }
}
