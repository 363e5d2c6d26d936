//! Deciding a stream of NDJSON cases: read in blocks, decided on every core, written in input
//! order. Memory holds a few blocks of input and their output at a time (plus up to 8,192
//! output buffers kept for reuse, and 16 bytes per case to catch duplicate ids), whatever the
//! size of the input. A bad record becomes an error record
//! `{"line": N, "code": "C0004", "id": …, "field": …, "error": …}` and the others still come
//! out.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::decide::{Case, Code, Decision, Engine};

/// Lines longer than this are refused (a case is a few hundred bytes).
pub const MAX_LINE: usize = 1 << 20;
/// Bytes read per block.
const BLOCK: usize = 1 << 20;

/// Options of a batch run.
///
/// ```
/// use charter::decide::{Timestamp, batch::BatchOptions};
/// let now = Timestamp::parse("2026-11-30T12:00:00+08:00")?;
/// let options = BatchOptions { now: now.secs };
/// assert_eq!(options.now, 1_796_011_200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// The evaluation instant (UTC seconds).
    pub now: i64,
}

/// Counts of a finished batch: one good line and one that is not JSON.
///
/// ```
/// use charter::decide::batch::{BatchOptions, BatchSummary, run_batch};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut input = "{\"id\":\"C-1\",\"received_at\":\"2026-11-16T10:00:00+08:00\",\"channel\":\"web\",\"category\":\"service_quality\",\"severity\":\"minor\"}\nnot json\n".as_bytes();
/// let mut output = Vec::new();
/// let summary = run_batch(&engine, &mut input, &mut output, BatchOptions { now: 1_796_011_200 }, &mut |_| {})?;
/// assert_eq!(summary, BatchSummary { records: 2, decided: 1, errors: 1 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Records read (blank lines excluded).
    pub records: u64,
    /// Records that became decisions.
    pub decided: u64,
    /// Records that became error records.
    pub errors: u64,
}

/// One record of a batch, handed to the consumer in input order.
///
/// ```
/// use charter::decide::batch::{BatchOptions, Input, Record, map_batch};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut input = "{\"id\":\"C-1\",\"received_at\":\"2026-11-16T10:00:00+08:00\",\"channel\":\"web\",\"category\":\"service_quality\",\"severity\":\"minor\"}\n{}\n".as_bytes();
/// let mut records = Vec::new();
/// map_batch(
///     &engine,
///     Input::Ndjson(&mut input),
///     BatchOptions { now: 1_796_011_200 },
///     &|_, decision| decision.route.is_some(),
///     &mut |block| Ok(records.extend(block)),
///     &mut |_| {},
/// )?;
/// assert!(matches!(&records[0], Record::Decided { line: 1, value: true, .. }));
/// assert!(matches!(&records[1], Record::Failed { line: 2, .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Record<T> {
    /// A case that was decided: what the `map` function made of its decision.
    Decided {
        /// 1-based line (NDJSON) or record line (CSV).
        line: u64,
        /// The case's id.
        id: String,
        /// The value.
        value: T,
    },
    /// A record that could not be decided.
    Failed {
        /// 1-based line.
        line: u64,
        /// The kind of problem, with its stable code.
        code: Code,
        /// The case's id, when it could be read.
        id: Option<String>,
        /// The field at fault, when known.
        field: Option<String>,
        /// What is wrong.
        error: String,
    },
}

/// The input of a batch: NDJSON, or CSV with the column mapping of `docs/decide.md`.
///
/// ```
/// use charter::decide::batch::{BatchOptions, Input, map_batch};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut csv = "id,received_at,channel,category,severity\nC-1,2026-11-16T10:00:00+08:00,web,service,minor\n".as_bytes();
/// let mut roles = Vec::new();
/// map_batch(
///     &engine,
///     Input::Csv(&mut csv),
///     BatchOptions { now: 1_796_011_200 },
///     &|_, d| d.route.as_ref().and_then(|r| r.role).map(str::to_string),
///     &mut |block| Ok(roles.extend(block)),
///     &mut |_| {},
/// )?;
/// assert_eq!(roles.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub enum Input<'r> {
    /// One JSON case per line.
    Ndjson(&'r mut (dyn Read + Send)),
    /// One case per CSV row.
    Csv(&'r mut (dyn Read + Send)),
    /// One case per CSV row, header names renamed first (the tool's column -> ours).
    CsvRenamed(
        &'r mut (dyn Read + Send),
        &'r std::collections::BTreeMap<String, String>,
    ),
}

impl<'r> Input<'r> {
    /// NDJSON, or CSV when `csv` (its header renamed by `rename` when there is one: a
    /// mapping is for CSV only).
    ///
    /// ```
    /// use charter::decide::batch::Input;
    /// let mut text = "id\n".as_bytes();
    /// assert!(matches!(Input::new(&mut text, true, None), Input::Csv(_)));
    /// ```
    pub fn new(
        reader: &'r mut (dyn Read + Send),
        csv: bool,
        rename: Option<&'r std::collections::BTreeMap<String, String>>,
    ) -> Input<'r> {
        match (csv, rename) {
            (true, Some(rename)) => Input::CsvRenamed(reader, rename),
            (true, None) => Input::Csv(reader),
            (false, _) => Input::Ndjson(reader),
        }
    }
}

/// Decides every record of `input` on every core and hands the results to `consume` in input
/// order, a block at a time, on a thread of its own (so consuming overlaps deciding). `map`
/// runs on the deciding threads and turns each case and its decision into what the consumer
/// needs; memory holds a block of records at a time. Duplicate ids become `Failed` records.
///
/// ```
/// use charter::decide::batch::{BatchOptions, Input, Record, map_batch};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut input = "{\"id\":\"C-1\",\"received_at\":\"2026-11-16T10:00:00+08:00\",\"channel\":\"web\",\"category\":\"service_quality\",\"severity\":\"minor\"}\n{\"id\":\"C-1\",\"received_at\":\"2026-11-16T10:00:00+08:00\",\"channel\":\"web\",\"category\":\"service_quality\",\"severity\":\"minor\"}\n".as_bytes();
/// let mut failed = 0;
/// let summary = map_batch(
///     &engine,
///     Input::Ndjson(&mut input),
///     BatchOptions { now: 1_796_011_200 },
///     &|_, _| (),
///     &mut |block| {
///         failed += block.iter().filter(|r| matches!(r, Record::Failed { .. })).count();
///         Ok(())
///     },
///     &mut |_| {},
/// )?;
/// // The second line repeats the first one's id.
/// assert_eq!((summary.decided, failed), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn map_batch<T: Send>(
    engine: &Engine,
    input: Input<'_>,
    options: BatchOptions,
    map: &(dyn Fn(&Case, &mut Decision<'_>) -> T + Sync),
    consume: &mut (dyn FnMut(Vec<Record<T>>) -> io::Result<()> + Send),
    progress: &mut dyn FnMut(&BatchSummary),
) -> io::Result<BatchSummary> {
    let input_rename = match &input {
        Input::CsvRenamed(_, map) => Some(*map),
        _ => None,
    };
    match input {
        Input::Ndjson(reader) => {
            let mut blocks = Blocks::new(reader);
            pipeline(
                engine,
                &mut || blocks.next_block(),
                options,
                map,
                consume,
                progress,
            )
        }
        Input::Csv(reader) | Input::CsvRenamed(reader, _) => {
            let rename = input_rename;
            // A record (the header too) of at most MAX_LINE bytes, as a line of NDJSON: an
            // unclosed quote would otherwise make the rest of the input one cell.
            let end = std::sync::Arc::new(AtomicU64::new(CSV_AHEAD));
            let reader = RecordBound {
                inner: reader,
                read: 0,
                end: std::sync::Arc::clone(&end),
            };
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
            let header: csv::StringRecord = reader
                .headers()
                .map_err(io::Error::other)?
                .iter()
                .map(|h| {
                    rename
                        .and_then(|m| m.get(h.trim()))
                        .map_or(h, String::as_str)
                        .to_string()
                })
                .collect();
            let columns = csv_columns(engine, &header)?;
            let mut record = csv::StringRecord::new();
            // After an error the reader cannot go on from, nothing more is read.
            let mut stopped = false;
            let mut next = || -> io::Result<Block> {
                let mut block = Block::default();
                while block.bytes.len() < BLOCK && !stopped {
                    end.store(reader.position().byte() + CSV_AHEAD, Ordering::Relaxed);
                    match reader.read_record(&mut record) {
                        Ok(false) => break,
                        // A cell past the header's columns would be dropped unread.
                        Ok(true) if record.len() > columns.len() => {
                            let number = record.position().map_or(0, |p| p.line());
                            let line = Line::unreadable(
                                number,
                                format!(
                                    "CSV: the row has {} cells and the header {} columns; a cell with a comma in it is quoted (\"a, b\")",
                                    record.len(),
                                    columns.len()
                                ),
                            );
                            block.lines.push(line);
                        }
                        Ok(true) => {
                            let number = record.position().map_or(0, |p| p.line());
                            let start = block.bytes.len();
                            block.bytes.extend(csv_case(&columns, &record));
                            let line = Line::complete(number, start..block.bytes.len());
                            block.lines.push(line);
                        }
                        Err(e) => {
                            // The line the record starts on (the reader's, for an error of
                            // reading, which has no position of its own).
                            let number =
                                e.position().map_or(reader.position().line(), |p| p.line());
                            let line = Line::unreadable(number, format!("CSV: {e}"));
                            block.lines.push(line);
                            if !matches!(
                                e.kind(),
                                csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                            ) {
                                stopped = true;
                            }
                        }
                    }
                }
                Ok(block)
            };
            pipeline(engine, &mut next, options, map, consume, progress)
        }
    }
}

/// The most characters of an error record's message.
const ERROR_CHARS: usize = 1000;

/// How far past the start of the record being read a CSV reader may read: a record of
/// [`MAX_LINE`] bytes and the reader's own read-ahead.
const CSV_AHEAD: u64 = MAX_LINE as u64 + (64 << 10);

/// A CSV input that fails a read reaching past `end` (set before each record), so that one
/// record never holds more than about [`MAX_LINE`] bytes of memory.
struct RecordBound<'r> {
    inner: &'r mut (dyn Read + Send),
    read: u64,
    end: std::sync::Arc<AtomicU64>,
}

impl Read for RecordBound<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let end = self.end.load(Ordering::Relaxed);
        if self.read >= end {
            return Err(io::Error::other(format!(
                "a record longer than {MAX_LINE} bytes (an unclosed quote?); one case per row, a few KB at most; the rest of the input is not read"
            )));
        }
        let room = usize::try_from(end - self.read).unwrap_or(usize::MAX);
        let n = buf.len().min(room);
        let got = self.inner.read(&mut buf[..n])?;
        self.read += got as u64;
        Ok(got)
    }
}

/// Writes records as NDJSON: each decision's JSON, or an error record.
/// The output is buffered by the caller, so each record goes straight into that buffer: a
/// block's decisions together are megabytes, more than a cache holds.
fn write_records(
    output: &mut (dyn Write + Send),
    records: Vec<Record<Vec<u8>>>,
    buffers: &Buffers,
) -> io::Result<()> {
    let lines: Vec<Vec<u8>> = records
        .into_iter()
        .map(|record| match record {
            Record::Decided { value, .. } => value,
            Record::Failed {
                line,
                code,
                id,
                field,
                error,
            } => {
                let mut out = Vec::new();
                let record = ErrorRecord {
                    line,
                    code: code.code(),
                    id: id.as_deref(),
                    field: field.as_deref(),
                    error: &error,
                };
                write_error(&mut out, &record);
                out
            }
        })
        .collect();
    // Handed over as vectored writes of up to 1,024 lines (the system's limit), the lines go
    // from where they were written to the output without a copy into its buffer.
    let mut slices = Vec::with_capacity(1024);
    for chunk in lines.chunks(1024) {
        slices.clear();
        slices.extend(chunk.iter().map(|line| io::IoSlice::new(line)));
        write_all_vectored(output, &mut slices)?;
    }
    for line in lines {
        buffers.give(line);
    }
    Ok(())
}

/// Writes every byte of `slices` (`Write::write_all_vectored` is not stable yet).
fn write_all_vectored(output: &mut dyn Write, slices: &mut [io::IoSlice<'_>]) -> io::Result<()> {
    let mut slices = slices;
    io::IoSlice::advance_slices(&mut slices, 0);
    while !slices.is_empty() {
        match output.write_vectored(slices) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => io::IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// An error record of the output.
#[derive(Debug, Clone, Copy, Serialize)]
struct ErrorRecord<'a> {
    line: u64,
    code: &'static str,
    id: Option<&'a str>,
    field: Option<&'a str>,
    error: &'a str,
}

/// Input records and the bytes they are in.
#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    lines: Vec<Line>,
}

/// One input record: its line number and where its bytes are in its block, or what made it
/// unreadable.
struct Line {
    number: u64,
    text: std::ops::Range<usize>,
    /// Found while reading (too long, bad CSV): the record is this error.
    problem: Option<String>,
    /// The last line of the input, without a newline.
    unterminated: bool,
    /// Whether `text` is the user's own JSON (NDJSON), whose columns mean something to them;
    /// false for JSON made from a CSV row.
    as_written: bool,
}

impl Line {
    fn complete(number: u64, text: std::ops::Range<usize>) -> Line {
        Line {
            number,
            text,
            problem: None,
            unterminated: false,
            as_written: false,
        }
    }

    fn unreadable(number: u64, problem: String) -> Line {
        Line {
            number,
            text: 0..0,
            problem: Some(problem),
            unterminated: false,
            as_written: true,
        }
    }
}

fn too_long() -> String {
    format!("the line is longer than {MAX_LINE} bytes; one case per line, a few KB at most")
}

/// Reads `input`, decides every record and writes NDJSON to `output`. Reading, deciding (on
/// every core) and writing overlap: a reader thread splits the input into blocks of lines, and
/// a writer thread writes each block's output while the next block is decided. `progress` is
/// called after every block with the running summary.
///
/// ```
/// use charter::decide::batch::{BatchOptions, run_batch};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut input = "{\"id\":\"C-1\",\"received_at\":\"2026-11-16T10:00:00+08:00\",\"channel\":\"web\",\"category\":\"service_quality\",\"severity\":\"minor\"}\n".as_bytes();
/// let mut output = Vec::new();
/// run_batch(&engine, &mut input, &mut output, BatchOptions { now: 1_796_011_200 }, &mut |_| {})?;
/// let decision: serde_json::Value = serde_json::from_slice(&output)?;
/// assert_eq!(decision["case"], "C-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_batch(
    engine: &Engine,
    input: &mut (dyn Read + Send),
    output: &mut (dyn Write + Send),
    options: BatchOptions,
    progress: &mut dyn FnMut(&BatchSummary),
) -> io::Result<BatchSummary> {
    write_batch(
        engine,
        Input::Ndjson(input),
        output,
        options,
        None,
        progress,
    )
}

/// Like [`run_batch`], for CSV input: one case per row, columns mapped as in `docs/decide.md`
/// (`id`, `received_at`, `channel`, `category`, `severity`, `handler`, `field.NAME`,
/// `attr.NAME` typed by the policy, `events` as a JSON array). A header naming a column that
/// is none of these is an error of the whole input.
///
/// ```
/// use charter::decide::batch::{BatchOptions, run_csv_batch};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut csv = "id,received_at,channel,category,attr.amount\nC-2,2026-11-16T10:00:00+08:00,web,billing,8000\n".as_bytes();
/// let mut output = Vec::new();
/// let summary = run_csv_batch(&engine, &mut csv, &mut output, BatchOptions { now: 1_796_011_200 }, &mut |_| {})?;
/// assert_eq!(summary.decided, 1, "{}", String::from_utf8_lossy(&output));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_csv_batch(
    engine: &Engine,
    input: &mut (dyn Read + Send),
    output: &mut (dyn Write + Send),
    options: BatchOptions,
    progress: &mut dyn FnMut(&BatchSummary),
) -> io::Result<BatchSummary> {
    write_batch(engine, Input::Csv(input), output, options, None, progress)
}

/// What a caller adds to each decision of a batch, from the case and its decision, called on
/// the deciding threads before the decision is written: it may set the decision's own fields
/// that the engine leaves empty (`decision_id`, `input_digest`), and members it writes to the
/// buffer (`,"name":value…`, each starting with a comma) go inside the decision's object,
/// after its own members.
pub type Extra<'x> = &'x (dyn Fn(&Case, &mut Decision<'_>, &mut Vec<u8>) + Sync);

/// [`run_batch`] or [`run_csv_batch`] (by `input`), with members of the caller's in each
/// decision: what `extra` writes goes before the decision's closing brace.
///
/// ```
/// use charter::decide::batch::{BatchOptions, Input, run_batch_with};
/// # let (engine, _) = charter::load::engine("policies/complaint-office".as_ref()).map_err(|(e, _)| e.to_string())?;
/// let mut input = "{\"id\":\"C-1\",\"received_at\":\"2026-11-16T10:00:00+08:00\",\"channel\":\"web\",\"category\":\"billing\",\"severity\":\"minor\"}\n".as_bytes();
/// let mut output = Vec::new();
/// let tag = |case: &charter::decide::Case, _: &mut charter::decide::Decision<'_>, out: &mut Vec<u8>| {
///     out.extend_from_slice(format!(",\"seen\":{:?}", case.id).as_bytes());
/// };
/// run_batch_with(&engine, Input::Ndjson(&mut input), &mut output, BatchOptions { now: 1_796_011_200 }, &tag, &mut |_| {})?;
/// let line: serde_json::Value = serde_json::from_slice(&output)?;
/// assert_eq!(line["seen"], "C-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_batch_with(
    engine: &Engine,
    input: Input<'_>,
    output: &mut (dyn Write + Send),
    options: BatchOptions,
    extra: Extra<'_>,
    progress: &mut dyn FnMut(&BatchSummary),
) -> io::Result<BatchSummary> {
    write_batch(engine, input, output, options, Some(extra), progress)
}

/// Decides `input` and writes NDJSON decisions and error records to `output`.
fn write_batch(
    engine: &Engine,
    input: Input<'_>,
    output: &mut (dyn Write + Send),
    options: BatchOptions,
    extra: Option<Extra<'_>>,
    progress: &mut dyn FnMut(&BatchSummary),
) -> io::Result<BatchSummary> {
    let buffers = Buffers::default();
    let to_json = |case: &Case, decision: &mut Decision<'_>| {
        let mut out = buffers.take();
        let mut more = Vec::new();
        if let Some(extra) = extra {
            extra(case, decision, &mut more);
        }
        decision.write_json(&mut out);
        if !more.is_empty() && out.last() == Some(&b'}') {
            out.pop();
            out.append(&mut more);
            out.push(b'}');
        }
        out.push(b'\n');
        out
    };
    let mut consume = |records| write_records(output, records, &buffers);
    let summary = map_batch(engine, input, options, &to_json, &mut consume, progress)?;
    output.flush()?;
    Ok(summary)
}

/// Output buffers the writer hands back for the deciding threads to fill again. A block's
/// records are megabytes; freed all at once, the allocator gives the memory back to the
/// system and faults it in again for the next block, which cost about a tenth of a batch's
/// time. At most `KEPT` buffers wait here; the rest are freed.
#[derive(Default)]
struct Buffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// About two blocks of records.
    const KEPT: usize = 8192;

    /// An empty buffer, recycled if one is waiting.
    fn take(&self) -> Vec<u8> {
        let recycled = self.0.lock().ok().and_then(|mut kept| kept.pop());
        let mut out = recycled.unwrap_or_default();
        out.clear();
        out
    }

    /// Keeps `buffer` for reuse, unless enough are kept already.
    fn give(&self, buffer: Vec<u8>) {
        if let Ok(mut kept) = self.0.lock()
            && kept.len() < Self::KEPT
        {
            kept.push(buffer);
        }
    }
}

/// What a CSV column holds.
enum Column {
    Top(String),
    Field(String),
    Attribute(String, Option<crate::vocabulary::AttrType>),
    Events,
}

fn csv_columns(engine: &Engine, header: &csv::StringRecord) -> io::Result<Vec<Column>> {
    let policy = engine.versions().last().map(|v| &v.policy);
    // A column given twice would leave which cell counts to a guess.
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = header
        .iter()
        .map(str::trim)
        .find(|name| !seen.insert(*name))
    {
        return Err(io::Error::other(format!(
            "CSV column `{twice}` is given twice in the header; keep one"
        )));
    }
    header
        .iter()
        .map(|name| {
            let name = name.trim();
            Ok(match name {
                "id" | "received_at" | "channel" | "category" | "severity" | "handler" => {
                    Column::Top(name.to_string())
                }
                "events" => Column::Events,
                _ => {
                    if let Some(field) = name.strip_prefix("field.") {
                        Column::Field(field.to_string())
                    } else if let Some(attr) = name.strip_prefix("attr.") {
                        let ty = policy.and_then(|p| {
                            p.attributes.iter().find(|a| a.named.name == attr).map(|a| a.ty)
                        });
                        Column::Attribute(attr.to_string(), ty)
                    } else {
                        return Err(io::Error::other(format!(
                            "CSV column `{name}` is not one charter reads; use id, received_at, channel, category, severity, handler, events, field.NAME or attr.NAME"
                        )));
                    }
                }
            })
        })
        .collect()
}

/// One CSV row as case JSON. Empty cells are absent values; the case is then read and
/// checked like any NDJSON line, so errors name the same fields.
fn csv_case(columns: &[Column], record: &csv::StringRecord) -> Vec<u8> {
    use crate::vocabulary::AttrType;
    use serde_json::{Map, Value};
    let mut case = Map::new();
    let mut fields = Map::new();
    let mut attributes = Map::new();
    for (column, cell) in columns.iter().zip(record.iter()) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match column {
            Column::Top(name) => {
                case.insert(name.clone(), Value::String(cell.to_string()));
            }
            Column::Field(name) => {
                fields.insert(name.clone(), Value::String(cell.to_string()));
            }
            Column::Attribute(name, ty) => {
                let value = match ty {
                    Some(AttrType::Number) => cell
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or_else(|| Value::String(cell.to_string()), Value::Number),
                    Some(AttrType::Bool) => match cell.to_ascii_lowercase().as_str() {
                        "true" | "yes" | "1" => Value::Bool(true),
                        "false" | "no" | "0" => Value::Bool(false),
                        _ => Value::String(cell.to_string()),
                    },
                    // `a|b|c`, or a JSON array, which can also say `[]`: the empty set
                    // (an empty cell is no value at all).
                    Some(AttrType::Set) if cell.starts_with('[') => {
                        serde_json::from_str::<Vec<Value>>(cell)
                            .map_or_else(|_| Value::String(cell.to_string()), Value::Array)
                    }
                    Some(AttrType::Set) => Value::Array(
                        cell.split('|')
                            .map(|s| Value::String(s.trim().to_string()))
                            .collect(),
                    ),
                    _ => Value::String(cell.to_string()),
                };
                attributes.insert(name.clone(), value);
            }
            Column::Events => {
                let events =
                    serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_string()));
                case.insert("events".into(), events);
            }
        }
    }
    if !fields.is_empty() {
        case.insert("fields".into(), Value::Object(fields));
    }
    if !attributes.is_empty() {
        case.insert("attributes".into(), Value::Object(attributes));
    }
    Value::Object(case).to_string().into_bytes()
}

/// Reads blocks of lines from `next_lines` on a reader thread, decides them on every core and
/// writes them in order on a writer thread.
fn pipeline<T: Send>(
    engine: &Engine,
    next_block: &mut (dyn FnMut() -> io::Result<Block> + Send),
    options: BatchOptions,
    map: &(dyn Fn(&Case, &mut Decision<'_>) -> T + Sync),
    consume: &mut (dyn FnMut(Vec<Record<T>>) -> io::Result<()> + Send),
    progress: &mut dyn FnMut(&BatchSummary),
) -> io::Result<BatchSummary> {
    std::thread::scope(|scope| {
        let (blocks_tx, blocks_rx) = std::sync::mpsc::sync_channel::<io::Result<Block>>(2);
        scope.spawn(move || {
            loop {
                match next_block() {
                    Ok(block) if block.lines.is_empty() => break,
                    next => {
                        let failed = next.is_err();
                        if blocks_tx.send(next).is_err() || failed {
                            break;
                        }
                    }
                }
            }
        });
        let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<Vec<Record<T>>>(2);
        let writer = scope.spawn(move || -> io::Result<()> {
            for block in out_rx {
                consume(block)?;
            }
            Ok(())
        });
        let mut summary = BatchSummary::default();
        let mut seen: HashMap<u64, u64> = HashMap::new();
        let hasher = RandomState::new();
        for block in blocks_rx {
            let block = block?;
            let results: Vec<(Record<T>, Option<u64>)> = block
                .lines
                .par_iter()
                .map(|line| decide_line(engine, &block.bytes, line, options, map, &hasher))
                .collect();
            let mut out = Vec::with_capacity(results.len());
            for (line, (record, key)) in block.lines.iter().zip(results) {
                summary.records += 1;
                if let Some(key) = key {
                    if let Some(first) = seen.get(&key) {
                        let error = format!(
                            "duplicate id: line {first} has the same `id`; give every case its own id"
                        );
                        let id = match record {
                            Record::Decided { id, .. } => Some(id),
                            Record::Failed { id, .. } => id,
                        };
                        out.push(Record::Failed {
                            line: line.number,
                            code: Code::DuplicateId,
                            id,
                            field: Some("id".into()),
                            error,
                        });
                        summary.errors += 1;
                        continue;
                    }
                    seen.insert(key, line.number);
                }
                match record {
                    Record::Decided { .. } => summary.decided += 1,
                    Record::Failed { .. } => summary.errors += 1,
                }
                out.push(record);
            }
            if out_tx.send(out).is_err() {
                // The consumer stopped; its error is returned below.
                break;
            }
            progress(&summary);
        }
        drop(out_tx);
        match writer.join() {
            Ok(result) => result?,
            Err(_) => return Err(io::Error::other("the consumer thread failed")),
        }
        Ok(summary)
    })
}

/// Decides one line: the record, and the hash of the case id when the case could be read (for
/// duplicate detection).
fn decide_line<T>(
    engine: &Engine,
    bytes: &[u8],
    line: &Line,
    options: BatchOptions,
    map: &(dyn Fn(&Case, &mut Decision<'_>) -> T + Sync),
    ids: &RandomState,
) -> (Record<T>, Option<u64>) {
    let failed =
        |code: Code, id: Option<String>, field: Option<String>, error: String| Record::Failed {
            line: line.number,
            code,
            id,
            field,
            error,
        };
    if let Some(problem) = &line.problem {
        return (failed(Code::Unreadable, None, None, problem.clone()), None);
    }
    let text = match std::str::from_utf8(bytes.get(line.text.clone()).unwrap_or_default()) {
        Ok(text) => text,
        Err(e) => {
            let message = format!(
                "not UTF-8 (invalid byte at column {}); save the file as UTF-8",
                e.valid_up_to() + 1
            );
            return (failed(Code::Unreadable, None, None, message), None);
        }
    };
    let mut case = match Case::from_json(text) {
        Ok(case) => case,
        Err(e) => {
            let mut message = e.message.clone();
            if line.unterminated && message.starts_with("EOF") {
                message = format!("{message}: the last line is cut short (truncated file?)");
            } else if let Some((_, col)) = e.line_col.filter(|_| line.as_written) {
                message = format!("{message} (column {col})");
            }
            let field = (!e.field.is_empty() && e.field != ".").then(|| e.field.clone());
            return (failed(e.code, id_of(text), field, message), None);
        }
    };
    let key = ids.hash_one(&case.id);
    let decided = match engine.decide(&case, options.now) {
        Ok(mut decision) => Ok(map(&case, &mut decision)),
        Err(e) => Err((e.code(), e.field().map(str::to_string), e.to_string())),
    };
    // The decision is gone: the id can move into the record.
    let id = std::mem::take(&mut case.id).into_string();
    let record = match decided {
        Ok(value) => Record::Decided {
            line: line.number,
            id,
            value,
        },
        Err((code, field, error)) => failed(code, Some(id), field, error),
    };
    (record, Some(key))
}

fn write_error(out: &mut Vec<u8>, record: &ErrorRecord<'_>) {
    // A message that quotes a value from the input (a whole 1 MB cell), or an id as long,
    // is cut to a line: the record's line number says where it is.
    let cut = |text: &str, most: usize| {
        text.char_indices()
            .nth(most)
            .map(|(at, _)| format!("{}…", &text[..at]))
    };
    let (error, id) = (
        cut(record.error, ERROR_CHARS),
        record.id.and_then(|id| cut(id, 200)),
    );
    let shortened = ErrorRecord {
        error: error.as_deref().unwrap_or(record.error),
        id: id.as_deref().or(record.id),
        ..*record
    };
    let record = &shortened;
    // Writing a struct of strings and numbers to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, record);
    out.push(b'\n');
}

/// The `id` of a record that did not parse as a case, if it is JSON with a string `id`.
fn id_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: Option<serde_json::Value>,
    }
    serde_json::from_str::<IdOnly>(text)
        .ok()
        .and_then(|r| r.id)
        .and_then(|v| v.as_str().map(str::to_string))
}

/// Splits a reader into lines, a block at a time, with a cap on line length.
struct Blocks<'r> {
    input: &'r mut (dyn Read + Send),
    buffer: Vec<u8>,
    line: u64,
    eof: bool,
    /// Skipping the rest of a line that was too long.
    skipping: bool,
}

impl<'r> Blocks<'r> {
    fn new(input: &'r mut (dyn Read + Send)) -> Self {
        Blocks {
            input,
            buffer: Vec::with_capacity(BLOCK + MAX_LINE),
            line: 0,
            eof: false,
            skipping: false,
        }
    }

    /// The next lines (at least one unless the input is exhausted), blank lines dropped, with
    /// the bytes they are in: the buffer read so far is handed over whole, and only a partial
    /// last line is copied to start the next buffer.
    fn next_block(&mut self) -> io::Result<Block> {
        let mut lines = Vec::new();
        loop {
            if !self.eof {
                let start = self.buffer.len();
                self.buffer.resize(start + BLOCK, 0);
                let mut filled = start;
                while filled < self.buffer.len() {
                    match self.input.read(&mut self.buffer[filled..]) {
                        Ok(0) => {
                            self.eof = true;
                            break;
                        }
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                self.buffer.truncate(filled);
            }
            let mut consumed = 0;
            let ends: Vec<usize> = memchr::memchr_iter(b'\n', &self.buffer).collect();
            for end in ends {
                self.push_line(consumed, end, false, &mut lines);
                consumed = end + 1;
            }
            if self.eof {
                if consumed < self.buffer.len() {
                    self.push_line(consumed, self.buffer.len(), true, &mut lines);
                }
                let bytes = std::mem::take(&mut self.buffer);
                return Ok(Block { bytes, lines });
            }
            let mut rest = Vec::with_capacity(BLOCK + MAX_LINE);
            rest.extend_from_slice(&self.buffer[consumed..]);
            let mut bytes = std::mem::replace(&mut self.buffer, rest);
            bytes.truncate(consumed);
            if self.buffer.len() > MAX_LINE {
                // A line with no end in sight: report it once and skip to its newline.
                if !self.skipping {
                    self.line += 1;
                    lines.push(Line::unreadable(self.line, too_long()));
                }
                self.skipping = true;
                self.buffer.clear();
            }
            if !lines.is_empty() {
                return Ok(Block { bytes, lines });
            }
        }
    }

    fn push_line(&mut self, from: usize, to: usize, unterminated: bool, lines: &mut Vec<Line>) {
        if self.skipping {
            self.skipping = false;
            return;
        }
        self.line += 1;
        let mut text = &self.buffer[from..to];
        if text.last() == Some(&b'\r') {
            text = &text[..text.len() - 1];
        }
        if text.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if text.len() > MAX_LINE {
            lines.push(Line::unreadable(self.line, too_long()));
            return;
        }
        lines.push(Line {
            number: self.line,
            text: from..from + text.len(),
            problem: None,
            unterminated,
            as_written: true,
        });
    }
}
