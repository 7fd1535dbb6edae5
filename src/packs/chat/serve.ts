// `grade serve`: the reference server for trying real clients by hand, with a
// live wire log. Returns a handle so the CLI (and tests) decide when to stop.

import { Chalk } from 'chalk';
import { ReferenceServer, type LogEvent } from '../../fake-server/reference.js';
import { FakeServer } from '../../fake-server/server.js';

export interface ServeOptions {
  host: string;
  port: number;
  color: boolean;
  write: (text: string) => void;
}

export interface Serving {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export async function serve(opts: ServeOptions): Promise<Serving> {
  const chalk = new Chalk({ level: opts.color ? 1 : 0 });
  // People connect and leave all day: cap what is open at once, not how many ever came.
  const server = await FakeServer.listen({ host: opts.host, port: opts.port, maxOpen: 64 });
  const started = server.epoch;
  const who = (e: LogEvent): string => (e.user ?? `#${e.session}`).padEnd(12);
  const log = (e: LogEvent): void => {
    const t = ((performance.now() - started) / 1000).toFixed(3).padStart(8);
    const arrow = e.dir === 'c>s' ? chalk.green(`${who(e)} >`) : e.dir === 's>c' ? chalk.cyan(`${who(e)} <`) : chalk.dim(`${who(e)} *`);
    opts.write(`${chalk.dim(t)} ${arrow} ${e.dir === 'note' ? chalk.dim(e.text) : e.text}\n`);
  };
  new ReferenceServer(server, { log });
  opts.write(`chatgrade reference server listening on ${server.host}:${server.port}; Ctrl-C stops it\n`);
  opts.write(chalk.dim(`  ">" client to server, "<" server to client; clients: python3 main.py --host ${server.host} --port ${server.port} --user NAME\n`));
  return { host: server.host, port: server.port, stop: () => server.close() };
}
