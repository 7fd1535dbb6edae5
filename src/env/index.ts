export { findPython, defaultPythonCandidates, EnvError } from './python.js';
export type { PythonInfo, FindPythonOptions } from './python.js';
export { acquireDisplay, findXvfb } from './display.js';
export type { DisplayLease, AcquireDisplayOptions } from './display.js';
