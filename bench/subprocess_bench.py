"""Python's subprocess, measured the way bench/subprocess.ts measures the others.

Usage: python3 subprocess_bench.py <latency iterations> <throughput MB> <throughput runs>
Prints one JSON object: {"spawn_ms": ..., "echo_ms": ..., "pipe_mb_s": ...}.
"""
import json
import statistics
import subprocess
import sys
import time


def per_call_ms(args, n, **kwargs):
    for _ in range(max(5, n // 10)):
        subprocess.run(args, **kwargs)
    start = time.perf_counter()
    for _ in range(n):
        subprocess.run(args, **kwargs)
    return (time.perf_counter() - start) * 1000 / n


def pipe_mb_s(size_mb, runs):
    data = bytes(range(256)) * (size_mb * 1024 * 1024 // 256)
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(["cat"], input=data, capture_output=True)
        elapsed = time.perf_counter() - start
        assert len(result.stdout) == len(data)
        rates.append(size_mb / elapsed)
    return statistics.median(rates)


def main():
    n, size_mb, runs = (int(x) for x in sys.argv[1:4])
    print(json.dumps({
        "spawn_ms": per_call_ms(["/bin/true"], n, capture_output=True),
        "echo_ms": per_call_ms(["echo", "hello"], n, capture_output=True, text=True),
        "pipe_mb_s": pipe_mb_s(size_mb, runs),
    }))


if __name__ == "__main__":
    main()
