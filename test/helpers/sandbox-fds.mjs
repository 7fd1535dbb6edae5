// Run as a grader a job runner started with descriptors of its own (the
// test gives them), without the CLI's closing of them: opens a sandbox from
// dist/, runs one command in it that lists the descriptors it got above
// stdio, and prints {given, inside} as JSON. The sandbox's own entry step is
// what must keep them out.
import { findPython } from '../../dist/env/index.js';
import { Sandbox, inheritedDescriptors } from '../../dist/sandbox/index.js';

const [dir] = process.argv.slice(2);
const given = inheritedDescriptors().map((d) => d.fd);
const python = await findPython();
const sandbox = await Sandbox.open({ dir, mode: 'auto', python: { executable: python.executable, prefixes: python.prefixes }, display: false });
const run = await sandbox.newRun({ display: false });
// `[ -e ]` is the shell's own: it opens no descriptor that could pass for an inherited one.
const proc = await run.spawn(['/bin/sh', '-c', 'for n in $(seq 3 40); do [ -e /proc/self/fd/$n ] && printf "%s " $n; done; echo'], {});
await proc.closed;
const inside = proc.stdout().text.trim();
await run.dispose();
await sandbox.dispose();
process.stdout.write(`${JSON.stringify({ level: sandbox.level, given, inside })}\n`);
