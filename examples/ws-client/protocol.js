// The chat protocol's lines: parse what the server sends (undefined for
// anything malformed, which the client ignores) and format what we send.

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const names = (xs) => xs.length > 0 && xs.every((x) => NAME.test(x));

/** A server line as { type, ... }, or undefined when it is not a valid message. */
export function parse(line) {
  const space = line.indexOf(' ');
  const word = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  const args = rest.split(' ');
  switch (word) {
    case 'ONLINE_USERS':
      return names(args) ? { type: word, users: args } : undefined;
    case 'INVITATION':
      return args.length === 2 && names(args) ? { type: word, conv: args[0], inviter: args[1] } : undefined;
    case 'CONVERSATIONS': {
      const groups = args.map((g) => g.split(':')).map(([conv, members = '']) => ({ conv, members: members.split(',') }));
      return groups.every((g) => NAME.test(g.conv) && names(g.members)) ? { type: word, groups } : undefined;
    }
    case 'SEND_MESSAGE': {
      const [conv, from] = args;
      const text = args.slice(2).join(' ');
      return args.length >= 3 && names([conv, from]) ? { type: word, conv, from, text } : undefined;
    }
    case 'STATUS':
      return args.length === 2 && names(args) ? { type: word, user: args[0], status: args[1] } : undefined;
    case 'ICON':
      return args.length === 2 && NAME.test(args[0]) ? { type: word, user: args[0], data: args[1] } : undefined;
    case 'ERROR':
      return { type: word, text: rest };
    default:
      return undefined;
  }
}

export const register = (user) => `REGISTER ${user}`;
export const invite = (users) => `INVITE ${users.join(' ')}`;
export const join = (conv) => `JOIN ${conv}`;
export const leave = (conv) => `LEAVE ${conv}`;
export const say = (conv, text) => `SEND_MESSAGE ${conv} ${text}`;
export const status = (value) => `STATUS ${value}`;
export const goodbye = () => 'GOODBYE';
