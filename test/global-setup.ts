// Build dist/ once before the suite, so CLI tests spawn exactly what `npm ci` installs as the bin.
// Type errors do not stop the build here (tsc still emits); `npm run typecheck` is where they fail.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '..');
  const tsc = resolve(root, 'node_modules/typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (build.error) throw build.error;
}
