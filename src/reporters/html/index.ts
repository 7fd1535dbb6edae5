// The HTML reporter: report.html for one submission, index.html for a class.
export { renderHtml } from './report.js';
export { renderClassIndex, reportHref, histogram, type ClassEntry, type ClassIndexOptions } from './class-index.js';
export { layoutSequence, sequenceDiagram, sequenceSvg, type Lane, type Row, type Sequence, type SequenceOptions } from './sequence.js';
export { checkSpan, replayCommand } from './check.js';
export { seenValue } from './seen.js';
export { escapeHtml, html, raw, visible, type Html } from './html.js';
