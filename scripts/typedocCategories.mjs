// TypeDoc plugin: puts each export of src/index.ts and src/node.ts in the category of the
// `// --- section` comment it is listed under there (errors, models and layers, losses, …), so
// the API reference is grouped by concept as the entry points are. A doc comment's own
// `@category` wins.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Comment, CommentTag, Converter } from 'typedoc';

/** name → section title, from the commented sections of an entry point. */
function sections(file) {
  const out = new Map();
  let section;
  let statement = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const header = /^\/\/ --- ([^(:]+?)(?:[:(].*)?$/.exec(line);
    if (header) section = header[1].trim();
    if (section === undefined) continue;
    if (statement === '' && !/^export (type )?\{/.test(line)) continue;
    statement += ` ${line}`;
    if (!statement.includes('}')) continue;
    const names = /\{([^}]*)\}/.exec(statement)?.[1] ?? '';
    for (const part of names.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) out.set(name, section[0].toUpperCase() + section.slice(1));
    }
    statement = '';
  }
  return out;
}

export function load(app) {
  const root = process.cwd();
  const byName = new Map(['index.ts', 'node.ts', 'kernels.ts'].flatMap((f) => [...sections(join(root, 'src', f))]));
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    const category = byName.get(reflection.name);
    if (category === undefined || reflection.parent?.kindOf?.(2) !== true) return; // module members only
    reflection.comment ??= new Comment();
    if (reflection.comment.blockTags.some((t) => t.tag === '@category')) return;
    reflection.comment.blockTags.push(new CommentTag('@category', [{ kind: 'text', text: category }]));
  });
}
