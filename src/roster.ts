// A class roster (`--roster roster.csv`): who the students are, so the
// gradebook carries their ids, names and emails, lists the students who
// handed in nothing and the folders that match no student. Read from the CSV
// an LMS exports (Gradescope, Canvas, Moodle); the column names are
// configurable and default to the ones those exports use.

import { parse } from 'csv-parse/sync';

/** Which roster columns hold what; each a column name of the file. */
export interface RosterColumns {
  id?: string;
  name?: string;
  /** When the file has no full-name column: first and last name, joined. */
  first?: string;
  last?: string;
  email?: string;
  /** A column whose value is the submission's folder name (default: folders match an id, login, email or name). */
  folder?: string;
  /** A login or user name, also matched against folder names. */
  login?: string;
}

/** One student of the roster. */
export interface RosterStudent {
  id: string;
  name: string;
  email: string;
  /** Values a submission folder may be named by (lower case, NFC). */
  keys: string[];
}

/** A parsed roster: the column names found, and the students in file order. */
export interface Roster {
  /** The header each gradebook column takes from (the file's own names). */
  headers: { id?: string; name?: string; email?: string };
  students: RosterStudent[];
}

/** A roster that cannot be used; the CLI exits 2 with its message. */
export class RosterError extends Error {
  readonly code = 'roster.invalid';
}

// What Gradescope ("SID", "Email"), Canvas ("Student", "SIS User ID", "SIS
// Login ID") and Moodle ("ID number", "First name", "Email address") export.
const DEFAULTS: Required<Record<keyof RosterColumns, readonly string[]>> = {
  id: ['SID', 'Student ID', 'SIS User ID', 'ID number', 'ID', 'student_id', 'id'],
  name: ['Name', 'Full Name', 'Student', 'Student Name', 'name'],
  first: ['First name', 'First Name', 'first_name'],
  last: ['Last name', 'Last Name', 'Surname', 'last_name'],
  email: ['Email', 'Email address', 'E-mail', 'email'],
  login: ['SIS Login ID', 'Username', 'Login', 'username', 'login'],
  folder: [],
};

/** `id=SID,name=Full Name`: the --roster-columns option, parsed. */
export function parseRosterColumns(spec: string): RosterColumns {
  const out: RosterColumns = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim() as keyof RosterColumns;
    if (eq < 1 || !(key in DEFAULTS)) {
      throw new RosterError(`--roster-columns: "${part}" is not field=column, with field one of ${Object.keys(DEFAULTS).join(', ')}`);
    }
    out[key] = part.slice(eq + 1).trim();
  }
  return out;
}

const norm = (s: string): string => s.normalize('NFC').trim().toLowerCase();

/** Parse a roster file's text. Pure; `source` names it in errors. */
export function parseRoster(text: string, columns: RosterColumns = {}, source = 'the roster'): Roster {
  let rows: Record<string, string>[];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as Record<string, string>[];
  } catch (err) {
    throw new RosterError(`${source} is not a CSV file: ${(err as Error).message}`);
  }
  const header = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const pick = (field: keyof RosterColumns): string | undefined => {
    const asked = columns[field];
    if (asked !== undefined) {
      if (!header.includes(asked)) throw new RosterError(`${source} has no column "${asked}" (its columns: ${header.join(', ')})`);
      return asked;
    }
    return DEFAULTS[field].find((c) => header.includes(c)) ?? DEFAULTS[field].map((c) => header.find((h) => norm(h) === norm(c))).find(Boolean);
  };
  const col = { id: pick('id'), name: pick('name'), first: pick('first'), last: pick('last'), email: pick('email'), login: pick('login'), folder: pick('folder') };
  if (!col.id && !col.email && !col.login && !col.folder) {
    throw new RosterError(`${source} has no column of ids, logins or emails to match folders with (its columns: ${header.join(', ')}); name one with --roster-columns id=COLUMN`);
  }
  const students = rows
    .filter((row) => !/points possible/i.test(Object.values(row)[0] ?? ''))
    .map((row): RosterStudent => {
      const get = (c: string | undefined) => (c ? (row[c] ?? '').normalize('NFC').trim() : '');
      const name = get(col.name) || [get(col.first), get(col.last)].filter(Boolean).join(' ');
      const email = get(col.email);
      const keys = col.folder
        ? [get(col.folder)]
        : [get(col.id), get(col.login), email, email.split('@')[0] ?? '', name];
      return { id: get(col.id), name, email, keys: [...new Set(keys.filter(Boolean).map(norm))] };
    })
    .filter((s) => s.keys.length > 0);
  const nameHeader = col.name ?? (col.first || col.last ? 'Name' : undefined);
  return { headers: { ...(col.id ? { id: col.id } : {}), ...(nameHeader ? { name: nameHeader } : {}), ...(col.email ? { email: col.email } : {}) }, students };
}

/**
 * The student a folder name belongs to: the one whose id, login, email (or
 * its part before "@") or name equals the folder's name, ignoring case; else
 * the one whose id or login is a whole part of it (LMS downloads name folders
 * like "smith_jo_12345_submission"). Undefined when none or several match.
 */
export function studentFor(roster: Roster, folderName: string): RosterStudent | undefined {
  const name = norm(folderName);
  const exact = roster.students.filter((s) => s.keys.includes(name));
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return undefined;
  const parts = new Set(name.split(/[\s_.+-]+/).filter(Boolean));
  const partial = roster.students.filter((s) => s.keys.some((k) => k.length >= 3 && parts.has(k)));
  return partial.length === 1 ? partial[0] : undefined;
}
