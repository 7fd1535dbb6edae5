// Course config (`grade --config course.json`) and a submission's own
// grade.json, validated with clear errors. A course may re-weight the rubric
// and set launch details; a submission may change launch details only.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CHECKS, LINES, defaultWeights } from './rubric.js';

const uiSchema = z
  .object({
    main: z.string(),
    users: z.string(),
    invite: z.string(),
    status: z.string(),
    input: z.string(),
    send: z.string(),
    transcript: z.string(),
    members: z.string(),
    accept: z.string(),
    decline: z.string(),
    leave: z.string(),
    quit: z.string(),
  })
  .partial()
  .strict();

const launchShape = {
  /** Replaces `python3 main.py --host {host} --port {port} --user {user}`; placeholders {host} {port} {user} {dir}. */
  command: z.array(z.string().min(1)).min(1).optional(),
  /** Entry file for Python clients (default main.py). */
  entry: z.string().regex(/^[^/\\]+\.py$/, 'must be a .py file in the submission folder').optional(),
  /** Widgets named by Tk path, where the GUI departs from the conventions. */
  ui: uiSchema.optional(),
};

const submissionSchema = z.object(launchShape).strict();

const courseSchema = z
  .object({
    ...launchShape,
    /** Points per check id. */
    checks: z.record(z.string(), z.number().min(0)).optional(),
    /** Points per rubric line, split over its checks in the default proportions. */
    lines: z.record(z.string(), z.number().min(0)).optional(),
    timeoutScale: z.number().positive().max(20).optional(),
  })
  .strict();

/** Launch details, from the course config and the submission's grade.json. */
export type LaunchConfig = z.infer<typeof submissionSchema>;
export type CourseConfig = z.infer<typeof courseSchema>;

/** A config file that cannot be used; the CLI exits 2 with this message. */
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

export function loadCourseConfig(file: string): CourseConfig {
  const parsed = courseSchema.safeParse(readJson(file));
  if (!parsed.success) throw explain(file, parsed.error);
  const config = parsed.data;
  const unknownChecks = Object.keys(config.checks ?? {}).filter((id) => !CHECKS.some((c) => c.id === id));
  const unknownLines = Object.keys(config.lines ?? {}).filter((id) => !LINES.some((l) => l.id === id));
  if (unknownChecks.length || unknownLines.length) {
    throw new ConfigError(
      `${file} names ${[...unknownChecks.map((c) => `check "${c}"`), ...unknownLines.map((l) => `line "${l}"`)].join(', ')} that the rubric does not have (see \`grade --list\`)`,
    );
  }
  return config;
}

/** The submission's grade.json, if any: launch details only. */
export function loadSubmissionConfig(dir: string): LaunchConfig {
  const file = join(dir, 'grade.json');
  if (!existsSync(file)) return {};
  const parsed = submissionSchema.safeParse(readJson(file));
  if (!parsed.success) throw explain(file, parsed.error, '\n  (a submission\'s grade.json may set only "command", "entry" and "ui"; points and checks belong to the course config)');
  return parsed.data;
}

/** Points per check after the course's re-weighting: line totals first, then per-check overrides. */
export function weightsFor(config: CourseConfig): Record<string, number> {
  const weights = defaultWeights();
  for (const [line, total] of Object.entries(config.lines ?? {})) {
    const checks = CHECKS.filter((c) => c.line === line);
    const sum = checks.reduce((n, c) => n + c.points, 0);
    for (const c of checks) weights[c.id] = (total * c.points) / sum;
  }
  return { ...weights, ...(config.checks ?? {}) };
}

/** Launch details: the course's, overridden by the submission's. */
export function launchFor(course: CourseConfig, submission: LaunchConfig): LaunchConfig {
  return {
    command: submission.command ?? course.command,
    entry: submission.entry ?? course.entry,
    ui: { ...course.ui, ...submission.ui },
  };
}
