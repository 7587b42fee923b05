// Writes dist/kernels.wasm and dist/kernels-shared.wasm (the package's `./kernels.wasm` export)
// from the committed base64 module, src/core/wasm/kernelsWasm.ts, as compiled into dist/ by tsc.
// Run by `npm run build` after tsc; nothing in src/ is regenerated. `npm run build:wasm` rebuilds
// the module itself from asm/kernels.ts (AssemblyScript), and CI runs `build-wasm.mjs --check`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { kernelsWasm, kernelsSharedWasm } = await import(pathToFileURL(join(dist, 'core', 'wasm', 'kernelsWasm.js')).href);
writeFileSync(join(dist, 'kernels.wasm'), Buffer.from(kernelsWasm, 'base64'));
writeFileSync(join(dist, 'kernels-shared.wasm'), Buffer.from(kernelsSharedWasm, 'base64'));
