"use strict";
// What every dashboard script shares: settings, the page's state, words, formats and days.
const TOKEN_KEY = "redgrid.stats.token";
const LANG_KEY = "redgrid.stats.lang";
const REFRESH_MS = 15000;
const TZ = "Asia/Shanghai";
const COLORS = ["#c0392b", "#2e8b57", "#d68910", "#2471a3", "#7d3c98", "#839192"];
const state = { lang: localStorage.getItem(LANG_KEY) || "zh", categories: {}, charts: {},
                timer: null, data: null };
const $ = (id) => document.getElementById(id);
const t = (key) => (I18N[state.lang] || I18N.zh)[key] || key;

// --- formatting: one function per kind of figure, mirrored by the browser test ----------
const fmt = {
  count: (v) => (v === null || v === undefined ? "—" : String(v)),
  rate: (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`),
  score: (v) => (v === null || v === undefined ? "—" : v.toFixed(2)),
  money: (v) => (v === null || v === undefined ? "—" : `¥${Number(v).toFixed(2)}`),
};

function category(code) {
  const c = state.categories[code];
  return c ? (state.lang === "en" ? c.label_en : c.label_zh) : code;
}

// --- dates: Shanghai calendar days, as the API reads them ------------------------------
function shanghaiToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date());
}
function monthStart(day, monthsBack = 0) {
  const [y, m] = day.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 - monthsBack, 1));
  return d.toISOString().slice(0, 10);
}
function daysBefore(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}
function windowParams() {
  const form = new FormData($("scope-form"));
  const today = shanghaiToday();
  const params = new URLSearchParams();
  const from = { month: monthStart(today), "30d": daysBefore(today, 29),
                 year: monthStart(today, 12), all: null }[form.get("window")];
  if (from) params.set("from", from);
  if (form.get("grid")) params.set("grid", form.get("grid"));
  return params;
}
// The year of the seed's figures: the twelve months before the current one.
function yearParams(extra = {}) {
  const today = shanghaiToday();
  return new URLSearchParams({ from: monthStart(today, 12), to: monthStart(today), ...extra });
}

