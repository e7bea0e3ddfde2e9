/**
 * The dashboard page's script (plain browser JavaScript, sent as text; formProblems from
 * ../form-rules.ts is put in front of it). It only reads the JSON routes and posts the backtest
 * form; while a run or a started backtest is running it polls every second, so forward and
 * live runs show their equity, positions and signals as the daemon commits them.
 *
 * Written without template literals: this text is itself inside one.
 */
export const DASHBOARD_SCRIPT = String.raw`
// Every second while something runs (a started backtest, a daemon), else every few seconds.
var POLL_BUSY_MS = 1000;
var POLL_IDLE_MS = 4000;
var MODES = ['backtest', 'dry-run', 'forward', 'live'];
var STATUSES = ['running', 'completed', 'interrupted', 'failed', 'crashed', 'abandoned'];
var COMPARED = [
  ['returns.totalReturn', 'total return', 'pct'], ['benchmark.totalReturn', 'buy and hold', 'pct'], ['returns.cagr', 'CAGR', 'pct'],
  ['drawdown.maxDrawdown', 'max drawdown', 'pct'], ['returns.sharpe', 'Sharpe', 'num'], ['returns.sortino', 'Sortino', 'num'],
  ['returns.calmar', 'Calmar', 'num'], ['trades.count', 'trades', 'int'], ['trades.winRate', 'win rate', 'pct'],
  ['trades.profitFactor', 'profit factor', 'num'], ['trades.expectancy', 'expectancy', 'num'], ['costs.fees', 'fees', 'num'],
  ['returns.finalEquity', 'final equity', 'num']
];
var COLORS = ['#2962ff', '#e65100', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#546e7a'];
var state = { runs: [], sort: { key: 'startedAt', dir: -1 }, selected: new Set(), strategies: [], timeframes: [], jobs: [], openRun: null, charts: {} };

function $(id) { return document.getElementById(id); }
function esc(v) { return String(v === null || v === undefined ? '' : v).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
function fmt(v, kind) {
  if (v === null || v === undefined || v === '') return '-';
  if (kind === 'pct') return (v * 100).toFixed(2) + ' %';
  if (kind === 'int') return String(v);
  if (kind === 'num') return Number(v).toFixed(2);
  return String(v);
}
/** A number shown with 6 significant digits (prices of 0.5 and of 30,000 alike), anything else as it is. */
function short(v) { return typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : v; }
function signClass(v) { return typeof v === 'number' ? (v > 0 ? 'pos' : v < 0 ? 'neg' : '') : ''; }
function valueOf(run, key) {
  if (key.indexOf('.') > 0) return run.metrics[key];
  var v = run[key];
  return Array.isArray(v) ? v.join(',') : v;
}
function api(path, opts) {
  return fetch(path, opts).then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); });
}
function isoDay(ms) { return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '); }

// ---- runs: list, filters, sorting -------------------------------------------------------------
function fillSelect(id, values) {
  var sel = $(id), current = sel.value;
  var opts = ['<option value="">all</option>'].concat(values.map(function (v) { return '<option>' + esc(v) + '</option>'; }));
  if (sel.dataset.options === opts.join('')) return;
  sel.innerHTML = opts.join('');
  sel.dataset.options = opts.join('');
  sel.value = values.indexOf(current) >= 0 ? current : '';
}
function distinct(list) { return Array.from(new Set(list)).sort(); }
function filteredRuns() {
  var m = $('f-mode').value, s = $('f-status').value, st = $('f-strategy').value, sy = $('f-symbol').value;
  return state.runs.filter(function (r) {
    return (m === '' || r.mode === m) && (s === '' || r.status === s) && (st === '' || r.strategies.indexOf(st) >= 0) && (sy === '' || r.symbols.indexOf(sy) >= 0);
  });
}
function sortedRuns(list) {
  var k = state.sort.key, d = state.sort.dir;
  return list.slice().sort(function (a, b) {
    var x = valueOf(a, k), y = valueOf(b, k);
    // Runs without the value (a metric a mode does not have) go last whichever the direction.
    if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1;
    if (y === undefined || y === null) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * d;
  });
}
function renderRuns() {
  fillSelect('f-mode', distinct(MODES.concat(state.runs.map(function (r) { return r.mode; }))));
  fillSelect('f-status', distinct(STATUSES.concat(state.runs.map(function (r) { return r.status; }))));
  fillSelect('f-strategy', distinct([].concat.apply([], state.runs.map(function (r) { return r.strategies; }))));
  fillSelect('f-symbol', distinct([].concat.apply([], state.runs.map(function (r) { return r.symbols; }))));
  var rows = sortedRuns(filteredRuns());
  $('runs').querySelector('tbody').innerHTML = rows.map(function (r) {
    var links = r.files.filter(function (f) { return f === 'report.html' || f === 'report.txt'; }).map(function (f) {
      return '<a href="/runs/' + encodeURIComponent(r.id) + '/' + f + '" target="_blank">' + f + '</a>';
    }).join(' ');
    var ret = r.metrics['returns.totalReturn'];
    return '<tr class="clickable ' + (r.status === 'running' ? 'running' : '') + '" data-run-id="' + esc(r.id) + '">' +
      '<td><input type="checkbox" class="select-run" ' + (state.selected.has(r.id) ? 'checked' : '') + '></td>' +
      '<td>' + esc(r.startedAt.replace('T', ' ').slice(0, 19)) + '</td><td class="run-id">' + esc(r.id) + '</td><td class="mode">' + esc(r.mode) + '</td>' +
      '<td class="status">' + esc(r.status) + '</td><td class="strategies">' + esc(r.strategies.join(', ')) + '</td><td class="symbols">' + esc(r.symbols.join(', ')) + '</td>' +
      '<td>' + esc(r.timeframe) + '</td><td class="num ' + signClass(ret) + '">' + fmt(ret, 'pct') + '</td>' +
      '<td class="num">' + fmt(r.metrics['drawdown.maxDrawdown'], 'pct') + '</td><td class="num">' + fmt(r.metrics['returns.sharpe'], 'num') + '</td>' +
      '<td class="num">' + fmt(r.metrics['trades.count'], 'int') + '</td><td class="num">' + fmt(r.equity, 'num') + '</td><td>' + links + '</td></tr>';
  }).join('');
  document.querySelectorAll('#runs th[data-sort]').forEach(function (th) {
    th.classList.toggle('sorted-asc', th.dataset.sort === state.sort.key && state.sort.dir === 1);
    th.classList.toggle('sorted-desc', th.dataset.sort === state.sort.key && state.sort.dir === -1);
  });
  $('runs-count').textContent = rows.length + ' of ' + state.runs.length + ' runs';
  $('compare-button').disabled = state.selected.size < 2;
}
function loadRuns() {
  return api('/api/runs').then(function (r) {
    state.runs = r.body.runs;
    var ids = new Set(state.runs.map(function (x) { return x.id; }));
    state.selected.forEach(function (id) { if (!ids.has(id)) state.selected.delete(id); });
    renderRuns();
    var running = state.runs.filter(function (x) { return x.status === 'running'; }).length;
    $('status-line').textContent = state.runs.length + ' runs, ' + running + ' running; updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
  });
}

// ---- charts -------------------------------------------------------------------------------------
function equityChart(el, name) {
  if (state.charts[name]) state.charts[name].remove();
  var chart = LightweightCharts.createChart(el, { autoSize: true, layout: { attributionLogo: false }, timeScale: { timeVisible: true }, rightPriceScale: { borderVisible: false } });
  state.charts[name] = chart;
  return chart;
}
function points(equity) { return equity.map(function (p) { return { time: Math.floor(p.ts / 1000), value: p.equity }; }); }

// ---- one run: metrics, report links, equity, positions, signals (live while it runs) -----------
function table(el, rows, cols) {
  el.innerHTML = '<tr>' + cols.map(function (c) { return '<th>' + esc(c) + '</th>'; }).join('') + '</tr>' +
    (rows.length === 0 ? '<tr><td colspan="' + cols.length + '" class="muted">none</td></tr>' : rows.map(function (r) {
      return '<tr>' + cols.map(function (c) { return '<td>' + esc(c === 'ts' || c === 'updatedTs' ? isoDay(r[c]) : short(r[c])) + '</td>'; }).join('') + '</tr>';
    }).join(''));
}
function openRun(id) {
  var first = state.openRun !== id;
  state.openRun = id;
  return Promise.all([api('/api/runs/' + encodeURIComponent(id)), api('/api/runs/' + encodeURIComponent(id) + '/equity')]).then(function (res) {
    if (state.openRun !== id || res[0].status !== 200) return;
    var d = res[0].body, run = d.run;
    $('run-section').hidden = false;
    $('run-title').textContent = run.id + ' (' + run.mode + ', ' + run.status + ')';
    var links = d.files.map(function (f) { return '<a href="/runs/' + encodeURIComponent(run.id) + '/' + f + '" target="_blank">' + f + '</a>'; }).join(' ');
    $('run-meta').innerHTML = '<p>' + esc(run.strategies.join(',')) + ' on ' + esc(run.symbols.join(',')) + ' ' + esc(run.timeframe) +
      '; equity <b id="run-equity">' + fmt(run.equity, 'num') + '</b>, last step ' + esc(isoDay(run.lastStepTs)) + ', fills ' + run.fills +
      (run.error ? '; error: ' + esc(run.error) : '') + '</p><p id="run-metrics">' +
      COMPARED.filter(function (m) { return run.metrics[m[0]] !== undefined; }).map(function (m) { return m[1] + ' <b>' + fmt(run.metrics[m[0]], m[2]) + '</b>'; }).join(' &middot; ') +
      '</p><p>' + (links || '<span class="muted">no report files</span>') + '</p>';
    table($('run-positions'), d.positions, ['strategy', 'symbol', 'qty', 'avgPrice', 'updatedTs']);
    table($('run-signals'), d.signals, ['ts', 'strategy', 'symbol', 'kind', 'targetExposure', 'reason']);
    var chart = state.charts.run;
    if (first || !chart) { chart = equityChart($('run-chart'), 'run'); state.runSeries = chart.addSeries(LightweightCharts.LineSeries, { color: COLORS[0], lineWidth: 2 }); }
    state.runSeries.setData(points(res[1].body.equity));
    if (first) chart.timeScale().fitContent();
    if (first) $('run-section').scrollIntoView();
  });
}

// ---- comparison of selected runs ----------------------------------------------------------------
function compare() {
  var ids = Array.from(state.selected);
  var runs = ids.map(function (id) { return state.runs.find(function (r) { return r.id === id; }); }).filter(Boolean);
  return Promise.all(runs.map(function (r) { return api('/api/runs/' + encodeURIComponent(r.id) + '/equity'); })).then(function (res) {
    $('compare-section').hidden = false;
    var head = '<tr><th>metric</th>' + runs.map(function (r, i) { return '<th class="num" style="color:' + COLORS[i % COLORS.length] + '">' + esc(r.id) + '</th>'; }).join('') + '</tr>';
    var info = [['mode', function (r) { return r.mode; }], ['status', function (r) { return r.status; }], ['strategies', function (r) { return r.strategies.join(','); }], ['symbols', function (r) { return r.symbols.join(','); }]];
    var body = info.map(function (m) { return '<tr><td>' + m[0] + '</td>' + runs.map(function (r) { return '<td class="num">' + esc(m[1](r)) + '</td>'; }).join('') + '</tr>'; }).join('') +
      COMPARED.map(function (m) { return '<tr><td>' + m[1] + '</td>' + runs.map(function (r) { return '<td class="num">' + fmt(r.metrics[m[0]], m[2]) + '</td>'; }).join('') + '</tr>'; }).join('');
    $('compare-table').innerHTML = head + body;
    var chart = equityChart($('compare-chart'), 'compare');
    res.forEach(function (r, i) {
      var s = chart.addSeries(LightweightCharts.LineSeries, { color: COLORS[i % COLORS.length], lineWidth: 2, title: runs[i].id.slice(-12) });
      s.setData(points(r.body.equity));
    });
    chart.timeScale().fitContent();
    $('compare-section').scrollIntoView();
  });
}

// ---- the backtest form ------------------------------------------------------------------------
function strategyOf(id) { return state.strategies.find(function (s) { return s.id === id; }); }
function renderParams() {
  var s = strategyOf($('form-strategy').value);
  $('form-description').textContent = s ? s.description : '';
  $('form-params').innerHTML = s ? Object.keys(s.inputs).map(function (name) {
    var inp = s.inputs[name], field;
    var range = inp.min !== undefined || inp.max !== undefined ? ' [' + (inp.min !== undefined ? inp.min : '') + '..' + (inp.max !== undefined ? inp.max : '') + ']' : '';
    if (inp.type === 'bool' || inp.type === 'select') {
      var opts = inp.type === 'bool' ? ['true', 'false'] : inp.options;
      field = '<select data-param="' + esc(name) + '">' + opts.map(function (o) { return '<option' + (String(inp.default) === o ? ' selected' : '') + '>' + esc(o) + '</option>'; }).join('') + '</select>';
    } else field = '<input data-param="' + esc(name) + '" value="' + esc(inp.default) + '" inputmode="decimal">';
    return '<label title="' + esc(inp.description || '') + '">' + esc(name) + ' (' + inp.type + range + ')' + field + '</label>';
  }).join('') : '';
}
function readForm() {
  var params = {};
  document.querySelectorAll('#form-params [data-param]').forEach(function (el) { params[el.dataset.param] = el.value; });
  return { strategy: $('form-strategy').value, symbols: $('form-symbols').value, timeframe: $('form-timeframe').value, from: $('form-from').value, to: $('form-to').value, params: params };
}
function showErrors(lines, where) {
  var box = $('form-errors');
  box.hidden = lines.length === 0;
  box.dataset.source = where;
  box.textContent = lines.join('\n');
  document.querySelectorAll('#backtest-form input, #backtest-form select').forEach(function (el) {
    var key = el.dataset.param ? 'strategy.' + $('form-strategy').value + '.' + el.dataset.param : el.name;
    el.classList.toggle('invalid', lines.some(function (l) { return l.indexOf(key + ' ') === 0 || l.indexOf(key + ':') === 0 || l.indexOf(': ' + key + ' ') >= 0; }));
  });
}
function submitForm(ev) {
  ev.preventDefault();
  var form = readForm(), s = strategyOf(form.strategy);
  var problems = formProblems(form, form.strategy, s ? s.inputs : undefined, state.timeframes);
  if (problems.length > 0) return showErrors(problems, 'browser');
  showErrors([], '');
  $('form-submit').disabled = true;
  api('/api/backtests', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(form) }).then(function (r) {
    $('form-submit').disabled = false;
    if (r.status !== 202) return showErrors(String(r.body.error).split('\n'), 'server');
    state.jobs.unshift(r.body.job);
    renderJobs();
    schedule();
  }, function (e) { $('form-submit').disabled = false; showErrors([String(e)], 'server'); });
}
function renderJobs() {
  $('jobs').innerHTML = state.jobs.length === 0 ? '' : '<tr><th>job</th><th>state</th><th class="num">progress</th><th>run</th><th class="num">elapsed</th><th>error</th></tr>' + state.jobs.map(function (j) {
    return '<tr data-job-id="' + esc(j.id) + '" data-state="' + esc(j.state) + '"><td>' + esc(j.id) + '</td><td class="job-state">' + esc(j.state) + '</td>' +
      '<td class="num"><progress max="1" value="' + (j.progress === null ? 0 : j.progress) + '"></progress> ' + (j.progress === null ? '-' : Math.round(j.progress * 100) + ' %') + '</td>' +
      '<td class="job-run">' + (j.runId ? '<a href="#run" data-open-run="' + esc(j.runId) + '">' + esc(j.runId) + '</a>' : '-') + '</td><td class="num">' + (j.elapsedMs / 1000).toFixed(1) + ' s</td><td class="errors-cell">' + esc(j.error || '') + '</td></tr>';
  }).join('');
}
function loadJobs() {
  return api('/api/backtests').then(function (r) {
    var before = state.jobs.filter(function (j) { return j.state === 'starting' || j.state === 'running'; }).length;
    state.jobs = r.body.jobs;
    renderJobs();
    var after = state.jobs.filter(function (j) { return j.state === 'starting' || j.state === 'running'; }).length;
    return before !== after;
  });
}

// ---- strategies ---------------------------------------------------------------------------------
function renderStrategies(broken) {
  $('strategies').innerHTML = state.strategies.map(function (s) {
    var rows = Object.keys(s.inputs).map(function (k) {
      var i = s.inputs[k];
      return '<tr><td>' + esc(k) + '</td><td>' + esc(i.type) + '</td><td>' + esc(i.default) + '</td><td>' + esc(i.min !== undefined ? i.min : '') + '</td><td>' + esc(i.max !== undefined ? i.max : '') + '</td><td>' + esc(i.options ? i.options.join(', ') : '') + '</td><td>' + esc(i.description || '') + '</td></tr>';
    }).join('');
    return '<div class="strategy" data-strategy="' + esc(s.id) + '"><b>' + esc(s.name) + '</b> <code>' + esc(s.id) + '</code> v' + esc(s.version) + ' <span class="muted">(' + esc(s.source) + (s.universe ? ', universe' : '') + ')</span>' +
      '<p>' + esc(s.description) + '</p><table><tr><th>input</th><th>type</th><th>default</th><th>min</th><th>max</th><th>options</th><th>description</th></tr>' + rows + '</table></div>';
  }).join('') + broken.map(function (b) { return '<p class="errors">BROKEN ' + esc(b.file) + ': ' + esc(b.error) + '</p>'; }).join('');
}

// ---- wiring and polling -------------------------------------------------------------------------
var timer = null;
function schedule() {
  if (timer !== null) clearTimeout(timer);
  var busy = state.jobs.some(function (j) { return j.state === 'starting' || j.state === 'running'; }) || state.runs.some(function (r) { return r.status === 'running'; });
  timer = setTimeout(tick, busy ? POLL_BUSY_MS : POLL_IDLE_MS);
}
function tick() {
  timer = null;
  var open = state.runs.find(function (r) { return r.id === state.openRun; });
  Promise.all([loadJobs(), loadRuns()]).then(function (r) {
    // A job that ended since the last poll: its run row is final now, read the list once more.
    var follow = r[0] ? loadRuns() : null;
    var live = open && open.status === 'running' ? openRun(open.id) : null;
    return Promise.all([follow, live]);
  }).catch(function (e) { $('status-line').textContent = 'update failed: ' + e; }).then(schedule);
}

document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('#runs th[data-sort]').forEach(function (th) {
    th.addEventListener('click', function () {
      state.sort = { key: th.dataset.sort, dir: state.sort.key === th.dataset.sort ? -state.sort.dir : 1 };
      renderRuns();
    });
  });
  ['f-mode', 'f-status', 'f-strategy', 'f-symbol'].forEach(function (id) { $(id).addEventListener('change', renderRuns); });
  $('runs').querySelector('tbody').addEventListener('click', function (ev) {
    var tr = ev.target.closest('tr[data-run-id]');
    if (!tr) return;
    if (ev.target.classList.contains('select-run')) {
      if (ev.target.checked) state.selected.add(tr.dataset.runId); else state.selected.delete(tr.dataset.runId);
      $('compare-button').disabled = state.selected.size < 2;
      return;
    }
    if (ev.target.tagName !== 'A') openRun(tr.dataset.runId);
  });
  $('compare-button').addEventListener('click', compare);
  $('jobs').addEventListener('click', function (ev) {
    var a = ev.target.closest('a[data-open-run]');
    if (a) { ev.preventDefault(); openRun(a.dataset.openRun); }
  });
  $('form-strategy').addEventListener('change', renderParams);
  $('backtest-form').addEventListener('submit', submitForm);
  api('/api/strategies').then(function (r) {
    var b = r.body;
    state.strategies = b.strategies;
    state.timeframes = b.timeframes;
    $('form-strategy').innerHTML = b.strategies.map(function (s) { return '<option value="' + esc(s.id) + '">' + esc(s.id) + '</option>'; }).join('');
    $('form-timeframe').innerHTML = b.timeframes.map(function (t) { return '<option>' + esc(t) + '</option>'; }).join('');
    $('form-strategy').value = b.defaults.strategy;
    $('form-symbols').value = b.defaults.symbols;
    $('form-timeframe').value = b.defaults.timeframe;
    $('form-from').value = b.defaults.from;
    $('form-to').value = b.defaults.to;
    renderParams();
    renderStrategies(b.broken);
    document.body.dataset.ready = 'strategies';
    return Promise.all([loadRuns(), loadJobs()]);
  }).then(function () { document.body.dataset.loaded = 'true'; schedule(); }, function (e) { $('status-line').textContent = 'could not load: ' + e; });
});
`;
