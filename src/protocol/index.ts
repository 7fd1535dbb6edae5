export * from './grammar.js';
export * from './codec.js';
export * from './lines.js';
