/** The one stylesheet, served from /static/baken.css (the CSP allows no inline styles). */
export const STYLES = `
:root {
  --ink: #1d2530; --muted: #5b6675; --line: #d9dee5; --bg: #f6f7f9; --card: #fff;
  --accent: #0b5cad; --accent-ink: #fff; --danger: #a4262c; --ok: #1e6b3a; --warn-bg: #fff6e0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg);
  line-height: 1.5; font-size: 16px;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
header.top { background: var(--card); border-bottom: 1px solid var(--line); }
header.top .bar { max-width: 72rem; margin: 0 auto; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--ink); }
.brand small { font-weight: 400; color: var(--muted); font-size: .8rem; margin-left: .4rem; }
nav.main { display: flex; flex-wrap: wrap; gap: .25rem .9rem; flex: 1; }
nav.main a { text-decoration: none; color: var(--ink); padding: .2rem 0; border-bottom: 2px solid transparent; }
nav.main a[aria-current="page"] { border-color: var(--accent); }
.session { display: flex; gap: .6rem; align-items: center; font-size: .9rem; color: var(--muted); }
.session form { margin: 0; }
.lang a { text-decoration: none; padding: 0 .2rem; }
.lang a[aria-current="true"] { font-weight: 700; color: var(--ink); }
main { max-width: 72rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .6rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
.narrow { max-width: 26rem; margin: 2rem auto; }
form.stack label { display: block; margin: .6rem 0 .2rem; font-weight: 600; font-size: .92rem; }
form.stack .row { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0 1rem; }
input, select, textarea { font: inherit; padding: .45rem .55rem; border: 1px solid #b8c0cb; border-radius: 6px; width: 100%; background: #fff; color: var(--ink); }
input:focus, select:focus, textarea:focus, button:focus, a:focus { outline: 3px solid #9cc3ef; outline-offset: 1px; }
button, .button { font: inherit; background: var(--accent); color: var(--accent-ink); border: 0; border-radius: 6px; padding: .45rem 1rem; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #e8ecf1; color: var(--ink); }
button.danger { background: var(--danger); }
button.link { background: none; color: var(--accent); padding: 0; text-decoration: underline; }
form.stack button { margin-top: .9rem; }
form.inline { display: inline-flex; gap: .4rem; align-items: center; margin: 0; }
form.inline input, form.inline select { width: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; font-size: .93rem; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.notice { padding: .7rem 1rem; border-radius: 6px; margin: 0 0 1rem; border: 1px solid; }
.notice.ok { background: #e9f6ee; border-color: #a9d8b9; color: var(--ok); }
.notice.error { background: #fbeaea; border-color: #eab3b5; color: var(--danger); }
.notice.warn { background: var(--warn-bg); border-color: #f0d58c; }
.secret { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; background: #fff; border: 1px dashed #8a95a3; padding: .6rem; word-break: break-all; user-select: all; }
.muted { color: var(--muted); }
.tag { display: inline-block; font-size: .78rem; padding: .05rem .45rem; border-radius: 999px; background: #e8ecf1; }
.tag.revoked, .tag.disabled, .tag.expired { background: #fbeaea; color: var(--danger); }
.tag.active { background: #e9f6ee; color: var(--ok); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .88em; }
footer { max-width: 72rem; margin: 0 auto; padding: 1rem; color: var(--muted); font-size: .85rem; }
.prewrap { white-space: pre-wrap; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.field-error { color: var(--danger); margin: .2rem 0 .4rem; font-size: .9rem; }
[aria-invalid="true"] { border-color: var(--danger); }
@media (max-width: 40rem) {
  header.top .bar { padding: .5rem .75rem; }
  main { padding: 1rem .75rem 2rem; }
  th, td { padding: .4rem .35rem; }
  .hide-small { display: none; }
}
`;
