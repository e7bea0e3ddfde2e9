import { formProblems } from '../form-rules.ts';
import { DASHBOARD_SCRIPT } from './dashboard-script.ts';

/**
 * The dashboard's one page: plain HTML and CSS, and a script of our own (dashboard-script.ts)
 * that reads the JSON routes. The chart library is served from node_modules by the server, so
 * the page needs nothing from outside 127.0.0.1.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cryptotrader dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/dashboard.css">
<link rel="icon" href="data:,">
</head>
<body>
<header><h1>cryptotrader dashboard</h1><span id="status-line"></span></header>
<main>
<section id="runs-section">
  <h2>Runs</h2>
  <div class="filters">
    <label>mode <select id="f-mode"><option value="">all</option></select></label>
    <label>status <select id="f-status"><option value="">all</option></select></label>
    <label>strategy <select id="f-strategy"><option value="">all</option></select></label>
    <label>symbol <select id="f-symbol"><option value="">all</option></select></label>
    <button id="compare-button" type="button" disabled>Compare selected</button>
    <span id="runs-count"></span>
  </div>
  <div class="scroll"><table id="runs"><thead><tr>
    <th></th>
    <th data-sort="startedAt">started</th><th data-sort="id">run</th><th data-sort="mode">mode</th><th data-sort="status">status</th>
    <th data-sort="strategies">strategies</th><th data-sort="symbols">symbols</th><th data-sort="timeframe">tf</th>
    <th data-sort="returns.totalReturn" class="num">return</th><th data-sort="drawdown.maxDrawdown" class="num">max DD</th>
    <th data-sort="returns.sharpe" class="num">sharpe</th><th data-sort="trades.count" class="num">trades</th>
    <th data-sort="equity" class="num">equity</th><th>report</th>
  </tr></thead><tbody></tbody></table></div>
</section>
<section id="compare-section" hidden>
  <h2>Comparison</h2>
  <table id="compare-table"></table>
  <div id="compare-chart" class="chart"></div>
</section>
<section id="run-section" hidden>
  <h2>Run <span id="run-title"></span></h2>
  <div id="run-meta"></div>
  <div id="run-chart" class="chart"></div>
  <div class="two">
    <div><h3>Open positions</h3><table id="run-positions"></table></div>
    <div><h3>Recent signals</h3><table id="run-signals"></table></div>
  </div>
</section>
<section id="form-section">
  <h2>Start a backtest</h2>
  <form id="backtest-form" novalidate>
    <div class="grid">
      <label>strategy <select name="strategy" id="form-strategy"></select></label>
      <label>symbols <input name="symbols" id="form-symbols" placeholder="BTC/USDT,ETH/USDT"></label>
      <label>timeframe <select name="timeframe" id="form-timeframe"></select></label>
      <label>from <input name="from" id="form-from" placeholder="YYYY-MM-DD"></label>
      <label>to <input name="to" id="form-to" placeholder="YYYY-MM-DD"></label>
    </div>
    <p id="form-description" class="muted"></p>
    <fieldset><legend>parameters</legend><div id="form-params" class="grid"></div></fieldset>
    <button type="submit" id="form-submit">Start backtest</button>
  </form>
  <pre id="form-errors" class="errors" hidden></pre>
  <table id="jobs"></table>
</section>
<section id="strategies-section">
  <h2>Strategies</h2>
  <div id="strategies"></div>
</section>
</main>
<script src="/assets/lightweight-charts.js"></script>
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { display: flex; gap: 1em; align-items: baseline; padding: 0.6em 1.2em; background: #1d2330; color: #fff; }
header h1 { font-size: 1.2em; margin: 0; }
main { padding: 0 1.2em 2em; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 0.6em 1em 1em; margin-top: 1em; }
h2 { font-size: 1.1em; } h3 { font-size: 1em; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 0.25em 0.5em; border-bottom: 1px solid #eef0f3; white-space: nowrap; }
th[data-sort] { cursor: pointer; user-select: none; }
th.sorted-asc::after { content: ' \\25B2'; } th.sorted-desc::after { content: ' \\25BC'; }
.num { text-align: right; }
.scroll { overflow-x: auto; }
td.strategies, td.symbols { white-space: normal; max-width: 18em; }
#compare-table td, #compare-table th { white-space: normal; }
tr.running td { background: #fff8e1; }
tr.clickable { cursor: pointer; } tr.clickable:hover td { background: #eef4ff; }
.filters { display: flex; flex-wrap: wrap; gap: 1em; align-items: center; margin-bottom: 0.5em; }
.chart { height: 320px; margin-top: 0.8em; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 0.6em; }
.grid label { display: flex; flex-direction: column; font-size: 0.9em; }
input, select { font: inherit; padding: 0.2em; }
input.invalid { outline: 2px solid #d33; }
.errors { color: #b00020; background: #fff0f0; padding: 0.6em; white-space: pre-wrap; }
.muted { color: #667; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.pos { color: #0a7a33; } .neg { color: #b00020; }
.strategy { border-top: 1px solid #eef0f3; padding: 0.4em 0; }
`;

/** The page's script, with the form's rules (the very function the server checks with) in front of it. */
export function dashboardScript(): string {
  return `'use strict';\n${formProblems.toString()}\n${DASHBOARD_SCRIPT}`;
}
