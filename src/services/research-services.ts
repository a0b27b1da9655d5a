// The application API that the CLI, MCP tools and HTTP API call. One object, thin methods over use cases.
import type { Experiment, Idea, Implementation, Schedule, Search } from '../domain/records.js';
import type { RlRun } from '../domain/rl-records.js';
import type { Environment, EnvironmentListing } from '../environments/registry.js';
import type { ScheduleSearchInput, SearchRunner, SearchSchedules, ServiceDeps, StartSearchInput } from './deps.js';
import { runBaseline, type RunBaselineInput } from './baseline.js';
import {
  type ExperimentFilter,
  getExperiment,
  listExperiments,
  runExperiment,
  type RunExperimentInput,
} from './experiments.js';
import { proposeIdeas, type ProposeIdeasInput } from './ideas.js';
import { implementIdea, type ImplementIdeaInput } from './implementations.js';
import {
  type EnvironmentFileInfo,
  type ExperimentLog,
  getImplementation,
  getSearch,
  listEnvironmentFiles,
  readEnvironmentFile,
  readExperimentLogs,
  readImplementationDiff,
} from './inspect.js';
import { leaderboard, type LeaderboardRow } from './leaderboard.js';
import { getRlRun, listRlRuns, type RlRunView } from './rl-runs.js';
import { addEnvironment, type AddEnvironmentOptions, type AddEnvironmentResult } from './add-environment.js';
import { exportResult, type ExportInput, type ExportResult } from './export-result.js';
import { recordBaseline } from './record-baseline.js';
import { searchReport, type SearchReportView, searchStatus, type SearchStatusView } from './search-report.js';
import { type CostEstimate, estimateCost, type EstimateInput } from './cost-estimate.js';
import { requireProfile } from './experiments.js';
import { allowedRoots } from '../config/environment-roots.js';
import type { InitOptions } from '../environments/init/options.js';
import type { Baseline } from '../environments/manifest.js';
import { type CostFilter, type CostReport, type ExecutionRate, executionRates, llmCosts } from './llm-ledger.js';

export interface ResearchServices {
  /** An RL run on the ideator (rl/) with its per-epoch metrics. */
  getRlRun(id: string): Promise<RlRunView>;
  listRlRuns(): Promise<RlRun[]>;
  listEnvironments(): Promise<EnvironmentListing>;
  getEnvironment(name: string): Promise<Environment>;
  proposeIdeas(input: ProposeIdeasInput, signal?: AbortSignal): Promise<Idea[]>;
  implementIdea(input: ImplementIdeaInput, signal?: AbortSignal): Promise<Implementation>;
  runExperiment(input: RunExperimentInput): Promise<Experiment>;
  /** Queues the environment's unchanged code as an experiment (what `groundwork env check` runs). */
  runBaseline(input: RunBaselineInput): Promise<Experiment>;
  getExperiment(id: string): Promise<Experiment>;
  /** Waits at most `timeoutMs` for the experiment to end, then returns it as it is. */
  waitForExperiment(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Experiment>;
  cancelExperiment(id: string): Promise<Experiment>;
  startSearch(input: StartSearchInput): Promise<Search>;
  /** A recurring search: the first run starts now, then one on every tick of the schedule. */
  scheduleSearch(input: ScheduleSearchInput): Promise<{ schedule: Schedule; search: Search }>;
  listSchedules(): Promise<Schedule[]>;
  cancelSchedule(id: string): Promise<Schedule>;
  waitForSearch(id: string): Promise<Search>;
  /** Carries on with a running or paused search (this process then drives it). */
  resumeSearch(id: string): Promise<Search>;
  /** A search's status and report in the issue-12 JSON contracts. */
  searchStatus(id: string): Promise<SearchStatusView>;
  searchReport(id: string): Promise<SearchReportView>;
  cancelSearch(id: string): Promise<Search>;
  leaderboard(filter: { searchId?: string; environment?: string }): Promise<LeaderboardRow[]>;
  counts(): Promise<Record<string, number>>;
  /** Called on every experiment state change; returns an unsubscribe function. */
  onExperimentUpdate(listener: (experiment: Experiment) => void): () => void;
  /** Throws a clear error when the environment cannot run here (e.g. its Python modules are missing). */
  checkSetup(environment: string): Promise<{ python: string }>;
  getIdea(id: string): Promise<Idea | undefined>;
  listSearches(): Promise<Search[]>;
  /** Experiments matching every filter given (state, search, environment), in store order. */
  listExperiments(filter?: ExperimentFilter): Promise<Experiment[]>;
  /** Every file of an environment, with whether an edit may touch it. */
  listEnvironmentFiles(environment: string): Promise<EnvironmentFileInfo[]>;
  /** One text file of an environment (relative path; no escaping the folder). */
  readEnvironmentFile(environment: string, path: string): Promise<string>;
  getImplementation(id: string): Promise<Implementation>;
  /** The canonical diff of an implementation ('' when it failed). */
  readImplementationDiff(id: string): Promise<string>;
  /** Training and evaluation logs of each run of an experiment. */
  readExperimentLogs(id: string): Promise<ExperimentLog[]>;
  getSearch(id: string): Promise<Search>;
  /** Model calls recorded in the cost ledger, totalled overall and per model (optionally for one search or idea). */
  llmCosts(filter?: CostFilter): Promise<CostReport>;
  /** Per implementer (or ideator) model: of the ideas it handled, how many reached a valid run. */
  /** Makes an environment from the user's repository (env init); `allowedRoots` limits where it may be (MCP). */
  addEnvironment(input: InitOptions, options?: AddEnvironmentOptions): Promise<AddEnvironmentResult>;
  /** Records a succeeded run of the unchanged code as its (env init) environment's baseline. */
  recordBaseline(experimentId: string): Promise<Baseline>;
  /** Commits a winning experiment's diff (or a search's best) to a new branch of a git repository. */
  exportResult(input: ExportInput, options?: { allowedRoots?: readonly string[] }): Promise<ExportResult>;
  /** Folders add_environment and export_result may use besides the client's MCP roots (environments.allowedRoots). */
  allowedRoots(): string[];
  /** GPU-hours and model dollars a run or search may cost, and whether that is over config.confirm. */
  estimateCost(input: EstimateInput): Promise<CostEstimate>;
  executionRates(filter?: {
    searchId?: string;
    environment?: string;
    by?: 'implementer' | 'ideator';
  }): Promise<ExecutionRate[]>;
}

export function createResearchServices(
  deps: ServiceDeps,
  searches: SearchRunner,
  schedules: SearchSchedules,
): ResearchServices {
  return {
    getRlRun: (id) => getRlRun(deps, id),
    listRlRuns: () => listRlRuns(deps),
    listEnvironments: () => deps.environments.list(),
    getEnvironment: (name) => deps.environments.get(name),
    proposeIdeas: (input, signal) => proposeIdeas(deps, input, signal),
    implementIdea: (input, signal) => implementIdea(deps, input, signal),
    runExperiment: (input) => runExperiment(deps, input),
    runBaseline: (input) => runBaseline(deps, input),
    getExperiment: (id) => getExperiment(deps, id),
    async waitForExperiment(id, timeoutMs, signal) {
      await getExperiment(deps, id);
      return deps.scheduler.waitFor(id, { timeoutMs, signal });
    },
    cancelExperiment: (id) => deps.scheduler.cancel(id),
    startSearch: async (input) => {
      await checkSearchProfile(deps, input);
      return searches.start(input);
    },
    scheduleSearch: async (input) => {
      await checkSearchProfile(deps, input);
      return schedules.create(input);
    },
    listSchedules: () => schedules.list(),
    cancelSchedule: (id) => schedules.cancel(id),
    waitForSearch: (id) => searches.wait(id),
    resumeSearch: (id) => searches.resume(id),
    searchStatus: (id) => searchStatus(deps, id),
    searchReport: (id) => searchReport(deps, id),
    cancelSearch: (id) => searches.cancel(id),
    leaderboard: (filter) => leaderboard(deps, filter),
    async counts() {
      const [ideas, implementations, experiments, searchCount, llmCalls] = await Promise.all([
        deps.store.ideas.count(),
        deps.store.implementations.count(),
        deps.store.experiments.count(),
        deps.store.searches.count(),
        deps.store.llmCalls.count(),
      ]);
      return { ideas, implementations, experiments, searches: searchCount, llmCalls };
    },
    onExperimentUpdate: (listener) => deps.scheduler.onUpdate(listener),
    async checkSetup(name) {
      return { python: await deps.resolvePython(await deps.environments.get(name)) };
    },
    getIdea: (id) => deps.store.ideas.get(id),
    listSearches: () => deps.store.searches.list(),
    listExperiments: (filter) => listExperiments(deps, filter),
    listEnvironmentFiles: async (name) => listEnvironmentFiles(await deps.environments.get(name)),
    readEnvironmentFile: async (name, path) => readEnvironmentFile(await deps.environments.get(name), path),
    getImplementation: (id) => getImplementation(deps, id),
    readImplementationDiff: (id) => readImplementationDiff(deps, id),
    readExperimentLogs: (id) => readExperimentLogs(deps, id),
    getSearch: (id) => getSearch(deps, id),
    llmCosts: (filter) => llmCosts(deps, filter),
    executionRates: (filter) => executionRates(deps, filter),
    addEnvironment: (input, options) => addEnvironment(deps, input, options),
    recordBaseline: (id) => recordBaseline(deps, id),
    exportResult: (input, options) => exportResult(deps, input, options?.allowedRoots),
    allowedRoots: () => allowedRoots(deps.config),
    estimateCost: (input) => estimateCost(deps, input),
  };
}

/** A search with a profile its environment lacks would "succeed" with no experiments: refuse it up front. */
async function checkSearchProfile(deps: ServiceDeps, input: StartSearchInput): Promise<void> {
  if (input.profile === undefined) return;
  requireProfile((await deps.environments.get(input.environment)).manifest, input.profile);
}
