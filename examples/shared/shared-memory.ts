/**
 * Named shared memory (Python's multiprocessing.shared_memory, from its documentation): the
 * parent creates a segment and writes to it; a child attaches to it by name and writes
 * too; the parent reads what the child wrote, then unlinks the segment.
 *
 *   from multiprocessing import shared_memory
 *   shm_a = shared_memory.SharedMemory(create=True, size=10)
 *   buffer = shm_a.buf
 *   buffer[:4] = bytearray([22, 33, 44, 55])
 *   buffer[4] = 100
 *   # Attach to an existing shared memory block
 *   shm_b = shared_memory.SharedMemory(shm_a.name)
 *   import array
 *   array.array('b', shm_b.buf[:5])  # Copy the data into a new array.array
 *   # array('b', [22, 33, 44, 55, 100])
 *   shm_b.buf[:5] = b'howdy'  # Modify via shm_b using bytes
 *   bytes(shm_a.buf[:5])      # Access via shm_a
 *   # b'howdy'
 *   shm_b.close()   # Close each SharedMemory instance
 *   shm_a.close()
 *   shm_a.unlink()  # Call unlink only once to release the shared memory
 *
 * Here shm_b lives in a child process, which gets only the name. `buf` is a Buffer over the
 * shared bytes; `buffer` is the SharedArrayBuffer, for typed array views.
 *
 *   npx tsx examples/shared/shared-memory.ts
 */
import { FileNotFoundError, Process, SharedMemory, isMainProcess } from 'multiprocessing-ts';

export function writer(name: string): void {
  const shmB = new SharedMemory(name); // attach to an existing shared memory block
  console.log('child sees:', Array.from(new Int8Array(shmB.buffer, 0, 5))); // array('b', shm_b.buf[:5])
  shmB.buf.write('howdy', 0, 'latin1'); // shm_b.buf[:5] = b'howdy'
  shmB.close();
}

if (isMainProcess()) {
  const shmA = new SharedMemory({ create: true, size: 10 });
  console.log('created', shmA.name, 'size', shmA.size);
  const buffer = shmA.buf;
  buffer.set([22, 33, 44, 55], 0); // buffer[:4] = bytearray([22, 33, 44, 55])
  buffer[4] = 100;

  const p = new Process({ target: writer, args: [shmA.name] });
  p.start();
  await p.join();

  console.log('parent reads:', buffer.subarray(0, 5).toString('latin1')); // bytes(shm_a.buf[:5]) -> howdy
  shmA.close(); // close each SharedMemory instance
  shmA.unlink(); // call unlink only once to release the shared memory

  try {
    new SharedMemory(shmA.name);
  } catch (error) {
    // After unlink() the name is gone: attaching raises FileNotFoundError, as in Python.
    console.log('attach after unlink:', (error as Error).name, error instanceof FileNotFoundError);
  }
}
