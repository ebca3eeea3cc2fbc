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
    },
    en: {
      title: "hrq HR assistant", switch: "中文", signout: "Sign out", keyLabel: "API key", signin: "Sign in",
      keyHint: "Ask an admin for a key (hrq keys create). It is kept in this tab only.", askPlaceholder: "e.g. Sales by department last month",
      ask: "Ask", newChat: "New chat", leaderboard: "Monthly department leaderboard", deptPlaceholder: "Department, e.g. Chengdu Sales Team", show: "Show",
      sql: "Show SQL", trace: "Calculation", download: "Download", badKey: "Invalid or revoked key; please sign in again.", thinking: "Thinking…",
      checking: "Checking the key…", refusedKey: "Invalid or revoked key; check it and try again.",
      median: "median", empty: "No data.", failed: "Request failed",
    },
  };
  const store = window.sessionStorage;
  let lang = store.getItem("hrq.lang") || "zh";
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
      store.setItem("hrq.key", key); $("signin-error").textContent = ""; showApp(true);
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
    $("messages").replaceChildren(); $("board").replaceChildren();
    showApp(false); $("signin-error").textContent = message || "";
  }

  const isNum = (v) => typeof v === "number" && isFinite(v);
  const fmt = (v) => isNum(v) ? v.toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 2 })
    : v === null || v === undefined ? "—" : v === true ? "✓" : v === false ? "" : String(v);

  function sortableTable(columns, rows) {
    const table = el("table", { class: "result" });
    const head = el("tr");
    const body = el("tbody");
    let order = { col: -1, dir: 1 };
    function render() {
      body.replaceChildren(...rows.map((r) => el("tr", {}, ...r.map((v) => el("td", { class: isNum(v) ? "num" : "" }, fmt(v))))));
    }
    columns.forEach((c, i) => head.append(el("th", { onclick: () => {
      order = { col: i, dir: order.col === i ? -order.dir : 1 };
      rows = rows.slice().sort((a, b) => {
        const x = a[i], y = b[i];
        if (x === y) return 0; if (x === null) return 1; if (y === null) return -1;
        return (isNum(x) && isNum(y) ? x - y : String(x).localeCompare(String(y), "zh")) * order.dir;
      });
      head.querySelectorAll("th").forEach((th, j) => { th.className = j === i ? (order.dir > 0 ? "asc" : "desc") : ""; });
      render();
    } }, c)));
    table.append(el("thead", {}, head), body);
    render();
    return el("div", { class: "table-wrap" }, table);
  }

  // A chart when the result is a series or a ranking: one label column and a numeric column.
  function chartSpec(columns, rows) {
    if (rows.length < 2 || rows.length > 60 || columns.length < 2) return null;
    let value = -1;
    for (let i = columns.length - 1; i >= 0; i--) {
      if (rows.every((r) => isNum(r[i]) || r[i] === null) && rows.some((r) => isNum(r[i]))) { value = i; break; }
    }
    if (value < 0) return null;
    let label = columns.findIndex((c, i) => i !== value && rows.every((r) => typeof r[i] === "string"));
    if (label < 0) label = 0;
    if (label === value) return null;
    return { label, value, title: columns[value] };
  }

  function barChart(labels, values, title, median) {
    const NS = "http://www.w3.org/2000/svg";
    const n = labels.length, W = Math.max(360, n * 46), H = 260, top = 24, bottom = 70, left = 70;
    const max = Math.max(...values.map((v) => Math.abs(v || 0)), median || 0, 1);
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${W + left} ${H}`); svg.setAttribute("class", "chart");
    svg.setAttribute("role", "img"); svg.setAttribute("aria-label", title);
    const add = (tag, attrs, text) => {
      const node = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      svg.append(node); return node;
    };
    const plotH = H - top - bottom, bw = W / n;
    add("text", { x: left, y: 14 }, title);
    add("line", { x1: left, y1: top + plotH, x2: left + W, y2: top + plotH, stroke: "#999" });
    add("text", { x: left - 6, y: top + 10, "text-anchor": "end" }, fmt(max));
    values.forEach((v, i) => {
      const h = Math.abs(v || 0) / max * plotH;
      const bar = add("rect", { x: left + i * bw + bw * 0.15, y: top + plotH - h, width: bw * 0.7, height: h, fill: (v || 0) < 0 ? "#c0504d" : "#1f4e79" });
      bar.append(Object.assign(document.createElementNS(NS, "title"), { textContent: `${labels[i]}: ${fmt(v)}` }));
      add("text", { x: left + i * bw + bw / 2, y: top + plotH + 14, "text-anchor": "end",
        transform: `rotate(-35 ${left + i * bw + bw / 2} ${top + plotH + 14})` }, String(labels[i]).slice(0, 14));
    });
    if (median) {
      const y = top + plotH - median / max * plotH;
      add("line", { x1: left, y1: y, x2: left + W, y2: y, stroke: "#e08a00", "stroke-dasharray": "5 3" });
      add("text", { x: left + W - 4, y: y - 4, "text-anchor": "end" }, `${t("median")} ${fmt(median)}`);
    }
    return svg;
  }

  async function download(answerId, format) {
    const response = await api("/v1/reports", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answer_id: answerId, format }) });
    const blob = await response.blob();
    const a = el("a", { href: URL.createObjectURL(blob), download: `hrq-report.${format}` });
    document.body.append(a); a.click(); a.remove();
  }

  function renderAnswer(ans) {
    const box = el("div", { class: "msg a " + ans.kind, "data-kind": ans.kind });
    box.append(el("p", { class: "sentence" }, ans.answer));
    if (ans.interpretation) box.append(el("p", { class: "interpretation" }, ans.interpretation));
    const choices = ans.kind === "clarification" ? ans.options : ans.kind === "refusal" ? ans.examples : [];
    if (choices && choices.length) {
      box.append(el("div", { class: "options" }, ...choices.map((o) => el("button", { type: "button", onclick: () => ask(o) }, o))));
    }
    if (ans.columns && ans.columns.length && ans.rows.length) {
      box.append(sortableTable(ans.columns, ans.rows));
      const spec = chartSpec(ans.columns, ans.rows);
      if (spec) box.append(barChart(ans.rows.map((r) => r[spec.label]), ans.rows.map((r) => r[spec.value]), spec.title));
      box.append(el("div", { class: "downloads" },
        el("button", { type: "button", class: "dl-csv", onclick: () => download(ans.answer_id, "csv").catch(showError) }, t("download") + " CSV"),
        el("button", { type: "button", class: "dl-xlsx", onclick: () => download(ans.answer_id, "xlsx").catch(showError) }, t("download") + " XLSX")));
    }
    if (ans.notes && ans.notes.length) box.append(el("p", { class: "notes" }, ans.notes.join("; ")));
    if (ans.sql) box.append(el("details", {}, el("summary", {}, t("sql")), el("pre", { class: "sql" }, ans.sql)));
    if (ans.trace && ans.trace.length) box.append(el("details", {}, el("summary", {}, t("trace")), el("pre", {}, ans.trace.join("\n"))));
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

  async function showBoard(month, department) {
    const params = new URLSearchParams({ month });
    if (department) params.set("department", department);
    const target = $("board");
    try {
      const board = await (await api("/v1/leaderboard?" + params)).json();
      const name = board.columns.indexOf("name"), sales = board.columns.indexOf("sales");
      target.replaceChildren(
        el("p", { class: "sentence" }, `${board.department} ${board.month} · ${t("median")} ${fmt(board.median)}`),
        barChart(board.rows.map((r) => r[name]), board.rows.map((r) => r[sales]), board.department, board.median),
        sortableTable(board.columns, board.rows),
        board.scope_note ? el("p", { class: "note" }, board.scope_note) : null);
    } catch (err) { if (!err.signedOut) target.replaceChildren(el("p", { class: "error" }, err.message)); }
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
