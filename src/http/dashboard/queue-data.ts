// What the queue page shows: running and queued experiments, and the scheduler's slots (GPU ids and CPU
// concurrency), each with what runs there and since when. Gathered from the services (store reads only).
import type { Experiment, ExperimentRole } from '../../domain/records.js';
import type { ResearchServices } from '../../services/research-services.js';
import { roleOf } from '../../services/search-stats.js';

/** The scheduler's slots as configured: what the queue can run at once. */
export interface SlotConfig {
  /** GPU ids the scheduler hands out (scheduler.gpus, resolved). */
  gpus: readonly string[];
  /** Experiments without GPUs that may run at once (scheduler.concurrency). */
  concurrency: number;
}

export interface QueueEntry {
  id: string;
  title: string;
  search_id: string | null;
  environment: string;
  profile: string;
  role: ExperimentRole | null;
  devices: string[];
  /** When it started (running) or was queued. */
  since: string;
  step: string | null;
  seeds: { done: number; total: number };
}

/** One slot: a GPU id, or one of the CPU (no-GPU) slots, and the experiment in it. */
export interface QueueSlot {
  kind: 'gpu' | 'cpu';
  /** The GPU id, or the CPU slot's number (1, 2, …). */
  name: string;
  experiment_id: string | null;
  title: string | null;
  /** When the experiment in it started. */
  since: string | null;
}

export interface QueueSlots {
  gpu: { total: number; busy: number; free: number };
  cpu: { total: number; busy: number; free: number };
  /** Every GPU slot, then the CPU slots (more than `cpu.total` when more run without GPUs than the setting allows). */
  slots: QueueSlot[];
}

export interface QueueData {
  running: QueueEntry[];
  queued: QueueEntry[];
  devices_in_use: string[];
  /** null when the dashboard was not told the scheduler's slots. */
  slots: QueueSlots | null;
}

/** Slots from the configuration and the running experiments (their devices, as the store records them). */
export function queueSlots(config: SlotConfig, running: readonly QueueEntry[]): QueueSlots {
  const inSlot = (entry: QueueEntry | undefined) => ({
    experiment_id: entry?.id ?? null,
    title: entry?.title ?? null,
    since: entry?.since ?? null,
  });
  const gpu: QueueSlot[] = config.gpus.map((id) => ({
    kind: 'gpu',
    name: id,
    ...inSlot(running.find((entry) => entry.devices.includes(id))),
  }));
  const onCpu = running.filter((entry) => entry.devices.length === 0);
  const cpu: QueueSlot[] = Array.from({ length: Math.max(config.concurrency, onCpu.length) }, (_, i) => ({
    kind: 'cpu',
    name: String(i + 1),
    ...inSlot(onCpu[i]),
  }));
  const gpuBusy = gpu.filter((slot) => slot.experiment_id !== null).length;
  return {
    gpu: { total: config.gpus.length, busy: gpuBusy, free: config.gpus.length - gpuBusy },
    cpu: { total: config.concurrency, busy: onCpu.length, free: Math.max(0, config.concurrency - onCpu.length) },
    slots: [...gpu, ...cpu],
  };
}

export async function loadQueue(services: ResearchServices, slots?: SlotConfig): Promise<QueueData> {
  const [running, queued] = await Promise.all([
    services.listExperiments({ state: 'running' }),
    services.listExperiments({ state: 'queued' }),
  ]);
  const entry = async (e: Experiment): Promise<QueueEntry> => {
    const started = e.runs
      .map((run) => run.startedAt)
      .filter((at): at is string => at !== undefined)
      .sort()[0];
    const current = e.runs.find((run) => run.state === 'running');
    return {
      id: e.id,
      title: (await services.getIdea(e.ideaId))?.title ?? e.ideaId,
      search_id: e.searchId ?? null,
      environment: e.environment,
      profile: e.profile,
      role: e.searchId ? roleOf(e) : null,
      devices: e.devices ?? [],
      since: e.state === 'running' ? (started ?? e.updatedAt) : e.createdAt,
      step: e.preflight?.handle ? 'preflight' : (current?.handle?.step ?? null),
      seeds: {
        done: e.runs.filter((run) => run.state === 'succeeded' || run.state === 'failed').length,
        total: e.runs.length,
      },
    };
  };
  const runningEntries = await Promise.all(running.map(entry));
  return {
    running: runningEntries,
    queued: await Promise.all(queued.map(entry)),
    devices_in_use: [...new Set(runningEntries.flatMap((r) => r.devices))].sort(),
    slots: slots ? queueSlots(slots, runningEntries) : null,
  };
}
