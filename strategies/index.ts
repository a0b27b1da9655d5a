// The strategies a search can use, by name.
import { bestOfN } from './best-of-n.js';
import { evolutionary } from './evolutionary.js';
import { hillClimb } from './hill-climb.js';
import type { SearchStrategy } from './strategy.js';

export { BEST_OF_N_DEFAULTS } from './best-of-n.js';
export { EVOLUTIONARY_DEFAULTS } from './evolutionary.js';
export { HILL_CLIMB_DEFAULTS } from './hill-climb.js';

export const allStrategies: Record<string, SearchStrategy<unknown>> = {
  evolutionary,
  'best-of-n': bestOfN,
  'hill-climb': hillClimb,
};
