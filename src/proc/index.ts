export { spawnTracked, killAllOfUid, killAllTracked, killAllTrackedSync, ProcError, MARKER_VAR } from './tracked.js';
export type { TrackedProcess, SpawnOptions, ExitInfo, CapturedOutput } from './tracked.js';
