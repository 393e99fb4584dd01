/**
 * The native addon (native/*.cc), loaded on first use so that importing the library never
 * fails on a platform or install where the addon is missing; features that need it then
 * raise UnsupportedPlatformError naming the cause.
 */
import { createRequire } from 'node:module';
import { UnsupportedPlatformError } from './errors.js';

export interface NativeBinding {
  /** Linux: the kernel sends `signal` to this process when its parent dies. False elsewhere. */
  setParentDeathSignal(signal: number): boolean;
}

let binding: NativeBinding | null = null;
let failure: Error | null = null;

export function native(): NativeBinding {
  if (binding !== null) return binding;
  if (failure === null) {
    try {
      binding = createRequire(import.meta.url)('../build/Release/multiprocessing_native.node') as NativeBinding;
      return binding;
    } catch (error) {
      failure = error as Error;
    }
  }
  throw new UnsupportedPlatformError(
    `The multiprocessing-ts native addon is not available on ${process.platform}-${process.arch} ` +
      `(${failure.message}). Reinstall the package with a C++ compiler present so npm can build it.`,
    { cause: failure },
  );
}

/** Like native(), but null instead of an error: for best-effort uses. */
export function tryNative(): NativeBinding | null {
  try {
    return native();
  } catch {
    return null;
  }
}
