"""Golden outputs of NumPy for the jnp functions jax4j composes from primitives (NpGoldenTest).

jnp follows NumPy for these (same rounding rule, same interpolation, same edge values), so NumPy is
the reference here. Inputs are random with a seed, plus the edge values (halves, NaN, infinities,
ties) each function has rules for. Regenerate with:
    python3 scripts/numpy_golden.py > tracer/src/test/resources/numpy/np_golden.json
"""
import json
import sys

import numpy as np

rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 20261205)


def enc(a):
    a = np.asarray(a)
    def v(x):
        if a.dtype == np.bool_:
            return bool(x)
        if np.issubdtype(a.dtype, np.integer):
            return int(x)
        x = float(x)
        if np.isnan(x):
            return "nan"
        if np.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x == 0 and np.signbit(x):
            return "-0"
        return x
    dtype = {"bool": "bool", "int32": "int32", "int64": "int32", "float32": "float32", "float64": "float32"}[str(a.dtype)]
    return {"dtype": dtype, "shape": list(a.shape), "data": [v(x) for x in a.ravel()]}


cases = []


def case(name, inputs, expected, **args):
    cases.append({"name": name, "inputs": [enc(i) for i in inputs], "args": args,
                  "expected": [enc(e) for e in (expected if isinstance(expected, tuple) else (expected,))]})


f32 = lambda *s: rng.standard_normal(s).astype(np.float32)
special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.5], np.float32)

x = np.concatenate([f32(9) * 3, special, np.array([0.5, 1.5, 2.5, -0.5, -1.5, 3.5, 1e9, -4.5], np.float32)])
case("round", [x], np.round(x))
y = (f32(10) * 100).astype(np.float32)
case("round_decimals", [y], np.round(y, 1).astype(np.float32), decimals=1)
case("round_decimals_neg", [y], np.round(y, -1).astype(np.float32), decimals=-1)
case("trunc", [x], np.trunc(x))
case("isnan", [x], np.isnan(x))
case("isinf", [x], np.isinf(x))
p = np.abs(f32(8)) * 50 + 0.01
case("log2", [p], np.log2(p))
case("log10", [p], np.log10(p))
a, b = f32(12) * 10, f32(12) * 3
b[0] = -b[0] if b[0] > 0 else b[0]
case("floor_divide_float", [a, b], np.floor_divide(a, b))
ai = rng.integers(-20, 20, 16).astype(np.int32)
bi = rng.integers(1, 7, 16).astype(np.int32) * np.where(rng.random(16) < 0.5, -1, 1).astype(np.int32)
case("floor_divide_int", [ai, bi], np.floor_divide(ai, bi))
m = f32(3, 4, 5)
m[0, 1, 2] = 0
m[1, :, 3] = 0
case("any_axis1", [m > 0.5], np.any(m > 0.5, axis=1), axes=[1])
case("all_axis2_keep", [m > -1.0], np.all(m > -1.0, axis=2, keepdims=True), axes=[2], keepdims=True)
case("count_nonzero_axis0", [m], np.count_nonzero(m, axis=0).astype(np.int32), axes=[0])
c1 = f32(10)
c2 = c1 + np.array([0, 1e-6, 1e-4, np.nan, 0, 0, 0, 0, 0, 0], np.float32)
c1[4], c2[4] = np.inf, np.inf
c1[5], c2[5] = np.inf, -np.inf
c1[6], c2[6] = np.nan, np.nan
c2[7] = np.inf
case("isclose", [c1, c2], np.isclose(c1, c2))
case("isclose_equal_nan", [c1, c2], np.isclose(c1, c2, rtol=1e-3, atol=1e-6, equal_nan=True), rtol=1e-3, atol=1e-6, equal_nan=True)
n = np.array([np.nan, np.inf, -np.inf, 1.0, -3.0], np.float32)
case("nan_to_num", [n], np.nan_to_num(n))
case("nan_to_num_values", [n], np.nan_to_num(n, nan=7.0, posinf=100.0, neginf=-100.0), nan=7.0, posinf=100.0, neginf=-100.0)
u, v = f32(4, 3), f32(4, 3)
case("cross3", [u, v], np.cross(u, v))
u2, v2 = f32(5, 2), f32(5, 2)
case("cross2", [u2, v2], u2[:, 0] * v2[:, 1] - u2[:, 1] * v2[:, 0])  # np.cross of 2-vectors, without its deprecation
r = f32(3, 5)
case("roll_axis1", [r], np.roll(r, 2, axis=1), shift=[2], axis=[1])
case("roll_negative_axis0", [r], np.roll(r, -4, axis=0), shift=[-4], axis=[0])
case("roll_flat", [r], np.roll(r, 7), shift=[7])
case("roll_two_axes", [r], np.roll(r, (1, -2), axis=(0, 1)), shift=[1, -2], axis=[0, 1])
d = f32(4)
case("diag_vector_k1", [d], np.diag(d, 1), k=1)
case("diag_vector_km2", [d], np.diag(d, -2), k=-2)
dm = f32(4, 6)
case("diag_matrix_k0", [dm], np.diag(dm), k=0)
case("diag_matrix_k2", [dm], np.diag(dm, 2), k=2)
case("diag_matrix_km1", [dm], np.diag(dm, -1), k=-1)
case("trace", [dm[:, :4]], np.trace(dm[:, :4]))
g1, g2, g3 = f32(3), f32(4), f32(2)
case("meshgrid_xy", [g1, g2, g3], tuple(np.meshgrid(g1, g2, g3)), indexing="xy")
case("meshgrid_ij", [g1, g2], tuple(np.meshgrid(g1, g2, indexing="ij")), indexing="ij")
h1, h2 = f32(3), f32(2)
case("hstack_vectors", [h1, h2], np.hstack([h1, h2]))
m1, m2 = f32(2, 3), f32(2, 1)
case("hstack_matrices", [m1, m2], np.hstack([m1, m2]))
vs = np.ones((2, 3), np.float32) * 2
case("vstack", [h1, vs], np.vstack([h1, vs]))
cs1, cs2 = f32(3), f32(3, 2)
case("column_stack", [cs1, cs2], np.column_stack([cs1, cs2]))
q = f32(5, 7)
case("quantile_axis1", [q], np.quantile(q, 0.3, axis=1), q=[0.3], axis=1)
case("quantile_many_axis0", [q], np.quantile(q, [0.0, 0.25, 0.5, 1.0], axis=0).astype(np.float32), q=[0.0, 0.25, 0.5, 1.0], axis=0)
qn = q.copy()
qn[2, 3] = np.nan
case("quantile_nan", [qn], np.quantile(qn, 0.75, axis=1), q=[0.75], axis=1)
case("percentile_keepdims", [q], np.percentile(q, [10.0, 90.0], axis=1, keepdims=True).astype(np.float32), p=[10.0, 90.0], axis=1, keepdims=True)
case("median_axis0", [q], np.median(q, axis=0), axis=0)
sa = np.sort(np.round(f32(9) * 3)).astype(np.float32)
sv = np.concatenate([sa[[0, 4, 8]], np.round(f32(6) * 4)]).astype(np.float32).reshape(3, 3)
case("searchsorted_left", [sa, sv], np.searchsorted(sa, sv, side="left").astype(np.int32), side="left")
case("searchsorted_right", [sa, sv], np.searchsorted(sa, sv, side="right").astype(np.int32), side="right")
ui = rng.integers(0, 6, (3, 5)).astype(np.int32)
uniq = np.unique(ui)
case("unique_padded", [ui], np.concatenate([uniq, np.full(10 - len(uniq), uniq[0], np.int32)]).astype(np.int32), size=10)
case("unique_cut", [ui], uniq[:3].astype(np.int32), size=3)
uf = np.array([3.0, np.nan, 1.0, 3.0, np.nan, -2.0], np.float32)
uu = np.unique(uf)
case("unique_fill", [uf], np.concatenate([uu, np.full(2, -9.0, np.float32)]), size=len(uu) + 2, fill_value=-9.0)
am = f32(3, 4)
case("argmax_flat", [am], np.int32(np.argmax(am)))
case("argmin_flat", [am], np.int32(np.argmin(am)))

# linear algebra: float32 inputs, NumPy in float64 (jax4j's reference factorizes in double)
def well_conditioned(*s):
    a = f32(*s)
    return (a + s[-1] * np.eye(s[-1], dtype=np.float32)).astype(np.float32)


def spd(*s):
    m = f32(*s).astype(np.float64)
    return (m @ np.swapaxes(m, -1, -2) + s[-1] * np.eye(s[-1])).astype(np.float32)


d64 = lambda a: np.asarray(a, np.float64)
v = f32(2, 5)
case("linalg_norm", [v], np.float32(np.linalg.norm(d64(v))))
case("linalg_norm_vec_ord", [v], np.linalg.norm(d64(v), ord=3, axis=1).astype(np.float32), ord=3.0, axis=1)
case("linalg_norm_vec_inf", [v], np.linalg.norm(d64(v), ord=np.inf, axis=0).astype(np.float32), ord="inf", axis=0)
case("linalg_norm_vec_1", [v], np.linalg.norm(d64(v), ord=1, axis=1).astype(np.float32), ord=1.0, axis=1)
mm = f32(3, 4, 5)
case("linalg_matrix_norm_1", [mm], np.linalg.norm(d64(mm), ord=1, axis=(1, 2)).astype(np.float32), ord=1.0)
case("linalg_matrix_norm_inf", [mm], np.linalg.norm(d64(mm), ord=np.inf, axis=(1, 2)).astype(np.float32), ord="inf")
case("linalg_matrix_norm_fro", [mm], np.linalg.norm(d64(mm), ord="fro", axis=(1, 2)).astype(np.float32), ord="fro")
s = spd(2, 4, 4)
case("linalg_cholesky", [s], np.linalg.cholesky(d64(s)).astype(np.float32))
a = well_conditioned(2, 4, 4)
bm = f32(2, 4, 3)
case("linalg_solve_matrix", [a, bm], np.linalg.solve(d64(a), d64(bm)).astype(np.float32))
a1, b1 = well_conditioned(5, 5), f32(5)
case("linalg_solve_vector", [a1, b1], np.linalg.solve(d64(a1), d64(b1)).astype(np.float32))
case("linalg_inv", [a], np.linalg.inv(d64(a)).astype(np.float32))
perm = f32(5, 5)                                            # pivoting matters: no diagonal dominance
case("linalg_det", [perm], np.float32(np.linalg.det(d64(perm))))
sg, ld = np.linalg.slogdet(d64(perm))
case("linalg_slogdet", [perm], (np.float32(sg), np.float32(ld)))
case("linalg_inv_pivoting", [perm], np.linalg.inv(d64(perm)).astype(np.float32))
case("linalg_matrix_power", [a1 / 5], np.linalg.matrix_power(d64(a1 / 5), 5).astype(np.float32), n=5)
case("linalg_matrix_power_neg", [a1], np.linalg.matrix_power(d64(a1), -2).astype(np.float32), n=-2)
t = np.tril(well_conditioned(4, 4)).astype(np.float32)
tb = f32(4, 2)
case("linalg_solve_triangular_lower", [t, tb], np.linalg.solve(d64(t), d64(tb)).astype(np.float32), lower=True, trans=False)
case("linalg_solve_triangular_upper_trans", [t.T.copy(), tb], np.linalg.solve(d64(t.T).T, d64(tb)).astype(np.float32), lower=False, trans=True)
tall, wide = f32(5, 3), f32(3, 5)
for name, a in [("linalg_qr_tall", tall), ("linalg_qr_wide", wide)]:
    q, r = np.linalg.qr(d64(a))
    case(name, [a], (q.astype(np.float32), r.astype(np.float32)))
q, r = np.linalg.qr(d64(tall), mode="complete")
case("linalg_qr_complete", [tall], (q.astype(np.float32), r.astype(np.float32)))
sym = spd(2, 4, 4) - 4 * np.eye(4, dtype=np.float32)
w, v = np.linalg.eigh(d64(sym))
case("linalg_eigvalsh", [sym], w.astype(np.float32))
for name, a in [("linalg_svdvals_tall", tall), ("linalg_svdvals_wide", wide)]:
    case(name, [a], np.linalg.svd(d64(a), compute_uv=False).astype(np.float32))
case("linalg_pinv", [tall], np.linalg.pinv(d64(tall)).astype(np.float32))
case("linalg_matrix_norm_2", [mm], np.linalg.norm(d64(mm), ord=2, axis=(1, 2)).astype(np.float32), ord=2.0)
case("linalg_matrix_norm_nuc", [mm], np.linalg.norm(d64(mm), ord="nuc", axis=(1, 2)).astype(np.float32), ord="nuc")
low = (f32(6, 2).astype(np.float64) @ f32(2, 4).astype(np.float64)).astype(np.float32)
case("linalg_matrix_rank", [low], np.int32(np.linalg.matrix_rank(low)))  # float32 tolerance, as JAX on float32
tb2 = f32(5, 2)
x_, res_, rank_, s_ = np.linalg.lstsq(d64(tall), d64(tb2), rcond=None)
case("linalg_lstsq_tall", [tall, tb2], (x_.astype(np.float32), res_.astype(np.float32), np.int32(rank_), s_.astype(np.float32)))
wb = f32(3)
x_, res_, rank_, s_ = np.linalg.lstsq(d64(wide), d64(wb), rcond=None)
case("linalg_lstsq_wide", [wide, wb], (x_.astype(np.float32), res_.astype(np.float32), np.int32(rank_), s_.astype(np.float32)))
import scipy.linalg as sla
sq, sb = f32(5, 5), f32(5, 2)
case("linalg_lu_solve", [sq, sb], sla.lu_solve(sla.lu_factor(d64(sq)), d64(sb)).astype(np.float32))
spd1 = spd(4, 4)
cb = f32(4)
case("linalg_cho_solve_lower", [spd1, cb], sla.cho_solve((np.linalg.cholesky(d64(spd1)), True), d64(cb)).astype(np.float32), lower=True)
case("linalg_cho_solve_upper", [spd1, cb], sla.cho_solve((np.linalg.cholesky(d64(spd1)).T, False), d64(cb)).astype(np.float32), lower=False)
import scipy.special as ss
gx = np.concatenate([np.abs(f32(8)) * 6 + 0.01, np.array([0.5, 1.0, 2.0, 3.0, 10.5, 100.0, -0.5, -2.5, -3.7, 1e-3], np.float32)]).astype(np.float32)
case("special_gammaln", [gx], ss.gammaln(d64(gx)).astype(np.float32))
e1, e2 = f32(2, 3, 4), f32(4, 5)
case("einsum_ellipsis_matmul", [e1, e2], np.einsum("...ij,...jk->...ik", e1, e2).astype(np.float32), spec="...ij,...jk->...ik")
e3, e4 = f32(2, 1, 3, 4), f32(5, 4, 2)
case("einsum_ellipsis_broadcast", [e3, e4], np.einsum("...ij,...jk->...ik", e3, e4).astype(np.float32), spec="...ij,...jk->...ik")
e5, e6 = f32(3, 4), f32(3, 4)
case("einsum_ellipsis_dot", [e5, e6], np.einsum("...i,...i->...", e5, e6).astype(np.float32), spec="...i,...i->...")
case("einsum_ellipsis_implicit", [e1], np.einsum("...ji", e1).astype(np.float32), spec="...ji")
c1, c2, c3 = f32(2, 3), f32(3, 4), f32(4, 5)
case("einsum_chain", [c1, c2, c3], np.einsum("ij,jk,kl->il", c1, c2, c3).astype(np.float32), spec="ij,jk,kl->il")
c4 = f32(3)
case("einsum_chain_implicit", [c1, c2, c4], np.einsum("ij,jk,j", c1, c2, c4).astype(np.float32), spec="ij,jk,j")
pm = f32(3, 4)
for mode in ["edge", "reflect", "symmetric", "wrap"]:
    case("pad_" + mode, [pm], np.pad(pm, [(1, 2), (2, 1)], mode=mode), mode=mode)
print(json.dumps({"numpy": np.__version__, "cases": cases}, indent=1))
