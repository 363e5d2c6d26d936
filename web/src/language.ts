// The charter language for CodeMirror: highlighting from a small tokenizer (the words of
// grammar/charter.pest), bracket matching on the plain brackets, folding of `{ … }` blocks.
import { StreamLanguage, foldService, LanguageSupport } from "@codemirror/language";
import type { StringStream } from "@codemirror/language";

const KEYWORDS = new Set(
  (
    "accept after and applies_to at at_risk attribute authority because before beyond breach by calendar " +
    "calendars callback calls_back category cc changes channel closed contains day days department " +
    "deputy document duty each effective escalate event every except extension fallback field for " +
    "form from holiday hour hours if if_closed immediately import in incomplete label locale max " +
    "means minute minutes month next not notify obligation on optional or organisation otherwise " +
    "owns per personal policy procedure purpose redirect refuse reopen report reports_to required " +
    "requires review role route satisfaction scope severities sla stage step timezone to trait " +
    "unit until use valid version via week weeks when within workday working year years"
  ).split(" "),
);
const ATOMS = new Set("true false mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday".split(" "));

interface State {
  inString: boolean;
}

function token(stream: StringStream, state: State): string | null {
    if (state.inString) {
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === "\\") stream.next();
        else if (ch === '"') {
          state.inString = false;
          break;
        }
      }
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("#")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.peek() === '"') {
      stream.next();
      state.inString = true;
      return token(stream, state);
    }
    if (stream.match(/^\d{4}-\d{2}-\d{2}(T[\d:]+)?/)) return "number";
    if (stream.match(/^\d+(\.\d+)?(%|[a-z]+)?/)) return "number";
    if (stream.match(/^(->|<=|>=|!=|=|<|>)/)) return "operator";
    if (stream.match(/^[{}()[\]]/)) return "bracket";
    const word = stream.match(/^[\p{L}_][\p{L}\p{N}_]*/u) as RegExpMatchArray | null;
    if (word) {
      if (KEYWORDS.has(word[0])) return "keyword";
      if (ATOMS.has(word[0])) return "atom";
      return "variableName";
    }
    stream.next();
    return null;
}

const charter = StreamLanguage.define<State>({
  name: "charter",
  startState: () => ({ inString: false }),
  token,
  languageData: {
    commentTokens: { line: "#" },
    closeBrackets: { brackets: ["(", "[", "{", '"'] },
  },
});

/** The `{ … }` block opened on a line, to its closing brace (strings and comments skipped). */
const braces = foldService.of((state, lineStart, lineEnd) => {
  const line = state.doc.sliceString(lineStart, lineEnd);
  const open = lastOpenBrace(line);
  if (open < 0) return null;
  let depth = 0;
  let inString = false;
  const text = state.doc.sliceString(lineStart + open);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "#") {
      const next = text.indexOf("\n", i);
      if (next < 0) break;
      i = next;
    } else if (ch === "{") depth++;
    else if (ch === "}") {
      depth--;
      if (depth === 0) {
        const end = lineStart + open + i;
        if (state.doc.lineAt(end).number === state.doc.lineAt(lineStart).number) return null;
        return { from: lineStart + open + 1, to: end };
      }
    }
  }
  return null;
});

/** The position of a `{` left open at the end of `line`, outside strings and comments. */
function lastOpenBrace(line: string): number {
  let inString = false;
  let open: number[] = [];
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "#") break;
    else if (ch === "{") open.push(i);
    else if (ch === "}") open.pop();
  }
  return open.length ? open[open.length - 1] : -1;
}

export function charterLanguage(): LanguageSupport {
  return new LanguageSupport(charter, [braces]);
}
