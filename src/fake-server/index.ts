export * from './transport.js';
export * from './tcp.js';
export * from './session.js';
export * from './server.js';
export * from './reference.js';
