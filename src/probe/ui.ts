// The semantic chat UI: what a person sees, whatever widgets show it. The
// interpreter (interpret.ts) derives it from a widget tree; the explicit probe
// receives it directly from clients in other languages. Scenarios only ever
// look at this model and act through the Driver interface.

/** A window the user could interact with. */
export interface UiWindow {
  /** Stable handle: Tk path of the window, or the explicit probe's window id. */
  id: string;
  title: string;
  kind: 'main' | 'conversation' | 'invitation' | 'dialog' | 'other';
  /** All visible text in the window, in tree order (labels, buttons, texts, list items). */
  texts: string[];
  /** Labels of the notebook tabs in the window, if it has any. */
  tabs?: string[];
}

/** One conversation window. */
export interface UiConversation {
  window: string;
  title: string;
  /** Member names shown, or undefined when no member display was found. */
  members: string[] | undefined;
  /** Transcript lines, in order. */
  transcript: string[];
}

/** One invitation window (Toplevel or messagebox). */
export interface UiInvitation {
  window: string;
  title: string;
  /** All the window's text, e.g. "alice invites you to c1". */
  text: string;
}

/** What the GUI shows, interpreted. */
export interface ChatUi {
  /** The main window's id, when there is one on screen. */
  main: string | undefined;
  /** Users shown in the online list (the current user too, if the client shows it), or undefined when no list was found. */
  users: string[] | undefined;
  /** Status text shown next to a user (bonus), by user name. */
  statuses: Record<string, string>;
  /** sha256 of every image visible in the main window (bonus icons). */
  mainImages: string[];
  conversations: UiConversation[];
  invitations: UiInvitation[];
  /** Every visible window, for reports and for "no new window" checks. */
  windows: UiWindow[];
}

/**
 * A semantic action failed; `tried` lists what was attempted, in order.
 * `notFound` when it failed because the grader recognised no widget to act
 * on (no list, no button, no input): maybe the grader's blindness, so the
 * lost check is flagged for a person to look at.
 */
export class ActionError extends Error {
  readonly code = 'probe.actionFailed';
  constructor(
    message: string,
    readonly tried: string[],
    readonly notFound = false,
  ) {
    super(tried.length ? `${message}: ${tried.join('; ')}` : message);
  }
}

/** The actions a person takes; each resolves when the action was performed (not when its effect shows). */
export interface Driver {
  /** What the last action did (or tried), in order, when the driver keeps it: for "the click had no effect" messages. */
  readonly lastTried?: readonly string[];
  /** The UI as seen now. */
  ui(): ChatUi;
  /** The first conversation event is about to happen: views on screen now are no conversations (drivers that find views by cause). */
  freezeLobby?(): void;
  /** The unique tokens of every text the server has sent in SEND_MESSAGE (drivers that find transcripts by cause). */
  setTokens?(tokens: readonly string[]): void;
  /** Resolve with fn's first non-undefined result as the UI changes; reject with a timeout naming `step`. */
  waitFor<T>(fn: (ui: ChatUi) => T | undefined, opts: { within: number; step: string }): Promise<T>;
  /** Round trip through the GUI's event loop; rejects if it does not answer within `within` ms. */
  sync(within: number): Promise<void>;
  startChat(users: string[]): Promise<void>;
  accept(invitationWindow: string): Promise<void>;
  decline(invitationWindow: string): Promise<void>;
  say(conversationWindow: string, text: string): Promise<void>;
  closeConversation(conversationWindow: string): Promise<void>;
  setStatus(status: string): Promise<void>;
  quit(): Promise<void>;
}
