/**
 * The target of a manager's server process (BaseManager.start()): run the initializer, serve,
 * say where (or why not) through the pipe, and serve until a shutdown request.
 */
import type { Connection } from '../connection.js';
import { errorState } from '../error-state.js';
import type { Address } from '../listener.js';
import type { ResolvedReference } from '../reference.js';
import { importFunction } from '../spawn/target.js';
import { Server, type TypeSpec } from './server.js';

export interface ServerConfig {
  readonly registry: readonly TypeSpec[];
  readonly address: Address | null;
  readonly authkey: Uint8Array | null;
  readonly initializer: ResolvedReference | null;
  readonly initargs: readonly unknown[];
}

export type ServerReport = { readonly address: Address } | { readonly error: unknown };

export async function runManagerServer(config: ServerConfig, report: Connection<ServerReport>): Promise<void> {
  let server: Server;
  try {
    if (config.initializer !== null) await (await importFunction(config.initializer, 'the manager initializer'))(...config.initargs);
    server = new Server(new Map(config.registry.map((spec) => [spec.typeid, spec])), config.address, config.authkey);
    await server.ready;
  } catch (error) {
    report.send({ error: errorState(error) });
    report.close();
    process.exitCode = 1;
    return;
  }
  report.send({ address: server.address });
  report.close();
  await server.serveForever();
}
