/**
 * The URL of the built JavaScript module `file` (e.g. `'./nodeFitWorker.js'`) beside the module
 * whose `import.meta.url` is `here`. Worker threads always load built modules: from the package
 * (`dist/…`) this is the file beside `here`; when the library's TypeScript sources run directly
 * (its own tests, which build `dist/` first) it is the same module in `dist/`, found by swapping
 * the last `/src/` of the path for `/dist/`.
 */
export function builtModule(file: string, here: string): URL {
  const url = new URL(file, here);
  if (!here.endsWith('.ts')) return url;
  const at = url.pathname.lastIndexOf('/src/');
  if (at < 0) return url;
  url.pathname = `${url.pathname.slice(0, at)}/dist/${url.pathname.slice(at + 5)}`;
  return url;
}
