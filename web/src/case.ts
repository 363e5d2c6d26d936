// "Try a case": a form made from the policy (channels, categories, severities, fields,
// attributes, events on a timeline), and the decision in words and on a timeline.
import * as api from "./api";
import { el } from "./dom";
import type { Form, Named } from "./api";
import { label, t } from "./i18n";

/** What the form held last, kept across redraws (language, a new check). */
let kept: Record<string, any> | null = null;

/** RFC 3339 for now in the time zone `tz`, to the minute. */
export function nowIn(tz: string, date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "longOffset",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const offset = get("timeZoneName").replace("GMT", "") || "+00:00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:00${offset}`;
}

function select(id: string, options: Named[], value?: string): HTMLSelectElement {
  const s = el("select", { id, name: id });
  for (const o of options) s.append(el("option", { value: o.name }, `${label(o)} (${o.name})`));
  if (value && options.some((o) => o.name === value)) s.value = value;
  return s;
}

function row(labelText: string, control: HTMLElement, required = false): HTMLElement {
  const id = control.id;
  return el("div", { class: "field" }, el("label", { for: id }, labelText + (required ? " *" : "")), control);
}

export async function caseForm(panel: HTMLElement, unsaved: () => Record<string, string>): Promise<void> {
  let form: Form;
  try {
    form = await api.form(unsaved());
  } catch (e) {
    panel.replaceChildren(el("p", { class: "error" }, (e as Error).message));
    return;
  }
  const old = kept ?? {};
  const now = nowIn(form.timezone);
  const body = el("form", { id: "case-form" });
  body.addEventListener("submit", (event) => {
    event.preventDefault();
    void decide(form, unsaved);
  });
  const id = el("input", { id: "case-id", value: old.id ?? "WB-1" });
  const received = el("input", { id: "case-received", value: old.received_at ?? now, placeholder: now });
  const at = el("input", { id: "case-now", value: old.now ?? now, placeholder: now });
  body.append(
    row(t("id"), id, true),
    row(t("channel"), select("case-channel", form.channels, old.channel), true),
    row(t("category"), select("case-category", form.categories, old.category), true),
    row(t("severity"), select("case-severity", form.severities, old.severity), true),
    row(t("receivedAt"), received, true),
  );
  if (form.fields.length) {
    const set = el("fieldset", {}, el("legend", {}, t("fields")));
    for (const f of form.fields) {
      const input = el("input", { id: `field-${f.name}`, "data-field": f.name, value: old.fields?.[f.name] ?? "" });
      set.append(row(label(f), input, f.required));
    }
    body.append(set);
  }
  if (form.attributes.length) {
    const set = el("fieldset", {}, el("legend", {}, t("attributes")));
    for (const a of form.attributes) {
      const value = old.attributes?.[a.name];
      let input: HTMLInputElement;
      if (a.type === "bool") {
        input = el("input", { id: `attr-${a.name}`, type: "checkbox", "data-attr": a.name, "data-type": a.type });
        input.checked = value === true;
      } else {
        input = el("input", {
          id: `attr-${a.name}`,
          type: a.type === "number" ? "number" : "text",
          "data-attr": a.name,
          "data-type": a.type,
          value: value === undefined ? "" : Array.isArray(value) ? value.join(", ") : String(value),
          placeholder: a.type === "set" ? "a, b" : "",
        });
      }
      set.append(row(label(a), input));
    }
    body.append(set);
  }
  const events = el("fieldset", { id: "case-events" }, el("legend", {}, t("events")));
  const list = el("ol", { id: "event-list" });
  const addEvent = (e: { kind?: string; at?: string; more?: string } = {}) => {
    const n = list.children.length + 1;
    const kind = el("select", { "aria-label": `${t("kind")} ${n}`, class: "event-kind" });
    for (const name of form.events) kind.append(el("option", { value: name }, name));
    kind.value = e.kind ?? "acknowledged";
    const when = el("input", { "aria-label": `${t("at")} ${n}`, class: "event-at", value: e.at ?? now });
    const more = el("input", { "aria-label": `JSON ${n}`, class: "event-more", placeholder: '{"satisfied": true}', value: e.more ?? "" });
    const remove = el("button", { type: "button", class: "remove" }, t("remove"));
    const item = el("li", {}, kind, when, more, remove);
    remove.addEventListener("click", () => item.remove());
    list.append(item);
  };
  for (const e of old.events ?? []) addEvent(e);
  const add = el("button", { type: "button", id: "add-event" }, t("addEvent"));
  add.addEventListener("click", () => addEvent());
  events.append(list, add);
  body.append(events, row(t("now"), at), el("button", { type: "submit", id: "decide" }, t("decide")));
  panel.replaceChildren(body, el("div", { id: "decision", "aria-live": "polite" }));
}

function read(form: Form): { kase: Record<string, any>; now: string } {
  const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value.trim();
  const kase: Record<string, any> = {
    id: value("case-id"),
    received_at: value("case-received"),
    channel: value("case-channel"),
    category: value("case-category"),
    severity: value("case-severity"),
  };
  const fields: Record<string, string> = {};
  for (const input of document.querySelectorAll<HTMLInputElement>("[data-field]")) {
    if (input.value.trim()) fields[input.dataset.field!] = input.value.trim();
  }
  const attributes: Record<string, unknown> = {};
  for (const input of document.querySelectorAll<HTMLInputElement>("[data-attr]")) {
    const name = input.dataset.attr!;
    switch (input.dataset.type) {
      case "bool":
        attributes[name] = input.checked;
        break;
      case "number":
        if (input.value.trim()) attributes[name] = Number(input.value);
        break;
      case "set":
        if (input.value.trim()) attributes[name] = input.value.split(/[,，|]/).map((s) => s.trim()).filter(Boolean);
        break;
      default:
        if (input.value.trim()) attributes[name] = input.value.trim();
    }
  }
  const events: Record<string, unknown>[] = [];
  const keptEvents: { kind: string; at: string; more: string }[] = [];
  for (const item of document.querySelectorAll<HTMLLIElement>("#event-list li")) {
    const kind = item.querySelector<HTMLSelectElement>(".event-kind")!.value;
    const at = item.querySelector<HTMLInputElement>(".event-at")!.value.trim();
    const more = item.querySelector<HTMLInputElement>(".event-more")!.value.trim();
    keptEvents.push({ kind, at, more });
    let extra: Record<string, unknown> = {};
    if (more) {
      try {
        extra = JSON.parse(more);
      } catch {
        throw new Error(`${kind} ${at}: ${more} is not JSON`);
      }
    }
    events.push({ at, kind, ...extra });
  }
  if (Object.keys(fields).length) kase.fields = fields;
  if (Object.keys(attributes).length) kase.attributes = attributes;
  if (events.length) kase.events = events;
  kept = { ...kase, fields, attributes, events: keptEvents, now: value("case-now") };
  void form;
  return { kase, now: value("case-now") };
}

async function decide(form: Form, unsaved: () => Record<string, string>): Promise<void> {
  const out = document.getElementById("decision")!;
  try {
    const { kase, now } = read(form);
    const { decision, explain } = await api.decide(unsaved(), kase, now || null);
    out.replaceChildren(words(decision, form), timeline(decision, kase), el("h3", {}, t("why")), el("pre", { class: "explain" }, explain));
  } catch (e) {
    out.replaceChildren(el("p", { class: "error" }, (e as Error).message));
  }
}

const OUTCOMES: Record<string, [string, string]> = {
  accepted: ["受理", "accepted"],
  redirected: ["转办", "redirected"],
  incomplete: ["待补正材料", "incomplete"],
};

function outcome(name: string): string {
  const pair = OUTCOMES[name];
  if (!pair) return name;
  return document.documentElement.lang === "en" ? pair[1] : `${pair[0]}（${name}）`;
}

const STATES: Record<string, [string, string]> = {
  met: ["已按时完成", "met"],
  breached: ["已超时", "breached"],
  running: ["计时中", "running"],
  at_risk: ["临近超时", "at risk"],
  paused: ["已暂停", "paused"],
  not_started: ["未开始", "not started"],
  not_applicable: ["不适用", "not applicable"],
};

function state(name: string): string {
  const pair = STATES[name];
  if (!pair) return name;
  return document.documentElement.lang === "en" ? pair[1] : pair[0];
}

function words(d: Record<string, any>, form: Form): HTMLElement {
  const out = el("div", { class: "words" });
  const dl = el("dl");
  const item = (term: string, value: string) => dl.append(el("dt", {}, term), el("dd", {}, value));
  item(t("outcome"), outcome(d.acceptance?.outcome ?? ""));
  if (d.acceptance?.redirect_to) item("→", d.acceptance.redirect_to);
  if (d.acceptance?.missing_fields?.length) item(t("fields"), d.acceptance.missing_fields.join(", "));
  if (d.route) {
    const role = form.roles.find((r) => r.name === d.route.role);
    item(t("routedTo"), d.route.role ? `${role ? label(role) : d.route.title ?? ""} (${d.route.role})` : t("none"));
    if (d.route.rule) item(t("rule"), `${d.route.rule.file}:${d.route.rule.line} — ${d.route.rule.text}`);
  }
  out.append(dl);
  if (d.targets?.length) {
    const table = el("table", { id: "targets" });
    table.append(el("tr", {}, el("th", {}, ""), el("th", {}, t("deadline")), el("th", {}, t("state"))));
    for (const target of d.targets) {
      const name = target.stage ? `${target.stage}.${target.name}` : target.name;
      table.append(
        el(
          "tr",
          { "data-target": name },
          el("td", {}, `${name} (${target.within ?? ""})`),
          el("td", { class: "deadline" }, target.deadline ?? "—"),
          el("td", { class: `state ${target.state}` }, state(target.state)),
        ),
      );
    }
    out.append(table);
  }
  const fired = (d.escalations ?? []).filter((e: any) => e.fired);
  if (fired.length) {
    const list = el("ul", { class: "escalations" });
    for (const e of fired) {
      const to = form.roles.find((r) => r.name === e.to);
      list.append(el("li", {}, `${e.at} · ${e.target} ${e.trigger} → ${to ? label(to) : e.to_title ?? e.to} (${e.action})`));
    }
    out.append(el("h3", {}, t("escalations")), list);
  }
  if (d.callback) {
    out.append(el("h3", {}, t("callbacks")), el("p", {}, `${d.callback.via ?? ""} · ${t("deadline")} ${d.callback.due ?? "—"} · ${state(d.callback.state)}`));
  }
  return out;
}

const MARKS: Record<string, [string, string]> = {
  received: ["受理", "received"],
  starts: ["开始计时", "clock starts"],
  due: ["时限", "due"],
  escalated: ["升级至", "escalated to"],
  callback: ["回访到期", "callback due"],
  now: ["评估时间", "evaluated at"],
};

function mark(name: string): string {
  return MARKS[name][document.documentElement.lang === "en" ? 1 : 0];
}

/** Received, events, clocks, deadlines, escalations, the callback and the evaluation
 *  instant, in order of time: the case's timeline. */
function timeline(d: Record<string, any>, kase: Record<string, any>): HTMLElement {
  type Mark = { at: number; shown: string; text: string; kind: string };
  const marks: Mark[] = [];
  const push = (at: string | null | undefined, text: string, kind: string) => {
    if (!at) return;
    const ms = Date.parse(at);
    if (!Number.isNaN(ms)) marks.push({ at: ms, shown: at.replace("T", " ").replace(/:00([+-]\d\d:\d\d|Z)$/, " $1"), text, kind });
  };
  push(kase.received_at, mark("received"), "received");
  for (const e of kase.events ?? []) push(e.at, e.kind, "event");
  for (const target of d.targets ?? []) {
    const name = target.stage ? `${target.stage}.${target.name}` : target.name;
    if (target.started_at && target.started_at !== kase.received_at) push(target.started_at, `${name}: ${mark("starts")}`, "start");
    push(target.deadline, `${name}: ${mark("due")} (${state(target.state)})`, `deadline ${target.state}`);
  }
  for (const e of d.escalations ?? []) if (e.fired) push(e.at, `${mark("escalated")} ${e.to_title ?? e.to} (${e.target} ${e.trigger})`, "escalation");
  if (d.callback?.due) push(d.callback.due, mark("callback"), "callback");
  push(d.evaluated_at, mark("now"), "now");
  marks.sort((a, b) => a.at - b.at);
  const list = el("ol", { class: "timeline", "aria-label": "timeline" });
  for (const m of marks) list.append(el("li", { class: m.kind }, el("time", {}, m.shown), el("span", {}, m.text)));
  return list;
}
