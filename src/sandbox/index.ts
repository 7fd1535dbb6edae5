export { Sandbox, SandboxRun, SandboxError, chooseLevel, MAX_SUBMISSION_BYTES } from './sandbox.js';
export type { SandboxMode, SandboxOptions, SpawnInSandbox } from './sandbox.js';
export { sandboxCapabilities, which } from './detect.js';
export type { SandboxCapabilities } from './detect.js';
export { DEFAULT_LIMITS, sandboxCommand, insidePaths, limitArgs } from './plan.js';
export type { SandboxLevel, SandboxLimits, HostPaths, InsidePaths, Plan, PlanInput } from './plan.js';
