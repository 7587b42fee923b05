/**
 * The dashboard page of `serveLive`: HTML, CSS and a script (plain ES5-style JS, no build step)
 * that draws the run with uPlot from the Server-Sent Events at `/events`. Served from memory.
 */

/** The HTML page; `title` is escaped. */
export function dashboardHtml(title: string): string {
  const t = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<link rel="stylesheet" href="/assets/uPlot.min.css">
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<header>
  <h1>${t}</h1>
  <dl class="stats">
    <div><dt>status</dt><dd id="status">connecting</dd></div>
    <div><dt>step</dt><dd id="step">–</dd></div>
    <div><dt>epoch</dt><dd id="epoch">–</dd></div>
    <div><dt>steps/s</dt><dd id="rate">–</dd></div>
    <div><dt>loss</dt><dd id="loss">–</dd></div>
    <div><dt>epoch loss</dt><dd id="epochLoss">–</dd></div>
    <div><dt>lr</dt><dd id="lr">–</dd></div>
    <div><dt>stop reason</dt><dd id="stopReason">–</dd></div>
  </dl>
</header>
<section class="controls">
  <label>smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="0.6"> <output id="smoothingValue">0.60</output></label>
  <label><input id="logScale" type="checkbox"> log scale</label>
  <label>x axis <select id="xAxis"><option value="step">step</option><option value="time">wall clock (s)</option></select></label>
  <span class="legend"><i class="drift"></i> drift <i class="checkpoint"></i> checkpoint</span>
</section>
<div id="lossChart" class="chart"></div>
<div id="lrChart" class="chart"></div>
<script src="/assets/uPlot.iife.min.js"></script>
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;
}

/** The page's style sheet. */
export const dashboardCss = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222; background: #fff; }
h1 { font-size: 18px; margin: 0 0 8px; }
.stats { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 0 0 8px; }
.stats div { min-width: 80px; }
.stats dt { font-size: 11px; color: #777; text-transform: uppercase; }
.stats dd { margin: 0; font-variant-numeric: tabular-nums; font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 8px 0; }
.legend i { display: inline-block; width: 14px; height: 0; border-top: 2px dashed; vertical-align: middle; margin-left: 8px; }
.legend i.drift { color: #ff7f0e; }
.legend i.checkpoint { color: #2ca02c; }
.chart { margin: 8px 0; }
#status.done { color: #2ca02c; }
#status.error { color: #d62728; }
`;

/** The page's script. */
export const dashboardScript = String.raw`(function () {
  'use strict';
  var MAX_POINTS = 20000;
  var d = { step: [], time: [], loss: [], valLoss: [], lr: [] };
  var markers = [];
  var state = { smoothing: 0.6, log: false, x: 'step', ended: false, dirty: false, redraws: 0 };
  var lossPlot = null;
  var lrPlot = null;
  function el(id) { return document.getElementById(id); }

  function fmt(v, digits) {
    if (v === null || v === undefined || typeof v !== 'number' || !isFinite(v)) return '–';
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return Number(v.toPrecision(digits)).toExponential();
    return Number(v.toPrecision(digits)).toString();
  }

  /** Debiased exponential moving average (as TensorBoard): skips gaps. */
  function smooth(values, w) {
    var out = new Array(values.length);
    var ema = 0;
    var n = 0;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v === null || !isFinite(v)) { out[i] = null; continue; }
      n++;
      ema = w * ema + (1 - w) * v;
      out[i] = w === 0 ? v : ema / (1 - Math.pow(w, n));
    }
    return out;
  }

  function positive(values) {
    if (!state.log) return values;
    var out = new Array(values.length);
    for (var i = 0; i < values.length; i++) out[i] = values[i] !== null && values[i] > 0 ? values[i] : null;
    return out;
  }

  function clean(values) {
    var out = new Array(values.length);
    for (var i = 0; i < values.length; i++) out[i] = values[i] === null || !isFinite(values[i]) ? null : values[i];
    return out;
  }

  function xs() { return state.x === 'time' ? d.time : d.step; }

  /** Y tick labels that stay readable on a log scale (1e-5, not 0). */
  function ticks(u, splits) {
    var out = new Array(splits.length);
    for (var i = 0; i < splits.length; i++) out[i] = splits[i] === null ? '' : fmt(splits[i], 3);
    return out;
  }

  function lossData() {
    var raw = clean(d.loss);
    return [xs(), positive(raw), positive(smooth(raw, state.smoothing)), positive(clean(d.valLoss))];
  }
  function lrData() { return [xs(), positive(clean(d.lr))]; }

  function markersPlugin() {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          var top = u.bbox.top;
          var h = u.bbox.height;
          ctx.save();
          ctx.lineWidth = 1.5 * (window.devicePixelRatio || 1);
          ctx.setLineDash([6, 4]);
          for (var i = 0; i < markers.length; i++) {
            var m = markers[i];
            var xv = state.x === 'time' ? m.time : m.step;
            var x = Math.round(u.valToPos(xv, 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = m.kind === 'drift' ? '#ff7f0e' : '#2ca02c';
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + h);
            ctx.stroke();
          }
          ctx.restore();
        }]
      }
    };
  }

  function width() { return Math.max(320, Math.min(window.innerWidth - 48, 1400)); }

  function build() {
    if (lossPlot) lossPlot.destroy();
    if (lrPlot) lrPlot.destroy();
    var xLabel = state.x === 'time' ? 'seconds' : 'step';
    var yScale = { distr: state.log ? 3 : 1 };
    lossPlot = new uPlot({
      width: width(), height: 320, title: 'loss',
      scales: { x: { time: false }, y: yScale },
      axes: [{ label: xLabel }, { label: 'loss', size: 70, values: ticks }],
      series: [
        { label: xLabel },
        { label: 'loss (raw)', stroke: 'rgba(31,119,180,0.3)', width: 1 },
        { label: 'loss (smoothed)', stroke: '#1f77b4', width: 2 },
        { label: 'val loss', stroke: '#d62728', width: 2, spanGaps: true, points: { show: true, size: 5 } }
      ],
      plugins: [markersPlugin()]
    }, lossData(), el('lossChart'));
    lrPlot = new uPlot({
      width: width(), height: 150, title: 'learning rate',
      scales: { x: { time: false }, y: { distr: state.log ? 3 : 1 } },
      axes: [{ label: xLabel }, { label: 'lr', size: 70, values: ticks }],
      series: [{ label: xLabel }, { label: 'lr', stroke: '#9467bd', width: 2 }],
      plugins: [markersPlugin()]
    }, lrData(), el('lrChart'));
    state.dirty = false;
  }

  function redraw() {
    state.redraws++;
    lossPlot.setData(lossData());
    lrPlot.setData(lrData());
  }

  function frame() {
    if (state.dirty) {
      state.dirty = false;
      redraw();
    }
    window.requestAnimationFrame(frame);
  }

  function decimate() {
    if (d.step.length <= MAX_POINTS) return;
    var keys = ['step', 'time', 'loss', 'valLoss', 'lr'];
    for (var k = 0; k < keys.length; k++) {
      var a = d[keys[k]];
      var b = [];
      for (var i = 0; i < a.length; i += 2) b.push(a[i]);
      if ((a.length - 1) % 2 !== 0) b.push(a[a.length - 1]);
      d[keys[k]] = b;
    }
  }

  function append(p) {
    var keys = ['step', 'time', 'loss', 'valLoss', 'lr'];
    for (var k = 0; k < keys.length; k++) {
      var src = p[keys[k]];
      var dst = d[keys[k]];
      for (var i = 0; i < src.length; i++) dst.push(src[i]);
    }
    decimate();
    state.dirty = true;
  }

  function showStatus(s) {
    el('status').textContent = s.status + (s.error ? ': ' + s.error : '');
    el('status').className = s.status;
    el('step').textContent = String(s.step);
    el('epoch').textContent = String(s.epoch);
    el('rate').textContent = fmt(s.stepsPerSecond, 3);
    el('lr').textContent = fmt(s.lr, 3);
    var last = d.loss.length ? d.loss[d.loss.length - 1] : null;
    el('loss').textContent = fmt(last, 4);
    el('epochLoss').textContent = s.epochLoss === null || s.epochLoss === undefined ? '–' : fmt(s.epochLoss, 4);
    el('stopReason').textContent = s.stopReason || '–';
  }

  el('smoothing').addEventListener('input', function (e) {
    state.smoothing = Number(e.target.value);
    el('smoothingValue').textContent = state.smoothing.toFixed(2);
    redraw();
  });
  el('logScale').addEventListener('change', function (e) {
    state.log = e.target.checked;
    build();
  });
  el('xAxis').addEventListener('change', function (e) {
    state.x = e.target.value;
    build();
  });
  window.addEventListener('resize', function () {
    lossPlot.setSize({ width: width(), height: 320 });
    lrPlot.setSize({ width: width(), height: 150 });
  });

  build();
  window.requestAnimationFrame(frame);

  var es = new EventSource('/events');
  es.addEventListener('init', function (e) {
    var m = JSON.parse(e.data);
    d = { step: [], time: [], loss: [], valLoss: [], lr: [] };
    markers = m.markers;
    append(m.points);
  });
  es.addEventListener('points', function (e) { append(JSON.parse(e.data)); });
  es.addEventListener('marker', function (e) { markers.push(JSON.parse(e.data)); state.dirty = true; });
  es.addEventListener('status', function (e) { showStatus(JSON.parse(e.data)); });
  es.addEventListener('end', function (e) {
    state.ended = true;
    showStatus(JSON.parse(e.data));
    state.dirty = true;
    es.close();
  });
  es.onerror = function () {
    if (!state.ended) el('status').textContent = 'reconnecting…';
  };

  window.gradstreamDashboard = {
    state: state,
    data: function () { return d; },
    markers: function () { return markers; },
    smoothed: function () { return lossData()[2]; },
    lossPlot: function () { return lossPlot; },
    lrPlot: function () { return lrPlot; }
  };
})();
`;
