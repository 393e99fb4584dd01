/** Child side of a reference (reference.ts makes them): import the module, take the export. */
import type { ResolvedReference } from '../reference.js';

export async function importReference(ref: ResolvedReference): Promise<unknown> {
  if (ref.kind === 'cjs') {
    // node:module only for CommonJS targets; ref.module is an absolute path.
    const { createRequire } = await import('node:module');
    const exports = createRequire(ref.module)(ref.module) as Record<string, unknown>;
    return ref.name === '' ? exports : exports[ref.name];
  }
  const namespace = (await import(ref.module)) as Record<string, unknown>;
  if (ref.name in namespace) return namespace[ref.name];
  // A CommonJS module imported as ESM keeps its exports on `default`.
  const fallback = namespace.default as Record<string, unknown> | undefined;
  return ref.kind === 'auto' && fallback != null ? fallback[ref.name] : undefined;
}

/** The exported function a reference names; `what` heads the error if it is something else. */
export async function importFunction(ref: ResolvedReference, what: string): Promise<(...args: unknown[]) => unknown> {
  const value = await importReference(ref);
  if (typeof value !== 'function') {
    const found = value === undefined ? 'no such export' : `a ${typeof value}`;
    throw new TypeError(`${what} ${ref.name ? `"${ref.name}"` : '(module.exports)'} of ${ref.module} is not a function (${found})`);
  }
  return value as (...args: unknown[]) => unknown;
}
