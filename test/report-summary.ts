// Prints "N passed, N failed, N skipped" from one or more vitest JSON reports (CI reads this line, not vitest's).
import { readFileSync } from 'node:fs';

interface Report {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  numTodoTests?: number;
}

const reports = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Report);
const sum = (pick: (report: Report) => number): number => reports.reduce((total, report) => total + pick(report), 0);
console.log(
  `${sum((r) => r.numPassedTests)} passed, ${sum((r) => r.numFailedTests)} failed, ` +
    `${sum((r) => (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0))} skipped`,
);
if (reports.length === 0 || sum((r) => r.numTotalTests) === 0) process.exitCode = 3;
