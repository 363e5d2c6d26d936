// The workbench page: the policy's files in an editor, problems as you type, documents,
// a case to try, the change since the last save, and saving.
import { EditorState } from "@codemirror/state";
import type { Extension } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import type { Diagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";

import * as api from "./api";
import { el } from "./dom";
import type { Checked, FileText, Problem } from "./api";
import { charterLanguage } from "./language";
import { label, lang, setLang, t } from "./i18n";
import type { Lang, Word } from "./i18n";
import { caseForm } from "./case";
import "./style.css";

interface Open {
  file: FileText;
  state: EditorState;
}

const open = new Map<string, Open>();
let current = "";
let view: EditorView;
let lastCheck: Checked | null = null;
let checkTimer: number | undefined;
let checkSeq = 0;
/** Round trips of check-as-you-type, ms, for the status line and the browser test. */
const roundTrips: number[] = [];
(window as any).__charterRoundTrips = roundTrips;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function textOf(name: string): string {
  const o = open.get(name)!;
  return name === current ? view.state.doc.toString() : o.state.doc.toString();
}

/** Every open file's text as the editor has it: what the server checks, renders and
 *  decides, whatever is on disk by now. */
function texts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of open.keys()) out[name] = textOf(name);
  return out;
}

/** The names of the files whose text differs from what was saved. */
function dirty(): string[] {
  return [...open.entries()].filter(([name, o]) => textOf(name) !== o.file.text).map(([name]) => name);
}

function layout(): void {
  $("app").innerHTML = `
  <header>
    <h1 data-i18n="title"></h1>
    <span id="policy" class="muted"></span>
    <span id="status" role="status" aria-live="polite"></span>
    <span class="spacer"></span>
    <button id="format" data-i18n="format" title="Shift-Alt-F"></button>
    <button id="save" data-i18n="save" title="Ctrl-S"></button>
    <label><span data-i18n="language"></span>
      <select id="lang"><option value="zh">中文</option><option value="en">English</option></select>
    </label>
  </header>
  <div id="token-bar" hidden>
    <label><span data-i18n="token"></span> <input id="token" type="password" autocomplete="off"></label>
    <span data-i18n="tokenHelp" class="muted"></span>
  </div>
  <main>
    <section id="editor-pane">
      <div id="file-tabs" role="tablist" aria-label="files"></div>
      <div id="editor"></div>
    </section>
    <section id="side">
      <div id="side-tabs" role="tablist">
        <button role="tab" id="tab-problems" aria-controls="panel-problems" data-i18n="problems"></button>
        <button role="tab" id="tab-documents" aria-controls="panel-documents" data-i18n="documents"></button>
        <button role="tab" id="tab-case" aria-controls="panel-case" data-i18n="tryCase"></button>
        <button role="tab" id="tab-changes" aria-controls="panel-changes" data-i18n="changes"></button>
      </div>
      <div id="panel-problems" role="tabpanel" aria-labelledby="tab-problems">
        <ul id="problem-list"></ul>
      </div>
      <div id="panel-documents" role="tabpanel" aria-labelledby="tab-documents" hidden>
        <div class="row">
          <select id="doc-kind" aria-label="document"></select>
          <select id="doc-lang" aria-label="language"><option value="zh">中文</option><option value="en">English</option></select>
          <span class="spacer"></span>
          <span data-i18n="download"></span>
          <button id="dl-md">md</button><button id="dl-html">html</button><button id="dl-docx">docx</button>
        </div>
        <iframe id="preview" title="preview" sandbox=""></iframe>
      </div>
      <div id="panel-case" role="tabpanel" aria-labelledby="tab-case" hidden></div>
      <div id="panel-changes" role="tabpanel" aria-labelledby="tab-changes" hidden>
        <pre id="diff"></pre>
      </div>
    </section>
  </main>`;
}

function translate(): void {
  document.title = t("title");
  for (const node of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n as Word);
  }
  ($("lang") as HTMLSelectElement).value = lang();
  renderProblems();
  fillDocumentChoices();
  if (view) showDirty();
}

// ---- the editor ----

function extensions(): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    foldGutter(),
    drawSelection(),
    history(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    // Long Chinese labels wrap rather than scroll out of sight.
    EditorView.lineWrapping,
    syntaxHighlighting(defaultHighlightStyle),
    charterLanguage(),
    lintGutter(),
    keymap.of([
      { key: "Mod-s", run: () => (void saveCurrent(), true), preventDefault: true },
      { key: "Shift-Alt-f", run: () => (void formatCurrent(), true) },
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      indentWithTab,
    ]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) {
        scheduleCheck();
        showDirty();
      }
    }),
    EditorView.contentAttributes.of({ "aria-label": "policy text" }),
  ];
}

function openFile(name: string): void {
  if (!open.has(name)) return;
  if (current && open.has(current)) open.get(current)!.state = view.state;
  current = name;
  view.setState(open.get(name)!.state);
  for (const tab of document.querySelectorAll<HTMLButtonElement>("#file-tabs [role=tab]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.file === name));
  }
  applyDiagnostics();
  showDirty();
}

function fileTabs(): void {
  const tabs = $("file-tabs");
  tabs.replaceChildren();
  for (const name of open.keys()) {
    const tab = el("button", { role: "tab", "data-file": name }, name);
    tab.addEventListener("click", () => openFile(name));
    tabs.append(tab);
  }
}

function showDirty(): void {
  const changed = dirty();
  for (const tab of document.querySelectorAll<HTMLButtonElement>("#file-tabs [role=tab]")) {
    tab.classList.toggle("dirty", changed.includes(tab.dataset.file!));
  }
  $("save").toggleAttribute("disabled", !changed.includes(current));
  setStatus(changed.length ? t("unsaved") : t("saved"));
}

function setStatus(text: string, kind: "" | "error" = ""): void {
  const status = $("status");
  status.textContent = text;
  status.className = kind;
}

// ---- checking ----

function scheduleCheck(): void {
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(runCheck, 250);
}

async function runCheck(): Promise<void> {
  const seq = ++checkSeq;
  const started = performance.now();
  try {
    const checked = await api.check(texts());
    if (seq !== checkSeq) return;
    lastCheck = checked;
    applyDiagnostics();
    renderProblems();
    fillDocumentChoices();
    roundTrips.push(performance.now() - started);
    document.body.dataset.checked = String(seq);
    if (!$("panel-documents").hidden) void preview();
    if (!$("panel-changes").hidden) void showDiff();
  } catch (e) {
    failed(e);
  }
}

function problemsOf(file: string): Problem[] {
  if (!lastCheck) return [];
  return [...lastCheck.diagnostics, ...lastCheck.lint].filter((p) => p.file === file && p.from !== undefined);
}

function applyDiagnostics(): void {
  const length = view.state.doc.length;
  const diagnostics: Diagnostic[] = problemsOf(current).map((p) => ({
    from: Math.min(p.from!, length),
    to: Math.min(Math.max(p.to!, p.from!), length),
    severity: p.severity === "error" ? "error" : "warning",
    source: p.code,
    message: p.message + (p.help ? ` — ${p.help}` : ""),
    actions: p.fix
      ? [
          {
            name: `${t("fix")} ${p.fix.title}`,
            // The range as it is now, after any edits since the check.
            apply: (v: EditorView, from: number, to: number) => {
              v.dispatch({ changes: { from, to, insert: p.fix!.insert } });
              v.focus();
            },
          },
        ]
      : [],
  }));
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

function applyFix(v: EditorView, p: Problem): void {
  v.dispatch({ changes: { from: p.fix!.from, to: p.fix!.to, insert: p.fix!.insert } });
  v.focus();
}

function renderProblems(): void {
  const list = $("problem-list");
  list.replaceChildren();
  if (!lastCheck) return;
  const all = [...lastCheck.diagnostics.map((p) => ({ p, lint: false })), ...lastCheck.lint.map((p) => ({ p, lint: true }))];
  const errors = lastCheck.diagnostics.filter((p) => p.severity === "error").length;
  const warnings = all.length - errors;
  const ms = roundTrips.length ? roundTrips[roundTrips.length - 1] : lastCheck.elapsed_ms;
  $("tab-problems").textContent = `${t("problems")} (${all.length})`;
  list.append(
    el("li", { class: "summary" }, `${errors} ${t("errors")}, ${warnings} ${t("warnings")} · ${t("checked")} ${Math.round(ms)} ms`),
  );
  if (!all.length) list.append(el("li", { class: "ok" }, t("noProblems")));
  for (const { p, lint } of all) {
    const where = p.file ? `${p.file}:${p.line}:${p.column}` : p.source ? `${p.source}:${p.line}:${p.column}` : "";
    const item = el(
      "li",
      { class: `problem ${p.severity}${lint ? " lint" : ""}`, "data-line": String(p.line ?? "") },
      el("span", { class: "code" }, p.code),
      " ",
      el("span", { class: "message" }, p.message),
    );
    if (p.help) item.append(el("div", { class: "help" }, p.help));
    const actions = el("div", { class: "actions" });
    if (where && p.file && open.has(p.file)) {
      const jump = el("button", { class: "jump" }, where);
      jump.addEventListener("click", () => jumpTo(p));
      actions.append(jump);
    }
    if (p.fix && p.file && open.has(p.file)) {
      const fix = el("button", { class: "fix" }, `${t("fix")} ${p.fix.title}`);
      fix.addEventListener("click", () => {
        if (p.file !== current) openFile(p.file!);
        applyFix(view, p);
        // The other fixes' places moved with this one: they wait for the next check.
        for (const other of document.querySelectorAll<HTMLButtonElement>("#problem-list .fix")) other.disabled = true;
      });
      actions.append(fix);
    }
    item.append(actions);
    list.append(item);
  }
}

function jumpTo(p: Problem): void {
  if (!p.file || !open.has(p.file)) return;
  if (p.file !== current) openFile(p.file);
  const at = Math.min(p.from ?? 0, view.state.doc.length);
  view.dispatch({ selection: { anchor: at, head: Math.min(p.to ?? at, view.state.doc.length) }, scrollIntoView: true });
  view.focus();
}

// ---- documents ----

function fillDocumentChoices(): void {
  // While the policy has errors its roles are not known: keep the choices there were.
  if (lastCheck && lastCheck.errors > 0 && !lastCheck.roles.length && ($("doc-kind") as HTMLSelectElement).options.length) return;
  const select = $("doc-kind") as HTMLSelectElement;
  const chosen = select.value;
  select.replaceChildren();
  const add = (value: string, text: string) => select.append(el("option", { value }, text));
  add("procedure:", t("procedure"));
  add("org-chart:", t("orgChart"));
  for (const p of lastCheck?.procedures ?? []) add(`procedure:${p.name}`, `${t("procedure")}: ${label(p)}`);
  for (const r of lastCheck?.roles ?? []) add(`role:${r.name}`, `${t("role")}: ${label(r)}`);
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

function chosenDocument(): [string, string | null] {
  const [kind, id] = ($("doc-kind") as HTMLSelectElement).value.split(":");
  return [kind, id || null];
}

async function preview(): Promise<void> {
  const [kind, id] = chosenDocument();
  const docLang = ($("doc-lang") as HTMLSelectElement).value;
  try {
    const response = await api.render(texts(), kind, id, docLang, "html");
    ($("preview") as HTMLIFrameElement).srcdoc = await response.text();
  } catch (e) {
    const message = e instanceof api.ApiError && e.status === 422 ? t("notCompiled") : (e as Error).message;
    ($("preview") as HTMLIFrameElement).srcdoc = `<p style="font-family:sans-serif;color:#a00">${escapeHtml(message)}</p>`;
  }
}

async function download(format: string): Promise<void> {
  const [kind, id] = chosenDocument();
  const docLang = ($("doc-lang") as HTMLSelectElement).value;
  try {
    const response = await api.render(texts(), kind, id, docLang, format);
    const blob = await response.blob();
    const link = el("a", { href: URL.createObjectURL(blob), download: `${id ?? kind}.${docLang}.${format}` });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (e) {
    failed(e);
  }
}

// ---- changes ----

async function showDiff(): Promise<void> {
  if (!dirty().length) {
    $("diff").textContent = t("nothingUnsaved");
    return;
  }
  try {
    const d = await api.diff(texts(), lang());
    $("diff").textContent = d.text.trim() ? d.text : t("noChange");
  } catch (e) {
    $("diff").textContent = (e as Error).message;
  }
}

// ---- format and save ----

async function formatCurrent(): Promise<void> {
  try {
    const text = await api.format(view.state.doc.toString());
    if (text !== view.state.doc.toString()) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }
  } catch (e) {
    failed(e);
  }
}

let saving = false;

async function saveCurrent(): Promise<void> {
  const o = open.get(current);
  if (!o || saving) return;
  saving = true;
  const text = view.state.doc.toString();
  try {
    const saved = await api.save(current, text, o.file.digest);
    o.file = { ...o.file, text, digest: saved.digest };
    showDirty();
    setStatus(`${t("saved")}: ${current}`);
    if (!$("panel-changes").hidden) void showDiff();
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 409) {
      setStatus(e.message, "error");
      const reload = el("button", { id: "reload" }, t("reload"));
      reload.addEventListener("click", () => void reloadFromDisk());
      $("status").append(" ", reload);
    } else failed(e);
  } finally {
    saving = false;
  }
}

/** Takes the disk's text as the saved one, keeping the editor's text (to be saved again). */
async function reloadFromDisk(): Promise<void> {
  const listed = await api.files();
  for (const f of listed.files) {
    const o = open.get(f.name);
    if (o) o.file = f;
  }
  showDirty();
  scheduleCheck();
}

// ---- errors ----

function failed(e: unknown): void {
  if (e instanceof api.ApiError && (e.status === 401 || e.status === 403)) {
    $("token-bar").hidden = false;
    $("token").focus();
  }
  setStatus((e as Error).message, "error");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

// ---- tabs ----

function sideTabs(): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>("#side-tabs [role=tab]")];
  const select = (tab: HTMLButtonElement) => {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      $(other.getAttribute("aria-controls")!).hidden = !on;
    }
    if (tab.id === "tab-documents") void preview();
    if (tab.id === "tab-changes") void showDiff();
    if (tab.id === "tab-case") void caseForm($("panel-case"), texts);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      next.focus();
      select(next);
    });
  });
  select(tabs[0]);
}

async function main(): Promise<void> {
  setLang(lang());
  layout();
  view = new EditorView({ parent: $("editor") });
  sideTabs();
  translate();
  $("lang").addEventListener("change", (event) => {
    setLang((event.target as HTMLSelectElement).value as Lang);
    // The documents follow the page's language; their own choice can still differ.
    ($("doc-lang") as HTMLSelectElement).value = lang();
    translate();
    if (!$("panel-documents").hidden) void preview();
    if (!$("panel-case").hidden) void caseForm($("panel-case"), texts);
    if (!$("panel-changes").hidden) void showDiff();
  });
  ($("doc-lang") as HTMLSelectElement).value = lang();
  $("doc-kind").addEventListener("change", () => void preview());
  $("doc-lang").addEventListener("change", () => void preview());
  for (const format of ["md", "html", "docx"]) $(`dl-${format}`).addEventListener("click", () => void download(format));
  $("format").addEventListener("click", () => void formatCurrent());
  $("save").addEventListener("click", () => void saveCurrent());
  $("token").addEventListener("change", (event) => {
    api.setToken((event.target as HTMLInputElement).value.trim() || null);
    $("token-bar").hidden = true;
    // Keep what is being edited: only a page that has not loaded its files starts over.
    if (open.size) void runCheck();
    else void start();
  });
  await start();
}

async function start(): Promise<void> {
  try {
    const listed = await api.files();
    $("policy").textContent = listed.policy;
    open.clear();
    for (const file of listed.files) {
      // A file written with CRLF keeps them: the editor's text is compared and saved as it.
      const separator = file.text.includes("\r\n") ? [EditorState.lineSeparator.of("\r\n")] : [];
      open.set(file.name, { file, state: EditorState.create({ doc: file.text, extensions: [...extensions(), ...separator] }) });
    }
    fileTabs();
    current = "";
    openFile(listed.files[0].name);
    await runCheck();
  } catch (e) {
    failed(e);
  }
}

void main();
