import { reactiveW1, plainW1 } from './w1.js';
for (let i = 0; i < 3; i++) {
  let t0 = performance.now();
  await reactiveW1(1_000_000, 'sync');
  const r = performance.now() - t0;
  t0 = performance.now();
  plainW1(1_000_000);
  const p = performance.now() - t0;
  console.log(`reactive ${(r).toFixed(0)} ns/step-ish ×1e-6: ${(r * 1e6 / 1e6).toFixed(0)} ns/step, plain ${(p * 1e6 / 1e6).toFixed(0)} ns/step, ratio ${(p / r).toFixed(3)}`);
}
