// A groundwork daemon in its own process, for tests that kill it: opens the stack on a data directory with the
// configuration in $GROUNDWORK_CONFIG, queues N sleeper experiments, prints "queued <id>" and "started <id>" lines
// as their training jobs start, and runs until it is killed.
import { loadConfig } from '../../src/config/load-config.js';
import { createResearchServer } from '../../src/server.js';
import { silentLogger } from '../../src/util/logger.js';

const count = Number(process.argv[2] ?? 10);
const config = loadConfig({ env: process.env, configFile: process.env.GROUNDWORK_CONFIG });
const server = await createResearchServer(config, { log: silentLogger });
const announced = new Set<string>();
server.services.onExperimentUpdate((experiment) => {
  if (experiment.runs.some((run) => run.handle) && !announced.has(experiment.id)) {
    announced.add(experiment.id);
    console.log(`started ${experiment.id}`);
  }
});
const implementation = await server.services.implementIdea({
  idea: { text: 'sleep' },
  environment: 'sleeper',
  edit: 'settings.txt\n<<<<<<< SEARCH\nvalue = 1\n=======\nvalue = 2\n>>>>>>> REPLACE\n',
});
for (let i = 0; i < count; i++) {
  const experiment = await server.services.runExperiment({ implementationId: implementation.id });
  console.log(`queued ${experiment.id}`);
}
setInterval(() => undefined, 1 << 30);
