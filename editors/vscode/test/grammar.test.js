// The TextMate grammar on real text: every line of every shipped policy is tokenised with no
// `invalid` scope; every word of the language's grammar (grammar/charter.pest) is highlighted
// as a keyword or constant, never as a plain name; and text that is not charter is marked.
// Run with `npm test` in editors/vscode.
const fs = require("fs");
const path = require("path");
const assert = require("assert");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.join(__dirname, "..", "..", "..");
const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;

async function grammar() {
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, "..", "syntaxes", "charter.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  return registry.loadGrammar("source.charter");
}

function tokenise(g, text) {
  let stack = vsctm.INITIAL;
  const lines = [];
  for (const line of text.split("\n")) {
    const result = g.tokenizeLine(line, stack);
    lines.push(result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
    stack = result.ruleStack;
  }
  return lines;
}

function policyFiles(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...policyFiles(p));
    else if (entry.name.endsWith(".charter")) found.push(p);
  }
  return found.sort();
}

(async () => {
  const g = await grammar();

  // 1. The shipped policies: no invalid token, and every line tokenised.
  const files = policyFiles(path.join(root, "policies")).concat(policyFiles(path.join(root, "tests", "fixtures", "syntax", "ok")));
  assert(files.length >= 5, "the shipped policies are found");
  let lines = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    tokenise(g, text).forEach((tokens, n) => {
      lines += 1;
      for (const t of tokens) {
        const bad = t.scopes.find((s) => s.startsWith("invalid"));
        assert(!bad, `${path.relative(root, file)}:${n + 1}: \`${t.text}\` is ${bad}`);
      }
    });
  }

  // 2. Every word of the language is a keyword, operator or constant where statements start.
  const pest = fs.readFileSync(path.join(root, "grammar", "charter.pest"), "utf8").replace(/\/\/.*$/gm, "");
  const words = [...new Set([...pest.matchAll(/"([a-z_][a-z_0-9]*)"/g)].map((m) => m[1]))].filter((w) => !["_", "n", "t"].includes(w));
  assert(words.length > 150, `the grammar's words are found (${words.length})`);
  for (const word of words) {
    const [tokens] = tokenise(g, `  ${word} `);
    const token = tokens.find((t) => t.text === word);
    const scope = token && token.scopes[token.scopes.length - 1];
    assert(scope && !scope.startsWith("variable") && !scope.startsWith("invalid"), `\`${word}\` is highlighted as ${scope}`);
  }

  // 3. What is not charter is marked, and a declaration's name is a name.
  const [bad] = tokenise(g, "  acknowledge @ within");
  assert(bad.some((t) => t.text === "@" && t.scopes.some((s) => s.startsWith("invalid"))), "`@` is invalid");
  const [decl] = tokenise(g, 'role office_director "投诉办主任" en "Director" {');
  const scopeOf = (tokens, text) => tokens.find((t) => t.text === text).scopes.slice(-1)[0];
  assert.strictEqual(scopeOf(decl, "role"), "storage.type.declaration.charter");
  assert.strictEqual(scopeOf(decl, "office_director"), "entity.name.type.charter");
  assert.strictEqual(scopeOf(decl, "en"), "storage.modifier.language.charter");
  const [rule] = tokenise(g, "  when severity >= major -> office_director  # 重大");
  assert.strictEqual(scopeOf(rule, "->"), "keyword.operator.charter");
  assert(scopeOf(rule, "# 重大").startsWith("comment"));

  console.log(`grammar: ${files.length} files, ${lines} lines tokenised without an invalid token; ${words.length} words of the language highlighted`);
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
