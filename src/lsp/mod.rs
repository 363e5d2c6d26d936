//! `charter lsp`: a language server for editors, over standard input and output.
//!
//! It works on the policy folder each open file belongs to (imports followed), with the texts
//! the editor holds instead of the files on disk: diagnostics as you type (after a pause of
//! [`DEBOUNCE`]), hover, go to definition, find references, rename, outline, workspace symbols,
//! completion, formatting, and the checker's "did you mean" fixes as code actions. Every
//! answer comes from the same parser and checker as `charter check`; while a file does not
//! parse, what did parse still answers (see [`crate::syntax::parse_all`]).

mod analysis;
mod complete;
mod hover;
mod navigate;
mod text;
mod transport;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::source::lone_cr_as_lf;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeActionOrCommand, CodeActionProviderCapability, CompletionOptions, DiagnosticSeverity,
    HoverContents, HoverProviderCapability, MarkupContent, MarkupKind, NumberOrString, OneOf,
    Position, PublishDiagnosticsParams, RenameOptions, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, notification, request,
};

pub use analysis::Analysis;

/// How long the server waits after the last change before checking again.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    /// The protocol was broken (the client went away, or sent something that is not LSP).
    #[error("{0}")]
    Protocol(String),
}

impl From<lsp_server::ProtocolError> for LspError {
    fn from(e: lsp_server::ProtocolError) -> Self {
        LspError::Protocol(e.to_string())
    }
}

impl From<std::io::Error> for LspError {
    fn from(e: std::io::Error) -> Self {
        LspError::Protocol(e.to_string())
    }
}

impl<T> From<crossbeam_channel::SendError<T>> for LspError {
    fn from(e: crossbeam_channel::SendError<T>) -> Self {
        LspError::Protocol(e.to_string())
    }
}

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![">".into(), " ".into(), "[".into()]),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// Runs the server on standard input and output until the client says `exit`.
/// Messages are read within bounds (`transport`): a malformed or oversized one stops the
/// server with an error that says what was wrong with it.
pub fn stdio() -> Result<(), LspError> {
    let (connection, transport) = transport::stdio();
    let served = run(&connection);
    drop(connection);
    transport.finish(served)
}

/// Runs the server on `connection` (the initialize handshake included) until `exit`.
pub fn run(connection: &Connection) -> Result<(), LspError> {
    let capabilities =
        serde_json::to_value(capabilities()).map_err(|e| LspError::Protocol(e.to_string()))?;
    let (id, _) = connection.initialize_start()?;
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "charter", "version": env!("CARGO_PKG_VERSION") },
        }),
    )?;
    let mut server = Server::default();
    loop {
        let wait = server.changed.map_or(Duration::from_secs(3600), |at| {
            DEBOUNCE.saturating_sub(at.elapsed())
        });
        match connection.receiver.recv_timeout(wait) {
            Ok(Message::Request(req)) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let response = server.request(connection, req)?;
                connection.sender.send(Message::Response(response))?;
            }
            Ok(Message::Notification(note)) => {
                if note.method == notification::Exit::METHOD {
                    return Ok(());
                }
                server.notification(note);
            }
            Ok(Message::Response(_)) => {}
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => server.recheck(connection)?,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

/// The open documents and the checked policy folders.
#[derive(Default)]
struct Server {
    /// Open documents by canonical path: their URI and text.
    open: HashMap<PathBuf, (Uri, String)>,
    /// Checked policy folders.
    folders: HashMap<PathBuf, Analysis>,
    /// Folders whose files changed since they were checked.
    dirty: HashSet<PathBuf>,
    /// When the last change came, while folders are dirty.
    changed: Option<Instant>,
    /// The files each folder last published diagnostics for.
    published: HashMap<PathBuf, Vec<Uri>>,
}

/// The policy folder of the file at `path`: the folder that holds it.
fn folder_of(path: &Path) -> PathBuf {
    path.parent()
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

fn canonical(uri: &Uri) -> Option<PathBuf> {
    let path = text::path_of(uri)?;
    Some(path.canonicalize().unwrap_or(path))
}

impl Server {
    fn notification(&mut self, note: Notification) {
        match note.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(note.params)
                    && let Some(path) = canonical(&p.text_document.uri)
                {
                    self.open.insert(
                        path.clone(),
                        (p.text_document.uri, lone_cr_as_lf(p.text_document.text)),
                    );
                    self.touch(&path);
                }
            }
            notification::DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(note.params)
                    && let Some(path) = canonical(&p.text_document.uri)
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    self.open.insert(
                        path.clone(),
                        (p.text_document.uri, lone_cr_as_lf(change.text)),
                    );
                    self.touch(&path);
                }
            }
            notification::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(note.params)
                    && let Some(path) = canonical(&p.text_document.uri)
                {
                    self.open.remove(&path);
                    self.touch(&path);
                }
            }
            notification::DidSaveTextDocument::METHOD
            | notification::DidChangeWatchedFiles::METHOD => {
                let folders: Vec<PathBuf> = self.folders.keys().cloned().collect();
                self.dirty.extend(folders);
                self.changed = Some(Instant::now());
            }
            _ => {}
        }
    }

    /// Marks the folder of `path` (and every checked folder that imports it) to be checked.
    fn touch(&mut self, path: &Path) {
        self.dirty.insert(folder_of(path));
        for (folder, analysis) in &self.folders {
            if analysis.file(path).is_some() {
                self.dirty.insert(folder.clone());
            }
        }
        self.changed = Some(Instant::now());
    }

    /// Checks the dirty folders again and publishes their diagnostics.
    fn recheck(&mut self, connection: &Connection) -> Result<(), LspError> {
        let dirty: Vec<PathBuf> = self.dirty.drain().collect();
        self.changed = None;
        for folder in dirty {
            self.check(&folder);
            self.publish(connection, &folder)?;
        }
        Ok(())
    }

    /// Checks `folder` with the open documents' texts.
    fn check(&mut self, folder: &Path) {
        let unsaved: HashMap<PathBuf, String> = (self.open.iter())
            .map(|(path, (_, text))| (path.clone(), text.clone()))
            .collect();
        let analysis = Analysis::run(folder, &unsaved);
        self.folders.insert(folder.to_path_buf(), analysis);
    }

    fn publish(&mut self, connection: &Connection, folder: &Path) -> Result<(), LspError> {
        let Some(analysis) = self.folders.get(folder) else {
            return Ok(());
        };
        #[allow(
            clippy::mutable_key_type,
            reason = "the protocol's Uri caches its parts inside; its hash and equality are of its text, which does not change"
        )]
        let mut by_file: HashMap<Uri, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for (_, path) in analysis.files() {
            if let Some(uri) = text::uri_of(path) {
                by_file.entry(uri).or_default();
            }
        }
        for d in &analysis.checked.diagnostics {
            let Some(span) = d.span else { continue };
            let Some(location) = analysis.location(span) else {
                continue;
            };
            let mut message = d.message.clone();
            if let Some(label) = &d.label {
                message = format!("{message}: {label}");
            }
            if let Some(help) = &d.help {
                message = format!("{message}\nhelp: {help}");
            }
            let related: Vec<lsp_types::DiagnosticRelatedInformation> = (d.related.iter())
                .filter_map(|(span, text)| {
                    Some(lsp_types::DiagnosticRelatedInformation {
                        location: analysis.location(*span)?,
                        message: text.clone(),
                    })
                })
                .collect();
            let severity = match d.severity {
                crate::diagnostic::Severity::Error => DiagnosticSeverity::ERROR,
                crate::diagnostic::Severity::Warning => DiagnosticSeverity::WARNING,
                _ => DiagnosticSeverity::INFORMATION,
            };
            by_file
                .entry(location.uri)
                .or_default()
                .push(lsp_types::Diagnostic {
                    range: location.range,
                    severity: Some(severity),
                    code: Some(NumberOrString::String(d.kind.code().to_string())),
                    source: Some("charter".into()),
                    message,
                    related_information: (!related.is_empty()).then_some(related),
                    ..lsp_types::Diagnostic::default()
                });
        }
        // Files that had diagnostics before and are no longer in the policy are cleared too.
        for uri in self.published.remove(folder).unwrap_or_default() {
            by_file.entry(uri).or_default();
        }
        let uris: Vec<Uri> = by_file.keys().cloned().collect();
        for (uri, diagnostics) in by_file {
            let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
            connection
                .sender
                .send(Message::Notification(Notification::new(
                    notification::PublishDiagnostics::METHOD.to_string(),
                    params,
                )))?;
        }
        self.published.insert(folder.to_path_buf(), uris);
        Ok(())
    }

    /// The analysis of the document at `uri` (checked now if it changed), its file and text.
    fn analysis(
        &mut self,
        connection: &Connection,
        uri: &Uri,
    ) -> Result<Option<(&Analysis, crate::source::FileId)>, LspError> {
        let Some(path) = canonical(uri) else {
            return Ok(None);
        };
        let folder = folder_of(&path);
        if self.dirty.contains(&folder) || !self.folders.contains_key(&folder) {
            self.dirty.remove(&folder);
            self.check(&folder);
            self.publish(connection, &folder)?;
        }
        let analysis = &self.folders[&folder];
        Ok(analysis.file(&path).map(|file| (analysis, file)))
    }

    fn request(&mut self, connection: &Connection, req: Request) -> Result<Response, LspError> {
        let id = req.id.clone();
        let answer = match req.method.as_str() {
            request::HoverRequest::METHOD => self.hover(connection, req.params),
            request::GotoDefinition::METHOD => self.definition(connection, req.params),
            request::References::METHOD => self.references(connection, req.params),
            request::PrepareRenameRequest::METHOD => self.prepare_rename(connection, req.params),
            request::Rename::METHOD => self.rename(connection, req.params),
            request::DocumentSymbolRequest::METHOD => self.outline(connection, req.params),
            request::WorkspaceSymbolRequest::METHOD => {
                self.workspace_symbols(connection, req.params)
            }
            request::Completion::METHOD => self.completion(connection, req.params),
            request::Formatting::METHOD => self.format(req.params),
            request::CodeActionRequest::METHOD => self.code_actions(connection, req.params),
            _ => Err(Refusal(
                ErrorCode::MethodNotFound,
                format!("charter does not answer `{}`", req.method),
            )),
        };
        Ok(match answer {
            Ok(value) => Response::new_ok(id, value),
            Err(Refusal(code, message)) => Response::new_err(id, code as i32, message),
        })
    }

    /// The name under `position` in the document at `uri`.
    fn name_at(
        &mut self,
        connection: &Connection,
        uri: &Uri,
        position: Position,
    ) -> Result<Option<(&Analysis, usize)>, Refusal> {
        let Some((analysis, file)) = self.analysis(connection, uri).map_err(Refusal::from)? else {
            return Ok(None);
        };
        let offset = text::offset(analysis.text(file), position) as u32;
        Ok(analysis
            .checked
            .symbols
            .at(file, offset)
            .map(|i| (analysis, i)))
    }

    fn hover(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::HoverParams = parse(params)?;
        let at = p.text_document_position_params;
        let Some((analysis, index)) =
            self.name_at(connection, &at.text_document.uri, at.position)?
        else {
            return Ok(serde_json::Value::Null);
        };
        let Some(markdown) = hover::hover(analysis, index) else {
            return Ok(serde_json::Value::Null);
        };
        json(lsp_types::Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: None,
        })
    }

    fn definition(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::GotoDefinitionParams = parse(params)?;
        let at = p.text_document_position_params;
        let Some((analysis, index)) =
            self.name_at(connection, &at.text_document.uri, at.position)?
        else {
            return Ok(serde_json::Value::Null);
        };
        json(navigate::definition(analysis, index))
    }

    fn references(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::ReferenceParams = parse(params)?;
        let at = p.text_document_position;
        let Some((analysis, index)) =
            self.name_at(connection, &at.text_document.uri, at.position)?
        else {
            return Ok(serde_json::Value::Null);
        };
        json(navigate::references(
            analysis,
            index,
            p.context.include_declaration,
        ))
    }

    fn prepare_rename(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::TextDocumentPositionParams = parse(params)?;
        let uri = p.text_document.uri.clone();
        let Some((analysis, file)) = self.analysis(connection, &uri).map_err(Refusal::from)? else {
            return Ok(serde_json::Value::Null);
        };
        let offset = text::offset(analysis.text(file), p.position) as u32;
        let symbols = &analysis.checked.symbols;
        let Some(index) = symbols.at(file, offset) else {
            return Err(Refusal(
                ErrorCode::InvalidRequest,
                "there is no declared name here to rename".into(),
            ));
        };
        let span = std::iter::once(symbols.names[index].span)
            .chain(symbols.uses_of(index))
            .find(|s| s.file == file && s.start <= offset && offset <= s.end);
        match span {
            Some(s) => json(text::range(
                analysis.text(file),
                s.start as usize,
                s.end as usize,
            )),
            None => Ok(serde_json::Value::Null),
        }
    }

    fn rename(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::RenameParams = parse(params)?;
        let at = p.text_document_position;
        let Some((analysis, index)) =
            self.name_at(connection, &at.text_document.uri, at.position)?
        else {
            return Err(Refusal(
                ErrorCode::InvalidRequest,
                "there is no declared name here to rename".into(),
            ));
        };
        match navigate::rename(analysis, index, &p.new_name) {
            Ok(edit) => json(edit),
            Err(why) => Err(Refusal(ErrorCode::InvalidParams, why)),
        }
    }

    fn outline(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::DocumentSymbolParams = parse(params)?;
        let Some((analysis, file)) = self
            .analysis(connection, &p.text_document.uri)
            .map_err(Refusal::from)?
        else {
            return Ok(serde_json::Value::Null);
        };
        json(lsp_types::DocumentSymbolResponse::Nested(
            navigate::outline(analysis, file),
        ))
    }

    fn workspace_symbols(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::WorkspaceSymbolParams = parse(params)?;
        if !self.dirty.is_empty() {
            self.recheck(connection).map_err(Refusal::from)?;
        }
        let mut found = Vec::new();
        for analysis in self.folders.values() {
            found.extend(navigate::workspace_symbols(analysis, &p.query));
        }
        found.sort_by(|a, b| {
            (a.location.uri.as_str(), a.location.range.start.line)
                .cmp(&(b.location.uri.as_str(), b.location.range.start.line))
        });
        found.dedup_by(|a, b| a.location == b.location);
        json(found)
    }

    fn completion(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::CompletionParams = parse(params)?;
        let at = p.text_document_position;
        let Some((analysis, file)) = self
            .analysis(connection, &at.text_document.uri)
            .map_err(Refusal::from)?
        else {
            return Ok(serde_json::Value::Null);
        };
        let text = analysis.text(file);
        let offset = text::offset(text, at.position);
        json(complete::complete(analysis, text, offset))
    }

    fn format(&mut self, params: serde_json::Value) -> Answer {
        let p: lsp_types::DocumentFormattingParams = parse(params)?;
        let Some(path) = canonical(&p.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let text = match self.open.get(&path) {
            Some((_, text)) => text.clone(),
            None => {
                crate::source::read_regular_text(&path, crate::syntax::MAX_FILE).map_err(|e| {
                    Refusal(
                        ErrorCode::RequestFailed,
                        format!("cannot read `{}`: {e}", path.display()),
                    )
                })?
            }
        };
        // A file that does not parse is left as it is (its errors are already shown).
        let Ok(formatted) = crate::format::format_text(&text) else {
            return Ok(serde_json::Value::Null);
        };
        if formatted == text {
            return json(Vec::<TextEdit>::new());
        }
        let whole = text::range(&text, 0, text.len());
        json(vec![TextEdit::new(whole, formatted)])
    }

    fn code_actions(&mut self, connection: &Connection, params: serde_json::Value) -> Answer {
        let p: lsp_types::CodeActionParams = parse(params)?;
        let Some((analysis, file)) = self
            .analysis(connection, &p.text_document.uri)
            .map_err(Refusal::from)?
        else {
            return Ok(serde_json::Value::Null);
        };
        let text = analysis.text(file);
        let start = text::offset(text, p.range.start) as u32;
        let end = text::offset(text, p.range.end) as u32;
        let actions: Vec<CodeActionOrCommand> = (navigate::fixes(analysis, file, start, end)
            .into_iter())
        .map(CodeActionOrCommand::CodeAction)
        .collect();
        json(actions)
    }
}

/// A request the server does not answer, and why.
struct Refusal(ErrorCode, String);

impl From<LspError> for Refusal {
    fn from(e: LspError) -> Self {
        Refusal(ErrorCode::InternalError, e.to_string())
    }
}

type Answer = Result<serde_json::Value, Refusal>;

fn parse<T: serde::de::DeserializeOwned>(params: serde_json::Value) -> Result<T, Refusal> {
    serde_json::from_value(params).map_err(|e| Refusal(ErrorCode::InvalidParams, e.to_string()))
}

fn json<T: serde::Serialize>(value: T) -> Answer {
    serde_json::to_value(value).map_err(|e| Refusal(ErrorCode::InternalError, e.to_string()))
}
