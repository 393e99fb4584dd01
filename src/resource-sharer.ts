/**
 * Sockets and servers as arguments (CPython's resource_sharer.py, row P9): a `net.Socket` or
 * `net.Server` given to a Process or a pool task arrives there as a working one.
 *
 * The sender's addon keeps a duplicate of the descriptor under a random token and serves it
 * once over a Unix socket (native/sharer.cc); the receiver takes it with SCM_RIGHTS and wraps
 * it again. A connected socket *moves*: the sender stops reading it and closes its own object,
 * so no byte meant for the receiver is read here (as Node's own child.send(socket) does). A
 * listening server is shared: both sides may accept. The receiver's copy starts accepting
 * when a 'connection' listener is added: it arrives while the receiver is still starting up,
 * and a connection accepted before anyone listens would be left hanging.
 */
import net from 'node:net';
import { SerializationError } from './errors.js';
import { futexBinding } from './futex.js';
import { registerReducer } from './reduction.js';

interface Shared {
  readonly address: string;
  readonly token: string;
}

interface HandleWithFd {
  fd?: number;
  readStop?(): number;
}

function descriptorOf(object: net.Socket | net.Server, what: string): number {
  const handle = (object as unknown as { _handle?: HandleWithFd | null })._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new SerializationError(`${what} cannot be sent to another process: it has no open descriptor (not connected, or closed)`);
  }
  return fd;
}

function share(fd: number, unclaimed: (() => void)[]): Shared {
  const binding = futexBinding('Sending a socket');
  const [address, token] = binding.shareFd(fd);
  unclaimed.push(() => binding.unshareFd(token));
  return { address, token };
}

function take(state: Shared, what: string): number {
  let fd: number;
  try {
    fd = futexBinding('Receiving a socket').takeSharedFd(state.address, state.token);
  } catch (error) {
    throw new SerializationError(
      `A ${what} arrived, but the process that sent it is gone (${(error as Error).message}): keep the sender alive until it is received`,
      'ERR_HANDLE_GONE',
      { cause: error },
    );
  }
  if (fd < 0) throw new SerializationError(`A ${what} arrived that was already received elsewhere: a handle is received once`, 'ERR_HANDLE_GONE');
  return fd;
}

registerReducer<net.Socket, Shared>({
  type: 'multiprocessing-ts:net.Socket',
  module: import.meta.url,
  cls: net.Socket,
  reduce(socket, context) {
    const fd = descriptorOf(socket, 'This net.Socket');
    const shared = share(fd, context.unclaimed);
    // Moved, not copied: stop reading here at once, let go of our copy once this turn is over.
    socket.pause();
    (socket as unknown as { _handle?: HandleWithFd })._handle?.readStop?.();
    setImmediate(() => socket.destroy());
    return shared;
  },
  rebuild(state) {
    return new net.Socket({ fd: take(state, 'net.Socket'), readable: true, writable: true });
  },
});

registerReducer<net.Server, Shared>({
  type: 'multiprocessing-ts:net.Server',
  module: import.meta.url,
  cls: net.Server,
  reduce(server, context) {
    return share(descriptorOf(server, 'This net.Server'), context.unclaimed);
  },
  rebuild(state) {
    const fd = take(state, 'net.Server');
    const server = net.createServer();
    const onListener = (event: string | symbol): void => {
      if (event !== 'connection') return;
      server.off('newListener', onListener);
      server.listen({ fd });
    };
    server.on('newListener', onListener);
    return server;
  },
});
