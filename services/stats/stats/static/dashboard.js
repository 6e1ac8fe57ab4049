"use strict";
// The operations desk's page: the stats API drawn with ECharts, refreshed every 15 s.
// Every figure shown carries data-figure (where it comes from) and data-value (the API's
// value), so what the page shows can be checked against the API. Shared pieces: common.js;
// the charts: charts.js.

// --- the API --------------------------------------------------------------------------
class NoToken extends Error {}
async function api(path, params) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new NoToken(t("need_token"));
  const res = await fetch(`${path}${params ? `?${params}` : ""}`,
                          { headers: { Authorization: `Bearer ${token}` } });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    throw new NoToken(t("need_token"));
  }
  if (!res.ok) {
    let detail = res.statusText;
    try { detail = (await res.json()).error.message; } catch (_) { /* not our shape */ }
    throw new Error(`${path}: ${res.status} ${detail}`);
  }
  return res.json();
}

async function loadAll() {
  const scope = windowParams();
  const live = new URLSearchParams(scope.has("grid") ? { grid: scope.get("grid") } : {});
  // A daily series covers at most 366 days: the window's, or the last 365 (30 for "all").
  const series = new URLSearchParams(scope);
  const earliest = daysBefore(shanghaiToday(), 365);
  if (!series.has("from")) series.set("from", daysBefore(shanghaiToday(), 29));
  else if (series.get("from") < earliest) series.set("from", earliest);
  const [summary, timeseries, grids, staff, meetings, campaigns, year, atMeetings, overdue] =
    await Promise.all([
      api("/v1/stats/summary", scope), api("/v1/stats/timeseries", series),
      api("/v1/stats/grids", scope), api("/v1/stats/staff", scope),
      api("/v1/stats/meetings", scope), api("/v1/stats/campaigns", live),
      api("/v1/stats/summary", yearParams()),
      api("/v1/stats/summary", yearParams({ source: "meeting" })),
      api("/v1/stats/overdue", live),
    ]);
  const yearCampaigns = await api("/v1/stats/campaigns", yearParams());
  return { summary, timeseries, grids, staff, meetings, campaigns, year, atMeetings,
           yearCampaigns, overdue };
}

// --- figures -----------------------------------------------------------------------------
function card(key, figure, value, kind, { alert = false } = {}) {
  const el = document.createElement("div");
  el.className = alert && value ? "card alert" : "card";
  const n = document.createElement("div");
  n.className = "n";
  n.dataset.figure = figure;
  n.dataset.kind = kind;
  n.dataset.value = JSON.stringify(value === undefined ? null : value);
  n.textContent = fmt[kind](value);
  const k = document.createElement("div");
  k.className = "k";
  k.textContent = t(key);
  el.append(n, k);
  return el;
}

function renderCards(d) {
  const s = d.summary;
  const next = (d.meetings.upcoming || [])[0];
  $("cards").replaceChildren(
    card("collected", "summary.collected", s.collected, "count"),
    card("handled", "summary.handled", s.handled, "count"),
    card("handling_rate", "summary.handling_rate", s.handling_rate, "rate"),
    card("on_time_signoff_rate", "summary.on_time_signoff_rate", s.on_time_signoff_rate, "rate"),
    card("on_time_completion_rate", "summary.on_time_completion_rate",
         s.on_time_completion_rate, "rate"),
    card("satisfaction_avg", "summary.satisfaction", s.satisfaction, "score"),
    card("ratings", "summary.ratings", s.ratings, "count"),
    card("overdue_now", "summary.overdue_now", s.overdue_now, "count", { alert: true }),
    card("next_agenda", "meetings.upcoming.0.agenda", next ? next.agenda : 0, "count"),
    card("paid_repairs", "summary.paid_repairs", s.paid_repairs, "count"),
    card("income", "summary.income", s.income, "money"),
  );
  const y = d.year, c = d.yearCampaigns.campaigns || [];
  const byCat = y.by_category || {};
  const repairs = Object.keys(byCat).filter((k) => k.startsWith("repair."));
  const sum = (keys) => keys.reduce((n, k) => n + (byCat[k] || 0), 0);
  const inCampaigns = (codes) => c.filter((x) => x.categories.some((k) => codes.includes(k)))
    .reduce((n, x) => n + x.handled, 0);
  $("year-cards").replaceChildren(
    card("meetings_held", "year.meetings_held", y.meetings_held, "count"),
    card("meeting_collected", "meeting.collected", d.atMeetings.collected, "count"),
    card("meeting_handled", "meeting.handled", d.atMeetings.handled, "count"),
    card("red_property_jobs", "year.repairs", sum(repairs), "count"),
    ...repairs.map((k) => labelled(card("red_property_jobs", `year.by_category.${k}`,
                                        byCat[k], "count"), category(k))),
    card("fire_cleared", "campaigns.safety.fire.handled", inCampaigns(["safety.fire"]), "count"),
    card("env_solved", "campaigns.environment.handled",
         inCampaigns(["environment.sanitation", "dispute.neighbor"]), "count"),
    card("disputes_repairs", "year.disputes_and_repairs",
         sum([...repairs, "dispute.neighbor"]), "count"),
  );
}

function labelled(el, text) {
  el.querySelector(".k").textContent = text;
  return el;
}

function renderOverdue(d) {
  const tr = (cells, tag) => {
    const row = document.createElement("tr");
    for (const c of cells) {
      const cell = document.createElement(tag);
      cell.textContent = c;
      row.append(cell);
    }
    return row;
  };
  const when = (iso) => new Date(iso).toLocaleString(state.lang === "en" ? "en-GB" : "zh-CN",
                                                     { timeZone: TZ, dateStyle: "short",
                                                       timeStyle: "short" });
  $("overdue").tHead.replaceChildren(tr([t("issue"), t("category"), t("grid"), t("person"),
                                         t("status"), t("reported"), t("since")], "th"));
  const issues = d.overdue.issues;
  const body = issues.map((x) => {
    const row = tr([x.issue_id, category(x.category), x.grid_id || t("unassigned"),
                    [x.steward, x.repairer].filter(Boolean).join(" / "),
                    t(`status_${x.status}`), when(x.reported_at), when(x.since)], "td");
    row.dataset.issue = x.issue_id;
    return row;
  });
  $("overdue").tBodies[0].replaceChildren(...(body.length ? body : [tr([t("none")], "td")]));
  const total = $("overdue-total");
  Object.assign(total.dataset, { figure: "overdue.count", kind: "count",
                                 value: JSON.stringify(issues.length) });
  total.textContent = fmt.count(issues.length);
}

function renderGridChoices(d) {
  const select = $("scope-form").elements.grid;
  const chosen = select.value;
  const known = new Set([...select.options].map((o) => o.value));
  for (const g of d.grids.grids) {
    if (g.grid_id && !known.has(g.grid_id)) select.add(new Option(g.name || g.grid_id, g.grid_id));
  }
  select.value = chosen;
}

function render() {
  const d = state.data;
  if (!d) return;
  renderCards(d);
  renderCharts(d);
  renderOverdue(d);
  renderGridChoices(d);
  $("updated").textContent = `${t("updated")} ${new Date().toLocaleTimeString(
    state.lang === "en" ? "en-GB" : "zh-CN", { timeZone: TZ })}`;
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

// --- wiring ------------------------------------------------------------------------------
async function refresh() {
  clearTimeout(state.timer);
  try {
    state.data = await loadAll();
    $("message").textContent = "";
    $("login").hidden = true;
    render();
  } catch (err) {
    $("message").textContent = err.message;
    if (err instanceof NoToken) $("login").hidden = false;
  }
  if (sessionStorage.getItem(TOKEN_KEY)) state.timer = setTimeout(refresh, REFRESH_MS);
}

function translate() {
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  document.title = `RedGrid · ${t("title")}`;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  $("lang").textContent = state.lang === "en" ? "中文" : "EN";
}

function takeTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
    history.replaceState(null, "", location.pathname + location.search);  // off the URL bar
  }
}

async function start() {
  takeTokenFromFragment();
  translate();
  for (const c of await (await fetch("/dashboard/categories.json")).json()) {
    state.categories[c.code] = c;
  }
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "en" ? "zh" : "en";
    localStorage.setItem(LANG_KEY, state.lang);
    translate();
    render();
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = new FormData(e.target).get("token").trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    e.target.reset();
    refresh();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(state.timer);
    $("login").hidden = false;
  });
  $("scope-form").addEventListener("change", refresh);
  window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  if (sessionStorage.getItem(TOKEN_KEY)) refresh();
  else $("login").hidden = false;
}

document.addEventListener("DOMContentLoaded", start);
