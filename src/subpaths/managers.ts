/** multiprocessing-ts/managers: Python's multiprocessing.managers, by its names. */
export * from '../managers/index.js';
export type { Server } from '../managers/server.js';
export { RemoteError, AuthenticationError } from '../errors.js';
