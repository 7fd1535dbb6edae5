// Course config (`grade --config course.json`) and a submission's own
// grade.json, validated with clear errors. A course may re-weight the rubric,
// choose the pack, set launch details and the sandbox; a submission may name
// its entry file and its widgets, and more only where the course allows it
// (CLIENT.md, "The submission").

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import stripJsonComments from 'strip-json-comments';
import { z } from 'zod';
import type { LaunchConfig } from './launcher.js';
import type { Pack } from './pack.js';
import { defaultWeights, type Rubric } from './rubric.js';
import { didYouMean } from './suggest.js';
import { parseJsonQuietly, readSubmissionFile } from './safe-read.js';

/** Widget paths by the pack's ui keys (checked against the pack once it is known). */
const uiSchema = z.record(z.string(), z.string().min(1)).describe('Widget paths by the pack\'s ui keys (e.g. "users": ".main.users"), where a GUI departs from the conventions');

const entrySchema = z.string().regex(/^[^/\\]+\.(py|mjs|js|cjs)$/, 'must be a file in the submission folder').describe('The entry file, e.g. "main.py"');
/** Replaces the default launch; placeholders such as {host} {port} {user} {dir}. */
const commandSchema = z.array(z.string().min(1)).min(1).describe('Replaces the default launch; placeholders {host} {port} {user} {dir}');

const submissionSchema = z
  .object({
    entry: entrySchema.optional(),
    ui: uiSchema.optional(),
    /** Honoured only where the course sets `submissionLaunch`. */
    command: commandSchema.optional(),
  })
  .strict();

const sandboxLimits = z
  .object({
    memoryMiB: z.number().int().min(64).max(65536).describe('Memory per client run, MiB (default 1024)'),
    processes: z.number().int().min(8).max(4096).describe('Processes per client run (default 256)'),
    cpuSeconds: z.number().int().min(1).max(3600).describe('CPU seconds per client run (default 300)'),
    fileSizeMiB: z.number().int().min(1).max(65536).describe('Largest file a client may write, MiB (default 64)'),
    openFiles: z.number().int().min(16).max(65536).describe('Open files per process (default 512)'),
    totalMemoryMiB: z.number().int().min(256).max(1048576).describe('Memory of the whole submission, where it gets a cgroup (docs/SECURITY.md), MiB'),
    totalProcesses: z.number().int().min(16).max(65536).describe('Processes of the whole submission, where it gets a cgroup'),
    tmpfsMiB: z.number().int().min(16).max(65536).describe('Size of each private tmpfs (/tmp, HOME) of a sandboxed process, MiB'),
  })
  .partial()
  .strict()
  .describe('Limits of each client run in the sandbox');

const courseSchema = z
  .object({
    /** Where an editor finds this schema (`chatgrade init` writes it); ignored by the grader. */
    $schema: z.string().optional().describe('Where an editor finds the schema of this file; ignored by chatgrade'),
    /** The assignment pack (`grade --list-packs`); detected from the folder when absent. */
    pack: z.string().min(1).optional().describe('The assignment pack: "chat" or "discovery" (default: detected from the folder)'),
    command: commandSchema.optional(),
    entry: entrySchema.optional(),
    ui: uiSchema.optional(),
    /** Accept clients that describe their own GUI through the explicit probe (default: only when `command` is set). */
    explicitProbe: z.boolean().optional().describe('Accept clients that describe their own GUI (default: only when "command" is set)'),
    /** How JavaScript clients run: in their own process over a real WebSocket (default), or in-process over mock-socket (trusted code only; docs/JS-CLIENTS.md). */
    jsClients: z.enum(['process', 'in-process']).optional().describe('How JavaScript clients run: "process" (default, sandboxed) or "in-process" (trusted code only)'),
    /** Let a submission's grade.json set its own `command` (courses that accept other languages). */
    submissionLaunch: z.boolean().optional().describe('Let a submission\'s grade.json set its own "command"'),
    /** Points per check id. */
    checks: z.record(z.string(), z.number().min(0)).optional().describe('Points per check id (`chatgrade --list` lists them)'),
    /** Points per rubric line, split over its checks in the default proportions. */
    lines: z.record(z.string(), z.number().min(0)).optional().describe('Points per rubric line, spread over its checks in the default proportions'),
    timeoutScale: z.number().positive().max(20).optional().describe('Multiply every time limit (slow machines; default 1)'),
    sandbox: z.enum(['auto', 'strict', 'off']).optional().describe('Isolation of student code: "auto" (default), "strict" (full or refuse) or "off"'),
    limits: sandboxLimits.optional(),
  })
  .strict()
  .describe('A chatgrade course config (docs/GRADING.md, "Config")');

/** The course config's JSON Schema, made from the schema the grader validates with (for editors: `chatgrade init`). */
export function courseJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(courseSchema, { io: 'input' }) as Record<string, unknown>;
}

/** The course config's top-level keys, in schema order. */
export const COURSE_KEYS: readonly string[] = Object.keys(courseSchema.shape);

export type CourseConfig = z.infer<typeof courseSchema>;
export type SubmissionConfig = z.infer<typeof submissionSchema>;

/** A config file that cannot be used; the CLI exits 2 with this message (a submission's own file fails that submission only). */
export class ConfigError extends Error {
  readonly code = 'config.invalid';
}

/** A JSON file; with `comments`, `//` and block comments are allowed (the course config: `chatgrade init` writes one with comments). */
function readJson(file: string, comments = false): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    // Comments become spaces, so positions in JSON's errors stay right.
    return JSON.parse(comments ? stripJsonComments(text) : text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': COURSE_KEYS,
  limits: Object.keys(sandboxLimits.shape),
};

function explain(file: string, error: z.ZodError, hint = '', known: Readonly<Record<string, readonly string[]>> = {}): ConfigError {
  const issues = error.issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : '(top level)';
    const candidates = known[i.path.join('.')] ?? [];
    const typo = i.code === 'unrecognized_keys' ? i.keys.map((k) => didYouMean(k, candidates)).join('') : '';
    return `  ${where}: ${i.message}${typo}`;
  }).join('\n');
  return new ConfigError(`${file} is not a valid config:\n${issues}${hint}`);
}

/** The course config's shape; its ids are checked against a pack by checkAgainstPack(). */
export function loadCourseConfig(file: string): CourseConfig {
  const parsed = courseSchema.safeParse(readJson(file, true));
  if (!parsed.success) throw explain(file, parsed.error, '', KNOWN_KEYS);
  return parsed.data;
}

/** Reject check, line and ui names the pack does not have. */
export function checkAgainstPack(config: CourseConfig, pack: Pack, file = 'the course config'): void {
  const { rubric } = pack;
  const unknown = [
    ...Object.keys(config.checks ?? {}).filter((id) => !rubric.checks.some((c) => c.id === id)).map((c) => `check "${c}"${didYouMean(c, rubric.checks.map((x) => x.id))}`),
    ...Object.keys(config.lines ?? {}).filter((id) => !rubric.lines.some((l) => l.id === id)).map((l) => `line "${l}"${didYouMean(l, rubric.lines.map((x) => x.id))}`),
    ...Object.keys(config.ui ?? {}).filter((k) => !pack.uiKeys.includes(k)).map((k) => `ui "${k}"${didYouMean(k, pack.uiKeys)}`),
  ];
  if (unknown.length) {
    throw new ConfigError(`${file} names ${unknown.join(', ')} that the ${pack.id} pack does not have (see \`grade --list\`)`);
  }
}

/** Largest grade.json read. */
const MAX_SUBMISSION_CONFIG_BYTES = 64 * 1024;

/** The submission's grade.json, if any: read through the safe reader (a regular file, never a link or a pipe). */
export function loadSubmissionConfig(dir: string): SubmissionConfig {
  const file = join(dir, 'grade.json');
  let json: unknown;
  try {
    const text = readSubmissionFile(dir, 'grade.json', MAX_SUBMISSION_CONFIG_BYTES);
    if (text === undefined) return {};
    json = parseJsonQuietly(text, file);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const parsed = submissionSchema.safeParse(json);
  if (!parsed.success) throw explain(file, parsed.error, '\n  (a submission\'s grade.json may set only "entry" and "ui"; points, checks and the launch belong to the course config)', { '': Object.keys(submissionSchema.shape) });
  return parsed.data;
}

/** Points per check after the course's re-weighting: line totals first, then per-check overrides. */
export function weightsFor(rubric: Rubric, config: CourseConfig): Record<string, number> {
  const weights = defaultWeights(rubric);
  for (const [line, total] of Object.entries(config.lines ?? {})) {
    const checks = rubric.checks.filter((c) => c.line === line);
    const sum = checks.reduce((n, c) => n + c.points, 0);
    for (const c of checks) weights[c.id] = (total * c.points) / sum;
  }
  return { ...weights, ...(config.checks ?? {}) };
}

/**
 * Launch details: the course's, with the submission's entry and ui on top.
 * A submission's command counts only where the course allows it; otherwise
 * it is ignored and `warnings` says so (the report shows it).
 */
export function launchFor(course: CourseConfig, submission: SubmissionConfig, pack: Pack): { launch: LaunchConfig; warnings: string[] } {
  const warnings: string[] = [];
  const unknownUi = Object.keys(submission.ui ?? {}).filter((k) => !pack.uiKeys.includes(k));
  if (unknownUi.length) warnings.push(`grade.json names ui ${unknownUi.map((k) => `"${k}"`).join(', ')}, which the ${pack.id} pack does not use; ignored`);
  const ui = Object.fromEntries(Object.entries({ ...course.ui, ...submission.ui }).filter(([k]) => pack.uiKeys.includes(k)));
  let command = course.command;
  if (submission.command) {
    if (course.submissionLaunch) command = submission.command;
    else warnings.push('grade.json sets "command", which this course does not allow (the course config sets the launch); it was ignored');
  }
  const launch: LaunchConfig = {
    entry: submission.entry ?? course.entry,
    ui,
    // A course that sets its own command runs clients without our Tk agent: they can only describe themselves.
    explicitProbe: course.explicitProbe ?? course.command !== undefined,
  };
  if (command) launch.command = command;
  return { launch, warnings };
}
