package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.tree.Tree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Flax's {@code Module.tabulate}: one row per module call of an init run, in call order (a parent
 * before its children), with the module's path and type, the shapes it returned, and the variables it
 * owns (shape and count per collection); totals per collection at the end. The run records the calls
 * while they happen ({@link #enter}, {@link #exit} from {@link LinenModule#compact}).
 */
final class Tabulate {
    private Tabulate() {}

    private record Row(List<String> path, String type, String[] outputs) {}

    private static final ThreadLocal<List<Row>> RECORDER = new ThreadLocal<>();

    /** The row of a call that begins in {@code scope}, or -1 when nothing is being tabulated (or it was recorded already). */
    static int enter(Scope scope, LinenModule module) {
        List<Row> rows = RECORDER.get();
        if (rows == null) return -1;
        for (Row r : rows) if (r.path().equals(scope.path())) return -1;          // weight sharing: one row per module
        rows.add(new Row(List.copyOf(scope.path()), module.getClass().getSimpleName(), new String[1]));
        return rows.size() - 1;
    }

    static void exit(int row, Object output) {
        if (row < 0) return;
        List<String> shapes = new ArrayList<>();
        for (Object leaf : Tree.leaves(output)) shapes.add(leaf instanceof Array a ? a.aval().str() : String.valueOf(leaf));
        RECORDER.get().get(row).outputs()[0] = String.join(", ", shapes);
    }

    static String of(LinenModule module, Map<String, Array> rngs, Supplier<?> call) {
        List<Row> rows = new ArrayList<>();
        RECORDER.set(rows);
        Variables variables;
        try {
            variables = module.initWithOutput(rngs, call).updates();
        } finally {
            RECORDER.remove();
        }
        Map<String, long[]> totals = new LinkedHashMap<>();
        List<String[]> table = new ArrayList<>();
        table.add(new String[]{"path", "module", "outputs", "variables"});
        for (Row r : rows) {
            List<String> owned = new ArrayList<>();
            for (String collection : variables.keySet()) {
                Object node = variables.get(collection);
                for (String p : r.path()) node = node instanceof Map<?, ?> m ? m.get(p) : null;
                if (!(node instanceof Map<?, ?> vars)) continue;
                for (var e : vars.entrySet()) {
                    if (!(e.getValue() instanceof Array a)) continue;
                    owned.add(collection + "/" + e.getKey() + " " + a.aval().str());
                    long[] t = totals.computeIfAbsent(collection, c -> new long[2]);
                    t[0] += a.size();
                    t[1] += a.size() * a.dtype().byteSize();
                }
            }
            table.add(new String[]{r.path().isEmpty() ? "" : String.join("/", r.path()), r.type(), r.outputs()[0] == null ? "" : r.outputs()[0],
                    String.join("; ", owned)});
        }
        StringBuilder sb = new StringBuilder(render(table));
        for (var e : totals.entrySet()) {
            sb.append("Total ").append(e.getKey()).append(": ").append(String.format("%,d", e.getValue()[0])).append(" (")
                    .append(bytes(e.getValue()[1])).append(")\n");
        }
        return sb.toString();
    }

    private static String render(List<String[]> table) {
        int[] width = new int[4];
        for (String[] row : table) for (int i = 0; i < 4; i++) width[i] = Math.max(width[i], row[i].length());
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < table.size(); r++) {
            for (int i = 0; i < 4; i++) {
                sb.append("| ").append(table.get(r)[i]).append(" ".repeat(width[i] - table.get(r)[i].length())).append(' ');
            }
            sb.append("|\n");
            if (r == 0) {
                for (int i = 0; i < 4; i++) sb.append("|").append("-".repeat(width[i] + 2));
                sb.append("|\n");
            }
        }
        return sb.toString();
    }

    private static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format("%.1f KB", n / 1024.0);
        return String.format("%.1f MB", n / (1024.0 * 1024));
    }
}
