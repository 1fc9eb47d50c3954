/**
 * Spec "Template Variables": `{{varName}}` and, for convenience, `{varName}`. Dot paths reach into
 * `args.*`, `fields.*`, `card.*` and `payload.*`. A missing variable renders as the empty string —
 * never the raw template and never an exception. Objects render as JSON.
 */
const VAR = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}|\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}/g;

/** The value at a dot path (`a.b.0.c`), or undefined. */
export function lookup(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const key of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function stringify(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return '';
  }
}

export function render(template: string, vars: Record<string, unknown>): string {
  return template.replace(VAR, (_m, a: string | undefined, b: string | undefined) =>
    stringify(lookup(vars, (a ?? b)!)),
  );
}

/** Renders every string inside a JSON-like value (send_webhook bodies, update_card fields). */
export function renderDeep(value: unknown, vars: Record<string, unknown>, depth = 0): unknown {
  if (typeof value === 'string') return render(value, vars);
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((x) => renderDeep(x, vars, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(value)) out[k] = renderDeep(x, vars, depth + 1);
  return out;
}
