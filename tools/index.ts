// Every MCP tool, in the order a client lists them.
import { addEnvironment } from './add-environment.js';
import { cancelExperiment } from './cancel-experiment.js';
import { cancelSchedule } from './cancel-schedule.js';
import { cancelSearch } from './cancel-search.js';
import type { ToolDefinition } from './define-tool.js';
import { exportResult } from './export-result.js';
import { getLeaderboard } from './get-leaderboard.js';
import { getReward } from './get-reward.js';
import { getRlRun } from './get-rl-run.js';
import { getSearch } from './get-search.js';
import { implementIdea } from './implement-idea.js';
import { listEnvironments } from './list-environments.js';
import { listExperiments } from './list-experiments.js';
import { listSearches } from './list-searches.js';
import { proposeIdea } from './propose-idea.js';
import { readEnvironment } from './read-environment.js';
import { runExperiment } from './run-experiment.js';
import { resumeSearch } from './resume-search.js';
import { runSearch } from './run-search.js';
import { getSearchReport } from './search-report.js';

export { GuideFields, guideOf } from './define-tool.js';

export const allTools: readonly ToolDefinition[] = [
  listEnvironments,
  readEnvironment,
  addEnvironment,
  proposeIdea,
  implementIdea,
  runExperiment,
  getReward,
  listExperiments,
  cancelExperiment,
  runSearch,
  getSearch,
  getSearchReport,
  listSearches,
  resumeSearch,
  cancelSearch,
  cancelSchedule,
  getLeaderboard,
  exportResult,
  getRlRun,
];
