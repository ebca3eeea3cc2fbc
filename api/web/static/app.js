// hrq web page: sign in with a key, ask, see the answer, table, chart, SQL; download; leaderboard.
// Plain JS, no build step, no external resources.
"use strict";
(function () {
  const T = {
    zh: {
      title: "hrq 人力数据问答", switch: "English", signout: "退出", keyLabel: "API 密钥", signin: "登录",
      keyHint: "向管理员索取密钥（hrq keys create）。密钥只保存在本标签页。", askPlaceholder: "例如：上个月各部门销售额",
      ask: "提问", newChat: "新对话", leaderboard: "部门月度排行榜", deptPlaceholder: "部门，如 成都销售组", show: "查看",
      sql: "查看 SQL", trace: "计算过程", download: "下载", badKey: "密钥无效或已撤销，请重新登录。", thinking: "思考中…",
      checking: "正在验证密钥…", refusedKey: "密钥无效或已撤销，请检查后重试。",
      median: "中位数", empty: "没有数据。", failed: "请求失败",
      downloadCsv: "下载 CSV", downloadXlsx: "下载 XLSX", boardOf: "{dept} {month} · 部门中位数 {median}",
      statementTitle: "奖金结算单", employeePlaceholder: "员工编号，如 E00021（留空：我自己）", downloadPdf: "下载 PDF",
      sales: "业绩", minTarget: "最低目标", deptMedian: "部门中位数", gap: "与中位数差距", eligible: "奖金资格",
      bonus: "奖金（结账时）", adjustment: "调整", finalBonus: "最终奖金", yes: "是", no: "否",
      source: "结账快照第 {version} 版 · 结算单第 {sv} 版 · 哈希 {hash}", changed: "注意：结账后实时数据有变，结算单仍以结账快照为准。",
      dispute: "我的奖金不对", disputeReason: "哪里不对？例如：10月25日的订单没有算进去", disputeSend: "提交异议", cancel: "取消",
      disputeOpened: "已提交异议 #{id}（{month}第 {version} 版结账，奖金 {bonus}），HR 处理后会通知你。",
      disputeAlready: "你已有一个未处理的异议 #{id}（{month}第 {version} 版结账），HR 处理后会通知你。",
      needEmployee: "请输入员工编号。",
    },
    en: {
      title: "hrq HR assistant", switch: "中文", signout: "Sign out", keyLabel: "API key", signin: "Sign in",
      keyHint: "Ask an admin for a key (hrq keys create). It is kept in this tab only.", askPlaceholder: "e.g. Sales by department last month",
      ask: "Ask", newChat: "New chat", leaderboard: "Monthly department leaderboard", deptPlaceholder: "Department, e.g. Chengdu Sales Team", show: "Show",
      sql: "Show SQL", trace: "Calculation", download: "Download", badKey: "Invalid or revoked key; please sign in again.", thinking: "Thinking…",
      checking: "Checking the key…", refusedKey: "Invalid or revoked key; check it and try again.",
      median: "median", empty: "No data.", failed: "Request failed",
      downloadCsv: "Download CSV", downloadXlsx: "Download XLSX", boardOf: "{dept} {month} · department median {median}",
      statementTitle: "Bonus statement", employeePlaceholder: "Employee no., e.g. E00021 (empty: mine)", downloadPdf: "Download PDF",
      sales: "Sales", minTarget: "Minimum target", deptMedian: "Department median", gap: "Gap to the median", eligible: "Bonus eligible",
      bonus: "Bonus as closed", adjustment: "Adjustments", finalBonus: "Final bonus", yes: "yes", no: "no",
      source: "Close version {version} · statement version {sv} · hash {hash}", changed: "Note: live data changed since the close; the statement stays on the snapshot.",
      dispute: "Dispute my bonus", disputeReason: "What is wrong? e.g. the order of Oct 25 is missing", disputeSend: "Send dispute", cancel: "Cancel",
      disputeOpened: "Dispute #{id} sent ({month}, close version {version}, bonus {bonus}); HR will tell you the outcome.",
      disputeAlready: "You already have dispute #{id} open ({month}, close version {version}); HR will tell you the outcome.",
      needEmployee: "Enter an employee no.",
    },
  };
  const store = window.sessionStorage;
  let lang = store.getItem("hrq.lang") || "zh";
  let lastBoard = null;
  let me = null;  // who the key belongs to (GET /v1/me)
  let lastStatement = null;  // {employee, month} of the statement shown
  const $ = (id) => document.getElementById(id);
  const t = (k) => T[lang][k] || k;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    document.title = t("title");
    if (lastBoard) renderBoard(lastBoard);
    if (lastStatement) showStatement(lastStatement.employee, lastStatement.month);
  }

  async function errorMessage(response) {
    if (response.status === 401) return t("badKey");
    try { const body = await response.json(); return body.error.message; } catch (e) { /* not JSON */ }
    return t("failed") + " (" + response.status + ")";
  }

  async function api(path, options) {
    const key = store.getItem("hrq.key");
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers = Object.assign({ Authorization: "Bearer " + key }, opts.headers);
    const response = await fetch(path, opts);
    if (response.status === 401) {
      // Revoked while signed in: back to the sign-in screen, with nothing of the session left.
      signOut(t("badKey"));
      throw Object.assign(new Error(t("badKey")), { signedOut: true });
    }
    if (!response.ok) throw new Error(await errorMessage(response));
    return response;
  }

  // A key is checked (GET /v1/me) before the app is shown: a bad one is refused right here.
  async function signIn(key) {
    const button = $("signin-form").querySelector("button");
    button.disabled = true; $("signin-error").textContent = t("checking");
    try {
      const response = await fetch("/v1/me", { headers: { Authorization: "Bearer " + key } });
      if (!response.ok) {
        signOut(response.status === 401 ? t("refusedKey") : await errorMessage(response));
        return;
      }
      me = await response.json();
      store.setItem("hrq.key", key); $("signin-error").textContent = ""; showApp(true);
      // HR, admins and managers look up someone's statement; everyone else sees their own.
      $("statement-employee").hidden = !["hr", "admin", "manager"].includes(me.role) && !!me.employee_no;
      showLinkedAnswer();
    } catch (err) {
      signOut(t("failed"));
    } finally {
      button.disabled = false;
    }
  }

  function showApp(signedIn) {
    $("signin").hidden = signedIn; $("app").hidden = !signedIn; $("signout").hidden = !signedIn;
  }
  function signOut(message) {
    store.removeItem("hrq.key"); store.removeItem("hrq.conversation");
    $("messages").replaceChildren(); $("board").replaceChildren(); lastBoard = null;
    $("statement").replaceChildren(); lastStatement = null; me = null;
    showApp(false); $("signin-error").textContent = message || "";
  }

  const isNum = (v) => typeof v === "number" && isFinite(v);
  const NUMERIC = new Set(["money", "count", "number", "percent"]);

  // Money to the cent (half-up, as the sentence says it), thousands separated.
  function money(v) {
    const cents = Math.round(Math.abs(v) * 100 + 1e-6);
    const text = (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (v < 0 && cents ? "-" : "") + "¥" + text;
  }
  function monthWords(v, language) {
    const m = /^(\d{4})-(\d{2})/.exec(String(v));
    if (!m) return String(v);
    const year = Number(m[1]), month = Number(m[2]);
    if (language === "zh") return `${year}年${month}月`;
    return new Date(Date.UTC(year, month - 1, 1)).toLocaleString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
  }

  // One value as a person reads it: the column's format says how (money, a month, a coded value in words).
  function show(v, format, language) {
    if (v === null || v === undefined) return "—";
    const values = (format && format.values) || {};
    if (Object.prototype.hasOwnProperty.call(values, String(v))) return values[String(v)];
    const kind = format ? format.kind : isNum(v) ? "number" : "text";
    if (v === true || v === false) return v ? "✓" : "✗";
    if (!isNum(v)) return kind === "month" ? monthWords(v, language) : String(v);
    if (kind === "money") return money(v);
    if (kind === "percent") return (v * 100).toFixed(1) + " %";
    if (kind === "count") return Math.round(v).toLocaleString("en-US");
    if (kind === "text") return String(v);
    return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }

  function sortableTable(columns, rows, formats, language) {
    const fmts = columns.map((c, i) => (formats && formats[i]) || null);
    // A Chinese answer's English twin columns (部门_en) are for English readers.
    const shown = columns.map((c, i) => i).filter((i) => !(language === "zh" && columns[i].endsWith("_en")));
    const table = el("table", { class: "result" });
    const head = el("tr");
    const body = el("tbody");
    let order = { col: -1, dir: 1 };
    function render() {
      body.replaceChildren(...rows.map((r) => el("tr", {}, ...shown.map((i) => {
        const numeric = fmts[i] ? NUMERIC.has(fmts[i].kind) : isNum(r[i]);
        return el("td", { class: numeric ? "num" : "" }, show(r[i], fmts[i], language));
      }))));
    }
    shown.forEach((i) => head.append(el("th", { scope: "col", onclick: () => {
      order = { col: i, dir: order.col === i ? -order.dir : 1 };
      rows = rows.slice().sort((a, b) => {
        const x = a[i], y = b[i];
        if (x === y) return 0; if (x === null) return 1; if (y === null) return -1;
        return (isNum(x) && isNum(y) ? x - y : String(x).localeCompare(String(y), "zh")) * order.dir;
      });
      head.querySelectorAll("th").forEach((th, j) => { th.className = shown[j] === i ? (order.dir > 0 ? "asc" : "desc") : ""; });
      render();
    } }, columns[i])));
    table.append(el("thead", {}, head), body);
    render();
    return el("div", { class: "table-wrap" }, table);
  }

  // Horizontal bars of the measure asked for, one per row: readable at any width and at
  // dozens of rows. A long label is cut, its full text on hover; a reference line
  // (the department median) when there is one.
  function barChart(spec) {
    const { labels, values, title, kind, reference, referenceLabel, language } = spec;
    const numbers = values.map((v) => (isNum(v) ? v : 0));
    const lo = Math.min(0, ...numbers, isNum(reference) ? reference : 0);
    const hi = Math.max(0, ...numbers, isNum(reference) ? reference : 0);
    const span = hi - lo || 1;
    const at = (v) => ((v - lo) / span) * 100;
    const format = { kind, values: {} };
    const caption = el("figcaption", {}, el("span", { class: "measure" }, title));
    if (isNum(reference)) {
      caption.append(el("span", { class: "legend" }, `┆ ${referenceLabel || t("median")} ${show(reference, format, language)}`));
    }
    const figure = el("figure", { class: "chart", role: "img", "aria-label": title, "data-measure": title }, caption);
    labels.forEach((label, i) => {
      const full = String(label);
      const bar = el("span", { class: "bar" + (numbers[i] < 0 ? " negative" : "") });
      bar.style.left = at(Math.min(0, numbers[i])) + "%";
      bar.style.width = Math.max((Math.abs(numbers[i]) / span) * 100, 0.5) + "%";
      const track = el("span", { class: "track" }, bar);
      if (isNum(reference)) {
        const line = el("span", { class: "reference" });
        line.style.left = at(reference) + "%";
        track.append(line);
      }
      figure.append(el("div", { class: "bar-row", title: `${full}: ${show(values[i], format, language)}` },
        el("span", { class: "bar-label" }, full),
        track,
        el("span", { class: "bar-value" }, show(values[i], format, language))));
    });
    return figure;
  }

  async function download(answerId, format) {
    const response = await api("/v1/reports", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answer_id: answerId, format }) });
    const blob = await response.blob();
    const a = el("a", { href: URL.createObjectURL(blob), download: `hrq-report.${format}` });
    document.body.append(a); a.click(); a.remove();
  }

  function renderAnswer(ans) {
    const language = ans.language || lang;
    const box = el("div", { class: "msg a " + ans.kind, "data-kind": ans.kind, lang: language === "zh" ? "zh-CN" : "en" });
    box.append(el("p", { class: "sentence" }, ans.answer));
    if (ans.interpretation) box.append(el("p", { class: "interpretation" }, ans.interpretation));
    const choices = ans.kind === "clarification" ? ans.options : ans.kind === "refusal" ? ans.examples : [];
    if (choices && choices.length) {
      box.append(el("div", { class: "options" }, ...choices.map((o) => el("button", { type: "button", onclick: () => ask(o) }, o))));
    }
    if (ans.columns && ans.columns.length && ans.rows.length) {
      box.append(sortableTable(ans.columns, ans.rows, ans.formats, language));
      const chart = ans.chart;
      if (chart) {
        let bars = ans.rows;
        if (chart.sort) bars = bars.slice().sort((a, b) => (isNum(b[chart.value]) ? b[chart.value] : -Infinity) - (isNum(a[chart.value]) ? a[chart.value] : -Infinity));
        box.append(barChart({ labels: bars.map((r) => show(r[chart.label], (ans.formats || [])[chart.label], language)),
          values: bars.map((r) => r[chart.value]), title: chart.title, kind: chart.kind,
          reference: chart.reference, referenceLabel: chart.reference_label, language }));
      }
      box.append(el("div", { class: "downloads" },
        el("button", { type: "button", class: "dl-csv", "data-i18n": "downloadCsv", onclick: () => download(ans.answer_id, "csv").catch(showError) }, t("downloadCsv")),
        el("button", { type: "button", class: "dl-xlsx", "data-i18n": "downloadXlsx", onclick: () => download(ans.answer_id, "xlsx").catch(showError) }, t("downloadXlsx"))));
    }
    if (ans.sql) box.append(el("details", {}, el("summary", { "data-i18n": "sql" }, t("sql")), el("pre", { class: "sql" }, ans.sql)));
    if (ans.trace && ans.trace.length) {
      box.append(el("details", {}, el("summary", { "data-i18n": "trace" }, t("trace")), el("pre", { class: "trace" }, ans.trace.join("\n"))));
    }
    if (ans.notes && ans.notes.length) box.append(el("p", { class: "notes" }, ans.notes.join("; ")));
    return box;
  }

  function showError(err) {
    if (err.signedOut) return;  // the sign-in screen says why
    $("messages").append(el("div", { class: "msg a error", "data-kind": "error" }, el("p", { class: "sentence" }, err.message)));
  }

  async function ask(question) {
    const messages = $("messages");
    messages.append(el("div", { class: "msg q" }, el("span", {}, question)));
    const pending = el("p", { class: "note" }, t("thinking"));
    messages.append(pending);
    const body = { question };
    const cid = store.getItem("hrq.conversation");
    if (cid) body.conversation_id = cid;
    try {
      const response = await api("/v1/ask", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const ans = await response.json();
      if (ans.conversation_id) store.setItem("hrq.conversation", ans.conversation_id);
      pending.replaceWith(renderAnswer(ans));
    } catch (err) { pending.remove(); showError(err); }
    messages.scrollTop = messages.scrollHeight;
  }

  // The leaderboard card, in the page's language (drawn again when the language switches).
  function renderBoard(board) {
    const columns = (board.labels && board.labels[lang]) || board.columns;
    const name = board.columns.indexOf("name"), sales = board.columns.indexOf("sales");
    const salesFormat = (board.formats || [])[sales] || { kind: "money" };
    const summary = t("boardOf").replace("{dept}", board.department).replace("{month}", monthWords(board.month, lang))
      .replace("{median}", show(board.median, salesFormat, lang));
    const parts = [
      el("p", { class: "sentence" }, summary),
      sortableTable(columns, board.rows, board.formats, lang),
      barChart({ labels: board.rows.map((r) => r[name]), values: board.rows.map((r) => r[sales]), title: columns[sales],
        kind: "money", reference: board.median, referenceLabel: t("median"), language: lang }),
    ];
    if (board.scope_note) parts.push(el("p", { class: "note" }, board.scope_note));
    $("board").replaceChildren(...parts);
  }

  async function showBoard(month, department) {
    const params = new URLSearchParams({ month });
    if (department) params.set("department", department);
    try {
      lastBoard = await (await api("/v1/leaderboard?" + params)).json();
      renderBoard(lastBoard);
    } catch (err) { if (!err.signedOut) { lastBoard = null; $("board").replaceChildren(el("p", { class: "error" }, err.message)); } }
  }

  const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.replace("{" + k + "}", v), text);

  // A statement file (XLSX or PDF) saved under the name the server gives it.
  async function downloadStatement(employee, month, format) {
    const params = new URLSearchParams({ format, lang });
    const response = await api(`/v1/statements/${encodeURIComponent(employee)}/${month}?` + params);
    const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const blob = await response.blob();
    const a = el("a", { href: URL.createObjectURL(blob), download: named ? named[1] : `statement.${format}` });
    document.body.append(a); a.click(); a.remove();
  }

  // The dispute form under one's own statement: POST /v1/disputes with the month and why.
  function disputeForm(doc, box) {
    const reason = el("textarea", { id: "dispute-reason", rows: "2", maxlength: "500", placeholder: t("disputeReason") });
    const result = el("p", { class: "sentence dispute-result", role: "status" });
    const form = el("form", { class: "dispute-form" }, reason,
      el("div", { class: "downloads" },
        el("button", { type: "submit", class: "dispute-send" }, t("disputeSend")),
        el("button", { type: "button", class: "dispute-cancel", onclick: () => form.remove() }, t("cancel"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { month: doc.month };
      if (reason.value.trim()) body.reason = reason.value.trim();
      try {
        const response = await api("/v1/disputes", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        const d = await response.json();
        const values = { id: d.dispute_id, month: monthWords(d.month, lang), version: d.version, bonus: money(d.bonus) };
        result.textContent = fill(t(d.created ? "disputeOpened" : "disputeAlready"), values);
        result.dataset.disputeId = d.dispute_id;
        form.replaceWith(result);
      } catch (err) { if (!err.signedOut) { result.className = "error"; result.textContent = err.message; form.append(result); } }
    });
    box.append(form);
    reason.focus();
  }

  // A median (and the gap to it) keeps its third decimal when it has one, as the statement says it.
  function exact(v) {
    const mills = Math.round(Math.abs(v) * 1000);
    if (mills % 10 === 0) return money(v);
    const text = (mills / 1000).toLocaleString("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
    return (v < 0 ? "-" : "") + "¥" + text;
  }

  function renderStatement(doc) {
    const figure = (label, value, cls) => [el("dt", {}, label), el("dd", { class: cls || "" }, value)];
    const rows = [
      ...figure(t("sales"), money(doc.sales)),
      ...figure(t("minTarget"), money(doc.min_target) + " " + (doc.met_minimum ? "✓" : "✗")),
      ...figure(t("deptMedian"), exact(doc.median.value)),
      ...figure(t("gap"), (doc.gap > 0 ? "+" : "") + exact(doc.gap)),
      ...figure(t("eligible"), t(doc.eligible ? "yes" : "no"), "flag"),
      ...figure(t("bonus"), money(doc.bonus), "strong"),
    ];
    if (doc.adjustments.length) {
      rows.push(...figure(t("adjustment"), (doc.adjustment > 0 ? "+" : "") + money(doc.adjustment)),
        ...figure(t("finalBonus"), money(doc.final_bonus), "strong"));
    }
    const box = el("div", { class: "statement", "data-employee": doc.employee_no, "data-month": doc.month, lang: doc.language === "zh" ? "zh-CN" : "en" },
      el("p", { class: "sentence" }, doc.lines[0]),
      el("dl", { class: "figures" }, ...rows),
      el("details", { open: "" }, el("summary", {}, t("trace")), el("ul", { class: "lines" }, ...doc.lines.slice(1).map((l) => el("li", {}, l)))),
      el("p", { class: "note source" }, fill(t("source"), { version: doc.version, sv: doc.statement_version, hash: doc.hash.slice(0, 16) })));
    if (doc.changed_since_close) box.append(el("p", { class: "notes" }, t("changed")));
    const actions = el("div", { class: "downloads" },
      el("button", { type: "button", class: "dl-st-xlsx", onclick: () => downloadStatement(doc.employee_no, doc.month, "xlsx").catch(showStatementError) }, t("downloadXlsx")),
      el("button", { type: "button", class: "dl-st-pdf", onclick: () => downloadStatement(doc.employee_no, doc.month, "pdf").catch(showStatementError) }, t("downloadPdf")));
    // Only the person may dispute their own bonus (the dispute API opens the key owner's).
    if (me && me.employee_no === doc.employee_no) {
      actions.append(el("button", { type: "button", class: "dispute", onclick: (e) => {
        if (!box.querySelector(".dispute-form")) disputeForm(doc, box);
      } }, t("dispute")));
    }
    box.append(actions);
    return box;
  }

  function showStatementError(err) {
    if (!err.signedOut) $("statement").replaceChildren(el("p", { class: "error" }, err.message));
  }

  async function showStatement(employee, month) {
    if (!employee) { showStatementError(new Error(t("needEmployee"))); return; }
    lastStatement = { employee, month };
    try {
      const params = new URLSearchParams({ lang });
      const doc = await (await api(`/v1/statements/${encodeURIComponent(employee)}/${month}?` + params)).json();
      $("statement").replaceChildren(renderStatement(doc));
    } catch (err) { lastStatement = null; showStatementError(err); }
  }

  async function showLinkedAnswer() {
    // A WeCom message links to the full answer as /?answer=<id>.
    const answerId = new URLSearchParams(window.location.search).get("answer");
    if (!answerId || !store.getItem("hrq.key")) return;
    try {
      const ans = await (await api("/v1/answers/" + encodeURIComponent(answerId))).json();
      $("messages").append(el("div", { class: "msg q" }, el("span", {}, ans.question)), renderAnswer(ans));
    } catch (err) { showError(err); }
  }

  document.addEventListener("DOMContentLoaded", () => {
    applyLang();
    showApp(false);
    const stored = store.getItem("hrq.key");
    if (stored) signIn(stored);
    const now = new Date(); now.setMonth(now.getMonth() - 1);
    $("board-month").value = now.toISOString().slice(0, 7);
    $("statement-month").value = now.toISOString().slice(0, 7);
    $("statement-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const typed = $("statement-employee").hidden ? "" : $("statement-employee").value.trim();
      showStatement(typed || (me && me.employee_no) || "", $("statement-month").value);
    });
    $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; store.setItem("hrq.lang", lang); applyLang(); });
    $("signout").addEventListener("click", () => signOut());
    $("signin-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const key = $("key").value.trim();
      if (!key) return;
      $("key").value = "";
      signIn(key);
    });
    $("ask-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const q = $("question").value.trim();
      if (q) { $("question").value = ""; ask(q); }
    });
    $("question").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("ask-form").requestSubmit(); } });
    $("new-chat").addEventListener("click", () => { store.removeItem("hrq.conversation"); $("messages").replaceChildren(); });
    $("board-form").addEventListener("submit", (e) => { e.preventDefault(); showBoard($("board-month").value, $("board-dept").value.trim()); });
  });
})();
