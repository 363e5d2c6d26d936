//! `Policy.decide_stream`: cases pulled from a Python iterator as the batch reads them, and
//! decisions handed back one by one as they are written, so that neither side is held whole
//! in memory. The batch runs on a thread of its own; the iterator is advanced with the GIL
//! held, a few hundred cases at a time, and the caller waits for decisions without it.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use charter::decide::batch::{BatchOptions, Input, run_batch_with};
use charter::decide::{Case, Decision};
use pyo3::prelude::*;
use pyo3::types::PyIterator;

use crate::{Engine_, one_line};

/// Cases taken from the iterator per hold of the GIL.
const PULL: usize = 256;
/// Decided lines waiting for the caller, at most; the batch waits when they are not taken.
const WAITING: usize = 4096;

/// What ended a stream other than its last case.
#[derive(Default)]
struct Ended {
    /// The iterator raised (or gave something that is not text).
    raised: Option<PyErr>,
    /// The batch failed.
    failed: Option<String>,
}

/// The decisions of a stream of cases, in order: one line of NDJSON each, a decision or an
/// error record, as `charter decide --batch` writes them.
#[pyclass(module = "charter._charter")]
pub(crate) struct Decisions {
    lines: Mutex<Receiver<String>>,
    ended: Arc<Mutex<Ended>>,
    /// Set when the caller lets go of the stream: the batch reads no further cases.
    dropped: Arc<AtomicBool>,
}

impl Drop for Decisions {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::Relaxed);
    }
}

impl Decisions {
    /// Starts deciding the cases (texts) of `cases` at `now`, with ids when `ids`.
    pub(crate) fn start(
        engine: Py<Engine_>,
        cases: Py<PyIterator>,
        now: i64,
        ids: bool,
    ) -> Decisions {
        let (send, lines) = sync_channel(WAITING);
        let ended = Arc::new(Mutex::new(Ended::default()));
        let reader_ended = Arc::clone(&ended);
        let batch_ended = Arc::clone(&ended);
        let dropped = Arc::new(AtomicBool::new(false));
        let reader_dropped = Arc::clone(&dropped);
        std::thread::spawn(move || {
            let mut reader = Cases {
                cases: Some(cases),
                buffer: Vec::new(),
                at: 0,
                done: false,
                ended: reader_ended,
                dropped: reader_dropped,
            };
            let mut writer = Lines {
                send,
                partial: Vec::new(),
                gone: false,
            };
            let random = std::sync::OnceLock::new();
            let stamp = |case: &Case, decision: &mut Decision<'_>, _: &mut Vec<u8>| {
                if ids && let Err(e) = charter::record::stamp(decision, case) {
                    let _ = random.set(e.to_string());
                }
            };
            let result = run_batch_with(
                &engine.get().engine,
                Input::Ndjson(&mut reader),
                &mut writer,
                BatchOptions { now },
                &stamp,
                &mut |_| {},
            );
            let mut ended = batch_ended.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = result
                && ended.raised.is_none()
                && !writer.send_failed()
            {
                ended.failed = Some(e.to_string());
            }
            if let Some(e) = random.into_inner() {
                ended.failed.get_or_insert(e);
            }
            drop(ended);
            // The engine and the iterator are let go with the GIL held; when the interpreter
            // is shutting down there is no GIL to take, and nothing left to free them for.
            let mut held = Some((engine, reader.cases.take()));
            if Python::try_attach(|_| drop(held.take())).is_none() {
                std::mem::forget(held.take());
            }
        });
        Decisions {
            lines: Mutex::new(lines),
            ended,
            dropped,
        }
    }
}

#[pymethods]
impl Decisions {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next line, waiting for it without the GIL; the iterator's own exception, or
    /// the batch's failure, once the lines before it are taken.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let next = py.detach(|| {
            let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            lines.recv().ok()
        });
        if let Some(line) = next {
            return Ok(Some(line));
        }
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(raised) = ended.raised.take() {
            return Err(raised);
        }
        if let Some(failed) = ended.failed.take() {
            return Err(pyo3::exceptions::PyValueError::new_err(failed));
        }
        Ok(None)
    }
}

/// The cases of a Python iterator as NDJSON text.
struct Cases {
    /// `None` once let go of.
    cases: Option<Py<PyIterator>>,
    buffer: Vec<u8>,
    at: usize,
    done: bool,
    ended: Arc<Mutex<Ended>>,
    dropped: Arc<AtomicBool>,
}

impl Cases {
    /// Takes up to [`PULL`] more cases into the buffer; false at the end. An exception of
    /// the iterator ends the stream after the cases taken before it.
    fn pull(&mut self) -> bool {
        self.buffer.clear();
        self.at = 0;
        // A stream let go of, or an interpreter shutting down: no more cases.
        if self.done || self.dropped.load(Ordering::Relaxed) {
            return false;
        }
        let Some(cases) = &self.cases else {
            return false;
        };
        let buffer = &mut self.buffer;
        let done = &mut self.done;
        let pulled = Python::try_attach(|py| -> PyResult<()> {
            let mut cases = cases.bind(py).clone();
            for _ in 0..PULL {
                let Some(case) = cases.next() else {
                    *done = true;
                    break;
                };
                let text: String = case?.extract()?;
                one_line(text.as_bytes(), buffer);
            }
            Ok(())
        });
        let Some(pulled) = pulled else {
            self.done = true;
            return false;
        };
        if let Err(e) = pulled {
            // The batch ends here as at the end of its input, so that the cases before
            // are decided and given; the exception is raised after them.
            self.done = true;
            let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
            ended.raised = Some(e);
        }
        true
    }
}

impl Read for Cases {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.buffer.len() {
            if !self.pull() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The batch's output, sent on line by line.
struct Lines {
    send: SyncSender<String>,
    partial: Vec<u8>,
    /// The caller let go of the stream: nothing more is wanted.
    gone: bool,
}

impl Lines {
    /// Whether the caller let go of the stream.
    fn send_failed(&self) -> bool {
        self.gone
    }
}

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.partial.extend_from_slice(&rest[..end]);
            let line = String::from_utf8(std::mem::take(&mut self.partial))
                .map_err(std::io::Error::other)?;
            if self.send.send(line).is_err() {
                self.gone = true;
                return Err(std::io::Error::other("the stream was let go"));
            }
            rest = &rest[end + 1..];
        }
        self.partial.extend_from_slice(rest);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
