// The CSS and the (optional) script of both pages. Constants only: the page
// allows exactly these by hash (page.ts), so they must not depend on the
// result. Everything works without the script; it adds copy buttons and
// sorting by column.

export const STYLE = `
:root { --pass: #1b7f3b; --pass-bg: #e3f4e8; --nonstrict: #8a6100; --nonstrict-bg: #fff3cd;
  --fail: #b3261e; --fail-bg: #fde7e6; --error: #7b2cbf; --error-bg: #f1e6fb; --skip: #666; --skip-bg: #eee;
  --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 3rem; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; border: 1px solid var(--line); padding: .5rem .75rem; border-radius: 6px; max-height: 30rem; overflow: auto; }
h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; } h4 { font-size: 1rem; margin: .75rem 0 .25rem; }
a { color: #0969da; }
.total { font-size: 1.25rem; font-weight: 600; } .muted { color: var(--muted); }
.banner { padding: .5rem .75rem; border-radius: 6px; margin: .75rem 0; border: 1px solid; }
.banner.error { background: var(--error-bg); border-color: var(--error); } .banner.warn { background: var(--nonstrict-bg); border-color: var(--nonstrict); }
.banner.fail { background: var(--fail-bg); border-color: var(--fail); }
.badge.review { color: #6a4a00; background: #ffe08a; } dl.evidence dd.review { color: #6a4a00; }
table.matrix td.review a { box-shadow: inset 0 0 0 2px #d4a72c; } table.matrix tr.not-graded td.name { color: var(--muted); }
dl.info { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dl.info dt { color: var(--muted); } dl.info dd { margin: 0; overflow-wrap: anywhere; }
.replay { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin: .4rem 0; }
.replay code { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: .15rem .4rem; user-select: all; overflow-wrap: anywhere; }
button.copy { font-size: 12px; padding: .1rem .5rem; cursor: pointer; }
table { border-collapse: collapse; } th, td { text-align: left; vertical-align: top; padding: .25rem .5rem; }
table.points { width: 100%; } table.points td.num { text-align: right; white-space: nowrap; }
table.points tr.area td { font-weight: 600; border-top: 1px solid var(--line); padding-top: .6rem; }
table.points meter { width: 8rem; }
.chips { display: inline-flex; flex-wrap: wrap; gap: 2px; }
.chip { display: inline-block; min-width: 1.3rem; text-align: center; border-radius: 3px; font-size: 11px; padding: 0 .2rem; text-decoration: none; }
.badge { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: 12px; font-weight: 700; letter-spacing: .02em; }
.s-passed { color: var(--pass); background: var(--pass-bg); } .s-nonstrict { color: var(--nonstrict); background: var(--nonstrict-bg); }
.s-failed { color: var(--fail); background: var(--fail-bg); } .s-error { color: var(--error); background: var(--error-bg); }
.s-skipped, .s-none { color: var(--skip); background: var(--skip-bg); }
section.check { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 6px; padding: .25rem 1rem 1rem; margin: 1rem 0; }
section.check.error { border-left-color: var(--error); }
dl.evidence { display: grid; grid-template-columns: 7rem 1fr; gap: .2rem .75rem; margin: .5rem 0; }
dl.evidence dt { color: var(--muted); } dl.evidence dd { margin: 0; overflow-wrap: anywhere; }
dl.evidence dd.value { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; white-space: pre-wrap; }
.cut { color: var(--muted); font-style: italic; }
.scroll { overflow-x: auto; }
svg.seq { display: block; font: 11px ui-monospace, "DejaVu Sans Mono", monospace; }
svg.seq .lane rect { fill: #f6f8fa; stroke: #8c959f; } svg.seq .lane text { font-weight: 600; }
svg.seq .lane-client rect { fill: #ddf4ff; } svg.seq .lane-server rect { fill: #eaeef2; } svg.seq .lane-peer rect { fill: #fbefff; }
svg.seq .lane line { stroke: #afb8c1; stroke-dasharray: 4 3; }
svg.seq .span { fill: #fff8c5; }
svg.seq .time { fill: var(--muted); }
svg.seq .arrow line { stroke: #24292f; stroke-width: 1.2; } svg.seq .arrow polygon { fill: #24292f; }
svg.seq .arrow.from-client line { stroke: #0969da; } svg.seq .arrow.from-client polygon { fill: #0969da; } svg.seq .arrow.from-client text { fill: #0550ae; }
svg.seq .note rect.box { fill: #f6f8fa; stroke: #d0d7de; } svg.seq .note text { fill: #57606a; font-style: italic; }
svg.seq .conn rect.box { fill: none; stroke: #8c959f; stroke-dasharray: 6 4; } svg.seq .conn text { fill: #57606a; }
svg.seq .mark rect.box { fill: #ffebe9; stroke: var(--fail); } svg.seq .mark text { fill: var(--fail); font-weight: 600; }
svg.seq .row:hover text { text-decoration: underline; }
.gui { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start; margin-top: .75rem; }
.gui figure { margin: 0; max-width: 100%; } .gui img { max-width: 100%; height: auto; border: 1px solid var(--line); image-rendering: auto; }
.gui figcaption { color: var(--muted); font-size: 12px; }
.seen { flex: 1 1 20rem; min-width: 16rem; }
dl.kv { margin: 0; padding-left: .5rem; border-left: 2px solid var(--line); } dl.kv dt { font-weight: 600; } dl.kv dd { margin: 0 0 .3rem .75rem; }
dl.kv.compact { border-left: 0; padding-left: 0; } dl.kv.compact dt, dl.kv.compact dd { display: inline; margin: 0; }
dl.kv.compact dt::after { content: ": "; } dl.kv.compact dd + dt::before { content: " · "; font-weight: 400; color: var(--muted); }
ul.flat { display: inline; padding: 0; } ul.flat li { display: inline; } ul.flat li + li::before { content: ", "; color: var(--muted); }
ol.nested { margin: 0; padding-left: 1.5rem; } .v-null, .more { color: var(--muted); font-style: italic; } .v-str { overflow-wrap: anywhere; }
table.wire td { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; border-top: 1px solid #eaeef2; overflow-wrap: anywhere; }
table.wire td.t { text-align: right; white-space: nowrap; color: var(--muted); } table.wire tr.in-span td { background: #fff8c5; }
table.checks { width: 100%; } table.checks td { border-top: 1px solid #eaeef2; } table.checks td.id { white-space: nowrap; } table.checks td.num { text-align: right; white-space: nowrap; }
table.checks tr.line td { font-weight: 600; background: #f6f8fa; }
table.matrix { font-size: 12px; } table.matrix th.area { text-align: center; font-weight: 600; border-bottom: 1px solid var(--line); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 1px; }
table.matrix th.check { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 400; padding: .4rem .1rem; }
table.matrix td { padding: 0; border: 1px solid #fff; text-align: center; } table.matrix td.name, table.matrix td.num { padding: .1rem .5rem; text-align: left; white-space: nowrap; }
table.matrix td.num { text-align: right; } table.matrix td a { display: block; width: 1.4rem; line-height: 1.4rem; text-decoration: none; color: inherit; }
table.matrix tbody tr:hover td { outline: 1px solid #8c959f; }
th[data-sort] { cursor: pointer; } th[data-sort]::after { content: " \\2195"; color: var(--muted); }
svg.hist { font: 11px system-ui, sans-serif; } svg.hist rect.bar { fill: #0969da; } svg.hist text { fill: #1f2328; } svg.hist line { stroke: #8c959f; }
details > summary { cursor: pointer; color: #0969da; margin: .4rem 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: 12px; }
`;

export const SCRIPT = `
(() => {
  for (const code of document.querySelectorAll('code.copy')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'copy';
    button.addEventListener('click', () => {
      const done = () => { button.textContent = 'copied'; setTimeout(() => { button.textContent = 'copy'; }, 1500); };
      if (navigator.clipboard) navigator.clipboard.writeText(code.textContent).then(done, () => { getSelection().selectAllChildren(code); });
      else getSelection().selectAllChildren(code);
    });
    code.after(button);
  }
  for (const th of document.querySelectorAll('th[data-sort]')) {
    th.addEventListener('click', () => {
      const table = th.closest('table');
      const body = table.tBodies[0];
      const key = th.dataset.sort;
      const value = (tr) => tr.dataset[key] ?? '';
      const numeric = [...body.rows].every((tr) => value(tr) !== '' && !isNaN(Number(value(tr))));
      // First click: numbers high to low, names A to Z; the next click reverses.
      const dir = th.dataset.dir ? (th.dataset.dir === 'desc' ? 'asc' : 'desc') : (numeric ? 'desc' : 'asc');
      for (const other of table.querySelectorAll('th[data-sort]')) delete other.dataset.dir;
      th.dataset.dir = dir;
      const rows = [...body.rows].sort((a, b) => {
        const c = numeric ? Number(value(a)) - Number(value(b)) : value(a).localeCompare(value(b));
        return dir === 'desc' ? -c : c;
      });
      body.append(...rows);
    });
  }
})();
`;
