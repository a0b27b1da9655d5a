// The HTML of ui://groundwork/search.html: one self-contained page (inline CSS and script, no CDN, no build step).
//
// Why a hand-written bridge and not the package's App class: @modelcontextprotocol/ext-apps ships the in-iframe
// side only as ES modules (app.js imports the MCP SDK and zod; app-with-deps.js is a 330 KB module with `export`
// statements), which cannot run from an inline <script> without a bundler. The part of the protocol this view
// needs is small, so the script below speaks it directly over postMessage (JSON-RPC 2.0, MCP Apps 2026-01-26):
//   view → host  request       ui/initialize {appInfo, appCapabilities, protocolVersion}
//   view → host  notification  ui/notifications/initialized, then ui/notifications/size-changed as it resizes
//   host → view  notification  ui/notifications/tool-input {arguments}, ui/notifications/tool-result (a CallToolResult),
//                              ui/notifications/host-context-changed (theme, CSS variables), tool-cancelled
//   host → view  request       ping, ui/resource-teardown (answered with {})
//   view → host  request       tools/call {name: "show_search", arguments: {search_id}} to refresh
// Only messages from window.parent are read. Every text from the data (idea titles are written by a model, so
// hostile) is set with textContent or createTextNode; the script never writes innerHTML.

const STYLE = `
:root{--gw-bg:#fff;--gw-fg:#111827;--gw-muted:#6b7280;--gw-line:#e5e7eb;--gw-soft:#f3f4f6;--gw-blue:#2563eb;
--gw-green:#16a34a;--gw-orange:#ea580c;--gw-red:#dc2626;--gw-band:rgba(156,163,175,.25);color-scheme:light}
:root[data-theme=dark]{--gw-bg:#111827;--gw-fg:#f3f4f6;--gw-muted:#9ca3af;--gw-line:#374151;--gw-soft:#1f2937;
--gw-band:rgba(156,163,175,.2);color-scheme:dark}
*{box-sizing:border-box}
body{margin:0;padding:12px 14px;font:14px/1.45 var(--font-sans,system-ui,-apple-system,"Segoe UI",sans-serif);
background:var(--color-background-primary,var(--gw-bg));color:var(--color-text-primary,var(--gw-fg))}
h1{font-size:17px;margin:0}h2{font-size:14px;margin:14px 0 6px}
header{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
button{font:inherit;padding:3px 10px;border-radius:6px;cursor:pointer;border:1px solid var(--color-border-primary,var(--gw-line));
background:var(--color-background-secondary,var(--gw-soft));color:inherit}
button[disabled]{opacity:.6;cursor:default}
.muted{color:var(--color-text-secondary,var(--gw-muted))}
.badge,.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;background:var(--gw-soft);white-space:nowrap}
.badge.running{background:#dbeafe;color:#1e40af}.badge.succeeded{background:#dcfce7;color:#166534}
.badge.failed,.badge.cancelled{background:#fee2e2;color:#991b1b}
.pill{background:#dcfce7;color:#166534}.pill.single-seed,.pill.certifying{background:#fef3c7;color:#92400e}
.pill.control{background:#ffedd5;color:#9a3412}.pill.none{display:none}
.scroll{overflow-x:auto}
.title{overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--color-border-secondary,var(--gw-line));vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
.chart svg{width:100%;height:auto;max-width:720px;display:block}
.chart text{font-size:11px;fill:var(--color-text-secondary,var(--gw-muted))}
.chart .grid{stroke:var(--gw-line)}.chart .band{fill:var(--gw-band)}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px}
.legend i{display:inline-block;width:18px;height:0;border-top:2px solid;vertical-align:middle;margin-right:4px}
.legend i.dash{border-top-style:dashed}
ul.tree{list-style:none;margin:0;padding-left:16px;border-left:1px solid var(--gw-line)}
ul.tree.root{padding-left:0;border-left:0}
li.best>.node{font-weight:600}li.best>.node::before{content:"★ ";color:var(--gw-orange)}
.error{color:var(--gw-red)}
@media (max-width:480px){.hide-sm{display:none}}
`;

// Plain ES5-style script: no template literals (this file embeds it in one), no modules, no network.
const SCRIPT = String.raw`
(function () {
  'use strict';
  var PROTOCOL = '2026-01-26';
  var TOOL = 'show_search';
  var AUTO_MS = 30000, AUTO_MAX = 60;
  var nextId = 1, pending = {}, searchId = null, hostCaps = {}, autoLeft = AUTO_MAX, timer = null, lastSize = '';
  var $ = function (id) { return document.getElementById(id); };

  function post(message) { window.parent.postMessage(message, '*'); }
  function request(method, params) {
    var id = nextId++;
    return new Promise(function (resolve, reject) {
      pending[id] = { resolve: resolve, reject: reject };
      post({ jsonrpc: '2.0', id: id, method: method, params: params });
    });
  }
  function notify(method, params) { post({ jsonrpc: '2.0', method: method, params: params || {} }); }

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent) return;
    var m = event.data;
    if (!m || typeof m !== 'object' || m.jsonrpc !== '2.0') return;
    if (m.method === undefined) {
      var waiting = pending[m.id];
      if (!waiting) return;
      delete pending[m.id];
      if (m.error) waiting.reject(new Error(m.error.message || 'error ' + m.error.code));
      else waiting.resolve(m.result);
      return;
    }
    if (m.id !== undefined) {
      if (m.method === 'ping' || m.method === 'ui/resource-teardown') post({ jsonrpc: '2.0', id: m.id, result: {} });
      else post({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'method not found: ' + m.method } });
      return;
    }
    var p = m.params || {};
    if (m.method === 'ui/notifications/tool-input') {
      if (p.arguments && typeof p.arguments.search_id === 'string') {
        searchId = p.arguments.search_id;
        status('Loading search ' + searchId + '…');
      }
    } else if (m.method === 'ui/notifications/tool-result') render(p);
    else if (m.method === 'ui/notifications/tool-cancelled') status('The call was cancelled.');
    else if (m.method === 'ui/notifications/host-context-changed') applyContext(p);
  });

  function applyContext(context) {
    if (!context) return;
    var root = document.documentElement;
    if (context.theme === 'light' || context.theme === 'dark') root.setAttribute('data-theme', context.theme);
    var vars = context.styles && context.styles.variables;
    if (vars && typeof vars === 'object') {
      Object.keys(vars).forEach(function (key) {
        if (key.indexOf('--') === 0 && typeof vars[key] === 'string') root.style.setProperty(key, vars[key]);
      });
    }
  }

  function reportSize() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    var width = Math.ceil(window.innerWidth);
    var key = width + 'x' + height;
    if (key === lastSize) return;
    lastSize = key;
    notify('ui/notifications/size-changed', { width: width, height: height });
  }

  // ---- DOM helpers: text only through textContent / text nodes ----
  var SVG = 'http://www.w3.org/2000/svg';
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    return fill(node, attrs, children);
  }
  function svg(tag, attrs, children) { return fill(document.createElementNS(SVG, tag), attrs, children); }
  function fill(node, attrs, children) {
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, String(attrs[k])); });
    [].concat(children === undefined ? [] : children).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
    return node;
  }
  function finite(v) { return typeof v === 'number' && isFinite(v); }
  function num(v, digits) {
    if (!finite(v)) return '—';
    return String(Number(v.toFixed(digits === undefined ? 4 : digits)));
  }
  function status(text, isError) {
    var box = $('message');
    box.textContent = text;
    box.className = isError ? 'error' : 'muted';
    if (isError) box.setAttribute('role', 'alert');
    else box.removeAttribute('role');
    box.hidden = !text;
  }

  // ---- Rendering ----
  function render(result) {
    var data = result && result.structuredContent;
    if (!result || result.isError || !data || !data.report) {
      var text = ((result && result.content) || []).filter(function (c) { return c.type === 'text'; })
        .map(function (c) { return c.text; }).join('\n');
      status(text || 'No search data in the result.', true);
      return;
    }
    searchId = data.search_id;
    status('');
    var s = data.status, r = data.report;
    $('title').textContent = 'Search ' + data.search_id;
    $('state').textContent = s.state;
    $('state').className = 'badge ' + s.state;
    var c = s.counts || {};
    $('sub').textContent = s.strategy + ' on ' + s.environment + ' · generation ' + s.generation + ' · ' +
      c.experiments + ' experiments (' + c.succeeded + ' succeeded, ' + c.failed + ' failed) · $' +
      (r.cost ? r.cost.usd.toFixed(2) : '0') + ' · ' + num(r.cost && r.cost.gpu_hours, 3) + ' GPU-h';
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    renderBest(data);
    renderChart(data);
    renderLeaderboard(data);
    renderLineage(data);
    $('view').hidden = false;
    document.body.setAttribute('data-renders', String(Number(document.body.getAttribute('data-renders') || 0) + 1));
    schedule(s.state === 'running');
    reportSize();
  }

  function evidencePill(evidence, seeds) {
    var label = { certified: 'certified · ' + seeds + ' seeds', certifying: 'certifying…', 'single-seed': 'single seed',
      control: 'control', none: '' }[evidence] || '';
    return el('span', { class: 'pill ' + evidence }, label);
  }

  function renderBest(data) {
    var r = data.report, box = $('best');
    box.replaceChildren();
    if (!r.best) box.appendChild(el('span', { class: 'muted' }, 'No candidate has succeeded yet.'));
    else {
      var b = r.best;
      box.appendChild(el('b', { id: 'best-title' }, b.title));
      box.appendChild(document.createTextNode(': ' + data.metric.name + ' ' + num(b.metric_mean) +
        (b.seeds > 1 ? ' ± ' + num(b.metric_std) : '') + ' '));
      box.appendChild(evidencePill(b.certified ? 'certified' : 'single-seed', b.seeds));
      if (finite(b.improvement_sigma)) box.appendChild(document.createTextNode(' · ' + num(b.improvement_sigma, 2) + ' baseline σ better'));
    }
    $('control').textContent = r.control
      ? 'Control arm (' + r.control.strategy + '): best reward ' + num(r.control.best_reward) + '; lift of the search over it: ' + num(r.lift) + '.'
      : '';
    $('baseline').textContent = r.baseline
      ? 'Baseline ' + data.metric.name + ' ' + num(r.baseline.value) + ' ± ' + num(r.baseline.std) + ' over ' + r.baseline.runs +
        ' runs (' + (data.metric.direction === 'min' ? 'lower' : 'higher') + ' is better); the band is that mean ± std as rewards.'
      : 'No baseline recorded for ' + data.status.environment + '.';
  }

  var W = 640, H = 260, M = { left: 56, right: 12, top: 12, bottom: 30 };
  function extent(values) {
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (!isFinite(lo)) return [0, 1];
    if (lo === hi) return [lo - Math.abs(lo || 1) * 0.05, hi + Math.abs(hi || 1) * 0.05];
    var pad = (hi - lo) * 0.06;
    return [lo - pad, hi + pad];
  }
  function scale(d0, d1, r0, r1) { return function (v) { return d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0); }; }
  function pathOf(points) {
    return points.map(function (p, i) { return (i === 0 ? 'M' : 'L') + p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join('');
  }

  function renderChart(data) {
    var box = $('chart'), band = data.band, control = data.report.control ? data.report.control.best_reward : null;
    box.replaceChildren();
    var rows = data.report.generations.filter(function (g) { return finite(g.best_reward) || finite(g.mean_reward); });
    if (rows.length === 0 && !band) { box.appendChild(el('p', { class: 'muted' }, 'No generation has a succeeded experiment yet.')); return; }
    var ys = [];
    rows.forEach(function (g) { [g.best_reward, g.mean_reward].forEach(function (v) { if (finite(v)) ys.push(v); }); });
    if (band) ys.push(band.low, band.high);
    if (finite(control)) ys.push(control);
    var xs = data.report.generations.map(function (g) { return g.generation; });
    var x0 = xs.length ? Math.min.apply(null, xs) : 0, x1 = xs.length ? Math.max.apply(null, xs) : 1;
    var e = extent(ys), x = scale(x0, x1 === x0 ? x0 + 1 : x1, M.left, W - M.right), y = scale(e[0], e[1], H - M.bottom, M.top);
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'reward per generation' });
    if (band) {
      chart.appendChild(svg('rect', { class: 'band', x: M.left, width: W - M.left - M.right, y: y(band.high).toFixed(1),
        height: Math.max(1, y(band.low) - y(band.high)).toFixed(1) }));
      chart.appendChild(svg('line', { class: 'baseline', x1: M.left, x2: W - M.right, y1: y(band.mid).toFixed(1), y2: y(band.mid).toFixed(1),
        stroke: '#6b7280', 'stroke-dasharray': '2 3' }));
    }
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
      var v = e[0] + (e[1] - e[0]) * t, at = y(v).toFixed(1);
      chart.appendChild(svg('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: at, y2: at }));
      chart.appendChild(svg('text', { x: M.left - 4, y: (y(v) + 4).toFixed(1), 'text-anchor': 'end' }, num(v, 3)));
    });
    [x0, Math.round((x0 + x1) / 2), x1].filter(function (t, i, all) { return all.indexOf(t) === i; }).forEach(function (t) {
      chart.appendChild(svg('text', { x: x(t).toFixed(1), y: H - M.bottom + 16, 'text-anchor': 'middle' }, num(t, 0)));
    });
    chart.appendChild(svg('text', { x: W - M.right, y: H - 2, 'text-anchor': 'end' }, 'generation'));
    if (finite(control)) {
      chart.appendChild(svg('line', { class: 'control', x1: M.left, x2: W - M.right, y1: y(control).toFixed(1), y2: y(control).toFixed(1),
        stroke: '#ea580c', 'stroke-width': 1.5, 'stroke-dasharray': '6 4' }));
    }
    ['mean_reward', 'best_reward'].forEach(function (key) {
      var points = rows.filter(function (g) { return finite(g[key]); }).map(function (g) { return [x(g.generation), y(g[key])]; });
      chart.appendChild(svg('path', { class: key === 'best_reward' ? 'best' : 'mean', d: pathOf(points), fill: 'none',
        stroke: key === 'best_reward' ? '#2563eb' : '#16a34a', 'stroke-width': key === 'best_reward' ? 2 : 1.5 }));
    });
    rows.filter(function (g) { return finite(g.best_reward); }).forEach(function (g) {
      chart.appendChild(svg('circle', { cx: x(g.generation).toFixed(1), cy: y(g.best_reward).toFixed(1), r: 2.5, fill: '#2563eb' },
        svg('title', {}, 'generation ' + g.generation + ': best ' + num(g.best_reward) + ', mean ' + num(g.mean_reward))));
    });
    var legend = el('div', { class: 'legend' });
    var item = function (label, colour, dash) { legend.appendChild(el('span', {}, [el('i', { class: dash ? 'dash' : '', style: 'border-color:' + colour }), label])); };
    item('best reward', '#2563eb');
    item('mean reward', '#16a34a');
    if (band) item('baseline mean ± std', '#9ca3af', true);
    if (finite(control)) item('control arm best', '#ea580c', true);
    box.appendChild(chart);
    box.appendChild(legend);
  }

  function renderLeaderboard(data) {
    var body = $('leaderboard').querySelector('tbody');
    body.replaceChildren();
    $('metric-head').textContent = data.metric.name;
    if (data.leaderboard.length === 0) body.appendChild(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No experiments yet.')));
    data.leaderboard.forEach(function (row) {
      body.appendChild(el('tr', { 'data-experiment': row.experiment_id, 'data-evidence': row.evidence }, [
        el('td', { class: 'n' }, String(row.rank)),
        el('td', {}, [el('span', { class: 'title' }, row.title), row.failure ? el('div', { class: 'muted' }, row.failure) : null]),
        el('td', { class: 'hide-sm' }, el('span', { class: 'badge ' + row.status }, row.status)),
        el('td', { class: 'n' }, num(row.metric) + (finite(row.std) && row.std > 0 ? ' ± ' + num(row.std) : '')),
        el('td', { class: 'n hide-sm' }, num(row.reward)),
        el('td', {}, evidencePill(row.evidence, row.seeds)),
      ]));
    });
    var more = data.leaderboard_total - data.leaderboard.length;
    $('more').textContent = more > 0 ? more + ' more experiments (get_leaderboard lists them all).' : '';
  }

  // Each idea hangs under its first parent known to the search; iterative, so a long chain cannot overflow.
  function renderLineage(data) {
    var box = $('lineage'), nodes = data.lineage;
    box.replaceChildren();
    if (nodes.length === 0) { box.appendChild(el('p', { class: 'muted' }, 'No ideas yet.')); return; }
    var known = {}, children = {}, roots = [], onPath = {};
    nodes.forEach(function (n) { known[n.idea_id] = n; });
    data.best_path.forEach(function (id) { onPath[id] = true; });
    nodes.forEach(function (n) {
      var parent = n.parent_ids.filter(function (p) { return known[p] && p !== n.idea_id; })[0];
      if (parent === undefined) roots.push(n);
      else (children[parent] = children[parent] || []).push(n);
    });
    var order = function (list) {
      return list.slice().sort(function (a, b) {
        return (onPath[b.idea_id] ? 1 : 0) - (onPath[a.idea_id] ? 1 : 0) ||
          (finite(b.reward) ? b.reward : -Infinity) - (finite(a.reward) ? a.reward : -Infinity);
      });
    };
    var top = el('ul', { class: 'tree root' }), seen = {};
    var stack = order(roots).reverse().map(function (n) { return { node: n, into: top }; });
    while (stack.length > 0) {
      var item = stack.pop(), n = item.node;
      if (seen[n.idea_id]) continue;
      seen[n.idea_id] = true;
      var li = el('li', { class: onPath[n.idea_id] ? 'best' : '', 'data-idea': n.idea_id }, el('span', { class: 'node' }, [
        el('span', { class: 'title' }, n.title), ' ',
        el('span', { class: 'muted' }, 'g' + n.generation + ' · reward ' + num(n.reward)),
      ]));
      item.into.appendChild(li);
      var kids = children[n.idea_id] || [];
      if (kids.length > 0) {
        var ul = el('ul', { class: 'tree' });
        li.appendChild(ul);
        order(kids).reverse().forEach(function (k) { stack.push({ node: k, into: ul }); });
      }
    }
    box.appendChild(top);
    var rest = data.lineage_total - nodes.length;
    if (rest > 0) box.appendChild(el('p', { class: 'muted' }, rest + ' more ideas not drawn.'));
  }

  // ---- Refresh: show_search again through the host (tools/call), by hand or every 30 s while the search runs ----
  function schedule(active) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (active && hostCaps.serverTools && autoLeft > 0) {
      autoLeft--;
      timer = setTimeout(refresh, AUTO_MS);
    }
  }
  function refresh() {
    if (!searchId) return;
    var button = $('refresh');
    button.disabled = true;
    request('tools/call', { name: TOOL, arguments: { search_id: searchId } })
      .then(render, function (error) { status('Refresh failed: ' + error.message, true); })
      .then(function () { button.disabled = false; });
  }
  $('refresh').addEventListener('click', function () { autoLeft = AUTO_MAX; refresh(); });

  request('ui/initialize', {
    appInfo: { name: 'groundwork-search', version: '1.0.0' },
    appCapabilities: {},
    protocolVersion: PROTOCOL,
  }).then(function (result) {
    hostCaps = (result && result.hostCapabilities) || {};
    // Only a host that forwards tool calls to the server can refresh: elsewhere the button would hang.
    $('refresh').hidden = !hostCaps.serverTools;
    applyContext(result && result.hostContext);
    notify('ui/notifications/initialized', {});
    if (window.ResizeObserver) new ResizeObserver(reportSize).observe(document.body);
    reportSize();
  }, function (error) { status('The host did not answer ui/initialize: ' + error.message, true); });
})();
`;

export const SEARCH_APP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>groundwork search</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1 id="title">Search</h1><span id="state" class="badge"></span>
<button id="refresh" type="button" title="Ask the server again (show_search)" hidden>Refresh</button>
<span id="updated" class="muted"></span></header>
<p id="sub" class="muted"></p>
<p id="message" class="muted">Waiting for the search…</p>
<main id="view" hidden>
<section><h2>Best</h2><p id="best"></p><p id="control"></p></section>
<section><h2>Reward per generation</h2><figure id="chart" class="chart"></figure><p id="baseline" class="muted"></p></section>
<section><h2>Leaderboard</h2><div class="scroll"><table id="leaderboard"><thead><tr><th class="n">#</th><th>idea</th>
<th class="hide-sm">state</th><th class="n" id="metric-head">metric</th><th class="n hide-sm">reward</th><th>evidence</th></tr></thead>
<tbody></tbody></table></div><p id="more" class="muted"></p></section>
<section><h2>Lineage</h2><p class="muted">Parents → children; the path to the best idea is starred.</p><div id="lineage" class="scroll"></div></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
