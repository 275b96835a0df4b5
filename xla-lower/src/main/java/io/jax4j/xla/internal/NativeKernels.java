package io.jax4j.xla.internal;

import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.ir.Eqn;
import io.jax4j.prims.RandomPrimitives;
import io.jax4j.prims.Reductions;
import io.jax4j.prims.Windows;
import io.jax4j.prims.Windows.WindowParams;

import java.util.function.ToIntFunction;

/**
 * Generated C for the primitives that are not loops over their output with an elementwise body but
 * still run fast as one dedicated kernel each: windowed reductions (pooling) and their gradients,
 * {@code threefry2x32} (two outputs), {@code argmax}/{@code argmin}, and the im2col gather of a convolution ({@link ConvSpec}).
 * Every kernel takes the executable's slot table, like fused kernels.
 */
public final class NativeKernels {
    private NativeKernels() {}

    /** Whether {@code e}'s kernel takes its literal (scalar) inputs as constants: threefry's. */
    public static boolean takesLiterals(Eqn e) { return isThreefry(e); }

    /** Whether {@code e} has a native kernel here. */
    public static boolean supports(Eqn e) {
        String n = e.primitive().name();
        DType t = e.outvars().head().aval().dtype();
        boolean numeric = t == DType.F32 || t == DType.F64 || t == DType.I32;
        return switch (n) {
            case "reduce_window_sum", "reduce_window_max", "reduce_window_min" -> numeric;
            case "select_and_gather_add", "select_and_scatter_add" -> t == DType.F32 || t == DType.F64;
            case "threefry2x32" -> true;
            case "argmax", "argmin" -> numeric(e.inputs().head().aval().dtype()) && (t == DType.I32 || t == DType.U32)
                    && e.inputs().head().aval().dim(((Reductions.ArgParams) e.params()).axes().get(0)) > 0;
            default -> false;
        };
    }

    private static boolean numeric(DType t) { return t == DType.F32 || t == DType.F64 || t == DType.I32; }

    /** The C source of the kernel {@code name} computing {@code e}. */
    public static String render(Eqn e, String name, ToIntFunction<io.jax4j.ir.Var> slotOf, Dialect d) {
        // a literal input (a scalar: threefry's constant key words) has no slot: -1, rendered as a constant
        int[] in = e.inputs().toJavaStream().mapToInt(a -> a instanceof io.jax4j.ir.Var v ? slotOf.applyAsInt(v) : -1).toArray();
        int[] out = e.outvars().toJavaStream().mapToInt(slotOf::applyAsInt).toArray();
        return switch (e.primitive().name()) {
            case "threefry2x32" -> threefry(e, name, in, out, d);
            case "select_and_gather_add", "select_and_scatter_add" -> select(e, name, in, out, d);
            case "argmax", "argmin" -> argReduce(e, name, in, out, d);
            default -> reduceWindow(e, name, in, out, d);
        };
    }

    private static String ptr(Dialect d, DType t, String var, int slot, boolean output) {
        String ty = d.type(t);
        return "    " + (output ? "" : "const ") + ty + "* " + d.restrict() + var + " = (" + (output ? "" : "const ") + ty + "*) slots[" + slot + "];\n";
    }

    // ---------------------------------------------------------------- threefry2x32

    private static String threefry(Eqn e, String name, int[] in, int[] out, Dialect d) {
        ShapedArray y = e.outvars().head().aval();
        StringBuilder sb = new StringBuilder(d.signature(name)).append(" {\n");
        String[] names = {"k0", "k1", "c0", "c1"};
        for (int i = 0; i < 4; i++) {
            if (e.inputs().get(i) instanceof io.jax4j.ir.Literal l) {
                sb.append("    const uint32_t ").append(names[i]).append("[1] = {").append(l.value().getLong(0)).append("u};\n");
            } else sb.append(ptr(d, DType.U32, names[i], in[i], false));
        }
        sb.append(ptr(d, DType.U32, "y0", out[0], true)).append(ptr(d, DType.U32, "y1", out[1], true));
        String par = d.parallelFor(y.size() * 40);
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    ").append(d.independentLoop("i", y.size())).append('\n');
        String[] ix = new String[4];
        for (int i = 0; i < 4; i++) ix[i] = e.inputs().get(i).aval().ndim() == 0 ? "0" : "i";
        sb.append("        const uint32_t ks0 = k0[").append(ix[0]).append("], ks1 = k1[").append(ix[1]).append("], ks2 = ks0 ^ ks1 ^ 0x1BD11BDAu;\n");
        sb.append("        uint32_t x0 = c0[").append(ix[2]).append("] + ks0, x1 = c1[").append(ix[3]).append("] + ks1;\n");
        int[][] rot = {{13, 15, 26, 6}, {17, 29, 16, 24}};
        for (int block = 0; block < 5; block++) {
            StringBuilder line = new StringBuilder("        ");
            for (int r : rot[block % 2]) line.append("x0 += x1; x1 = (x1 << ").append(r).append(") | (x1 >> ").append(32 - r).append("); x1 ^= x0; ");
            sb.append(line.toString().stripTrailing()).append('\n');
            sb.append("        x0 += ks").append((block + 1) % 3).append("; x1 += ks").append((block + 2) % 3).append(" + ").append(block + 1).append("u;\n");
        }
        sb.append("        y0[i] = x0;\n        y1[i] = x1;\n    }\n}\n");
        return sb.toString();
    }

    // ---------------------------------------------------------------- argmax, argmin

    /**
     * The index of the first largest (smallest) element along the axis, one output element per
     * iteration; a NaN wins over every number and the first NaN is kept, as in the reference (and NumPy).
     */
    private static String argReduce(Eqn e, String name, int[] in, int[] out, Dialect d) {
        ShapedArray x = e.inputs().head().aval(), y = e.outvars().head().aval();
        int axis = ((Reductions.ArgParams) e.params()).axes().get(0);
        long n = x.dim(axis), inner = 1;
        for (int a = axis + 1; a < x.ndim(); a++) inner *= x.dim(a);
        String better = e.primitive().name().equals("argmax") ? "v > best" : "v < best";
        String ty = d.type(x.dtype());
        StringBuilder sb = new StringBuilder(d.signature(name)).append(" {\n");
        sb.append(ptr(d, x.dtype(), "x", in[0], false)).append(ptr(d, y.dtype(), "y", out[0], true));
        String par = d.parallelFor(y.size() * n);
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    ").append(d.independentLoop("o", y.size())).append('\n');
        sb.append("        const ").append(ty).append("* xr = x + (o / ").append(inner).append("L) * ").append(n * inner)
                .append("L + o % ").append(inner).append("L;\n");
        sb.append("        ").append(ty).append(" best = xr[0];\n");
        sb.append("        long bi = 0;\n");
        sb.append("        for (long i = 1; i < ").append(n).append("L; i++) {\n");
        sb.append("            const ").append(ty).append(" v = xr[i * ").append(inner).append("L];\n");
        sb.append("            if (best == best && (v != v || ").append(better).append(")) { best = v; bi = i; }\n");
        sb.append("        }\n");
        sb.append("        y[o] = (").append(d.type(y.dtype())).append(") bi;\n    }\n}\n");
        return sb.toString();
    }

    // ---------------------------------------------------------------- windows

    /** The window loops: for each output element o (decoded into o0..), over window positions w0..; {@code body} sees input flat index {@code src}. */
    private static void windowLoops(StringBuilder sb, WindowParams p, int[] inShape, int[] outShape, String body, int indent) {
        int nd = inShape.length;
        long[] is = KernelBuilder.strides(inShape);
        StringBuilder valid = new StringBuilder();
        StringBuilder src = new StringBuilder("0");
        int depth = indent;
        for (int a = 0; a < nd; a++) {
            String ind = "    ".repeat(depth);
            int w = p.windowDimensions().get(a), s = p.windowStrides().get(a), lo = p.padding().get(2 * a);
            int bd = p.baseDilation().get(a), wd = p.windowDilation().get(a);
            if (w == 1 && s == 1 && lo == 0 && bd == 1 && inShape[a] == outShape[a]) {
                src.append(" + o").append(a).append(" * ").append(is[a]).append("L");
                continue;
            }
            sb.append(ind).append("for (long w").append(a).append(" = 0; w").append(a).append(" < ").append(w).append("; w").append(a).append("++) {\n");
            sb.append(ind).append("    const long p").append(a).append(" = o").append(a).append(" * ").append(s).append(" + w").append(a)
                    .append(" * ").append(wd).append(" - ").append(lo).append(";\n");
            sb.append(ind).append("    if (p").append(a).append(" < 0").append(bd == 1 ? "" : " || p" + a + " % " + bd + " != 0")
                    .append(" || p").append(a).append(bd == 1 ? "" : " / " + bd).append(" >= ").append(inShape[a]).append(") continue;\n");
            src.append(" + (p").append(a).append(bd == 1 ? "" : " / " + bd).append(") * ").append(is[a]).append("L");
            depth++;
        }
        sb.append("    ".repeat(depth)).append("const long src = ").append(src).append(";\n");
        sb.append("    ".repeat(depth)).append(body).append('\n');
        for (int k = depth - 1; k >= indent; k--) sb.append("    ".repeat(k)).append("}\n");
    }

    private static void decode(StringBuilder sb, int[] outShape, String ind) {
        sb.append(ind).append("long t = o;\n");
        for (int a = outShape.length - 1; a >= 0; a--) {
            sb.append(ind).append("const long o").append(a).append(" = t % ").append(outShape[a]).append("; t /= ").append(outShape[a]).append(";\n");
        }
    }

    private static String reduceWindow(Eqn e, String name, int[] in, int[] out, Dialect d) {
        WindowParams p = (WindowParams) e.params();
        ShapedArray x = e.inputs().head().aval(), y = e.outvars().head().aval();
        DType t = y.dtype();
        String ty = d.type(t);
        String op = e.primitive().name();
        boolean f = t.isFloating();
        String identity = switch (op) {
            case "reduce_window_sum" -> "0";
            case "reduce_window_max" -> f ? "-INFINITY" : "INT32_MIN";
            default -> f ? "INFINITY" : "INT32_MAX";
        };
        String combine = switch (op) {
            case "reduce_window_sum" -> "acc += v;";
            case "reduce_window_max" -> f ? "acc = (acc != acc || v != v) ? acc + v : (v > acc ? v : acc);" : "acc = v > acc ? v : acc;";
            default -> f ? "acc = (acc != acc || v != v) ? acc + v : (v < acc ? v : acc);" : "acc = v < acc ? v : acc;";
        };
        String acc = op.equals("reduce_window_sum") && f ? "double" : op.equals("reduce_window_sum") ? "int64_t" : ty;
        StringBuilder sb = new StringBuilder(d.signature(name)).append(" {\n");
        int nd = x.ndim(), last = nd - 1;
        if (d.channelAccumulators() && nd >= 2 && passThrough(p, last, x.dim(last), y.dim(last)) && y.dim(last) <= 4096 && y.dim(last) >= 4) {
            // channels innermost and not windowed: a vector of accumulators per output row, contiguous loads
            int c = y.dim(last);
            int[] xs = java.util.Arrays.copyOf(x.dims(), last), ys = java.util.Arrays.copyOf(y.dims(), last);
            sb.append(ptr(d, t, "x", in[0], false)).append(ptr(d, t, "y", out[0], true));
            String par = d.parallelFor(y.size() * Math.max(1, windowSize(p)));
            if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
            sb.append("    ").append(d.independentLoop("o", y.size() / c)).append('\n');
            decode(sb, ys, "        ");
            sb.append("        ").append(acc).append(" acc[").append(c).append("];\n");
            sb.append("        for (long c = 0; c < ").append(c).append("; c++) acc[c] = ").append(identity).append(";\n");
            windowLoops(sb, p, xs, ys, "{ const " + ty + "* xr = x + src * " + c + "L; for (long c = 0; c < " + c + "; c++) { const "
                    + acc + " v = xr[c]; " + combine.replace("acc", "acc[c]") + " } }", 2);
            sb.append("        for (long c = 0; c < ").append(c).append("; c++) y[o * ").append(c).append("L + c] = (").append(ty).append(") acc[c];\n");
            sb.append("    }\n}\n");
            return sb.toString();
        }
        sb.append(ptr(d, t, "x", in[0], false)).append(ptr(d, t, "y", out[0], true));
        String par = d.parallelFor(y.size() * Math.max(1, windowSize(p)));
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    ").append(d.independentLoop("o", y.size())).append('\n');
        decode(sb, y.dims(), "        ");
        sb.append("        ").append(acc).append(" acc = ").append(identity).append(";\n");
        windowLoops(sb, p, x.dims(), y.dims(), "{ const " + acc + " v = x[src]; " + combine + " }", 2);
        sb.append("        y[o] = (").append(ty).append(") acc;\n    }\n}\n");
        return sb.toString();
    }

    /**
     * A window sum that only moves data: per axis, either untouched, or stride 1 over the input
     * dilated by the window size w and padded by w - 1 on both sides (out = in * w), so that each
     * window covers exactly one input element: y[..., i, ...] = x[..., i / w, ...]. This is the
     * transpose of a pooling whose windows tile the input (avg_pool's gradient); the fusion planner
     * treats it as a movement, index arithmetic in the kernel that reads it.
     */
    static boolean upsampling(WindowParams p, int[] in, int[] out) {
        for (int a = 0; a < in.length; a++) {
            int w = p.windowDimensions().get(a);
            if (p.windowStrides().get(a) != 1 || p.windowDilation().get(a) != 1) return false;
            if (w == 1 && p.baseDilation().get(a) == 1 && p.padding().get(2 * a) == 0 && p.padding().get(2 * a + 1) == 0 && in[a] == out[a]) continue;
            if (p.baseDilation().get(a) != w || p.padding().get(2 * a) != w - 1 || p.padding().get(2 * a + 1) != w - 1 || out[a] != (long) in[a] * w) {
                return false;
            }
        }
        return in.length > 0;
    }

    private static boolean passThrough(WindowParams p, int a, int in, int out) {
        return p.windowDimensions().get(a) == 1 && p.windowStrides().get(a) == 1 && p.padding().get(2 * a) == 0
                && p.baseDilation().get(a) == 1 && in == out;
    }

    private static long windowSize(WindowParams p) {
        long n = 1;
        for (int i = 0; i < p.windowDimensions().size(); i++) n *= p.windowDimensions().get(i);
        return n;
    }

    /**
     * select_and_gather_add(t, x) and select_and_scatter_add(s, x): the selected position of each
     * window is the first strictly better real element (NaN beats a number), as the reference does.
     */
    private static String select(Eqn e, String name, int[] in, int[] out, Dialect d) {
        Windows.SelectParams sp = (Windows.SelectParams) e.params();
        boolean gather = e.primitive().name().equals("select_and_gather_add");
        ShapedArray x = e.inputs().get(1).aval();
        ShapedArray windowed = gather ? e.outvars().head().aval() : e.inputs().get(0).aval();
        DType t = x.dtype();
        String ty = d.type(t);
        String better = sp.selectPrim() == Windows.SelectPrim.GE ? "v > bv" : "v < bv";
        StringBuilder sb = new StringBuilder(d.signature(name)).append(" {\n");
        sb.append(ptr(d, t, "s", in[0], false)).append(ptr(d, t, "x", in[1], false)).append(ptr(d, t, "y", out[0], true));
        boolean overlapping = false;
        for (int a = 0; a < x.ndim(); a++) {
            int reach = (sp.window().windowDimensions().get(a) - 1) * sp.window().windowDilation().get(a) + 1;
            overlapping |= reach > sp.window().windowStrides().get(a) || sp.window().baseDilation().get(a) != 1;
        }
        if (!gather && d.zeroesScatterOutput()) sb.append("    for (long q = 0; q < ").append(x.size()).append("L; q++) y[q] = 0;\n");
        String par = gather || !overlapping ? d.parallelFor(windowed.size() * Math.max(1, windowSize(sp.window()))) : "";
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    ").append(d.independentLoop("o", windowed.size())).append('\n');
        decode(sb, windowed.dims(), "        ");
        sb.append("        long best = -1; ").append(ty).append(" bv = 0;\n");
        windowLoops(sb, sp.window(), x.dims(), windowed.dims(),
                "{ const " + ty + " v = x[src]; if (best < 0 || " + better + " || (v != v && bv == bv)) { best = src; bv = v; } }", 2);
        if (gather) sb.append("        y[o] = best < 0 ? (").append(ty).append(") 0 : s[best];\n");
        else sb.append("        if (best >= 0) ").append(overlapping ? d.sharedAdd("y[best]", "s[o]") : "y[best] += s[o];").append('\n');
        sb.append("    }\n}\n");
        return sb.toString();
    }

    /** The iterations of the kernel's independent loop (a GPU launch covers them). */
    public static long iterations(Eqn e) {
        return switch (e.primitive().name()) {
            case "select_and_gather_add" -> e.outvars().head().aval().size();
            case "select_and_scatter_add" -> e.inputs().get(0).aval().size();
            default -> e.outvars().head().aval().size();
        };
    }

    /** Whether the kernel of {@code e} adds into its output, which must be zeros first. */
    public static boolean scatters(Eqn e) { return e.primitive().name().equals("select_and_scatter_add"); }

    /** The number of window positions per output element (for work estimates). */
    static long work(Eqn e) {
        return e.params() instanceof WindowParams p ? windowSize(p) : e.params() instanceof Windows.SelectParams sp ? windowSize(sp.window()) : 1;
    }

    static boolean isThreefry(Eqn e) { return e.primitive() == RandomPrimitives.THREEFRY2X32; }
}
