import { adam, fromArrays } from '../src/index.js';
import { plainLoop } from './loops.js';
import { w3Workload } from './w3.js';
const w = w3Workload();
const setup = { model: w.model, lossFn: w.lossFn, optimizer: () => adam({ lr: w.lr }), init: w.init, source: () => fromArrays(w.x, w.y, { rows: w.rows, batchSize: w.batch, epochs: w.epochs }), batch: w.batch, outCols: 10 };
for (let i = 0; i < 4; i++) { const t0 = performance.now(); plainLoop(setup); console.log((performance.now() - t0).toFixed(0), 'ms'); }
