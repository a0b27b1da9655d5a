// tmp
import { benchSearchSlots } from './search-slots.js';
const opts = { epochs: Number(process.argv[2] ?? 4), batchSize: 16 };
for (const mode of ['steady', 'epochs'] as const) {
  const r = await benchSearchSlots(mode, opts);
  console.log(mode, JSON.stringify(r));
}
