// Course config (`grade --config course.json`) and a submission's own
// grade.json, validated with clear errors. A course may re-weight the rubric,
// choose the pack, set launch details and the sandbox; a submission may name
// its entry file and its widgets, and more only where the course allows it
// (CLIENT.md, "The submission").

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Pack } from './pack.js';
import { defaultWeights, type Rubric } from './rubric.js';
import { parseJsonQuietly, readSubmissionFile } from './safe-read.js';

/** Widget paths by the pack's ui keys (checked against the pack once it is known). */
const uiSchema = z.record(z.string(), z.string().min(1));

const entrySchema = z.string().regex(/^[^/\\]+\.(py|mjs|js|cjs)$/, 'must be a file in the submission folder');
/** Replaces the default launch; placeholders such as {host} {port} {user} {dir}. */
const commandSchema = z.array(z.string().min(1)).min(1);

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
    memoryMiB: z.number().int().min(64).max(65536),
    processes: z.number().int().min(8).max(4096),
    cpuSeconds: z.number().int().min(1).max(3600),
    fileSizeMiB: z.number().int().min(1).max(65536),
    openFiles: z.number().int().min(16).max(65536),
    /** The whole submission, where it gets a cgroup (docs/SECURITY.md). */
    totalMemoryMiB: z.number().int().min(256).max(1048576),
    totalProcesses: z.number().int().min(16).max(65536),
    /** Each private tmpfs (/tmp, HOME) of a sandboxed process. */
    tmpfsMiB: z.number().int().min(16).max(65536),
  })
  .partial()
  .strict();

const courseSchema = z
  .object({
    /** The assignment pack (`grade --list-packs`); detected from the folder when absent. */
    pack: z.string().min(1).optional(),
    command: commandSchema.optional(),
    entry: entrySchema.optional(),
    ui: uiSchema.optional(),
    /** Accept clients that describe their own GUI through the explicit probe (default: only when `command` is set). */
    explicitProbe: z.boolean().optional(),
    /** How JavaScript clients run: in their own process over a real WebSocket (default), or in-process over mock-socket (trusted code only; docs/JS-CLIENTS.md). */
    jsClients: z.enum(['process', 'in-process']).optional(),
    /** Let a submission's grade.json set its own `command` (courses that accept other languages). */
    submissionLaunch: z.boolean().optional(),
    /** Points per check id. */
    checks: z.record(z.string(), z.number().min(0)).optional(),
    /** Points per rubric line, split over its checks in the default proportions. */
    lines: z.record(z.string(), z.number().min(0)).optional(),
    timeoutScale: z.number().positive().max(20).optional(),
    sandbox: z.enum(['auto', 'strict', 'off']).optional(),
    limits: sandboxLimits.optional(),
  })
  .strict();

export type CourseConfig = z.infer<typeof courseSchema>;
export type SubmissionConfig = z.infer<typeof submissionSchema>;

/** How one submission is launched, after the course's rules were applied. */
export interface LaunchConfig {
  command?: string[];
  entry?: string;
  ui: Record<string, string>;
  /** Whether an explicit-probe hello is accepted. */
  explicitProbe: boolean;
}

/** A config file that cannot be used; the CLI exits 2 with this message (a submission's own file fails that submission only). */
export class ConfigError extends Error {
  readonly code = 'config.invalid';
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function explain(file: string, error: z.ZodError, hint = ''): ConfigError {
  const issues = error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`).join('\n');
  return new ConfigError(`${file} is not a valid config:\n${issues}${hint}`);
}

/** The course config's shape; its ids are checked against a pack by checkAgainstPack(). */
export function loadCourseConfig(file: string): CourseConfig {
  const parsed = courseSchema.safeParse(readJson(file));
  if (!parsed.success) throw explain(file, parsed.error);
  return parsed.data;
}

/** Reject check, line and ui names the pack does not have. */
export function checkAgainstPack(config: CourseConfig, pack: Pack, file = 'the course config'): void {
  const { rubric } = pack;
  const unknown = [
    ...Object.keys(config.checks ?? {}).filter((id) => !rubric.checks.some((c) => c.id === id)).map((c) => `check "${c}"`),
    ...Object.keys(config.lines ?? {}).filter((id) => !rubric.lines.some((l) => l.id === id)).map((l) => `line "${l}"`),
    ...Object.keys(config.ui ?? {}).filter((k) => !pack.uiKeys.includes(k)).map((k) => `ui "${k}"`),
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
  if (!parsed.success) throw explain(file, parsed.error, '\n  (a submission\'s grade.json may set only "entry" and "ui"; points, checks and the launch belong to the course config)');
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
