package io.jax4j.xla.internal;

import io.jax4j.DType;
import io.jax4j.xla.internal.KernelIR.Compute;
import io.jax4j.xla.internal.KernelIR.Const;
import io.jax4j.xla.internal.KernelIR.Flat;
import io.jax4j.xla.internal.KernelIR.Instr;
import io.jax4j.xla.internal.KernelIR.Kernel;
import io.jax4j.xla.internal.KernelIR.Load;
import io.jax4j.xla.internal.KernelIR.Nested;
import io.jax4j.xla.internal.KernelIR.Param;
import io.jax4j.xla.internal.KernelIR.Reduction;
import io.jax4j.xla.internal.KernelIR.Store;

import java.util.List;
import java.util.Set;

/**
 * Kernel IR to C-like source: a pure function of the IR and a {@link Dialect}, with deterministic
 * names ({@code p<param>}, {@code v<id>}), so its output can be golden-tested. Elementwise
 * primitives are rendered from one template table ({@link #expr}).
 */
public final class CStyleRenderer {
    private final Dialect d;

    public CStyleRenderer(Dialect dialect) { this.d = dialect; }

    /** The primitives a fused kernel can compute (others run as host ops). */
    public static final Set<String> SUPPORTED = Set.of(
            "neg", "sign", "floor", "ceil", "round", "is_finite", "not", "abs", "exp", "log", "expm1", "log1p",
            "tanh", "logistic", "sin", "cos", "sqrt", "rsqrt", "erf", "erf_inv", "square",
            "add", "sub", "mul", "div", "rem", "max", "min", "pow", "atan2", "and", "or", "xor",
            "shift_left", "shift_right_logical", "shift_right_arithmetic",
            "eq", "ne", "lt", "le", "gt", "ge", "convert_element_type", "select_n", "bitcast_convert_type");

    /** Whether a fused kernel can compute {@code e}: a primitive with a template here, for its dtypes (erf_inv in float32 only). */
    public static boolean supports(io.jax4j.ir.Eqn e) {
        String n = e.primitive().name();
        return SUPPORTED.contains(n) && (!n.equals("erf_inv") || e.outvars().head().aval().dtype() == DType.F32);
    }

    /**
     * float32 erf⁻¹ exactly as the reference computes it (XLA's ErfInv32, M. Giles): w = -log1p(-x²)
     * with XLA's log1p (Cephes' rational approximation below √2 - 1, XLA's Cephes logf of 1 + x
     * above), Horner steps as fused multiply-adds, ±1 to ±inf; for a dialect's function
     * {@code qualifier}. Only the multiply-adds XLA fuses are fused: the other products and sums
     * go through J4_MUL/J4_ADD, which a C compiler must not contract (contraction off for these
     * functions) and CUDA computes with the round-to-nearest intrinsics that are never contracted.
     */
    static String erfInvSource(String qualifier) {
        return """
                #if defined(__CUDACC__)
                #define J4_MUL(a, b) __fmul_rn((a), (b))
                #define J4_ADD(a, b) __fadd_rn((a), (b))
                #else
                #define J4_MUL(a, b) ((a) * (b))
                #define J4_ADD(a, b) ((a) + (b))
                #pragma GCC push_options
                #pragma GCC optimize ("fp-contract=off")
                #endif
                """ + qualifier + """
                 float j4_xla_logf(float v) {
                    if (isnan(v) || v < 0.0f) return NAN;
                    if (v == 0.0f) return -INFINITY;
                    if (isinf(v)) return v;
                    union { float f; uint32_t u; } in = { fmaxf(v, 0x1p-126f) }, half = { 0.5f };
                    float e = J4_ADD(1.0f, (float) ((int32_t) (in.u >> 23) - 0x7f));
                    in.u = (in.u & ~0x7f800000u) | half.u;
                    float x = in.f;
                    const int small = x < 0.707106781186547524f;
                    const float tmp = small ? x : 0.0f;
                    x = J4_ADD(x, -1.0f);
                    e = J4_ADD(e, small ? -1.0f : 0.0f);
                    x = J4_ADD(x, tmp);
                    const float x2 = J4_MUL(x, x), x3 = J4_MUL(x2, x);
                    float y = fmaf(x, 7.0376836292E-2f, -1.1514610310E-1f);
                    float y1 = fmaf(x, -1.2420140846E-1f, 1.4249322787E-1f);
                    float y2 = fmaf(x, 2.0000714765E-1f, -2.4999993993E-1f);
                    y = fmaf(y, x, 1.1676998740E-1f);
                    y1 = fmaf(y1, x, -1.6668057665E-1f);
                    y2 = fmaf(y2, x, 3.3333331174E-1f);
                    y = fmaf(y, x3, y1);
                    y = fmaf(y, x3, y2);
                    y = J4_MUL(y, x3);
                    y = J4_ADD(y, J4_MUL(-2.12194440e-4f, e));
                    x = J4_ADD(x, -J4_MUL(0.5f, x2));
                    x = J4_ADD(x, y);
                    return J4_ADD(x, J4_MUL(0.693359375f, e));
                }
                """ + qualifier + """
                 float j4_xla_log1pf(float x) {
                    if (!(fabsf(x) < 0.41421356237309504880f)) return j4_xla_logf(J4_ADD(1.0f, x));
                    float n = 0.0f, d = 0.0f;
                    n = fmaf(n, x, 4.5270000862445199635215E-5f); d = fmaf(d, x, 1.0f);
                    n = fmaf(n, x, 4.9854102823193375972212E-1f); d = fmaf(d, x, 1.5062909083469192043167E1f);
                    n = fmaf(n, x, 6.5787325942061044846969E0f); d = fmaf(d, x, 8.3047565967967209469434E1f);
                    n = fmaf(n, x, 2.9911919328553073277375E1f); d = fmaf(d, x, 2.2176239823732856465394E2f);
                    n = fmaf(n, x, 6.0949667980987787057556E1f); d = fmaf(d, x, 3.0909872225312059774938E2f);
                    n = fmaf(n, x, 5.7112963590585538103336E1f); d = fmaf(d, x, 2.1642788614495947685003E2f);
                    n = fmaf(n, x, 2.0039553499201281259648E1f); d = fmaf(d, x, 6.0118660497603843919306E1f);
                    const float x2 = J4_MUL(x, x);
                    return J4_ADD(x, fmaf(-0.5f, x2, J4_MUL(J4_MUL(x, x2), n / d)));
                }
                """ + qualifier + """
                 float j4_erfinvf(float x) {
                    const float w = -j4_xla_log1pf(J4_MUL(-x, x));
                    const int lt = w < 5.0f;
                    const float t = lt ? J4_ADD(w, -2.5f) : J4_ADD(sqrtf(w), -3.0f);
                    float p = lt ? 2.81022636e-08f : -0.000200214257f;
                    p = fmaf(p, t, lt ? 3.43273939e-07f : 0.000100950558f);
                    p = fmaf(p, t, lt ? -3.5233877e-06f : 0.00134934322f);
                    p = fmaf(p, t, lt ? -4.39150654e-06f : -0.00367342844f);
                    p = fmaf(p, t, lt ? 0.00021858087f : 0.00573950773f);
                    p = fmaf(p, t, lt ? -0.00125372503f : -0.0076224613f);
                    p = fmaf(p, t, lt ? -0.00417768164f : 0.00943887047f);
                    p = fmaf(p, t, lt ? 0.246640727f : 1.00167406f);
                    p = fmaf(p, t, lt ? 1.50140941f : 2.83297682f);
                    return fabsf(x) == 1.0f ? x * INFINITY : J4_MUL(p, x);
                }
                #if !defined(__CUDACC__)
                #pragma GCC pop_options
                #endif
                """;
    }

    /** One translation unit holding all kernels of an executable, whose slot table has the highest slot they use + 1 entries. */
    public String render(List<Kernel> kernels) {
        int slots = 1;
        for (Kernel k : kernels) for (Param p : k.params()) slots = Math.max(slots, p.slot() + 1);
        return render(kernels, slots);
    }

    /** One translation unit holding all kernels of an executable with a slot table of {@code slotCount} entries. */
    public String render(List<Kernel> kernels, int slotCount) {
        StringBuilder sb = new StringBuilder(d.prelude()).append(d.slotTable(slotCount));
        for (Kernel k : kernels) sb.append('\n').append(render(k));
        return sb.toString();
    }

    public String render(Kernel k) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(k.name())).append(" {\n");
        for (int p = 0; p < k.params().size(); p++) {
            Param pa = k.params().get(p);
            String t = d.type(pa.dtype());
            String q = pa.aliased() ? "" : d.restrict();
            sb.append("    ").append(pa.output() ? "" : "const ").append(t).append("* ").append(q).append("p").append(p)
                    .append(" = (").append(pa.output() ? "" : "const ").append(t).append("*) slots[").append(pa.slot()).append("];\n");
        }
        if (!d.renderLoops(sb, k, this)) switch (k.loop()) {
            case Flat f -> {
                line(sb, 1, d.parallelForSimd(f.n() * k.body().size()));
                sb.append("    for (long i = 0; i < ").append(f.n()).append("; i++) {\n");
                body(sb, 2, k.body());
                stores(sb, 2, k, "i", null);
                sb.append("    }\n");
            }
            case Nested n -> {
                long run = Runs.length(k.body(), n.inner());
                if (run > 0) {
                    runs(sb, k, n, run);
                    break;
                }
                line(sb, 1, d.parallelFor(n.outer() * n.inner() * k.body().size()));
                sb.append("    for (long o = 0; o < ").append(n.outer()).append("; o++) {\n");
                line(sb, 2, d.simd());
                sb.append("        for (long j = 0; j < ").append(n.inner()).append("; j++) {\n");
                sb.append("            const long i = o * ").append(n.inner()).append(" + j;\n");
                body(sb, 3, k.body());
                stores(sb, 3, k, "i", null);
                sb.append("        }\n    }\n");
            }
            case Reduction r -> reduction(sb, k, r);
        }
        sb.append("}\n");
        return sb.toString();
    }

    /**
     * A nested loop whose gathered loads ({@link Runs}) read runs of {@code run} consecutive elements:
     * the loop steps over runs, each load's index is computed once per run ({@code b<id>}, its value at
     * the run's first element) and the inner loop adds j (or a multiple of it), so a transpose that
     * keeps the innermost axes copies contiguous runs instead of evaluating divisions per element.
     */
    private void runs(StringBuilder sb, Kernel k, Nested n, long run) {
        long outer = n.outer() * (n.inner() / run);
        line(sb, 1, d.parallelFor(outer * run * k.body().size()));
        sb.append("    for (long o = 0; o < ").append(outer).append("; o++) {\n");
        Ix first = Ix.mul(Ix.sym("o"), run);
        for (Instr in : k.body()) {
            if (in instanceof Load l && !(l.index() instanceof Ix.Sym)) {
                line(sb, 2, "const long b" + l.id() + " = " + Runs.substitute(l.index(), first).render() + ";");
            }
        }
        line(sb, 2, d.simd());
        sb.append("        for (long j = 0; j < ").append(run).append("; j++) {\n");
        sb.append("            const long i = o * ").append(run).append(" + j;\n");
        for (Instr in : k.body()) {
            if (in instanceof Load l && !(l.index() instanceof Ix.Sym)) {
                long c = Runs.coefficient(l.index(), run, n.inner());
                String idx = "b" + l.id() + (c == 0 ? "" : c == 1 ? " + j" : " + " + c + " * j");
                line(sb, 3, "const " + d.type(l.dtype()) + " v" + l.id() + " = p" + l.param() + "[" + idx + "];");
            } else {
                body(sb, 3, List.of(in));
            }
        }
        stores(sb, 3, k, "i", null);
        sb.append("        }\n    }\n");
    }

    /**
     * A sum over leading axes: rows r outside, a vector of accumulators over o inside; threads split r
     * and add their partials. Side outputs over the domain are stored in the loop (the reduced axes
     * lead, so {@code r * outer + o} is the element's index); the epilogue runs once per output element.
     */
    private void columns(StringBuilder sb, Kernel k, Reduction r) {
        String acc = accumulatorType(r);
        long work = r.outer() * r.inner() * Math.max(1, k.body().size());
        sb.append("    ").append(acc).append(" accs[").append(r.outer()).append("];\n");
        sb.append("    for (long o = 0; o < ").append(r.outer()).append("; o++) accs[o] = 0;\n");
        String par = d.parallelFor(work);
        boolean parallel = !par.isEmpty();
        if (parallel) sb.append("    #pragma omp parallel\n");
        sb.append("    {\n");
        sb.append("        ").append(acc).append(" part[").append(r.outer()).append("];\n");
        sb.append("        for (long o = 0; o < ").append(r.outer()).append("; o++) part[o] = 0;\n");
        if (parallel) sb.append("        #pragma omp for schedule(static) nowait\n");
        sb.append("        for (long r = 0; r < ").append(r.inner()).append("; r++) {\n");
        line(sb, 3, "#pragma omp simd");
        sb.append("            for (long o = 0; o < ").append(r.outer()).append("; o++) {\n");
        body(sb, 4, k.body());
        sb.append("                part[o] += v").append(r.value()).append(";\n");
        java.util.Set<Integer> after = new java.util.HashSet<>();
        for (Instr in : k.epilogue()) after.add(in.id());
        for (Store s : k.stores()) {
            if (s.value() >= 0 && !after.contains(s.value())) line(sb, 4, "p" + s.param() + "[r * " + r.outer() + " + o] = v" + s.value() + ";");
        }
        sb.append("            }\n        }\n");
        if (parallel) sb.append("        #pragma omp critical\n");
        sb.append("        for (long o = 0; o < ").append(r.outer()).append("; o++) accs[o] += part[o];\n");
        sb.append("    }\n");
        sb.append("    for (long o = 0; o < ").append(r.outer()).append("; o++) {\n");
        sb.append("        const ").append(acc).append(" acc = accs[o];\n");
        String result = r.dtype() == DType.BOOL ? "(acc != 0)" : "(" + d.type(r.dtype()) + ") acc";
        for (Store s : k.stores()) if (s.value() < 0) line(sb, 2, "p" + s.param() + "[o] = " + result + ";");
        body(sb, 2, k.epilogue());
        for (Store s : k.stores()) if (after.contains(s.value())) line(sb, 2, "p" + s.param() + "[o] = v" + s.value() + ";");
        sb.append("    }\n");
    }

    private void reduction(StringBuilder sb, Kernel k, Reduction r) {
        if (r.columns()) {
            columns(sb, k, r);
            return;
        }
        String acc = accumulatorType(r);
        long work = r.outer() * r.inner() * Math.max(1, k.body().size());
        if (r.outer() > 1) line(sb, 1, d.parallelFor(work));
        sb.append("    for (long o = 0; o < ").append(r.outer()).append("; o++) {\n");
        sb.append("        ").append(acc).append(" acc = ").append(identity(r)).append(";\n");
        // a sum's inner loop may be reassociated (vectorised; split across cores when it is the only loop)
        if (r.op().equals("add")) line(sb, 2, d.parallelSum(r.outer() == 1 ? work : 0, "acc"));
        sb.append("        for (long r = 0; r < ").append(r.inner()).append("; r++) {\n");
        body(sb, 3, k.body());
        String v = "v" + r.value();
        String combine = switch (r.op()) {
            case "add" -> "acc + " + v;
            case "max" -> floatNaN(r.dtype(), v, v + " > acc ? " + v + " : acc");
            case "min" -> floatNaN(r.dtype(), v, v + " < acc ? " + v + " : acc");
            default -> throw new IllegalArgumentException(r.op());
        };
        sb.append("            acc = ").append(combine).append(";\n");
        java.util.Set<Integer> after = new java.util.HashSet<>();
        for (Instr in : k.epilogue()) after.add(in.id());
        for (Store s : k.stores()) {
            if (s.value() >= 0 && !after.contains(s.value())) line(sb, 3, "p" + s.param() + "[o * " + r.inner() + " + r] = v" + s.value() + ";");
        }
        sb.append("        }\n");
        String result = r.dtype() == DType.BOOL ? "(acc != 0)" : "(" + d.type(r.dtype()) + ") acc";
        for (Store s : k.stores()) if (s.value() < 0) line(sb, 2, "p" + s.param() + "[o] = " + result + ";");
        body(sb, 2, k.epilogue());
        for (Store s : k.stores()) if (after.contains(s.value())) line(sb, 2, "p" + s.param() + "[o] = v" + s.value() + ";");
        sb.append("    }\n");
    }

    String floatNaN(DType t, String v, String choose) {
        return t.isFloating() ? "(acc != acc || " + v + " != " + v + ") ? acc + " + v + " : (" + choose + ")" : choose;
    }

    String accumulatorType(Reduction r) {
        if (!r.op().equals("add")) return d.type(r.dtype());
        return switch (r.dtype()) {
            case F32, F64 -> "double";
            case U32 -> "uint64_t";
            default -> "int64_t";
        };
    }

    String identity(Reduction r) {
        boolean max = r.op().equals("max");
        if (r.op().equals("add")) return "0";
        return switch (r.dtype()) {
            case F32, F64 -> max ? "-INFINITY" : "INFINITY";
            case I32 -> max ? "INT32_MIN" : "INT32_MAX";
            case U32 -> max ? "0u" : "UINT32_MAX";
            case BOOL -> max ? "0" : "1";
            default -> throw new IllegalArgumentException(r.dtype().toString());
        };
    }

    void body(StringBuilder sb, int indent, List<Instr> body) {
        for (Instr in : body) {
            String rhs = switch (in) {
                case Load l -> "p" + l.param() + "[" + l.index().render() + "]";
                case Const c -> literal(c.dtype(), c.value());
                case Compute c -> expr(c);
                case KernelIR.Acc a -> a.dtype() == DType.BOOL ? "(acc != 0)" : "(" + d.type(a.dtype()) + ") acc";
            };
            line(sb, indent, "const " + d.type(in.dtype()) + " v" + in.id() + " = " + rhs + ";");
        }
    }

    void stores(StringBuilder sb, int indent, Kernel k, String index, String value) {
        for (Store s : k.stores()) {
            line(sb, indent, "p" + s.param() + "[" + index + "] = " + (value != null ? value : "v" + s.value()) + ";");
        }
    }

    static void line(StringBuilder sb, int indent, String s) {
        if (s.isEmpty()) return;
        sb.append("    ".repeat(indent)).append(s).append('\n');
    }

    /** A literal of the dtype: shortest round-tripping decimal, INFINITY/NAN spelled out. */
    public String literal(DType t, double v) {
        if (t.isFloating()) {
            if (Double.isNaN(v)) return "NAN";
            if (Double.isInfinite(v)) return v > 0 ? "INFINITY" : "(-INFINITY)";
            String s = t == DType.F32 ? Float.toString((float) v) + "f" : Double.toString(v);
            return v < 0 || s.startsWith("-") ? "(" + s + ")" : s;
        }
        long x = (long) v;
        return switch (t) {
            case U32 -> x + "u";
            case BOOL -> x != 0 ? "1" : "0";
            default -> x == Integer.MIN_VALUE ? "(-2147483647 - 1)" : x < 0 ? "(" + x + ")" : Long.toString(x);
        };
    }

    /** The template table: one C expression per elementwise primitive and operand dtype. */
    String expr(Compute c) {
        List<String> a = c.args().stream().map(i -> "v" + i).toList();
        DType in = c.argDtypes().isEmpty() ? c.dtype() : c.argDtypes().getLast();
        DType out = c.dtype();
        String x = a.isEmpty() ? "" : a.get(0), y = a.size() > 1 ? a.get(1) : "";
        String t = d.type(out);
        boolean f = in.isFloating(), u = in == DType.U32;
        return switch (c.op()) {
            case "neg" -> u ? "(uint32_t)(0u - " + x + ")" : f ? "-" + x : "(int32_t)(0u - (uint32_t)" + x + ")";
            case "sign" -> f ? "(" + x + " > 0 ? (" + t + ")1 : (" + x + " < 0 ? (" + t + ")-1 : " + x + "))"
                    : "(" + t + ")((" + x + " > 0) - (" + x + " < 0))";
            case "floor", "ceil", "round", "exp", "log", "expm1", "log1p", "tanh", "sin", "cos", "sqrt", "erf" ->
                    d.math(c.op(), out) + "(" + x + ")";
            case "erf_inv" -> "j4_erfinvf(" + x + ")";
            case "is_finite" -> "(uint8_t)isfinite(" + x + ")";
            case "not" -> in == DType.BOOL ? "(uint8_t)!" + x : "(" + t + ")~" + x;
            case "abs" -> f ? d.math("fabs", out) + "(" + x + ")" : u ? x : "(" + x + " < 0 ? (int32_t)(0u - (uint32_t)" + x + ") : " + x + ")";
            case "logistic" -> "(" + x + " >= 0 ? (" + t + ")1 / ((" + t + ")1 + " + d.math("exp", out) + "(-" + x + ")) : "
                    + d.math("exp", out) + "(" + x + ") / ((" + t + ")1 + " + d.math("exp", out) + "(" + x + ")))";
            case "rsqrt" -> "(" + t + ")1 / " + d.math("sqrt", out) + "(" + x + ")";
            case "square" -> f || u ? x + " * " + x : wrap32("*", x, x);
            case "add" -> f || u ? x + " + " + y : wrap32("+", x, y);
            case "sub" -> f || u ? x + " - " + y : wrap32("-", x, y);
            case "mul" -> f || u ? "(" + t + ")(" + x + " * " + y + ")" : wrap32("*", x, y);
            case "div" -> f ? x + " / " + y : u ? "(" + y + " == 0 ? 0xFFFFFFFFu : " + x + " / " + y + ")"
                    : "(" + y + " == 0 ? -1 : (" + y + " == -1 ? (int32_t)(0u - (uint32_t)" + x + ") : " + x + " / " + y + "))";
            case "rem" -> f ? d.math("fmod", out) + "(" + x + ", " + y + ")"
                    : "(" + y + " == 0" + (u ? "" : " || " + y + " == -1") + " ? 0 : " + x + " % " + y + ")";
            case "max" -> f ? "((" + x + " != " + x + " || " + y + " != " + y + ") ? " + x + " + " + y + " : (" + x + " > " + y + " ? " + x + " : " + y + "))"
                    : "(" + x + " > " + y + " ? " + x + " : " + y + ")";
            case "min" -> f ? "((" + x + " != " + x + " || " + y + " != " + y + ") ? " + x + " + " + y + " : (" + x + " < " + y + " ? " + x + " : " + y + "))"
                    : "(" + x + " < " + y + " ? " + x + " : " + y + ")";
            case "pow", "atan2" -> d.math(c.op(), out) + "(" + x + ", " + y + ")";
            case "and" -> "(" + t + ")(" + x + " & " + y + ")";
            case "or" -> "(" + t + ")(" + x + " | " + y + ")";
            case "xor" -> "(" + t + ")(" + x + " ^ " + y + ")";
            case "shift_left" -> "((" + y + " < 0 || " + y + " >= 32) ? 0 : (" + t + ")((uint32_t)" + x + " << " + y + "))";
            case "shift_right_logical" -> "((" + y + " < 0 || " + y + " >= 32) ? 0 : (" + t + ")((uint32_t)" + x + " >> " + y + "))";
            case "shift_right_arithmetic" -> "(" + t + ")((int32_t)" + x + " >> (" + y + " < 0 ? 0 : (" + y + " > 31 ? 31 : " + y + ")))";
            case "eq" -> "(uint8_t)(" + x + " == " + y + ")";
            case "ne" -> "(uint8_t)(" + x + " != " + y + ")";
            case "lt" -> "(uint8_t)(" + x + " < " + y + ")";
            case "le" -> "(uint8_t)(" + x + " <= " + y + ")";
            case "gt" -> "(uint8_t)(" + x + " > " + y + ")";
            case "ge" -> "(uint8_t)(" + x + " >= " + y + ")";
            case "convert_element_type" -> convert(x, in, out);
            case "select_n" -> selectN(a, c.argDtypes().getFirst());
            case "flush_denormal" -> "(" + d.math("fabs", out) + "(" + x + ") < " + (out == DType.F32 ? "1.17549435e-38f" : "2.2250738585072014e-308") + " ? ("
                    + t + ") 0 * " + x + " : " + x + ")";
            case "bitcast_convert_type" -> d.bitcast(x, d.type(in), t);
            default -> throw new IllegalArgumentException("no C template for primitive '" + c.op() + "'");
        };
    }

    /** Signed 32-bit arithmetic wraps around, as in Java and XLA (never C's undefined overflow). */
    private static String wrap32(String op, String x, String y) {
        return "(int32_t)((uint32_t)" + x + " " + op + " (uint32_t)" + y + ")";
    }

    /**
     * Float to integer as XLA converts: NaN to 0, truncation toward zero, saturating at the target's
     * range (int32: INT_MIN..INT_MAX, uint32: 0..UINT_MAX). Plain conditionals (valid C and CUDA C++),
     * so that the out-of-range cast, undefined in C, is never evaluated.
     */
    private String convert(String x, DType in, DType out) {
        if (out == DType.BOOL) return "(uint8_t)(" + x + " != 0)";
        if (in.isFloating() && !out.isFloating()) {
            String f = in == DType.F32 ? "f" : "";  // bounds in the operand's type: no double arithmetic on a GPU
            if (out == DType.U32) {
                return "(uint32_t)(" + x + " != " + x + " || " + x + " <= 0 ? 0u : (" + x + " >= 4294967296.0" + f + " ? 4294967295u : (uint32_t)" + x + "))";
            }
            return "(int32_t)(" + x + " != " + x + " ? 0 : (" + x + " >= 2147483648.0" + f + " ? 2147483647 : ("
                    + x + " <= -2147483648.0" + f + " ? (-2147483647 - 1) : (int32_t)" + x + ")))";
        }
        return "(" + d.type(out) + ")" + x;
    }

    private static String selectN(List<String> a, DType which) {
        String w = a.getFirst();
        if (which == DType.BOOL) return "(" + w + " ? " + a.get(2) + " : " + a.get(1) + ")";
        String s = a.getLast();
        for (int k = a.size() - 2; k >= 1; k--) s = "(" + w + " == " + (k - 1) + " ? " + a.get(k) + " : " + s + ")";
        return s;
    }
}
