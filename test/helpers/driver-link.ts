// A probe link over an in-memory widget tree, for the driver's tests: it
// records the driver's commands and lets a test react to them.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { TkDriver } from '../../src/probe/driver.js';
import type { InterpretContext } from '../../src/probe/interpret.js';
import { ActionError } from '../../src/probe/ui.js';
import type { AgentRequest, ProbeLink, WidgetRecord, WidgetTree } from '../../src/probe/widgets.js';


export type Reaction = (req: AgentRequest, link: FakeLink) => unknown;

/** A ProbeLink over an in-memory tree: records commands, lets a test react to them. */
export class FakeLink implements ProbeLink {
  /** Every command, the driver's settling syncs included. */
  readonly all: AgentRequest[] = [];
  private readonly listeners = new Set<() => void>();
  readonly widgets: Map<string, WidgetRecord>;

  constructor(
    widgets: readonly WidgetRecord[],
    private readonly react: Reaction = () => undefined,
  ) {
    this.widgets = new Map(widgets.map((w) => [w.path, { ...w }]));
  }

  tree(): WidgetTree {
    return this.widgets;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The commands that act (settling syncs left out). */
  get commands(): AgentRequest[] {
    return this.all.filter((c) => c.cmd !== 'sync');
  }

  async command(req: AgentRequest): Promise<unknown> {
    this.all.push(req);
    const result = this.react(req, this);
    if (result instanceof Error) throw result;
    return result;
  }

  crashes(): readonly { kind: string; text: string }[] {
    return [];
  }

  /** Apply a diff and notify, as the real link does. */
  diff(set: WidgetRecord[], removed: string[] = []): void {
    for (const w of set) this.widgets.set(w.path, w);
    for (const p of removed) for (const k of [...this.widgets.keys()]) if (k === p || k.startsWith(p + '.')) this.widgets.delete(k);
    for (const l of [...this.listeners]) l();
  }

  listenerCount(): number {
    return this.listeners.size;
  }
}

export function fixture(name: string): { widgets: WidgetRecord[]; ctx: InterpretContext } {
  const f = JSON.parse(readFileSync(new URL(`../fixtures/trees/${name}.json`, import.meta.url), 'utf8')) as {
    ctx: InterpretContext;
    widgets: WidgetRecord[];
  };
  return f;
}

export function setup(name: string, opts: { drop?: string[]; react?: Reaction; ctx?: Partial<InterpretContext> } = {}) {
  const f = fixture(name);
  const widgets = f.widgets.filter((w) => !(opts.drop ?? []).some((p) => w.path === p || w.path.startsWith(p + '.')));
  const link = new FakeLink(widgets, opts.react);
  const driver = new TkDriver(link, { ...f.ctx, ...opts.ctx, confirmWithinMs: 30 });
  return { link, driver };
}

export async function actionError(p: Promise<unknown>): Promise<ActionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

