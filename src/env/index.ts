export { findPython, defaultPythonCandidates, EnvError } from './python.js';
export type { PythonInfo, FindPythonOptions } from './python.js';
export { acquireDisplay, findXvfb, startXvfb } from './display.js';
export type { DisplayLease, AcquireDisplayOptions, XServer, XvfbOptions } from './display.js';
