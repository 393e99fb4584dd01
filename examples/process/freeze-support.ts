/**
 * Seed 000 "freeze_support() 函数实例". freezeSupport() exists so ported code runs unchanged;
 * nothing is frozen in Node.js, so it does nothing.
 *
 *   npx tsx examples/process/freeze-support.ts
 */
import { Process, freezeSupport, isMainProcess } from 'multiprocessing-ts';

export function f(): void {
  console.log('hello world!');
}

if (isMainProcess()) {
  freezeSupport();
  new Process({ target: f }).start();
}
