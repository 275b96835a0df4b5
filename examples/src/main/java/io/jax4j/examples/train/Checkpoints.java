package io.jax4j.examples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jax4j.serialization.FlaxSerialization;
import io.jax4j.tree.KeyEntry;
import io.jax4j.tree.KeyPath;
import io.jax4j.tree.Tree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Checkpoints of a training run in {@code DIR/checkpoint_STEP/}: the train state as Flax msgpack
 * ({@code state.msgpack}, what {@code flax.serialization.to_bytes} writes) and the loop's own
 * bookkeeping as JSON ({@code meta.json}). A checkpoint is written to a temporary directory and
 * renamed into place, so a crash never leaves a half-written one; only the newest {@code keepLast}
 * are kept.
 */
public final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "checkpoint_";

    private final Path dir;
    private final int keepLast;

    public Checkpoints(Path dir, int keepLast) {
        if (keepLast < 1) throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
        this.dir = dir;
        this.keepLast = keepLast;
    }

    public Path dir() { return dir; }

    /** Saves {@code state} (a pytree) and {@code meta} (JSON-able) as the checkpoint of {@code step}, then prunes old ones. */
    public Path save(int step, Object state, Map<String, Object> meta) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, ".tmp_" + PREFIX + step + "_");
            Files.write(tmp.resolve("state.msgpack"), FlaxSerialization.toBytes(state));
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("meta.json").toFile(), meta);
            Path target = dir.resolve(PREFIX + step);
            if (Files.exists(target)) deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            prune();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("saving the checkpoint of step " + step + " in " + dir + " failed", e);
        }
    }

    /** The steps with a checkpoint, oldest first. */
    public List<Integer> steps() {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX))
                    .map(n -> n.substring(PREFIX.length())).filter(n -> n.matches("\\d+"))
                    .map(Integer::parseInt).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing checkpoints in " + dir + " failed", e);
        }
    }

    public OptionalInt latestStep() {
        List<Integer> s = steps();
        return s.isEmpty() ? OptionalInt.empty() : OptionalInt.of(s.getLast());
    }

    /** The state of {@code step}'s checkpoint restored into the structure of {@code target} (shapes and dtypes checked). */
    public <T> T restore(int step, T target) {
        Path f = dir.resolve(PREFIX + step).resolve("state.msgpack");
        try {
            return restoreInto(target, FlaxSerialization.msgpackRestore(Files.readAllBytes(f)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + f + " failed", e);
        }
    }

    /**
     * {@code from_state_dict(target, state)} that also rebuilds registered map-like nodes (linen's
     * {@code Dict}, which the state-dict restore turns into plain maps): the state is restored
     * strictly into the target's own state dict (keys, shapes and dtypes checked), its leaves are
     * matched to the target's leaves by key path ({@code batchStats} is {@code batch_stats}), and the
     * target's tree structure is rebuilt with them.
     */
    static <T> T restoreInto(T target, Object state) {
        Object restored = FlaxSerialization.fromStateDict(FlaxSerialization.toStateDict(target), state);
        Map<String, Object> byPath = new HashMap<>();
        for (Tree.PathLeaf pl : Tree.flattenWithPath(restored)) byPath.put(normalized(pl.path()), pl.leaf());
        List<Object> leaves = new ArrayList<>();
        for (Tree.PathLeaf pl : Tree.flattenWithPath(target)) {
            String key = normalized(pl.path());
            if (!byPath.containsKey(key)) throw new IllegalStateException("checkpoint restore: no value for " + pl.path());
            leaves.add(byPath.get(key));
        }
        @SuppressWarnings("unchecked") T out = (T) Tree.unflatten(Tree.structure(target), leaves);
        return out;
    }

    private static String normalized(KeyPath path) {
        StringBuilder sb = new StringBuilder();
        for (KeyEntry e : path.entries()) {
            String name = switch (e) {
                case KeyEntry.MapKey k -> String.valueOf(k.key());
                case KeyEntry.FieldKey f -> f.name();
                case KeyEntry.IndexKey i -> String.valueOf(i.index());
            };
            sb.append('/').append(name.replace("_", "").toLowerCase(java.util.Locale.ROOT));
        }
        return sb.toString();
    }

    /** The bookkeeping saved with {@code step}'s checkpoint. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> meta(int step) {
        Path f = dir.resolve(PREFIX + step).resolve("meta.json");
        try {
            return JSON.readValue(f.toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + f + " failed", e);
        }
    }

    private void prune() throws IOException {
        List<Integer> s = new ArrayList<>(steps());
        while (s.size() > keepLast) deleteTree(dir.resolve(PREFIX + s.removeFirst()));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
