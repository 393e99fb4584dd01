"""CPython multiprocessing's Queue and Pipe, for comparison with multiprocessing-ts.

Usage: python3 queues_bench.py [small_messages] [round_trips] [large_messages]
Defaults: 50000 small messages, 20000 round trips, 300 large (1 MiB) messages (bench/queues.ts's).
Every child is started with the 'spawn' start method.
Prints one JSON object: {"queue_small_msgs_s": ..., "queue_1mib_mib_s": ..., "pipe_small_msgs_s": ...,
"pipe_rtt_us": ..., "pipe_rtt_mean_us": ..., "pipe_1mib_mib_s": ...}.

queue_small_msgs_s: a child puts <small_messages> ints, then None, on a Queue; the parent
  get()s them (a plain blocking get(): with a timeout CPython polls before every read).
  Messages per second, timed from the parent's first get() returning to the None (so the
  child's start-up is left out; the messages after the first one are counted).
queue_1mib_mib_s: the same with <large_messages> bytes objects of 1 MiB; MiB per second.
pipe_small_msgs_s: the same over Pipe(duplex=False): child send(i), parent recv().
pipe_rtt_us: a child echoes what it recv()s over a duplex Pipe; the parent send()s and blocks in
  recv() for the answer, <round_trips> times after a warm-up. Median µs per round trip
  (pipe_rtt_mean_us: the mean).
pipe_1mib_mib_s: child send_bytes() of 1 MiB, parent recv_bytes(), Pipe(duplex=False); MiB/s.
"""
import json
import multiprocessing
import statistics
import sys
import time

CTX = multiprocessing.get_context("spawn")
MIB = 1 << 20
RTT_WARMUP = 500


def queue_producer(q, n, size):
    item = bytes(size) if size else None
    for i in range(n):
        q.put(item if size else i)
    q.put(None)


def queue_rate(n, size):
    """Messages per second from the first get() to the None, and how many were timed."""
    q = CTX.Queue()
    child = CTX.Process(target=queue_producer, args=(q, n, size))
    child.start()
    first = q.get()
    assert first is not None
    start = time.perf_counter_ns()
    count = 0
    while True:
        item = q.get()
        if item is None:
            break
        if size:
            assert len(item) == size
        count += 1
    elapsed = time.perf_counter_ns() - start
    child.join()
    assert child.exitcode == 0, child.exitcode
    assert count == n - 1, (count, n)
    return count / (elapsed / 1e9)


def pipe_producer(conn, n):
    for i in range(n):
        conn.send(i)
    conn.send(None)
    conn.close()


def pipe_small_rate(n):
    r, w = CTX.Pipe(duplex=False)
    child = CTX.Process(target=pipe_producer, args=(w, n))
    child.start()
    w.close()
    first = r.recv()
    assert first == 0
    start = time.perf_counter_ns()
    count = 0
    while r.recv() is not None:
        count += 1
    elapsed = time.perf_counter_ns() - start
    child.join()
    assert child.exitcode == 0, child.exitcode
    assert count == n - 1, (count, n)
    return count / (elapsed / 1e9)


def pipe_bytes_producer(conn, n, size):
    buf = bytes(size)
    for _ in range(n):
        conn.send_bytes(buf)
    conn.send_bytes(b"")
    conn.close()


def pipe_bytes_rate(n, size):
    r, w = CTX.Pipe(duplex=False)
    child = CTX.Process(target=pipe_bytes_producer, args=(w, n, size))
    child.start()
    w.close()
    assert len(r.recv_bytes()) == size
    start = time.perf_counter_ns()
    count = 0
    while True:
        data = r.recv_bytes()
        if not data:
            break
        assert len(data) == size
        count += 1
    elapsed = time.perf_counter_ns() - start
    child.join()
    assert child.exitcode == 0, child.exitcode
    assert count == n - 1, (count, n)
    return count / (elapsed / 1e9)


def echo(conn):
    while True:
        item = conn.recv()
        if item is None:
            break
        conn.send(item)
    conn.close()


def pipe_rtt_us(rounds):
    a, b = CTX.Pipe()
    child = CTX.Process(target=echo, args=(b,))
    child.start()
    b.close()
    samples = []
    for i in range(RTT_WARMUP + rounds):
        start = time.perf_counter_ns()
        a.send(i)
        got = a.recv()
        elapsed = time.perf_counter_ns() - start
        assert got == i, (got, i)
        if i >= RTT_WARMUP:
            samples.append(elapsed / 1000)
    a.send(None)
    child.join()
    assert child.exitcode == 0, child.exitcode
    return statistics.median(samples), statistics.mean(samples)


def main():
    defaults = [50_000, 20_000, 300]
    args = [int(x) for x in sys.argv[1:4]]
    small, rounds, large = args + defaults[len(args):]
    rtt_median, rtt_mean = pipe_rtt_us(rounds)
    print(json.dumps({
        "queue_small_msgs_s": queue_rate(small, 0),
        "queue_1mib_mib_s": queue_rate(large, MIB),
        "pipe_small_msgs_s": pipe_small_rate(small),
        "pipe_rtt_us": rtt_median,
        "pipe_rtt_mean_us": rtt_mean,
        "pipe_1mib_mib_s": pipe_bytes_rate(large, MIB),
    }))


if __name__ == "__main__":
    main()
