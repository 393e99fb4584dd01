"""CPython's side of bench/managers.ts: the same work on multiprocessing.Manager().

    python3 bench/managers_bench.py <roundtrips> <increments_per_process> <processes> <queue_items> <long_increments>

Prints one JSON object (see bench/managers.ts for the figures' meaning).
"""
import json
import multiprocessing as mp
import sys
import time


def increment(value, lock, n, ready, go):
    value.value  # the same warm-up request as ours (the proxies connected when unpickled)
    ready.release()
    go.wait()
    for _ in range(n):
        with lock:
            value.value += 1


def main():
    roundtrips, increments, processes, queue_items, long_increments = (int(a) for a in sys.argv[1:6])
    ctx = mp.get_context('spawn')
    figures = {}
    start = time.perf_counter()
    manager = ctx.Manager()
    d = manager.dict()
    figures['startup_ms'] = (time.perf_counter() - start) * 1000

    d['k'] = 1
    for _ in range(2000):
        d['k']
    start = time.perf_counter()
    for _ in range(roundtrips):
        d['k']
    figures['get_us'] = (time.perf_counter() - start) / roundtrips * 1e6

    start = time.perf_counter()
    for i in range(roundtrips):
        d[i] = i
    figures['set_us'] = (time.perf_counter() - start) / roundtrips * 1e6

    q = manager.Queue()
    start = time.perf_counter()
    for i in range(queue_items):
        q.put(i)
    for i in range(queue_items):
        q.get()
    figures['queue_items_s'] = 2 * queue_items / (time.perf_counter() - start)

    def locked_increments(n):
        value = manager.Value('i', 0)
        lock = manager.Lock()
        ready = ctx.Semaphore(0)
        go = ctx.Event()
        ps = [ctx.Process(target=increment, args=(value, lock, n, ready, go)) for _ in range(processes)]
        for p in ps:
            p.start()
        for _ in ps:
            ready.acquire()
        start = time.perf_counter()
        go.set()
        for p in ps:
            p.join()
        elapsed = (time.perf_counter() - start) * 1000
        assert value.value == processes * n, value.value
        return elapsed

    figures['increments_ms'] = locked_increments(increments)
    figures['long_increments_ms'] = locked_increments(long_increments)
    manager.shutdown()
    print(json.dumps(figures))


if __name__ == '__main__':
    main()
