// Which GPUs this machine has: from configuration, or asked of `nvidia-smi`.
import { spawnSync } from 'node:child_process';

export type GpuSetting = 'auto' | number | string[];

/** Ids of the GPUs `nvidia-smi` lists (its index column); none when the tool is missing or fails. */
export function detectNvidiaGpus(command = 'nvidia-smi'): string[] {
  const probe = spawnSync(command, ['--query-gpu=index', '--format=csv,noheader'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.status !== 0 || typeof probe.stdout !== 'string') return [];
  return probe.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^\d+$/.test(line));
}

/** The device ids the scheduler hands out for a `scheduler.gpus` setting. */
export function resolveGpuIds(setting: GpuSetting, detect: () => string[] = detectNvidiaGpus): string[] {
  if (setting === 'auto') return detect();
  if (typeof setting === 'number') return Array.from({ length: setting }, (_, index) => String(index));
  return [...setting];
}
