// The page's words in Chinese and English.

export type Lang = "zh" | "en";

const WORDS = {
  title: ["charter 工作台", "charter workbench"],
  format: ["格式化", "Format"],
  save: ["保存", "Save"],
  saved: ["已保存", "Saved"],
  unsaved: ["未保存的修改", "Unsaved changes"],
  problems: ["问题", "Problems"],
  documents: ["文件预览", "Documents"],
  tryCase: ["试算案件", "Try a case"],
  changes: ["本次修改", "Changes"],
  noProblems: ["没有问题。", "No problems."],
  errors: ["错误", "errors"],
  warnings: ["提示", "warnings"],
  findings: ["审阅意见", "Review findings"],
  checked: ["检查用时", "checked in"],
  fix: ["改为", "Change to"],
  role: ["职位说明书", "Position description"],
  procedure: ["程序文件", "Procedure"],
  orgChart: ["组织结构图", "Org chart"],
  download: ["下载", "Download"],
  language: ["语言", "Language"],
  channel: ["渠道", "Channel"],
  category: ["类别", "Category"],
  severity: ["严重程度", "Severity"],
  receivedAt: ["受理时间", "Received at"],
  now: ["评估时间", "Evaluated at"],
  fields: ["记录字段", "Fields"],
  attributes: ["属性", "Attributes"],
  events: ["事件", "Events"],
  addEvent: ["添加事件", "Add an event"],
  remove: ["删除", "Remove"],
  decide: ["判定", "Decide"],
  outcome: ["受理结果", "Outcome"],
  routedTo: ["承办岗位", "Routed to"],
  rule: ["依据条款", "Rule"],
  deadline: ["时限", "Deadline"],
  state: ["状态", "State"],
  escalations: ["升级", "Escalations"],
  callbacks: ["回访", "Callbacks"],
  why: ["判定理由", "Why"],
  noChange: ["与上次保存相比，没有改变处理结果的修改。", "Nothing changed since the last save alters how cases are handled."],
  notCompiled: ["政策有错误，请先修正。", "The policy has errors; mend them first."],
  nothingUnsaved: ["没有未保存的修改。", "No unsaved changes."],
  reload: ["重新载入", "Reload"],
  token: ["访问令牌", "Access token"],
  tokenHelp: ["此服务需要令牌，请输入运维人员提供的令牌。", "This service needs a token: enter the one its operator gave you."],
  id: ["案件编号", "Case id"],
  none: ["（无）", "(none)"],
  yes: ["是", "yes"],
  no: ["否", "no"],
  at: ["时间", "At"],
  kind: ["类型", "Kind"],
  file: ["文件", "File"],
} as const;

export type Word = keyof typeof WORDS;

let current: Lang = (localStorage.getItem("charter-lang") as Lang) || "zh";

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem("charter-lang", next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
}

export function t(word: Word): string {
  return WORDS[word][current === "zh" ? 0 : 1];
}

/** A declared name's label in the page's language. */
export function label(named: { name: string; label: { text: string; en?: string | null } }): string {
  if (current === "en") return named.label.en || named.name;
  return named.label.text || named.name;
}
