#!/usr/bin/env python3
"""JAX's timings of the jax4j workloads W1-W7 (DESIGN.md), on whatever device JAX picks (the GPU on a GPU
machine), for comparison with `jax4j bench` in the same run. Prints one table and one JSON line per workload.

W1 MLP 784-512-512-10 train step (Adam 1e-3), W2 the Flax MNIST CNN (SGD momentum 0.9), W3 W1 with BatchNorm
and Dropout 0.5 (Adam on warm-up + cosine), all at batch 128 in steps/s; W4 value_and_grad of
sum(tanh(1.5x+0.5)*exp(-x^2)) on 2^24 floats (ms, GB/s at 8 bytes per element); W5 matmul 512/2048/4096 at
default precision (TF32 on GPUs) and HIGHEST (TFLOP/s); W6 dispatch of a jitted x + 1 on 4 floats (us per call,
blocking and chained); W7 the first call of W1's step (trace + compile), in a fresh jit.
"""
import json
import sys
import time

import jax
import jax.numpy as jnp
import flax.linen as nn
import optax

BATCH = 128


def timed(fn, reps, warm=5):
    for _ in range(warm):
        r = fn()
    jax.block_until_ready(r)
    t0 = time.perf_counter()
    for _ in range(reps):
        r = fn()
    jax.block_until_ready(r)
    return (time.perf_counter() - t0) / reps


class MLP(nn.Module):
    bn_dropout: bool = False

    @nn.compact
    def __call__(self, x, train=True):
        for _ in range(2):
            x = nn.Dense(512)(x)
            if self.bn_dropout:
                x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
            x = nn.relu(x)
            if self.bn_dropout:
                x = nn.Dropout(0.5, deterministic=not train)(x)
        return nn.Dense(10)(x)


class CNN(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Conv(32, (3, 3))(x))
        x = nn.avg_pool(x, (2, 2), (2, 2))
        x = nn.relu(nn.Conv(64, (3, 3))(x))
        x = nn.avg_pool(x, (2, 2), (2, 2))
        x = x.reshape((x.shape[0], -1))
        x = nn.relu(nn.Dense(256)(x))
        return nn.Dense(10)(x)


def loss_fn(logits, y):
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def w1_step(model, tx):
    def step(params, opt, x, y):
        loss, g = jax.value_and_grad(lambda p: loss_fn(model.apply({'params': p}, x), y))(params)
        upd, opt = tx.update(g, opt, params)
        return optax.apply_updates(params, upd), opt, loss
    return step


def train_bench(name, model, x, tx, reps, bn=False):
    key = jax.random.PRNGKey(0)
    y = jax.random.randint(key, (BATCH,), 0, 10)
    if bn:
        variables = model.init({'params': key, 'dropout': key}, x, train=False)
        params, stats = variables['params'], variables['batch_stats']
        opt = tx.init(params)

        @jax.jit
        def step(params, stats, opt, x, y, k):
            def lf(p):
                logits, upd = model.apply({'params': p, 'batch_stats': stats}, x, train=True,
                                          rngs={'dropout': k}, mutable=['batch_stats'])
                return loss_fn(logits, y), upd['batch_stats']
            (loss, stats), g = jax.value_and_grad(lf, has_aux=True)(params)
            u, opt = tx.update(g, opt, params)
            return optax.apply_updates(params, u), stats, opt, loss

        state = [params, stats, opt]

        def one():
            state[0], state[1], state[2], l = step(state[0], state[1], state[2], x, y, key)
            return l
    else:
        params = model.init(key, x)['params']
        opt = tx.init(params)
        step = jax.jit(w1_step(model, tx))
        state = [params, opt]

        def one():
            state[0], state[1], l = step(state[0], state[1], x, y)
            return l
    t = timed(one, reps)
    return {'workload': name, 'steps_per_s': 1 / t, 'ms_per_step': t * 1e3}


def main():
    dev = jax.devices()[0]
    print(f"JAX {jax.__version__} on {dev.platform}: {dev.device_kind}", flush=True)
    key = jax.random.PRNGKey(0)
    results = []
    x = jax.random.normal(key, (BATCH, 784))
    results.append(train_bench('W1 MLP train step', MLP(), x, optax.adam(1e-3), 300))
    results.append(train_bench('W2 CNN train step', CNN(), jax.random.normal(key, (BATCH, 28, 28, 1)), optax.sgd(0.1, momentum=0.9), 200))
    sched = optax.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 10000)
    results.append(train_bench('W3 BN+Dropout MLP', MLP(bn_dropout=True), x, optax.adam(sched), 300, bn=True))

    n = 1 << 24
    xs = jax.random.normal(key, (n,))
    f = jax.jit(jax.value_and_grad(lambda v: jnp.sum(jnp.tanh(1.5 * v + 0.5) * jnp.exp(-v * v))))
    t = timed(lambda: f(xs), 50)
    results.append({'workload': 'W4 value_and_grad 2^24', 'ms': t * 1e3, 'GB_per_s': 8 * n / t / 1e9})

    for size in (512, 2048, 4096):
        a = jax.random.normal(key, (size, size))
        b = jax.random.normal(jax.random.PRNGKey(1), (size, size))
        for prec in ('default', 'highest'):
            mm = jax.jit(lambda p, q, prec=prec: jnp.matmul(p, q, precision=None if prec == 'default' else jax.lax.Precision.HIGHEST))
            t = timed(lambda: mm(a, b), 20 if size == 4096 else 100)
            results.append({'workload': f'W5 matmul {size} {prec}', 'TFLOP_per_s': 2 * size ** 3 / t / 1e12})

    plus1 = jax.jit(lambda v: v + 1)
    v = jnp.ones(4)
    for _ in range(1000):
        plus1(v).block_until_ready()
    reps = 5000
    t0 = time.perf_counter()
    for _ in range(reps):
        plus1(v).block_until_ready()
    blocking = (time.perf_counter() - t0) / reps
    r = v
    t0 = time.perf_counter()
    for _ in range(reps):
        r = plus1(r)
    r.block_until_ready()
    chained = (time.perf_counter() - t0) / reps
    results.append({'workload': 'W6 dispatch x+1', 'us_blocking': blocking * 1e6, 'us_chained': chained * 1e6})

    model, tx = MLP(), optax.adam(1e-3)
    params = model.init(key, x)['params']
    y = jax.random.randint(key, (BATCH,), 0, 10)
    t0 = time.perf_counter()
    out = jax.jit(w1_step(model, tx))(params, tx.init(params), x + 0.0, y)
    jax.block_until_ready(out)
    results.append({'workload': 'W7 first call of W1 step', 's': time.perf_counter() - t0,
                    'note': 'same process as W1: JAX caches may make this lower than in a fresh process'})

    print(f"{'workload':32s} result")
    for r in results:
        print(f"{r['workload']:32s} " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items() if k != 'workload'))
    for r in results:
        print('JSON ' + json.dumps(r))
    return 0


if __name__ == '__main__':
    sys.exit(main())
