// One action of the Tk driver as it happens: the commands it sends, in order,
// each noted as what a person did ("pressed 'Chat' (.bar.chat)"), so that a
// refusal or a dead end reads as the list of what was tried.

import { caption } from './tk-tree.js';
import { ActionError } from './ui.js';
import type { AgentRequest, ProbeLink, WidgetRecord } from './widgets.js';

/** Quotes a name or caption for a message. */
export const q = (s: string): string => `'${s}'`;

/** The record of one action: what was done, and the commands it sends. */
export class Attempt {
  /** What was done (or why it stopped), in order. */
  readonly tried: string[] = [];

  constructor(
    private readonly what: string,
    private readonly link: ProbeLink,
    private readonly commandMs: number,
  ) {}

  /** Record a step that sent nothing (a choice, a missing control). */
  note(s: string): void {
    this.tried.push(s);
  }

  /** The error that ends the action, with `why` as its last step. */
  fail(why: string): ActionError {
    this.tried.push(why);
    return new ActionError(this.what, [...this.tried]);
  }

  /** The action ends because nothing recognisable was there to act on (flagged for review). */
  missing(why: string): ActionError {
    this.tried.push(why);
    return new ActionError(this.what, [...this.tried], true);
  }

  /** Send a command; a refusal ends the action naming it. */
  async exec(req: AgentRequest, description: string): Promise<unknown> {
    let result: unknown;
    try {
      result = await this.link.command(req, this.commandMs);
    } catch (err) {
      throw this.fail(`${description}: failed (${err instanceof Error ? err.message : String(err)})`);
    }
    this.tried.push(description);
    if ((result as { set?: boolean } | undefined)?.set) this.tried.push('(clicking did not select that, so the selection was set directly)');
    return result;
  }

  /** Press a button (or click a widget). */
  async invoke(w: WidgetRecord): Promise<void> {
    const label = caption(w);
    await this.exec({ cmd: 'invoke', path: w.path }, `pressed ${label ? q(label) : 'the button'} (${w.path})${w.disabled ? ' while disabled' : ''}`);
  }
}
