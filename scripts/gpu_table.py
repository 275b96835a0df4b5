#!/usr/bin/env python3
"""One table of the GPU check: jax4j's `bench --json` results beside JAX's (the JSON lines of jax_bench.py),
measured in the same run on the same GPU, with the ratio jax4j / JAX (higher is better for jax4j in every row)
and the issue's target for it.

usage: gpu_table.py JAX_BENCH_TXT JAX4J_HIGHEST_JSON JAX4J_JSON...   (the jax4j files merged, later ones adding workloads)
"""
import json
import sys


def load_jax(path):
    out = {}
    try:
        for line in open(path):
            if line.startswith('JSON '):
                r = json.loads(line[5:])
                out[r['workload']] = r
    except OSError:
        pass
    return out


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return {}


def main(jax_path, highest_path, *ours_paths):
    highest, jax = load(highest_path), load_jax(jax_path)
    ours = {}
    for p in ours_paths:
        ours.update(load(p))

    def mine(key, table=None):
        r = (table if table is not None else ours).get(key)
        return r['value'] if r else None

    def theirs(workload, field):
        r = jax.get(workload)
        return r.get(field) if r else None

    rows = []  # (workload, jax4j text, JAX text, ratio jax4j/JAX, target)
    for w, name in (('W1', 'W1 MLP train step'), ('W2', 'W2 CNN train step'), ('W3', 'W3 BN+Dropout MLP')):
        a, b = mine(w), theirs(name, 'steps_per_s')
        rows.append((name + ' (steps/s)', a, b, a / b if a and b else None, '>= 1.0'))
    a, b = mine('W4'), theirs('W4 value_and_grad 2^24', 'ms')
    rows.append(('W4 value_and_grad 2^24 (ms)', a, b, b / a if a and b else None, '>= 0.8 (GB/s)'))
    for n, key in ((512, 'W5_512'), (2048, 'W5_2048'), (4096, 'W5')):
        for prec, table in (('default', ours), ('highest', highest)):
            a = mine(key, table)
            t = theirs(f'W5 matmul {n} {prec}', 'TFLOP_per_s')
            b = t * 1000 if t else None
            rows.append((f'W5 matmul {n} {prec} (GFLOP/s)', a, b, a / b if a and b else None, '>= 0.95' if n == 4096 else ''))
    a, b = mine('W6'), theirs('W6 dispatch x+1', 'us_chained')
    rows.append(('W6 dispatch x+1 (us)', a, b, b / a if a and b else None, '<= 10 us'))
    a, b = mine('W7'), theirs('W7 first call of W1 step', 's')
    rows.append(('W7 first call, cold (s)', a, b, b / a if a and b else None, '<= 1 s'))

    def fmt(v):
        return '-' if v is None else f'{v:.4g}'

    print(f"{'workload':36s} {'jax4j':>10s} {'JAX':>10s} {'jax4j/JAX':>10s}  target")
    for name, a, b, r, target in rows:
        print(f'{name:36s} {fmt(a):>10s} {fmt(b):>10s} {fmt(r):>10s}  {target}')
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
