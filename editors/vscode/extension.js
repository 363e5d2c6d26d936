// Starts `charter lsp` for .charter files. The program is `charter` on the PATH unless the
// setting `charter.path` names another.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("charter").get("path") || "charter";
  const server = { command, args: ["lsp"] };
  const options = {
    documentSelector: [{ scheme: "file", language: "charter" }],
  };
  client = new LanguageClient("charter", "charter language server", server, options);
  client.start().catch((error) => {
    // The client rejects with an Error or with a bare value, depending on where it failed.
    const why = (error && (error.message || String(error))) || "no reason given";
    vscode.window.showErrorMessage(
      `charter: could not start \`${command} lsp\` (${why}). ` +
        "Install charter (cargo install --path . in its repository) or set `charter.path` to the program."
    );
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
