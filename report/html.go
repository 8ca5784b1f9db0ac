package report

import (
	"bufio"
	"html/template"
	"io"
	"sync"
)

// Write builds the page of in and writes it to w.
func Write(w io.Writer, in Input) error {
	p, err := Build(in)
	if err != nil {
		return err
	}
	return p.WriteHTML(w)
}

// WriteHTML renders p as one self-contained HTML document.
func (p *Page) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if err := pageTemplate().Execute(bw, p); err != nil {
		return err
	}
	return bw.Flush()
}

var pageTemplate = sync.OnceValue(func() *template.Template { return template.Must(template.New("report").Parse(pageHTML)) })

// The page: inline CSS and a little vanilla script, nothing fetched. Card
// markup is kept short, as a run of 1,000 videos repeats it 1,000 times.
const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; media-src 'self' file:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{{.Title}}</title>
<style>
:root{--bg:#f6f7f9;--fg:#15181d;--muted:#5b6472;--card:#fff;--line:#d9dde3;--accent:#2457d6;--ok:#1a7f37;--bad:#c62828;--warn:#9a6700;--chip:#eef1f5}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--fg:#e6e9ee;--muted:#9aa4b2;--card:#181c22;--line:#2b313a;--accent:#7aa2ff;--ok:#4ac26b;--bad:#ff7b72;--warn:#d29922;--chip:#222831}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,nav,main,footer{max-width:1880px;margin:0 auto;padding:0 16px}
h1{font-size:1.35rem;margin:18px 0 10px}
.figs{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px;padding:0}
.figs div{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 12px;min-width:110px}
.figs dt{font-size:.75rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.figs dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.msg{color:var(--warn)}
nav{position:sticky;top:0;z-index:2;background:var(--bg);padding-top:8px;padding-bottom:8px;display:flex;flex-wrap:wrap;gap:8px;align-items:center;border-bottom:1px solid var(--line)}
nav button,.copy{font:inherit;color:var(--fg);background:var(--chip);border:1px solid var(--line);border-radius:999px;padding:4px 12px;cursor:pointer}
nav button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
button:focus-visible,input:focus-visible,video:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
nav input{font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:6px;padding:5px 10px;min-width:0;width:min(340px,100%)}
#shown{color:var(--muted);font-size:.9rem}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(320px,100%),1fr));gap:14px;padding-top:14px;padding-bottom:24px}
.card{content-visibility:auto;contain-intrinsic-size:auto 480px;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden;display:flex;flex-direction:column}
.card[hidden]{display:none}
.m{position:relative;aspect-ratio:16/9;background:#000;display:flex;align-items:center;justify-content:center}
.m video{position:absolute;inset:0;width:100%;height:100%;object-fit:contain;display:block}
.nofile{color:#c9d1d9;padding:12px;text-align:center;font-size:.9rem}
.fail{aspect-ratio:16/9;overflow:auto;padding:12px 14px;background:color-mix(in srgb,var(--bad) 10%,var(--card));border-bottom:1px solid var(--line)}
.fail .code{font-weight:700;color:var(--bad);margin:0 0 4px;font-family:ui-monospace,monospace}
.fail p{margin:0 0 6px}
.fail .sug::before{content:"What to do: ";font-weight:600}
.b{padding:10px 14px 12px;display:flex;flex-direction:column;gap:6px}
.t{display:flex;gap:8px;align-items:baseline;justify-content:space-between}
h2{font-size:1rem;margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
.s{font-size:.75rem;border-radius:999px;padding:1px 8px;background:var(--chip);white-space:nowrap}
.s-completed{color:var(--ok)}.s-failed{color:var(--bad)}.s-uncertain,.s-skipped{color:var(--warn)}
.p{margin:0;overflow-wrap:anywhere}
.p del{color:#b3261e;text-decoration:line-through}.p ins{color:#1b7f3b;text-decoration:none;font-weight:600}
dl.k{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0;font-size:.85rem}
dl.k dt{color:var(--muted)}
dl.k dd{margin:0;min-width:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,monospace;font-size:.85em}
.copy{font-size:.75rem;padding:0 8px;margin-left:4px}
a{color:var(--accent)}
footer{color:var(--muted);font-size:.8rem;padding-bottom:24px}
@media (max-width:480px){body{font-size:14px}.figs div{min-width:0;flex:1 1 40%}}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto}}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<dl class="figs">
<div><dt>Completed</dt><dd id="n-completed">{{.Completed}}</dd></div>
<div><dt>Failed</dt><dd id="n-failed">{{.Failed}}</dd></div>
<div><dt>Unchanged</dt><dd id="n-unchanged">{{.Unchanged}}</dd></div>
{{- range .Counts}}{{if and (ne .Status "completed") (ne .Status "failed") (ne .Status "unchanged")}}
<div><dt>{{.Status}}</dt><dd>{{.N}}</dd></div>{{end}}{{end}}
<div><dt>Cost estimated</dt><dd id="cost-est">{{.CostEstimate}}</dd></div>
<div><dt>Cost consumed</dt><dd id="cost-used">{{.CostConsumed}}</dd></div>
{{- if .Duration}}
<div><dt>Run took</dt><dd>{{.Duration}}</dd></div>{{end}}
{{- if .Started}}
<div><dt>Started</dt><dd>{{.Started}}</dd></div>{{end}}
{{- if .ExitCode}}
<div><dt>Exit code</dt><dd>{{.ExitCode}}</dd></div>{{end}}
{{- if .Provider}}
<div><dt>Provider</dt><dd>{{.Provider}}</dd></div>{{end}}
{{- if .Endpoint}}
<div><dt>Endpoint</dt><dd><code>{{.Endpoint}}</code></dd></div>{{end}}
{{- if .ManifestHash}}
<div><dt>Manifest hash</dt><dd><code>{{.ManifestHash}}</code></dd></div>{{end}}
</dl>
{{- if .Message}}
<p class="msg">Stopped early: {{.Message}}</p>{{end}}
</header>
<nav aria-label="Filter the videos">
<div role="group" aria-label="Status" id="status">
<button type="button" data-status="" aria-pressed="true">all ({{.Total}})</button>
{{- range .Counts}}
<button type="button" data-status="{{.Status}}" aria-pressed="false">{{.Status}} ({{.N}})</button>{{end}}
</div>
<label for="q">Search</label><input id="q" type="search" placeholder="prompt or address" autocomplete="off">
<span id="shown" role="status" aria-live="polite">{{.Total}} shown</span>
</nav>
<main id="cards">
{{- range .Cards}}
<article class="card" data-status="{{.Status}}" aria-label="{{.Address}}">
{{- if eq .Status "failed"}}
<div class="fail" role="group" aria-label="error"><p class="code">{{if .ErrorCode}}{{.ErrorCode}}{{else}}failed{{end}}</p>
{{- if .ErrorMessage}}<p class="em">{{.ErrorMessage}}</p>{{end}}
{{- if .Suggestion}}<p class="sug">{{.Suggestion}}</p>{{end}}</div>
{{- end}}
{{- if .VideoSrc}}
{{- if .Lazy}}
<div class="m" data-src="{{.VideoSrc}}"></div>
{{- else}}
<div class="m"><video src="{{.VideoSrc}}" controls preload="metadata" muted loop playsinline aria-label="video of {{.Address}}"></video></div>
{{- end}}
{{- else if ne .Status "failed"}}
<div class="m"><p class="nofile">{{if .Missing}}File not found: {{.Output}}{{else}}No video{{end}}</p></div>
{{- end}}
<div class="b">
<div class="t"><h2>{{.Address}}</h2><span class="s s-{{.Status}}">{{.Status}}</span></div>
{{- if .PromptDiff}}
<p class="p" title="the words this run changed">{{range .PromptDiff}}{{if eq .Kind 45}}<del>{{.Word}}</del> {{else if eq .Kind 43}}<ins>{{.Word}}</ins> {{else}}{{.Word}} {{end}}{{end}}</p>
{{- else if .Prompt}}
<p class="p">{{.Prompt}}</p>{{end}}
<dl class="k">
{{- if .Duration}}<dt>Duration</dt><dd>{{.Duration}}</dd>{{end}}
{{- if .Resolution}}<dt>Resolution</dt><dd>{{.Resolution}}</dd>{{end}}
{{- if .AspectRatio}}<dt>Aspect</dt><dd>{{.AspectRatio}}</dd>{{end}}
{{- if .Model}}<dt>Model</dt><dd>{{.Model}}</dd>{{end}}
{{- if or .Cost .CostEstimate}}<dt>Cost</dt><dd>{{.Cost}}{{if .CostEstimate}} (est. {{.CostEstimate}}){{end}}</dd>{{end}}
{{- if .Attempts}}<dt>Attempts</dt><dd>{{.Attempts}}</dd>{{end}}
{{- if .TaskID}}<dt>Task</dt><dd><code class="tid">{{.TaskID}}</code><button type="button" class="copy" aria-label="copy task id">copy</button></dd>{{end}}
{{- if .RequestID}}<dt>Request</dt><dd><code class="rid">{{.RequestID}}</code><button type="button" class="copy" aria-label="copy request id">copy</button></dd>{{end}}
{{- if and .ErrorMessage (ne .Status "failed")}}<dt>Note</dt><dd>{{.ErrorMessage}}</dd>{{end}}
{{- if .Ordered}}<dt>Ordered</dt><dd>{{.Ordered}}</dd>{{end}}
{{- if .Delivered}}<dt>Delivered</dt><dd>{{.Delivered}}</dd>{{end}}
{{- if .Output}}<dt>Output</dt><dd><code>{{.Output}}</code></dd>{{end}}
{{- if .Takes}}<dt>Earlier</dt><dd>{{range $i, $t := .Takes}}{{if $i}}, {{end}}<a href="{{$t.Src}}">{{$t.Label}}</a>{{end}}</dd>{{end}}
</dl>
</div>
</article>
{{- end}}
</main>
<footer>{{.Scope}} · generated {{.Generated}} by ltxform</footer>
<script>
(function(){
"use strict";
var cards=[].slice.call(document.querySelectorAll(".card"));
var text=cards.map(function(c){var p=c.querySelector(".p");return (c.getAttribute("aria-label")+" "+(p?p.textContent:"")).toLowerCase()});
var buttons=[].slice.call(document.querySelectorAll("#status button"));
var q=document.getElementById("q"),shown=document.getElementById("shown");
var status="";
function apply(){
 var terms=q.value.toLowerCase().split(/\s+/).filter(Boolean),n=0;
 cards.forEach(function(c,i){
  var ok=(!status||c.dataset.status===status)&&terms.every(function(t){return text[i].indexOf(t)>=0});
  c.hidden=!ok;if(ok)n++;
 });
 shown.textContent=n+" of "+cards.length+" shown";
}
buttons.forEach(function(b){b.addEventListener("click",function(){
 status=b.dataset.status;
 buttons.forEach(function(o){o.setAttribute("aria-pressed",String(o===b))});
 apply();
})});
q.addEventListener("input",apply);
function copy(btn){
 var v=btn.previousElementSibling.textContent;
 function done(){btn.textContent="copied";setTimeout(function(){btn.textContent="copy"},1500)}
 if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(v).then(done,fallback)}else{fallback()}
 function fallback(){var t=document.createElement("textarea");t.value=v;document.body.appendChild(t);t.select();try{document.execCommand("copy");done()}catch(e){}t.remove()}
}
document.addEventListener("click",function(e){if(e.target.classList.contains("copy"))copy(e.target)});
function play(v){if(v&&v.src){var p=v.play();if(p&&p.catch)p.catch(function(){})}}
cards.forEach(function(c){
 c.addEventListener("mouseenter",function(){play(c.querySelector("video"))});
 c.addEventListener("mouseleave",function(){var v=c.querySelector("video");if(v)v.pause()});
});
// Cards past the first few get their player when they come near the view.
var lazy=[].slice.call(document.querySelectorAll(".m[data-src]"));
function load(m){
 var v=document.createElement("video");
 v.src=m.dataset.src;v.preload="metadata";v.muted=true;v.loop=true;v.playsInline=true;v.controls=true;
 v.setAttribute("aria-label","video of "+m.closest(".card").getAttribute("aria-label"));
 m.removeAttribute("data-src");m.appendChild(v);
}
if("IntersectionObserver" in window){
 var io=new IntersectionObserver(function(es){es.forEach(function(e){if(e.isIntersecting){load(e.target);io.unobserve(e.target)}})},{rootMargin:"400px"});
 lazy.forEach(function(v){io.observe(v)});
}else{lazy.forEach(load)}
})();
</script>
</body>
</html>
`
