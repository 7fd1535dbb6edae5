// `chatgrade init`: a commented course config to start from, and beside it
// its JSON Schema, made from the zod schema the grader validates with, so an
// editor completes and checks the file ("$schema"). Comments are allowed in
// a course config (not in a submission's grade.json).

import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { COURSE_KEYS, courseJsonSchema } from '../config.js';
import { DEFAULT_LIMITS } from '../sandbox/plan.js';
import { makeDir } from './output.js';

/** The schema file's name beside the config. */
export const SCHEMA_FILE = 'course.schema.json';

// The settings written as values (the defaults); every other key is written as a comment to uncomment.
const WRITTEN: Readonly<Record<string, unknown>> = {
  lines: {},
  checks: {},
  timeoutScale: 1,
  sandbox: 'auto',
  limits: DEFAULT_LIMITS,
};
const EXAMPLES: Readonly<Record<string, unknown>> = {
  pack: 'chat',
  entry: 'main.py',
  ui: { users: '.main.users' },
  command: ['python3', 'client.py', '--host', '{host}', '--port', '{port}', '--user', '{user}'],
  explicitProbe: false,
  jsClients: 'process',
  submissionLaunch: false,
};

/** The commented course config: each key with its schema description above it. Pure. */
export function courseTemplate(schemaPath = `./${SCHEMA_FILE}`): string {
  const props = (courseJsonSchema().properties ?? {}) as Record<string, { description?: string }>;
  const out = ['{', '  // A chatgrade course config (docs/GRADING.md, "Config"). Comments are allowed here.', `  "$schema": ${JSON.stringify(schemaPath)},`];
  const keys = COURSE_KEYS.filter((k) => k !== '$schema');
  const written = keys.filter((k) => k in WRITTEN);
  for (const k of keys) {
    const about = props[k]?.description;
    if (k in WRITTEN) {
      const last = k === written[written.length - 1];
      if (about) out.push(`  // ${about}`);
      out.push(`  ${JSON.stringify(k)}: ${JSON.stringify(WRITTEN[k])}${last ? '' : ','}`);
    } else if (k in EXAMPLES) {
      out.push(`  // ${about ?? k}; to set it, uncomment:`, `  // ${JSON.stringify(k)}: ${JSON.stringify(EXAMPLES[k])},`);
    }
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The course config's JSON Schema as a file. */
export function courseSchemaText(): string {
  return `${JSON.stringify(courseJsonSchema(), null, 2)}\n`;
}

/** Write the config (unless it exists, without --force) and its schema beside it; the exit code. */
export function initCommand(opts: { out: string; force?: boolean }, io: { stdout: (t: string) => void; stderr: (t: string) => void }): number {
  if (existsSync(opts.out) && !opts.force) {
    io.stderr(`chatgrade init: ${opts.out} exists; --force writes over it\n`);
    return 2;
  }
  try {
    makeDir(dirname(opts.out));
    const schema = join(dirname(opts.out), SCHEMA_FILE);
    writeFileSync(opts.out, courseTemplate(`./${basename(schema)}`));
    writeFileSync(schema, courseSchemaText());
    io.stdout(`wrote ${opts.out} (a commented course config) and ${schema} (its JSON Schema, for editors)\n` +
      `grade with it: chatgrade ./submissions --config ${opts.out}\n`);
    return 0;
  } catch (err) {
    io.stderr(`chatgrade init: ${(err as Error).message}\n`);
    return 2;
  }
}
