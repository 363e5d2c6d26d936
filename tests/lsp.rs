//! The language server, driven in process by a client over a pair of channels: the answers to
//! what an editor asks while a user writes a policy (snapshots, with the temporary folder's
//! path replaced by `<dir>`).

use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

use crate::support::office_copy;

struct Client {
    connection: Connection,
    server: Option<std::thread::JoinHandle<()>>,
    next: i32,
    dir: String,
}

impl Client {
    fn start(dir: &std::path::Path) -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || charter::lsp::run(&server).unwrap());
        let mut client = Client {
            connection: client,
            server: Some(handle),
            next: 0,
            dir: dir.canonicalize().unwrap().display().to_string(),
        };
        let init = client.request("initialize", json!({ "capabilities": {} }));
        assert!(
            init["capabilities"]["hoverProvider"].as_bool().unwrap(),
            "{init}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        let note = Notification::new(method.to_string(), params);
        self.connection
            .sender
            .send(Message::Notification(note))
            .unwrap();
    }

    /// Sends a request and waits for its answer (diagnostics published meanwhile are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        let req = Request::new(id.clone(), method.to_string(), params);
        self.connection.sender.send(Message::Request(req)).unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_secs(20))
                .unwrap()
            {
                Message::Response(r) if r.id == id => {
                    if let Some(error) = r.error {
                        return json!({ "error": error.message });
                    }
                    return r.result.unwrap_or(Value::Null);
                }
                _ => {}
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&self, uri: &str) -> Value {
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_secs(20))
                .unwrap()
            {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
                {
                    return n.params["diagnostics"].clone();
                }
                _ => {}
            }
        }
    }

    /// `value` as pretty JSON with the temporary folder shown as `<dir>`.
    fn shown(&self, value: &Value) -> String {
        let text = serde_json::to_string_pretty(value).unwrap();
        text.replace(&format!("file://{}", self.dir), "file://<dir>")
    }

    fn stop(mut self) {
        let answer = self.request("shutdown", Value::Null);
        assert_eq!(answer, Value::Null);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap();
    }
}

fn position(text: &str, needle: &str, nth: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).unwrap().0;
    let line = text[..at].matches('\n').count();
    let column = text[..at].rsplit('\n').next().unwrap().chars().count();
    json!({ "line": line, "character": column })
}

#[test]
fn an_editor_session_on_the_complaint_office() {
    let (dir, folder) = office_copy(|t| t);
    let path = folder.join("policy.charter").canonicalize().unwrap();
    let uri = format!("file://{}", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    let mut client = Client::start(dir.path());
    let doc = |version: i32| json!({ "uri": uri, "languageId": "charter", "version": version, "text": text });

    // Open: a clean policy has no diagnostics.
    client.notify("textDocument/didOpen", json!({ "textDocument": doc(1) }));
    assert_eq!(client.diagnostics(&uri), json!([]));

    // A typo appears as one diagnostic with its code and fix, and goes when it is fixed.
    let typo = text.replacen("channel email", "chanel email", 1);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": typo }] }),
    );
    let shown = client.diagnostics(&uri);
    insta::assert_snapshot!("lsp_typo_diagnostics", client.shown(&shown));
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": shown[0]["range"], "context": { "diagnostics": [] } }),
    );
    insta::assert_snapshot!("lsp_typo_fix", client.shown(&actions));
    // While the file does not parse, what did parse still answers.
    let director = position(&text, "-> office_director", 0);
    let director = json!({ "line": director["line"], "character": director["character"].as_u64().unwrap() + 5 });
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": director }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("投诉办主任"),
        "{hover}"
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": text }] }),
    );
    assert_eq!(client.diagnostics(&uri), json!([]));

    // Hover, definition and references on the director in the route table.
    let at = position(&text, "-> office_director", 0);
    let at = json!({ "line": at["line"], "character": at["character"].as_u64().unwrap() + 5 });
    let at_doc = json!({ "textDocument": { "uri": uri }, "position": at });
    let hover = client.request("textDocument/hover", at_doc.clone());
    insta::assert_snapshot!(
        "lsp_hover_role",
        hover["contents"]["value"].as_str().unwrap()
    );
    let definition = client.request("textDocument/definition", at_doc.clone());
    assert_eq!(
        definition["range"]["start"],
        position(&text, "office_director \"投诉办主任\"", 0)
    );
    let mut references = at_doc.clone();
    references["context"] = json!({ "includeDeclaration": true });
    let references = client.request("textDocument/references", references);
    let lines: Vec<u64> = (references.as_array().unwrap().iter())
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap() + 1)
        .collect();
    // Declared on line 167; the route, two superiors and a promotion name it.
    assert_eq!(lines, [167, 66, 125, 164, 196], "{references}");

    // A target: its limits in every SLA block, and the ladder and extension that name it.
    let target = json!({ "textDocument": { "uri": uri }, "position": position(&text, "resolve within 5", 0), "context": { "includeDeclaration": true } });
    let hover = client.request("textDocument/hover", target.clone());
    insta::assert_snapshot!(
        "lsp_hover_target",
        hover["contents"]["value"].as_str().unwrap()
    );
    let uses = client.request("textDocument/references", target);
    assert!(uses.as_array().unwrap().len() >= 4, "{uses}");

    // Rename: every place, and a name already taken is refused.
    let mut rename = at_doc.clone();
    rename["newName"] = json!("director");
    let edit = client.request("textDocument/rename", rename.clone());
    let edits = edit["changes"][&uri].as_array().unwrap();
    assert_eq!(edits.len(), 5, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == "director"));
    rename["newName"] = json!("coordinator");
    let refused = client.request("textDocument/rename", rename);
    assert_eq!(
        refused["error"],
        "role `coordinator` is already declared (line 193)"
    );

    // Completion after `->` offers roles only; at the top level, declarations.
    let route_line = at["line"].as_u64().unwrap();
    let after_arrow = json!({ "textDocument": { "uri": uri }, "position": { "line": route_line, "character": 28 } });
    let items = client.request("textDocument/completion", after_arrow);
    let labels: Vec<&str> = (items.as_array().unwrap().iter())
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"office_director") && labels.contains(&"coordinator"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"billing") && !labels.contains(&"office"),
        "{labels:?}"
    );
    let top = json!({ "textDocument": { "uri": uri }, "position": { "line": 17, "character": 0 } });
    let items = client.request("textDocument/completion", top);
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["label"] == "role" && i["insertTextFormat"] == 2)
    );

    // The outline lists the declarations in order.
    let outline = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<&str> = (outline.as_array().unwrap().iter())
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    insta::assert_snapshot!("lsp_outline", names.join("\n"));

    // Formatting: a messy line comes back in the canonical layout.
    let messy = text.replacen(
        "category billing \"收费问题\"",
        "category    billing   \"收费问题\"",
        1,
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 4 }, "contentChanges": [{ "text": messy }] }),
    );
    let edits = client.request("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }));
    assert_eq!(
        edits[0]["newText"], text,
        "formatting gives back the shipped layout"
    );

    client.stop();
}
