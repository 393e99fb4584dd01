/** multiprocessing-ts/connection: Python's multiprocessing.connection, by its names. */
export { Pipe, Connection, type PipeOptions, type ReceiveOptions, type PollOptions } from '../connection.js';
export { Listener, Client, deliverChallenge, answerChallenge, type Address, type ListenerOptions, type AcceptOptions, type ClientOptions } from '../listener.js';
export { SocketConnection, type SocketReceiveOptions } from '../socket-connection.js';
export { wait, type Waitable } from '../connection-wait.js';
export { AuthenticationError, BufferTooShort, EOFError } from '../errors.js';
