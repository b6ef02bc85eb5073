// The query editor: CodeMirror 6 over the query page's plain form, bundled by `make editor`.
//
// Progressive enhancement: without this bundle (or without JavaScript) the page is a <form> with a <textarea>.
// With it, the textarea hides behind an editor with SPARQL highlighting; completion of the predeclared prefixes,
// the vocabulary's classes and properties with their labels (the page carries them in `data-vocabulary`),
// keywords and the query's variables; a mark at the line and column of the error the server reported; and a
// live mark on prefixes nobody declared and on words that are no keyword. The text goes back into the textarea before the form is sent;
// Ctrl+Enter (Cmd+Enter) sends it, by POST when too long for a URL. No inline script, no eval: it runs under the
// page's Content-Security-Policy.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { linter, lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

const KEYWORDS = (
  "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT REDUCED AS OPTIONAL FILTER UNION MINUS " +
  "GRAPH BIND VALUES UNDEF GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET NOT EXISTS IN STR LANG LANGMATCHES " +
  "DATATYPE BOUND IRI BNODE CONCAT STRLEN UCASE LCASE CONTAINS STRSTARTS STRENDS REGEX REPLACE COUNT SUM MIN MAX " +
  "AVG SAMPLE GROUP_CONCAT SEPARATOR COALESCE IF ISIRI ISLITERAL YEAR"
).split(" ");

// Comments, strings, IRIs, variables, blank nodes, language tags and numbers are read whole, so that what is left
// is a prefixed name (group 1: its prefix, undefined for the empty one; group 2: its local part) or a bare word
// (group 3), which SPARQL allows only as a keyword or a function.
const LEXEME = /#[^\n]*|"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|[?$]\w+|_:[\w.-]*|@[A-Za-z-]+|\d[\d.]*(?:[eE][+-]?\d+)?|([A-Za-z][\w.-]*)?:([\w%.:-]*)|([A-Za-z_]\w*)/g;

function distance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

// The keyword closest to a word that is none, if it is close: SELEKT → SELECT, FILTR → FILTER.
function closestKeyword(word, keywords) {
  let best = null, bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const keyword of keywords) {
    const d = distance(word.toUpperCase(), keyword);
    if (d < bestDistance) { best = keyword; bestDistance = d; }
  }
  return best;
}

// The page's style sheet does not reach into the shadow root: the editor's frame is set here.
const THEME = EditorView.theme({
  "&": { border: "1px solid #8a8a8a", borderRadius: "4px", background: "#fff", color: "#1a1a1a", fontSize: "0.9rem" },
  "&.cm-focused": { outline: "2px solid #1d5fa8", outlineOffset: "1px" },
  ".cm-scroller": {
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
    lineHeight: "1.45", minHeight: "12rem", maxHeight: "36rem",
  },
  ".cm-content, .cm-gutter": { minHeight: "12rem" },
  ".cm-tooltip-autocomplete .cm-completionDetail": { color: "#555", marginLeft: "0.75rem", fontStyle: "normal" },
  ".cm-tooltip-autocomplete li[aria-selected] .cm-completionDetail": { color: "inherit" },
});

function vocabularyOf(textarea) {
  try {
    return JSON.parse(textarea.getAttribute("data-vocabulary") || "{}");
  } catch (error) {
    return {};
  }
}

function declaredPrefixes(text, predeclared) {
  const declared = new Set(Object.keys(predeclared));
  const pattern = /PREFIX\s+([A-Za-z][\w.-]*)?:/gi;
  let match;
  while ((match = pattern.exec(text)) !== null) { declared.add(match[1] || ""); }
  return declared;
}

function completer(vocabulary) {
  const prefixes = vocabulary.prefixes || {};
  const terms = (vocabulary.terms || []).map((term) => ({
    label: term.name, type: term.kind === "class" ? "class" : "property", detail: term.label, boost: term.name.startsWith("kzs:") ? 1 : 0,
  }));
  const prefixOptions = Object.keys(prefixes).map((name) => ({ label: name + ":", type: "namespace", detail: prefixes[name] }));
  const keywordOptions = KEYWORDS.map((word) => ({ label: word, type: "keyword" }));
  return (context) => {
    const variable = context.matchBefore(/[?$]\w*/);
    if (variable) {  // the variables the query already names
      const seen = new Set(context.state.doc.toString().match(/[?$]\w+/g) || []);
      seen.delete(variable.text);
      const options = [...seen].map((name) => ({ label: name, type: "variable" }));
      return { from: variable.from, options, validFor: /^[?$]\w*$/ };
    }
    const word = context.matchBefore(/[A-Za-z][\w.-]*:?[\w.-]*/);
    if (!word || (word.from === word.to && !context.explicit)) { return null; }
    const colon = word.text.indexOf(":");
    if (colon >= 0) {
      const prefix = word.text.slice(0, colon + 1);
      return { from: word.from, options: terms.filter((term) => term.label.startsWith(prefix)), validFor: /^[\w.-]*:[\w.-]*$/ };
    }
    const line = context.state.doc.lineAt(context.pos);
    if (/PREFIX\s+[\w.-]*$/i.test(line.text.slice(0, context.pos - line.from))) {
      const declarations = Object.keys(prefixes).map((name) => ({
        label: name + ":", apply: name + ": <" + prefixes[name] + ">", type: "namespace", detail: prefixes[name],
      }));
      return { from: word.from, options: declarations };
    }
    return { from: word.from, options: [...prefixOptions, ...keywordOptions], validFor: /^[A-Za-z][\w.-]*$/ };
  };
}

// The server's error (the page's `.query-error [data-line]`) while the text is as it was sent; as one types,
// every prefixed name whose prefix is neither declared nor predeclared, and every bare word that is no keyword.
function diagnostics(vocabulary, reported, original) {
  const predeclared = vocabulary.prefixes || {};
  const messages = vocabulary.messages || {};
  const keywords = new Set(vocabulary.keywords || []);
  return (view) => {
    const doc = view.state.doc;
    const text = doc.toString();
    const found = [];
    if (reported && text === original && reported.line >= 1 && reported.line <= doc.lines) {
      const line = doc.line(reported.line);
      const from = Math.min(line.from + Math.max(0, reported.column - 1), line.to);
      const rest = line.text.slice(from - line.from).match(/^[^\s{}()]*/)[0];
      found.push({ from, to: Math.max(from + rest.length, Math.min(from + 1, line.to)), severity: "error", message: reported.message });
    }
    const declared = declaredPrefixes(text, predeclared);
    LEXEME.lastIndex = 0;
    let match;
    while ((match = LEXEME.exec(text)) !== null) {
      const reportedHere = found.length > 0 && found[0].from === match.index;  // the server said it already
      let message = null;
      if (match[3] !== undefined && keywords.size && !keywords.has(match[3].toUpperCase())) {
        const meant = closestKeyword(match[3], keywords);
        const template = meant ? messages.keyword : messages.word;
        message = (template || "{word}").replace("{word}", match[3]).replace("{suggestion}", meant || "");
      } else if (match[2] !== undefined && !declared.has(match[1] || "")) {
        message = (messages.prefix || "{prefix}:").replace("{prefix}", match[1] || "");
      }
      if (message && !reportedHere) {
        found.push({ from: match.index, to: match.index + match[0].length, severity: "error", message });
      }
    }
    return found;
  };
}

function enhance(textarea) {
  const vocabulary = vocabularyOf(textarea);
  const where = document.querySelector(".query-error [data-line]");
  const reported = where && {
    line: parseInt(where.getAttribute("data-line"), 10),
    column: parseInt(where.getAttribute("data-column"), 10),
    message: where.textContent,
  };
  const form = textarea.form;
  const submit = () => {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  };
  const label = document.querySelector('label[for="' + textarea.id + '"]');
  // CodeMirror writes its styles into a <style> element, which the page's CSP refuses, except inside a shadow
  // root, where it adopts a constructed style sheet instead: so the editor lives in one.
  const host = document.createElement("div");
  host.className = "sparql-editor-host";
  const root = host.attachShadow({ mode: "open" });
  textarea.parentNode.insertBefore(host, textarea.nextSibling);
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: [completer(vocabulary)], activateOnTyping: true }),
        linter(diagnostics(vocabulary, reported, textarea.value), { delay: 300 }),
        lintGutter(),
        keymap.of([{ key: "Mod-Enter", run: submit }, ...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": label ? label.textContent : "SPARQL", spellcheck: "false" }),
        THEME,
      ],
    }),
  });
  textarea.classList.add("replaced-by-editor");
  view.dom.classList.add("sparql-codemirror");
  form.addEventListener("submit", () => {
    textarea.value = view.state.doc.toString();
    const limit = parseInt(textarea.getAttribute("data-url-limit") || "8000", 10);
    if (form.action.length + encodeURIComponent(textarea.value).length > limit) { form.method = "post"; }
  });
  if (label) { label.addEventListener("click", () => view.focus()); }
  if (reported && reported.line >= 1 && reported.line <= view.state.doc.lines) {
    const line = view.state.doc.line(reported.line);
    const anchor = Math.min(line.from + Math.max(0, reported.column - 1), line.to);
    view.dispatch({ selection: { anchor }, scrollIntoView: true });
    view.focus();
  }
  window.kzsEditor = view; // for the browser tests and the curious
}

document.querySelectorAll("textarea[data-sparql-editor]").forEach(enhance);
