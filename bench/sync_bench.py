"""CPython multiprocessing's synchronisation primitives, for comparison with multiprocessing-ts.

Usage: python3 sync_bench.py [lock_iterations] [increments] [event_rounds]
Defaults: 1000000 lock iterations, 100000 increments per process, 2000 event rounds.
Every process is started with the 'spawn' start method.
Prints one JSON object: {"lock_ns": ..., "lock_with_ns": ..., "increments_ms": ...,
"increments_startup_ms": ..., "increments_work_ms": ..., "event_wake_us": ..., "event_wake_mean_us": ...,
"array_sum_ms": ...}.

lock_ns / lock_with_ns: ns per uncontended acquire()+release() pair / `with lock: pass`.
increments_ms: 2 processes each doing `with v.get_lock(): v.value += 1` <increments> times,
  wall time from starting both to both joined; increments_startup_ms is the same with 0
  increments, so start-up can be subtracted; increments_work_ms times the increments alone
  (both children started and waiting on an Event before the clock starts), median of 3 runs.
event_wake_us: median one-way Event set->wait wake-up latency (round trip / 2) of a
  parent/child ping-pong over two Events; event_wake_mean_us is the mean.
array_sum_ms: median over 5 fresh children of the time a child takes (measured inside it)
  to sum() a shared Array('d', 10**6).
"""
import array
import json
import multiprocessing
import statistics
import sys
import time

CTX = multiprocessing.get_context("spawn")
ARRAY_LEN = 10**6
ARRAY_RUNS = 5
RUNS = 3  # the increments are timed this many times; the median is reported
EVENT_WARMUP = 100
TIMEOUT_S = 30


def lock_pair_ns(n):
    lock = CTX.Lock()
    for _ in range(max(1000, n // 10)):
        lock.acquire()
        lock.release()
    start = time.perf_counter_ns()
    for _ in range(n):
        lock.acquire()
        lock.release()
    return (time.perf_counter_ns() - start) / n


def lock_with_ns(n):
    lock = CTX.Lock()
    for _ in range(max(1000, n // 10)):
        with lock:
            pass
    start = time.perf_counter_ns()
    for _ in range(n):
        with lock:
            pass
    return (time.perf_counter_ns() - start) / n


def increment_worker(value, count):
    for _ in range(count):
        with value.get_lock():
            value.value += 1


def increments_ms(count):
    value = CTX.Value("i", 0)
    procs = [CTX.Process(target=increment_worker, args=(value, count)) for _ in range(2)]
    start = time.perf_counter_ns()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.perf_counter_ns() - start
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    assert value.value == 2 * count, (value.value, 2 * count)
    return elapsed / 1e6


def timed_increment_worker(value, count, ready, go, ends, slot):
    ready.release()
    go.wait(TIMEOUT_S)
    for _ in range(count):
        with value.get_lock():
            value.value += 1
    ends[slot] = time.perf_counter_ns()


def increments_work_ms(count):
    """Only the increments: both children are started and waiting before the clock starts.
    perf_counter_ns is CLOCK_MONOTONIC, comparable across processes on Linux."""
    value = CTX.Value("i", 0)
    ready, go, ends = CTX.Semaphore(0), CTX.Event(), CTX.Array("q", 2)
    procs = [CTX.Process(target=timed_increment_worker, args=(value, count, ready, go, ends, i)) for i in range(2)]
    for p in procs:
        p.start()
    for _ in procs:
        assert ready.acquire(timeout=TIMEOUT_S)
    time.sleep(0.05)  # let both block in go.wait()
    start = time.perf_counter_ns()
    go.set()
    for p in procs:
        p.join()
    assert value.value == 2 * count, (value.value, 2 * count)
    return (max(ends[:]) - start) / 1e6


def event_child(e1, e2, rounds):
    for _ in range(rounds):
        if not e1.wait(TIMEOUT_S):
            raise SystemExit("event_child: timed out waiting for e1")
        e1.clear()
        e2.set()


def event_wake_us(rounds):
    e1, e2 = CTX.Event(), CTX.Event()
    child = CTX.Process(target=event_child, args=(e1, e2, EVENT_WARMUP + rounds))
    child.start()
    one_way = []
    for i in range(EVENT_WARMUP + rounds):
        start = time.perf_counter_ns()
        e1.set()
        assert e2.wait(TIMEOUT_S), "event_wake_us: timed out waiting for e2"
        elapsed = time.perf_counter_ns() - start
        e2.clear()
        if i >= EVENT_WARMUP:
            one_way.append(elapsed / 2 / 1000)
    child.join()
    assert child.exitcode == 0, child.exitcode
    return statistics.median(one_way), statistics.mean(one_way)


def sum_child(arr, results):
    start = time.perf_counter_ns()
    total = sum(arr.get_obj())
    results.put((total, (time.perf_counter_ns() - start) / 1e6))


def array_sum_ms(n, runs):
    arr = CTX.Array("d", n)
    src = array.array("d", [i * 0.5 for i in range(n)])
    memoryview(arr.get_obj()).cast("B")[:] = memoryview(src).cast("B")
    expected = 0.5 * (n * (n - 1) // 2)  # exact: every partial sum is a multiple of 0.5
    results = CTX.Queue()
    times = []
    for _ in range(runs):
        child = CTX.Process(target=sum_child, args=(arr, results))
        child.start()
        total, ms = results.get(timeout=TIMEOUT_S)
        child.join()
        assert child.exitcode == 0, child.exitcode
        assert total == expected, (total, expected)
        times.append(ms)
    return statistics.median(times)


def main():
    defaults = [1_000_000, 100_000, 2000]
    args = [int(x) for x in sys.argv[1:4]]
    lock_n, increments, rounds = args + defaults[len(args):]
    wake_median, wake_mean = event_wake_us(rounds)
    print(json.dumps({
        "lock_ns": lock_pair_ns(lock_n),
        "lock_with_ns": lock_with_ns(lock_n),
        "increments_ms": increments_ms(increments),
        "increments_startup_ms": increments_ms(0),
        "increments_work_ms": statistics.median(increments_work_ms(increments) for _ in range(RUNS)),
        "event_wake_us": wake_median,
        "event_wake_mean_us": wake_mean,
        "array_sum_ms": array_sum_ms(ARRAY_LEN, ARRAY_RUNS),
    }))


if __name__ == "__main__":
    main()
