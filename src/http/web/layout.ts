/**
 * The page shell every web page shares — served pages and `generate-pages` alike — and
 * its one stylesheet (served at `STYLESHEET_PATH`, written beside exported pages). No
 * inline script or style, so the content security policy can forbid both.
 */
import { html, type Html, type HtmlValue } from './html.js'

export const STYLESHEET_PATH = '/static/mirrormanager.css'

export interface NavLink {
  readonly href: string
  readonly label: string
}

export interface PageOptions {
  readonly title: string
  /** Prefix of every link: `--base-path` on the server, a relative path in static exports. */
  readonly basePath: string
  readonly body: HtmlValue
  readonly nav?: readonly NavLink[]
  /** Shown at the right of the header, e.g. the signed-in user and a logout form. */
  readonly account?: HtmlValue
  /** One-line notices above the content (saved, refused, ...). */
  readonly flash?: readonly { kind: 'ok' | 'error'; text: string }[]
}

export function page(options: PageOptions): Html {
  const { title, basePath, body, nav = [], account, flash = [] } = options
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — MirrorManager</title>
<link rel="stylesheet" href="${basePath}${STYLESHEET_PATH}">
<link rel="icon" href="data:,">
</head>
<body>
<header class="top">
<a class="brand" href="${basePath}/">MirrorManager</a>
<nav>${nav.map((link) => html`<a href="${basePath}${link.href}">${link.label}</a>`)}</nav>
<div class="account">${account}</div>
</header>
<main>
${flash.map((f) => html`<p class="flash flash-${f.kind}" role="status">${f.text}</p>`)}
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`
}

export const STYLESHEET = `
:root { --fg: #1d2430; --muted: #5b6675; --line: #d8dee6; --accent: #2a5db0; --ok: #23833b; --bad: #b3261e; --warn: #b26a00; --bg: #f7f9fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #24344d; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; font-size: 1.1rem; }
header.top nav { display: flex; gap: 1rem; flex: 1; }
header.top .account { display: flex; gap: .75rem; align-items: center; }
header.top .account form { margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: .8rem 0 1rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: #fff; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); }
.flash { padding: .5rem .8rem; border-radius: 4px; }
.flash-ok { background: #e3f4e6; } .flash-error { background: #fbe4e2; }
form.stacked label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
form.stacked input[type=text], form.stacked input[type=email], form.stacked input[type=password], form.stacked input[type=number], form.stacked input[type=url], form.stacked select, form.stacked textarea { width: 100%; max-width: 32rem; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
form.inline { display: inline-flex; gap: .4rem; align-items: center; margin: 0; }
.field-error { color: var(--bad); font-size: .9rem; margin: .15rem 0; }
input[aria-invalid=true] { border-color: var(--bad) !important; }
button, .button { padding: .35rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; font: inherit; cursor: pointer; text-decoration: none; display: inline-block; }
button.danger { background: var(--bad); border-color: var(--bad); }
button.link { background: none; border: none; color: inherit; padding: 0; text-decoration: underline; }
figure.chart { margin: 1rem 0; background: #fff; border: 1px solid var(--line); padding: .5rem; }
figure.chart svg { width: 100%; height: auto; display: block; }
figure.chart figcaption { color: var(--muted); font-size: .9rem; }
form.stacked label.check { font-weight: 400; }
section.category { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: .1rem 1rem .8rem; margin: .8rem 0; }
td.change { overflow-wrap: anywhere; font-size: .85rem; color: var(--muted); max-width: 32rem; }
.legend { display: flex; gap: 1rem; flex-wrap: wrap; font-size: .9rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }
.two-columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
.two-columns figure.chart { margin: 0; }
figure.chart.narrow svg { max-width: 40rem; }
.small { font-size: .85rem; }
form.filters { margin: .2rem 0 .8rem; flex-wrap: wrap; }
form.filters select { padding: .25rem .4rem; font: inherit; }
table.matrix td, table.matrix th { text-align: center; }
table.matrix th[scope=row] { text-align: left; }
tr.total th, tr.total td { border-top: 2px solid var(--line); }
`
