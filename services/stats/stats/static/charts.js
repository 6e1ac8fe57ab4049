"use strict";
// The charts (Apache ECharts), drawn from the API's answers.
function chart(id) {
  if (!state.charts[id]) state.charts[id] = echarts.init($(id), null, { renderer: "canvas" });
  return state.charts[id];
}
const grid = { left: 8, right: 16, top: 30, bottom: 8, containLabel: true };
const legend = (names) => ({ data: names, top: 0 });

function bars(id, names, series, { horizontal = false } = {}) {
  const cat = { type: "category", data: names, axisLabel: { interval: 0, width: 140,
                overflow: "truncate" } };
  const val = { type: "value", minInterval: 1 };
  chart(id).setOption({
    color: COLORS, grid, tooltip: { trigger: "axis" }, legend: legend(series.map((s) => s.name)),
    xAxis: horizontal ? val : { ...cat, axisLabel: { rotate: names.length > 6 ? 40 : 0 } },
    yAxis: horizontal ? { ...cat, inverse: true } : val,
    series: series.map((s) => ({ type: "bar", name: s.name, data: s.data })),
  }, true);
}

// Daily points, or weekly sums over a long window (rates recomputed from the sums).
const SUMMED = ["collected", "handled", "signoffs", "on_time_signoffs", "completions",
                "on_time_completions"];
function periods(days) {
  const size = days.length > 62 ? 7 : 1;
  const out = [];
  for (let i = 0; i < days.length; i += size) {
    const chunk = days.slice(i, i + size);
    const point = { label: chunk[0].day.slice(5) };
    for (const k of SUMMED) point[k] = chunk.reduce((n, x) => n + (x[k] || 0), 0);
    out.push(point);
  }
  return out;
}

function renderCharts(d) {
  const s = d.summary;
  const codes = Object.keys(s.by_category).filter((k) => s.by_category[k] > 0);
  codes.sort((a, b) => s.by_category[b] - s.by_category[a]);
  bars("chart-category", codes.map(category),
       [{ name: t("collected"), data: codes.map((k) => s.by_category[k]) }], { horizontal: true });

  const days = periods(d.timeseries.days);
  chart("chart-trend").setOption({
    color: COLORS, grid, tooltip: { trigger: "axis" },
    legend: legend([t("collected"), t("handled")]),
    xAxis: { type: "category", data: days.map((x) => x.label) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "line", name: t("collected"), smooth: true, data: days.map((x) => x.collected) },
             { type: "line", name: t("handled"), smooth: true, data: days.map((x) => x.handled) }],
  }, true);

  const grids = d.grids.grids;
  bars("chart-grid", grids.map((g) => g.name || g.grid_id || t("unassigned")), [
    { name: t("collected"), data: grids.map((g) => g.figures.collected) },
    { name: t("handled"), data: grids.map((g) => g.figures.handled) }]);

  const people = d.staff.staff;
  bars("chart-person", people.map((p) => p.person), [
    { name: t("done"), data: people.map((p) => p.done) },
    { name: t("done_on_time"), data: people.map((p) => p.done_on_time) },
    { name: t("open"), data: people.map((p) => p.open) }]);

  const pct = (part, whole) => (whole ? Math.round((part / whole) * 1000) / 10 : null);
  chart("chart-ontime").setOption({
    color: COLORS, grid, tooltip: { trigger: "axis" },
    legend: legend([t("signoff"), t("completion")]),
    xAxis: { type: "category", data: days.map((x) => x.label) },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { type: "line", name: t("signoff"), connectNulls: true,
        data: days.map((x) => pct(x.on_time_signoffs, x.signoffs)) },
      { type: "line", name: t("completion"), connectNulls: true,
        data: days.map((x) => pct(x.on_time_completions, x.completions)) }],
  }, true);

  chart("chart-satisfaction").setOption({
    series: [{ type: "gauge", min: 0, max: 5, splitNumber: 5, progress: { show: true },
               axisLine: { lineStyle: { width: 14 } }, itemStyle: { color: COLORS[1] },
               detail: { formatter: (v) => (s.satisfaction === null ? "—" : v.toFixed(2)),
                         fontSize: 26, offsetCenter: [0, "60%"] },
               title: { offsetCenter: [0, "85%"] },
               data: [{ value: s.satisfaction || 0, name: `${t("ratings")} ${s.ratings ?? 0}` }] }],
  }, true);

  const camps = d.campaigns.campaigns;
  bars("chart-campaigns", camps.map((c) => c.name), [
    { name: t("issues"), data: camps.map((c) => c.issues) },
    { name: t("handled"), data: camps.map((c) => c.handled) }], { horizontal: true });

  const meetings = [...d.meetings.meetings].reverse();
  bars("chart-meetings", meetings.map((m) => m.meeting_date.slice(2)), [
    { name: t("decided"), data: meetings.map((m) => m.decisions) }]);
}

