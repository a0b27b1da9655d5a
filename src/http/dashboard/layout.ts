// The dashboard's page shell: meta viewport for phones, inline CSS, navigation, and the live-update script (SSE).
import { h, raw, type SafeHtml } from './html.js';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;background:#f9fafb}
header{display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center;padding:.6em 1em;background:#111827;color:#f9fafb}
header a{color:#f9fafb;text-decoration:none;font-weight:600}header .live{margin-left:auto;font-size:12px;color:#9ca3af}
main{max-width:1100px;margin:0 auto;padding:.8em}h1{font-size:1.3em;margin:.3em 0 .5em;overflow-wrap:anywhere}
h2{font-size:1.05em;margin:1.2em 0 .4em}section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:.6em .8em;margin:.6em 0}
a{color:#1d4ed8}.muted{color:#6b7280}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:.3em .45em;border-bottom:1px solid #f3f4f6;vertical-align:top}th{background:#f9fafb;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:0 .45em;border-radius:9px;font-size:12px;background:#e5e7eb;white-space:nowrap}
.s-succeeded,.s-completed,.s-certified{background:#dcfce7;color:#166534}.s-failed,.s-error{background:#fee2e2;color:#991b1b}
.s-running{background:#dbeafe;color:#1e40af}.s-queued,.s-paused,.s-pending{background:#fef3c7;color:#92400e}.s-cancelled{background:#f3f4f6}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.5em}.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:.45em .6em}
.card b{display:block;font-size:1.15em}.card span{font-size:12px;color:#6b7280}
figure.chart{margin:0}figure.chart>svg{width:100%;height:auto;max-height:320px;font-size:11px;fill:#374151}
.grid{stroke:#e5e7eb}.band{fill:#9ca3af;fill-opacity:.25}.legend{display:flex;flex-wrap:wrap;gap:.2em 1em;font-size:12px}
pre{background:#111827;color:#e5e7eb;padding:.6em;border-radius:4px;overflow-x:auto;font-size:12px;max-height:420px;white-space:pre}
pre.text{white-space:pre-wrap;background:#f3f4f6;color:#111827;overflow-wrap:anywhere}
.diff .add{color:#86efac}.diff .del{color:#fca5a5}.diff .hunk{color:#93c5fd}.diff .file{color:#fde68a;font-weight:600}
ul.tree{list-style:none;padding-left:1em;margin:0;border-left:1px dotted #d1d5db}ul.tree.root{padding-left:0;border:0}
ul.tree li{margin:.15em 0;overflow-wrap:anywhere}li.best>.node{background:#fef9c3;border-radius:3px;font-weight:600}
.pill{font-size:11px;padding:0 .4em;border-radius:8px;background:#ede9fe;color:#5b21b6;white-space:nowrap}
.pill.single{background:#f3f4f6;color:#374151}.pill.control{background:#ffedd5;color:#9a3412}
@media (min-width:521px){.show-sm{display:none}}
@media (max-width:520px){main{padding:.4em}th,td{padding:.25em .3em}.hide-sm{display:none}td.n{white-space:normal}}
`;

// Re-renders <main> from the same URL when an experiment starts or ends; EventSource reconnects by itself.
const SCRIPT = `(function(){
var main=document.getElementById('main'),live=document.getElementById('live'),n=0,timer=null;
if(!main||!window.EventSource)return;
function refresh(){timer=null;fetch(location.href,{headers:{'x-dashboard-fragment':'1'},credentials:'same-origin'})
.then(function(r){return r.ok?r.text():null}).then(function(t){if(t===null)return;main.innerHTML=t;
document.body.setAttribute('data-updates',String(n));live.textContent='live · updated '+new Date().toLocaleTimeString();})
.catch(function(){});}
var es=new EventSource('/events');
es.addEventListener('open',function(){live.textContent='live';});
es.addEventListener('error',function(){live.textContent='reconnecting…';});
es.addEventListener('experiment',function(){n++;if(!timer)timer=setTimeout(refresh,250);});
})();`;

export interface LayoutOptions {
  title: string;
  /** The CSP nonce of this response, for the inline script. */
  nonce: string;
  version: string;
}

export function layout(options: LayoutOptions, body: SafeHtml): SafeHtml {
  return h`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${options.title} · groundwork</title><style>${raw(CSS)}</style></head>
<body data-updates="0"><header><a href="/">groundwork</a><a href="/">searches</a><a href="/queue">queue</a><span class="muted">${options.version}</span><span class="live" id="live">static</span></header>
<main id="main">${body}</main>
<script nonce="${options.nonce}">${raw(SCRIPT)}</script></body></html>`;
}

/** The Content-Security-Policy of a dashboard page: nothing loads from elsewhere, only the nonce'd script runs. */
export const contentSecurityPolicy = (nonce: string): string =>
  `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
