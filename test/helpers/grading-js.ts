// Grade a JavaScript client folder in either mode, without Python or a display.
import { detectJsClient } from '../../src/js/index.js';
import { chat } from '../../src/packs/chat/index.js';
import type { GradeResult } from '../../src/results.js';
import { gradeJsClient, type GradeJsOptions } from '../../src/submission.js';

export async function gradeJs(dir: string, opts: Omit<GradeJsOptions, 'pack'> = {}): Promise<GradeResult> {
  const client = detectJsClient(dir);
  if (!client) throw new Error(`${dir} is not a JavaScript client`);
  return gradeJsClient(client, { pack: chat, seed: 'calibration', timeoutScale: Number(process.env.CHATGRADE_TIMEOUT_SCALE ?? 1), ...opts });
}
