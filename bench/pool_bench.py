"""CPython multiprocessing.Pool, for comparison with multiprocessing-ts's Pool (bench/pool.ts).

Usage: python3 pool_bench.py [tiny_tasks] [map_items] [cpu_tasks]
Defaults: 100000 tiny tasks, 100000 map items, 40 CPU-bound tasks (bench/pool.ts's).
Prints one JSON object:

startup_spawn_ms: get_context("spawn").Pool(2) → the first result of apply(square, (3,)), ms.
startup_default_ms: the same with multiprocessing.Pool(2), the default start method
  (start_method says which: 'fork' on Linux up to Python 3.13). This pool, warmed up (every
  worker busy for a while, then 2000 tiny tasks), is the one the figures below use.
apply_async_first_s: <tiny_tasks> apply_async(square, (i,)) submitted one by one, all in
  flight, then get() on each: tasks per second, the first such batch.
apply_async_tasks_s: the same, the next batch (as bench/pool.ts times every pool).
map_chunk1_tasks_s: pool.map(square, range(tiny_tasks), chunksize=1): tasks per second.
map_first_items_s: the pool's first pool.map(square, range(map_items)), default chunking: items
  per second.
map_items_s: the next 5 such maps: items per second.
cpu_1_ms / cpu_2_ms: <cpu_tasks> × spin20() (a 20 ms busy-wait on time.perf_counter) all in
  flight (map_async, chunksize=1), with Pool(1) / Pool(2): ms. Speedup = cpu_1_ms / cpu_2_ms.
"""
import json
import multiprocessing
import multiprocessing.pool  # imported before the clock, as the Node side imports its library
import sys
import time

WORKERS = 2
MAP_REPEATS = 5  # maps timed after the pool's first (as bench/fixtures/pool-measure.mjs)


def square(x):
    return x * x


def spin(ms):
    """A deterministic busy-wait of `ms` milliseconds; returns its loop count."""
    end = time.perf_counter() + ms / 1000
    loops = 0
    while time.perf_counter() < end:
        loops += 1
    return loops


def spin20(_=None):
    return spin(20)


def now_ms():
    return time.perf_counter() * 1000


def startup(make):
    """(pool, ms from constructing it to the first result of a trivial task)."""
    start = now_ms()
    pool = make(WORKERS)
    first = pool.apply(square, (3,))
    elapsed = now_ms() - start
    assert first == 9, first
    return pool, elapsed


def warm(pool, workers):
    pool.map(spin, [25] * (4 * workers), chunksize=1)
    pool.map(square, range(2000))


def check(values, n, what):
    assert len(values) == n, (what, len(values), n)
    for i, v in enumerate(values):
        assert v == i * i, (what, i, v)


def cpu_bound(pool, n):
    start = now_ms()
    loops = pool.map_async(spin20, range(n), chunksize=1).get()
    elapsed = now_ms() - start
    assert len(loops) == n and all(l > 0 for l in loops)
    return elapsed


def main():
    tiny = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    map_items = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    cpu = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    figures = {}

    pool, figures["startup_spawn_ms"] = startup(multiprocessing.get_context("spawn").Pool)
    pool.terminate()
    pool.join()

    pool, figures["startup_default_ms"] = startup(multiprocessing.Pool)
    warm(pool, WORKERS)
    if cpu > 0:
        figures["cpu_2_ms"] = cpu_bound(pool, cpu)
    if tiny > 0:
        for key in ("apply_async_first_s", "apply_async_tasks_s"):
            start = now_ms()
            results = [pool.apply_async(square, (i,)) for i in range(tiny)]
            values = [r.get() for r in results]
            elapsed = now_ms() - start
            check(values, tiny, "apply_async")
            figures[key] = tiny / (elapsed / 1000)

        start = now_ms()
        values = pool.map(square, range(tiny), chunksize=1)
        elapsed = now_ms() - start
        check(values, tiny, "map chunksize=1")
        figures["map_chunk1_tasks_s"] = tiny / (elapsed / 1000)
    if map_items > 0:
        start = now_ms()
        values = pool.map(square, range(map_items))
        elapsed = now_ms() - start
        check(values, map_items, "map")
        figures["map_first_items_s"] = map_items / (elapsed / 1000)
        start = now_ms()
        outs = [pool.map(square, range(map_items)) for _ in range(MAP_REPEATS)]
        elapsed = now_ms() - start
        figures["map_items_s"] = MAP_REPEATS * map_items / (elapsed / 1000)
        for values in outs:
            check(values, map_items, "map")
    pool.terminate()
    pool.join()

    if cpu > 0:
        one = multiprocessing.Pool(1)
        warm(one, 1)
        figures["cpu_1_ms"] = cpu_bound(one, cpu)
        one.terminate()
        one.join()

    figures["start_method"] = multiprocessing.get_start_method()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
