// The wire format between the Tk agent (the agent/chatgrade_agent package) and the
// grader, and the widget-tree model both sides agree on. The agent sends
// JSON lines of AgentEvent; the grader sends JSON lines of AgentCommand.
// Widgets are a flat map keyed by Tk path, so a diff is just "these records
// changed, these paths are gone".

/** An image as the agent saw it, identified by the bytes it was made from. */
export interface ImageInfo {
  /** Tk image name, e.g. "pyimage3". */
  name: string;
  type: 'photo' | 'bitmap';
  width: number;
  height: number;
  /** sha256 (hex) of the decoded image bytes it was built from (data= or file=), inherited by copy/zoom/subsample. */
  sha256?: string;
}

/** One live widget (or a pseudo widget for a messagebox/simpledialog). */
export interface WidgetRecord {
  /** Tk path: ".", ".!toplevel2.!listbox"; pseudo dialogs use "dialog#N" and "dialog#N.<button>". */
  path: string;
  /** Tk class: Tk, Toplevel, Frame, Listbox, Text, Entry, Label, Button, Radiobutton, Checkbutton, Menubutton, TCombobox, Treeview, Canvas, Dialog ... */
  cls: string;
  parent: string | null;
  /** Path of the window (Tk root, Toplevel or dialog) this widget lives in. */
  window: string;
  /** True when the widget is viewable on screen (winfo_viewable). */
  mapped: boolean;
  disabled?: boolean;
  /** Windows only. */
  title?: string;
  /** Windows only. */
  state?: 'normal' | 'withdrawn' | 'iconic';
  /** Windows only: a WM_DELETE_WINDOW handler is installed. */
  hasDeleteHandler?: boolean;
  /** Label/Button/Radiobutton/Checkbutton/Menubutton caption; whole content of Text/Entry; dialog message. */
  text?: string;
  /** Listbox items; Combobox values; Treeview rows (text and values joined by a space); OptionMenu entries; Notebook tab labels. */
  items?: string[];
  /** Notebook: the pane path of each tab, in the order of `items`. */
  tabs?: string[];
  /** Selected item indices (Listbox, Treeview). */
  selection?: number[];
  /** Listbox: single, browse, multiple or extended; Treeview: browse, extended or none. */
  selectmode?: string;
  /** Current value: Entry/Combobox text, OptionMenu variable, Radiobutton's own value, a Notebook's tab in front. */
  value?: string;
  /** Radiobutton/Checkbutton is selected. */
  selected?: boolean;
  /** Image shown by a Label/Button. */
  image?: ImageInfo;
  /** Images embedded in a Text or drawn on a Canvas. */
  images?: ImageInfo[];
  /** Buttons: has a command (or a dialog answer). */
  hasCommand?: boolean;
  /**
   * Event sequences the program bound for this widget itself (its own and
   * custom bind tags, not its class's), as Tk spells them: `<Button-3>`,
   * `<Double-Button-1>`, `<Control-Key-Return>`. On a window: those of the
   * window's tag and of `all`, which reach every widget inside it.
   */
  binds?: string[];
}

/** A menu a right-click posted, with its entries' labels. */
export interface PostedMenu {
  path: string;
  items: string[];
}

/** Agent -> grader. */
export type AgentEvent =
  | { type: 'hello'; token: string; pid: number; python: string; tk: string | null; argv: string[] }
  | { type: 'tree'; seq: number; widgets: WidgetRecord[] }
  | { type: 'diff'; seq: number; set: WidgetRecord[]; removed: string[] }
  | { type: 'crash'; kind: 'tk_callback' | 'thread' | 'uncaught'; text: string }
  | { type: 'reply'; id: number; ok: true; result?: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

/** Grader -> agent. Every command gets exactly one reply with its id. */
export type AgentCommand =
  | { id: number; cmd: 'sync' }
  | { id: number; cmd: 'snapshot' }
  | { id: number; cmd: 'select'; path: string; indices: number[] }
  | { id: number; cmd: 'set_text'; path: string; text: string }
  | { id: number; cmd: 'invoke'; path: string }
  /** `keysym` may carry modifiers: `Control-Return`. */
  | { id: number; cmd: 'key'; path: string; keysym: string }
  | { id: number; cmd: 'double_click'; path: string; index?: number }
  | { id: number; cmd: 'set_value'; path: string; value: string }
  | { id: number; cmd: 'show'; path: string; tab: string }
  | { id: number; cmd: 'close'; window: string }
  | { id: number; cmd: 'context_menu'; path: string; index?: number }
  /** Without `label`, only takes the posted menu down. */
  | { id: number; cmd: 'menu_invoke'; path: string; label?: string };

/** The flat widget map as last reported. */
export type WidgetTree = ReadonlyMap<string, WidgetRecord>;

/** A command without its id (the link numbers them). */
export type AgentRequest = AgentCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** One live connection to an agent, as the driver and interpreter use it. */
export interface ProbeLink {
  /** The widget tree as last reported. */
  tree(): WidgetTree;
  /** Called after every applied tree/diff; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Send a command; resolves with its result, rejects with its error or after `within` ms. */
  command(req: AgentRequest, within?: number): Promise<unknown>;
  /** Crash evidence reported so far (tracebacks). */
  crashes(): readonly { kind: string; text: string }[];
  /** Sequence number of the last tree or diff applied, when the link keeps it. */
  seq?(): number;
  /** Why the grader stopped listening (the client broke the probe's limits), once it did. */
  broken?(): Error | undefined;
}
