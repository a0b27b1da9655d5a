// Prints "N passed, N failed, N skipped" from one or more vitest JSON reports (CI reads this line, not vitest's).
// A test found in several reports (the executor contract runs in `npm test` and in `npm run test:engines`; engine
// tests are skipped in the first and run in the second) counts once, by its worst outcome: failed, then passed.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface Report {
  /** Per test file; a file that failed with no tests in it did not load. */
  testResults: { name: string; status: string; assertionResults: { fullName: string; status: string }[] }[];
}

const rank: Record<string, number> = { failed: 3, passed: 2 };
const outcomes = new Map<string, string>();
let brokenFiles = 0;
const reports = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Report);
for (const report of reports) {
  for (const file of report.testResults) {
    if (file.status === 'failed' && file.assertionResults.length === 0) brokenFiles += 1;
    for (const test of file.assertionResults) {
      const key = `${relative(process.cwd(), file.name)}\u0000${test.fullName}`;
      const status = rank[test.status] ? test.status : 'skipped';
      const before = outcomes.get(key);
      if (!before || (rank[status] ?? 0) > (rank[before] ?? 0)) outcomes.set(key, status);
    }
  }
}
const count = (status: string): number => [...outcomes.values()].filter((value) => value === status).length;
console.log(`${count('passed')} passed, ${count('failed') + brokenFiles} failed, ${count('skipped')} skipped`);
if (reports.length === 0 || outcomes.size === 0 || count('failed') + brokenFiles > 0) process.exitCode = 3;
