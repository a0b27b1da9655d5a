// The strategies a search can use, by name.
import { bestOfN } from './best-of-n.js';
import { evolutionary } from './evolutionary.js';
import type { SearchStrategy } from './strategy.js';

export const allStrategies: Record<string, SearchStrategy<unknown>> = {
  evolutionary,
  'best-of-n': bestOfN,
};
