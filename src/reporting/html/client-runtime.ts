/**
 * The report page's browser code (plain ES5-style JS, inlined after lightweight-charts). It finds
 * every <section data-kind> of the page, reads its embedded JSON and draws it:
 *
 *   line-chart   named series on a time axis (lightweight-charts LineSeries / BaselineSeries);
 *   price-chart  candles per symbol with one marker per fill, dashed stop/target segments per
 *                trade, a tooltip on trades and a symbol selector (price-chart-section.ts);
 *   table        sortable headers; rows with data-from/data-to move the group's charts there.
 *
 * Charts of one sync group keep the same visible time range. Only changes made on the chart the
 * user is driving (or by a table click) are passed on, so two charts never chase each other.
 * The hooks on window.__report are documented in page.ts.
 */
export const CLIENT_RUNTIME = String.raw`
(function () {
  'use strict';
  var LW = window.LightweightCharts;
  var charts = {};
  var order = [];
  var groups = {};
  var active = null;
  var price = null;

  function times(t) {
    if (t.length === 0) return [];
    var out = [t[0]], s = t[0];
    for (var i = 1; i < t.length; i += 2) for (var k = 0; k < t[i + 1]; k++) { s += t[i]; out.push(s); }
    return out;
  }
  function unpack(p) {
    var out = new Array(p.d.length), q = 0, k = p.k, up = k < 0 ? Math.pow(10, -k) : 1, down = k >= 0 ? Math.pow(10, k) : 1;
    for (var i = 0; i < p.d.length; i++) {
      if (p.d[i] === null) { out[i] = null; continue; }
      q += p.d[i];
      out[i] = (q * up) / down;
    }
    return out;
  }
  function formatter(f) {
    if (f === 'percent') return function (v) { return (v * 100).toFixed(2) + '%'; };
    if (f === 'money') return function (v) { return v.toLocaleString('en-US', { maximumFractionDigits: 2 }); };
    if (f === 'price') return function (v) { return Math.abs(v) >= 1000 ? v.toFixed(2) : v.toPrecision(6); };
    return function (v) { return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(5); };
  }
  function chartOptions(format) {
    return {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#1f2328', fontSize: 11 },
      grid: { vertLines: { color: '#f0f3f6' }, horzLines: { color: '#f0f3f6' } },
      rightPriceScale: { borderColor: '#d0d7de' },
      timeScale: { borderColor: '#d0d7de', timeVisible: true, secondsVisible: false },
      localization: { priceFormatter: formatter(format) },
      crosshair: { mode: 0 }
    };
  }
  function alpha(color, a) { return /^#[0-9a-f]{6}$/i.test(color) ? color + a : color; }
  function setRange(chart, r) {
    try { chart.timeScale().setVisibleRange(r); } catch (e) { /* a chart without data has no time scale yet */ }
  }
  function register(id, chart, group, kind) {
    charts[id] = { chart: chart, group: group, kind: kind };
    order.push(id);
    var el = document.getElementById(id);
    ['pointerdown', 'wheel', 'mouseenter', 'touchstart'].forEach(function (ev) {
      el.addEventListener(ev, function () { active = id; }, { passive: true });
    });
    if (!group) return;
    (groups[group] = groups[group] || []).push(id);
    chart.timeScale().subscribeVisibleTimeRangeChange(function (r) {
      if (active !== id || !r) return;
      groups[group].forEach(function (other) { if (other !== id) setRange(charts[other].chart, r); });
    });
  }
  function focus(group, from, to, symbol) {
    if (symbol && price && price.symbol !== symbol && price.bySymbol[symbol]) selectSymbol(symbol);
    var step = price ? price.step : 3600;
    var pad = Math.max((to - from) * 0.6, 20 * step);
    var r = { from: from - pad, to: to + pad };
    active = null;
    (group ? groups[group] || [] : order).forEach(function (id) { setRange(charts[id].chart, r); });
  }

  var kinds = {};

  kinds['line-chart'] = function (el, d) {
    var box = el.querySelector('.ct-chart');
    box.style.height = d.height + 'px';
    var chart = LW.createChart(box, chartOptions(d.format));
    d.series.forEach(function (s) {
      var t = times(s.t), v = unpack(s.v), data = new Array(t.length);
      for (var i = 0; i < t.length; i++) data[i] = v[i] === null ? { time: t[i] } : { time: t[i], value: v[i] };
      var series = s.style === 'area'
        ? chart.addSeries(LW.BaselineSeries, {
            baseValue: { type: 'price', price: 0 }, lineWidth: 1, priceLineVisible: false,
            topLineColor: s.color, topFillColor1: alpha(s.color, '40'), topFillColor2: alpha(s.color, '10'),
            bottomLineColor: s.color, bottomFillColor1: alpha(s.color, '10'), bottomFillColor2: alpha(s.color, '60')
          })
        : chart.addSeries(LW.LineSeries, {
            color: s.color, lineWidth: 2, priceLineVisible: false,
            lineStyle: s.dashed ? LW.LineStyle.Dashed : LW.LineStyle.Solid
          });
      series.setData(data);
    });
    chart.timeScale().fitContent();
    register(el.id, chart, d.group, 'line');
  };

  function duration(sec) {
    var d = Math.floor(sec / 86400), h = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60);
    return d > 0 ? d + 'd ' + h + 'h' : h > 0 ? h + 'h ' + m + 'm' : m + 'm';
  }
  function iso(sec) { return new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' '); }
  function pct(v) { return v === null ? '–' : (v * 100).toFixed(2) + '%'; }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }

  function selectSymbol(sym) {
    var s = price && price.bySymbol[sym];
    if (!s) return;
    price.symbol = sym;
    var t = times(s.t), o = unpack(s.o), h = unpack(s.h), l = unpack(s.l), c = unpack(s.c), bars = new Array(t.length);
    for (var i = 0; i < t.length; i++) bars[i] = { time: t[i], open: o[i], high: h[i], low: l[i], close: c[i] };
    price.lines.forEach(function (ls) { price.chart.removeSeries(ls); });
    price.lines = [];
    price.candles.setData(bars);
    price.labelled = null;
    price.all = s.markers.map(function (m) {
      var buy = m[1] > 0;
      return { time: m[0], position: buy ? 'belowBar' : 'aboveBar', shape: buy ? 'arrowUp' : 'arrowDown', color: buy ? '#1a7f37' : '#cf222e', text: m[2], id: String(m[3]) };
    });
    price.bare = price.all.map(function (m) { return { time: m.time, position: m.position, shape: m.shape, color: m.color, id: m.id }; });
    labelMarkers();
    s.lines.forEach(function (ln) {
      var ls = price.chart.addSeries(LW.LineSeries, {
        color: ln.kind === 'stop' ? '#cf222e' : '#1a7f37', lineWidth: 1, lineStyle: LW.LineStyle.LargeDashed,
        priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false
      });
      ls.setData(ln.pts.map(function (p) { return p[2] ? { time: p[0], value: p[1], color: 'transparent' } : { time: p[0], value: p[1] }; }));
      price.lines.push(ls);
    });
    if (price.select) price.select.value = sym;
  }

  // Size/PnL labels only when zoomed in enough to read them: over hundreds of bars they are a smear.
  var LABEL_BARS = 400;
  function labelMarkers() {
    var r = price.chart.timeScale().getVisibleLogicalRange();
    var want = r === null || r.to - r.from <= LABEL_BARS;
    if (want === price.labelled) return;
    price.labelled = want;
    price.markers.setMarkers(want ? price.all : price.bare);
  }

  function tradeAt(time, hovered) {
    var si = price.d.symbols.indexOf(price.bySymbol[price.symbol]);
    if (hovered !== undefined && hovered !== null && price.d.trades[+hovered]) return price.d.trades[+hovered];
    var list = price.d.trades;
    for (var i = 0; i < list.length; i++) if (list[i].s === si && list[i].et <= time && time <= list[i].xt) return list[i];
    return null;
  }

  kinds['price-chart'] = function (el, d) {
    var box = el.querySelector('.ct-chart');
    box.style.height = d.height + 'px';
    var chart = LW.createChart(box, chartOptions('price'));
    var candles = chart.addSeries(LW.CandlestickSeries, {
      upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350'
    });
    price = { chart: chart, candles: candles, markers: LW.createSeriesMarkers(candles, []), d: d, symbol: null, bySymbol: {}, step: d.step, lines: [], select: el.querySelector('select.ct-symbol') };
    d.symbols.forEach(function (s) { price.bySymbol[s.symbol] = s; });
    if (price.select) price.select.addEventListener('change', function () { selectSymbol(price.select.value); chart.timeScale().fitContent(); });
    if (d.symbols.length > 0) selectSymbol(d.symbols[0].symbol);
    chart.timeScale().fitContent();
    chart.timeScale().subscribeVisibleLogicalRangeChange(function () { if (price.all) labelMarkers(); });
    var tip = el.querySelector('.ct-tooltip');
    chart.subscribeCrosshairMove(function (p) {
      var tr = p.time !== undefined && p.point ? tradeAt(p.time, p.hoveredObjectId) : null;
      if (!tr) { tip.style.display = 'none'; return; }
      tip.innerHTML =
        '<b>' + esc(tr.dir) + ' ' + esc(price.symbol) + '</b> ' + esc(tr.strat) + '<br>' +
        'entry ' + iso(tr.et) + ' @ ' + tr.ep + '<br>' +
        'exit ' + iso(tr.xt) + ' @ ' + tr.xp + ' (' + esc(tr.x) + ')<br>' +
        'qty ' + tr.q + ' · PnL ' + tr.pnl.toFixed(2) + ' (' + pct(tr.ret) + ')<br>' +
        'MAE ' + pct(tr.mae) + ' · MFE ' + pct(tr.mfe) + '<br>' +
        'duration ' + duration(tr.xt - tr.et) + ' (' + tr.bars + ' bars)' +
        (tr.stop !== null ? '<br>stop ' + tr.stop : '') + (tr.tp !== null ? ' · target ' + tr.tp : '');
      tip.style.display = 'block';
      var x = p.point.x + 18, y = p.point.y + 10;
      if (x + tip.offsetWidth > box.clientWidth) x = p.point.x - tip.offsetWidth - 18;
      tip.style.left = x + 'px';
      tip.style.top = (box.offsetTop + Math.min(y, box.clientHeight - tip.offsetHeight)) + 'px';
    });
    register(el.id, chart, d.group, 'price');
  };

  function cellKey(td) {
    var s = td.textContent.replace(/[,%]/g, '');
    var n = Number(s);
    return s !== '' && s !== '–' && isFinite(n) ? n : td.textContent;
  }
  kinds.table = function (el, d) {
    var table = el.querySelector('table');
    var body = table.tBodies[0];
    body.addEventListener('click', function (e) {
      var tr = e.target.closest('tr.ct-focusable');
      if (!tr) return;
      var prev = body.querySelector('.ct-selected');
      if (prev) prev.classList.remove('ct-selected');
      tr.classList.add('ct-selected');
      focus(d.group, Number(tr.getAttribute('data-from')), Number(tr.getAttribute('data-to')), tr.getAttribute('data-symbol'));
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var asc = true;
      th.addEventListener('click', function () {
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellKey(a.cells[col]), y = cellKey(b.cells[col]);
          var c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return asc ? c : -c;
        });
        asc = !asc;
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  };

  var sections = Array.prototype.slice.call(document.querySelectorAll('section.ct-section'));
  sections.forEach(function (el) {
    var kind = el.getAttribute('data-kind');
    if (!kind) return;
    var script = el.querySelector('script.ct-data');
    try {
      kinds[kind](el, script ? JSON.parse(script.textContent) : {});
    } catch (e) {
      console.error('report section ' + el.id + ' (' + kind + ') failed: ' + (e && e.message));
    }
  });

  window.__report = {
    ready: true,
    sections: function () { return sections.map(function (s) { return s.id; }); },
    chartIds: function () { return order.slice(); },
    visibleRange: function (id) {
      var key = id || (price ? order.filter(function (k) { return charts[k].kind === 'price'; })[0] : order[0]);
      var c = key && charts[key];
      var r = c ? c.chart.timeScale().getVisibleRange() : null;
      return r ? { from: r.from, to: r.to } : null;
    },
    markerCount: function () { return price ? price.markers.markers().length : 0; },
    markerLabels: function () { return price ? price.markers.markers().filter(function (m) { return !!m.text; }).length : 0; },
    levelLineCount: function () { return price ? price.lines.length : 0; },
    levelLines: function () {
      var s = price && price.bySymbol[price.symbol], out = { stop: 0, target: 0 };
      if (s) s.lines.forEach(function (ln) { out[ln.kind] += ln.pts.filter(function (p) { return p[2]; }).length; });
      return out;
    },
    priceChartX: function (time) { return price ? price.chart.timeScale().timeToCoordinate(time) : null; },
    markerTotal: function () { return price ? price.d.symbols.reduce(function (n, s) { return n + s.markers.length; }, 0) : 0; },
    symbols: function () { return price ? price.d.symbols.map(function (s) { return s.symbol; }) : []; },
    currentSymbol: function () { return price ? price.symbol : null; },
    selectSymbol: function (s) { selectSymbol(s); }
  };
})();
`;
