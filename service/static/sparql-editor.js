// Syntax highlighting for the SPARQL query box, without any library.
//
// Progressive enhancement: the page works as a plain <form> with a <textarea>. With JavaScript, the
// textarea's text turns transparent over a <pre> that repeats it in colour; typing, scrolling and
// resizing keep the two in step. Ctrl+Enter (Cmd+Enter) runs the query. A query too long for a URL is
// sent by POST instead of GET.
(function () {
  "use strict";

  var KEYWORDS = new Set((
    "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT REDUCED AS OPTIONAL FILTER UNION " +
    "MINUS GRAPH SERVICE SILENT BIND VALUES UNDEF GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET NOT EXISTS IN " +
    "A TRUE FALSE INSERT DELETE DATA LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING DEFAULT ALL TO INTO"
  ).split(" "));
  var FUNCTIONS = new Set((
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE " +
    "ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS " +
    "TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI " +
    "ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR"
  ).split(" "));
  // One alternative per kind of token; the order matters where two could start at the same place.
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                                        // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                           // 3 IRI
    "([?$][\\w\\u00B7\\u00C0-\\uFFFF]+)",                                 // 4 variable
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                                     // 5 language tag
    "((?:[A-Za-z_\\u00C0-\\uFFFF][\\w.\\-\\u00C0-\\uFFFF]*)?:[\\w.\\-%:\\u00C0-\\uFFFF]*)", // 6 prefixed name
    "(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",                               // 7 number
    "([A-Za-z_]\\w*)"                                                    // 8 word
  ].join("|"), "g");
  var CLASSES = [null, "comment", "string", "iri", "variable", "langtag", "pname", "number"];

  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    var html = "", last = 0, match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      var kind = null;
      for (var group = 1; group < match.length; group++) {
        if (match[group] !== undefined) {
          kind = CLASSES[group] || null;
          if (group === 8) {
            var upper = match[0].toUpperCase();
            kind = KEYWORDS.has(upper) ? "keyword" : FUNCTIONS.has(upper) ? "function" : null;
          }
          break;
        }
      }
      html += escape(text.slice(last, match.index));
      html += kind ? '<span class="tok-' + kind + '">' + escape(match[0]) + "</span>" : escape(match[0]);
      last = TOKEN.lastIndex;
    }
    return html + escape(text.slice(last));
  }

  function enhance(textarea) {
    var wrapper = document.createElement("div");
    var pre = document.createElement("pre");
    var code = document.createElement("code");
    wrapper.className = "sparql-editor";
    pre.setAttribute("aria-hidden", "true");
    pre.appendChild(code);
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(pre);
    wrapper.appendChild(textarea);

    function follow() {
      pre.scrollTop = textarea.scrollTop;
      pre.scrollLeft = textarea.scrollLeft;
    }
    function render() {
      code.innerHTML = highlight(textarea.value) + "\n";  // the newline keeps a last empty line visible
      follow();
    }
    textarea.addEventListener("input", render);
    textarea.addEventListener("scroll", follow);
    textarea.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        if (textarea.form.requestSubmit) { textarea.form.requestSubmit(); } else { textarea.form.submit(); }
      }
    });
    textarea.form.addEventListener("submit", function () {
      var limit = parseInt(textarea.getAttribute("data-url-limit") || "8000", 10);
      var length = textarea.form.action.length + encodeURIComponent(textarea.value).length;
      if (length > limit) { textarea.form.method = "post"; }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(follow).observe(textarea);
    }
    wrapper.classList.add("highlighted");
    render();
    placeCaretAtError(textarea);
  }

  // After a syntax error the page names its line and column: put the caret there.
  function placeCaretAtError(textarea) {
    var where = document.querySelector(".query-error [data-line]");
    if (!where) { return; }
    var line = parseInt(where.getAttribute("data-line"), 10);
    var column = parseInt(where.getAttribute("data-column"), 10);
    var lines = textarea.value.split("\n");
    if (!(line >= 1 && line <= lines.length)) { return; }
    var offset = 0;
    for (var i = 0; i < line - 1; i++) { offset += lines[i].length + 1; }
    offset += Math.max(0, Math.min(column - 1, lines[line - 1].length));
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
  }

  var boxes = document.querySelectorAll("textarea[data-sparql-editor]");
  for (var i = 0; i < boxes.length; i++) { enhance(boxes[i]); }
})();
