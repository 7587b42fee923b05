// `npm run docs`: TypeDoc (typedoc.json) with the TypeScript it supports. The project compiles
// with TypeScript 7, whose package has no JavaScript API; TypeDoc 0.28 needs TypeScript ≤ 6, which
// is installed as `typedoc-typescript` (an npm alias). Here TypeDoc's imports of `typescript` —
// ESM imports and require — resolve to that package.
import Module, { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/typedoc/')) return next('typedoc-typescript', context);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const fromTypedoc = parent?.filename?.includes('/node_modules/typedoc/') ?? false;
  if (fromTypedoc && (request === 'typescript' || request.startsWith('typescript/'))) {
    request = request.replace(/^typescript/, 'typedoc-typescript');
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

const root = join(fileURLToPath(import.meta.url), '..', '..');
await import(pathToFileURL(join(root, 'node_modules', 'typedoc', 'dist', 'cli.js')).href);
