// The few variables of this process that helper programs inherit or that locate a service (ssh, Slurm, Docker, Python).
// With load-config.ts, the only module that reads process.env: read on each call, so a changed variable counts.

/** The named variables that are set, and nothing else of the environment (no API keys or tokens). */
export function hostEnv(names: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** This process's PATH, to find helper programs (e.g. a Python interpreter); a plain default when unset. */
export function hostPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PATH ?? '/usr/bin:/bin';
}

/** Where the Docker client looks for the engine when no socket is configured ($DOCKER_HOST, else the default socket). */
export function dockerHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST ?? '/var/run/docker.sock';
}
