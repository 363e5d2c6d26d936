// The workbench's API (src/serve/workbench.rs): every request carries the unsaved texts.

export interface FileText {
  name: string;
  text: string;
  digest: string;
}

export interface Problem {
  severity: "error" | "warning";
  code: string;
  message: string;
  help?: string;
  label?: string;
  file?: string;
  /** A place in a file the workbench does not edit (an imported calendar). */
  source?: string;
  line?: number;
  column?: number;
  from?: number;
  to?: number;
  fix?: { from: number; to: number; insert: string; title: string };
}

export interface Named {
  name: string;
  label: { text: string; en?: string | null };
}

export interface Checked {
  errors: number;
  diagnostics: Problem[];
  lint: Problem[];
  versions: { name: string; version: string; effective?: string }[];
  roles: Named[];
  procedures: Named[];
  elapsed_ms: number;
}

export interface Form {
  timezone: string;
  channels: Named[];
  categories: Named[];
  severities: Named[];
  fields: (Named & { required: boolean; personal: boolean })[];
  attributes: (Named & { type: "number" | "string" | "bool" | "set" })[];
  events: string[];
  targets: string[];
  roles: Named[];
}

let token: string | null = sessionStorage.getItem("charter-token");

export function setToken(value: string | null): void {
  token = value;
  if (value) sessionStorage.setItem("charter-token", value);
  else sessionStorage.removeItem("charter-token");
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers["authorization"] = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let parsed: Record<string, unknown> = {};
    try {
      parsed = await response.json();
    } catch {
      /* not JSON */
    }
    const message = typeof parsed.error === "string" ? parsed.error : response.statusText;
    throw new ApiError(message, response.status, parsed);
  }
  return response;
}

export async function files(): Promise<{ policy: string; files: FileText[] }> {
  return (await call("GET", "/workbench/files")).json();
}

export async function check(texts: Record<string, string>): Promise<Checked> {
  return (await call("POST", "/workbench/check", { files: texts })).json();
}

export async function format(text: string): Promise<string> {
  return (await (await call("POST", "/workbench/format", { text })).json()).text;
}

export async function render(
  texts: Record<string, string>,
  kind: string,
  id: string | null,
  lang: string,
  format: string,
): Promise<Response> {
  return call("POST", "/workbench/render", { files: texts, kind, id, lang, format });
}

export async function decide(
  texts: Record<string, string>,
  kase: unknown,
  now: string | null,
): Promise<{ decision: Record<string, any>; explain: string }> {
  return (await call("POST", "/workbench/decide", { files: texts, case: kase, now })).json();
}

export async function form(texts: Record<string, string>): Promise<Form> {
  return (await call("POST", "/workbench/form", { files: texts })).json();
}

export async function diff(
  texts: Record<string, string>,
  lang: string,
): Promise<{ changed: boolean; text: string; saved_compiles: boolean }> {
  return (await call("POST", "/workbench/diff", { files: texts, lang })).json();
}

export async function save(name: string, text: string, base: string): Promise<{ digest: string }> {
  return (await call("PUT", "/workbench/files", { name, text, base })).json();
}
