package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.examples.conformance.models.MnistCnn;
import io.jax4j.examples.conformance.models.TrainingNet;
import io.jax4j.examples.conformance.models.TutorialDropoutModel;
import io.jax4j.examples.conformance.models.TutorialMlp;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Embed;
import io.jax4j.linen.LayerNorm;
import io.jax4j.linen.MultiHeadDotProductAttention;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Traverse;
import io.jax4j.linen.Variables;
import io.jax4j.optim.Losses;
import io.jax4j.serialization.FlaxSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code flax_*.json}: the sections of the reference script's Flax part, each with the models of
 * {@link io.jax4j.examples.conformance.models}.
 * <ul>
 *   <li>{@code bn_mlp}: init variables and their {@code shapes} from {@code PRNGKey(0)}; with the
 *       file's variables, the train-mode output and updated batch stats, and the eval-mode output
 *       with those stats.</li>
 *   <li>{@code dropout_model}: the three keys split from {@code PRNGKey(0)}; init from the
 *       {@code params} key; the train-mode output with the {@code dropout} key (the mask must be
 *       bit-exact: a dropped or kept element differs by far more than the tolerance) and eval.</li>
 *   <li>{@code cnn}: the variables of the msgpack file {@code msgpack_file} (same directory), their
 *       structure against our init, logits, loss, and per-leaf gradient sums and absolute sums;
 *       the msgpack file re-encodes byte-identically.</li>
 *   <li>{@code layers}: {@code layernorm}, {@code mha}, {@code embed}, each configured from its
 *       variables' shapes and applied with them; our init has the same structure.</li>
 *   <li>{@code training}: see {@link FlaxTraining}.</li>
 *   <li>{@code path_aware_map}: 'frozen' labels where the CNN param path holds Conv_0.</li>
 *   <li>{@code train_state_<split>.msgpack} next to {@code flax_<split>.json}, when present:
 *       byte-identical re-encoding, its structure ({@code train_state_msgpack_state_dict_keys}), and
 *       its params and batch stats equal to {@code final_params} / {@code final_batch_stats} of the
 *       {@code dropout_0.5} trajectory; restored into our {@code TrainState<TrainingNet.Extra>} (made
 *       with the script's optimizer and key), it holds step 20 and writes the file's bytes.</li>
 * </ul>
 * An unknown section or layer is a SKIP. Under {@code --jit} inits, applies and gradients are
 * jitted (the train step always is, as in the script).
 *
 * <p>Tolerances: init values within rtol 3e-7, atol 1e-7 ({@link #INIT}); outputs of
 * the MLPs, LayerNorm and dropout elementwise; convolutions, attention, the CNN's loss and gradient
 * sums long. A sum of gradients cancels, so its rounding scale is the sum of magnitudes: it is
 * checked with {@code atol = 1e-4 * sum|g| + 1e-6}.
 */
public final class FlaxSuite implements CheckSuite {
    /**
     * Module init values: Flax's initializers draw a truncated normal through erf/erf_inv, whose
     * float32 polynomials the reference reproduces to a few ulps after the variance scaling (the nn
     * tests' bound, rtol 3e-7 atol 1e-7).
     */
    static final Tolerance INIT = new Tolerance(3e-7, 1e-7);
    static final Set<String> SECTIONS = Set.of("bn_mlp", "dropout_model", "cnn", "layers", "training", "path_aware_map",
            "train_state_msgpack_state_dict_keys", "flax_version");

    @Override
    public String prefix() { return "flax_"; }

    @Override
    public void run(FixtureFile file, RunOptions options, Report report) {
        JsonNode root = file.root();
        String f = file.name();
        if (root.has("bn_mlp")) bnMlp(f, root.get("bn_mlp"), options, report);
        if (root.has("dropout_model")) dropoutModel(f, root.get("dropout_model"), options, report);
        Supplier<Variables> cnnVars = Checks.memo(() -> cnnVariables(file));
        if (root.has("cnn")) cnn(file, root.get("cnn"), cnnVars, options, report);
        if (root.has("layers")) layers(f, root.get("layers"), options, report);
        if (root.has("training")) FlaxTraining.run(f, root.get("training"), options, report);
        if (root.has("path_aware_map")) pathAwareMap(f, root.get("path_aware_map"), cnnVars, report);
        trainStateMsgpack(file, report);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!SECTIONS.contains(k) && root.get(k).isContainerNode()) report.skip(f, k, "", "not implemented: unknown flax section '" + k + "'");
        }
    }

    // ---------------------------------------------------------------- bn_mlp

    private static void bnMlp(String f, JsonNode c, RunOptions options, Report report) {
        String name = "bn_mlp";
        Checks.skipUnknownFields(report, f, name, c, Set.of("init_variables", "x", "y_train", "batch_stats_after", "y_eval_after", "shapes"));
        TutorialMlp mlp = new TutorialMlp();
        Supplier<Array> x = Checks.memo(() -> FixtureArrays.decode(c.get("x")));
        Supplier<Variables> ours = Checks.memo(() -> {
            int in = x.get().dim(1);
            return Variables.copyOf(Checks.call(options, (Array k) -> mlp.init(k, () -> mlp.call(Array.ones(1, in), false)), Random.key(0)));
        });
        if (c.has("init_variables")) Checks.tree(report, f, name, "init_variables", c.get("init_variables"), INIT, ours::get);
        if (c.has("shapes")) Checks.run(report, f, name, "shapes", () -> FixtureTrees.compareShapes(ours.get(), c.get("shapes")));
        Supplier<List<Object>> train = Checks.memo(() -> Checks.call(options, (List<Object> a) -> {
            Applied<Array> out = mlp.apply(variables(a.get(0)), () -> mlp.call((Array) a.get(1), true), Apply.mutable("batch_stats"));
            return List.of(out.value(), out.updates().get("batch_stats"));
        }, List.of(FixtureTrees.decode(c.get("init_variables")), x.get())));
        if (c.has("y_train")) Checks.array(report, f, name, "y_train", c.get("y_train"), Tolerance.ELEMENTWISE, () -> (Array) train.get().get(0));
        if (c.has("batch_stats_after")) {
            Checks.tree(report, f, name, "batch_stats_after", c.get("batch_stats_after"), Tolerance.ELEMENTWISE, () -> train.get().get(1));
        }
        if (c.has("y_eval_after")) Checks.array(report, f, name, "y_eval_after", c.get("y_eval_after"), Tolerance.ELEMENTWISE, () -> {
            Dict vars = Dict.of("params", FixtureTrees.decode(c.get("init_variables").get("params")), "batch_stats", FixtureTrees.decode(c.get("batch_stats_after")));
            return Checks.call(options, (List<Object> a) -> mlp.apply(variables(a.get(0)), () -> mlp.call((Array) a.get(1), false)).value(),
                    List.of(vars, x.get()));
        });
    }

    // ---------------------------------------------------------------- dropout_model

    private static final List<String> KEY_NAMES = List.of("main", "params", "dropout");

    private static void dropoutModel(String f, JsonNode c, RunOptions options, Report report) {
        String name = "dropout_model";
        Checks.skipUnknownFields(report, f, name, c, Set.of("keys", "x", "init_variables", "y_train", "y_eval"));
        for (Iterator<Map.Entry<String, JsonNode>> it = c.path("keys").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int i = KEY_NAMES.indexOf(e.getKey());
            Checks.array(report, f, name, "keys." + e.getKey(), e.getValue(), Tolerance.EXACT, () -> {
                if (i < 0) throw new Checks.Skip("not implemented: unknown key '" + e.getKey() + "' (known: main, params, dropout of split(PRNGKey(0), 3))");
                return row(Checks.call(options, (Array k) -> Random.split(k, KEY_NAMES.size()), Random.key(0)), i);
            });
        }
        Supplier<Array> x = Checks.memo(() -> FixtureArrays.decode(c.get("x")));
        Supplier<TutorialDropoutModel> model = Checks.memo(() ->
                new TutorialDropoutModel(FixtureArrays.shape(c.get("init_variables").get("params").get("Dense_0").get("bias"))[0]));
        if (c.has("init_variables")) Checks.tree(report, f, name, "init_variables", c.get("init_variables"), INIT, () -> {
            TutorialDropoutModel m = model.get();
            return Checks.call(options, (List<Array> a) -> m.init(a.get(0), () -> m.call(a.get(1), false)),
                    List.of(FixtureArrays.decode(c.get("keys").get("params")), x.get()));
        });
        for (String field : List.of("y_train", "y_eval")) {
            if (!c.has(field)) continue;
            boolean training = field.equals("y_train");
            Checks.array(report, f, name, field, c.get(field), Tolerance.ELEMENTWISE, () -> {
                TutorialDropoutModel m = model.get();
                Array dropoutKey = FixtureArrays.decode(c.get("keys").get("dropout"));
                return Checks.call(options, (List<Object> a) -> m.apply(variables(a.get(0)), () -> m.call((Array) a.get(1), training),
                        Apply.rngs("dropout", (Array) a.get(2))).value(), List.of(FixtureTrees.decode(c.get("init_variables")), x.get(), dropoutKey));
            });
        }
    }

    /** Row {@code i} of a [n, 2] key array (host-side). */
    static Array row(Array keys, int i) {
        long[] all = keys.concrete("keys").toLongs();
        return Array.fromLongs(DType.U32, new long[]{all[2 * i], all[2 * i + 1]}, 2);
    }

    // ---------------------------------------------------------------- cnn

    private static Path cnnMsgpack(FixtureFile file) {
        JsonNode name = file.root().path("cnn").get("msgpack_file");
        if (name == null) throw new Checks.Skip("the cnn section names no msgpack_file");
        Path p = file.path().resolveSibling(name.asText());
        if (!Files.isRegularFile(p)) throw new Checks.Skip("the msgpack file " + p.getFileName() + " named by cnn.msgpack_file is not next to the JSON");
        return p;
    }

    private static Variables cnnVariables(FixtureFile file) {
        return variables(FlaxSerialization.fromBytes(read(cnnMsgpack(file))));
    }

    /** The CNN's loss, logits and gradients (a list: a pytree jit can return). */
    record CnnResult(Array loss, Array logits, Dict grads) {
        @SuppressWarnings("unchecked")
        static CnnResult of(List<Object> l) { return new CnnResult((Array) l.get(0), (Array) l.get(1), Dict.copyOf((Map<String, ?>) l.get(2))); }
    }

    private static void cnn(FixtureFile file, JsonNode c, Supplier<Variables> vars, RunOptions options, Report report) {
        String f = file.name(), name = "cnn";
        Checks.skipUnknownFields(report, f, name, c, Set.of("msgpack_file", "x", "labels", "logits", "loss", "grad_sums", "grad_abs_sums"));
        MnistCnn cnn = new MnistCnn();
        Checks.run(report, f, name, "msgpack_roundtrip", () -> {
            byte[] bytes = read(cnnMsgpack(file));
            return sameBytes(bytes, FlaxSerialization.toBytes(FlaxSerialization.fromBytes(bytes)));
        });
        Supplier<Array> x = Checks.memo(() -> FixtureArrays.decode(c.get("x")));
        Checks.run(report, f, name, "variables_structure", () -> {
            int[] s = x.get().shape();
            Variables ours = cnn.init(Random.key(0), () -> cnn.call(Array.ones(1, s[1], s[2], s[3])));
            return FixtureTrees.compareShapes(vars.get(), shapesOf(ours));
        });
        Supplier<CnnResult> r = Checks.memo(() -> CnnResult.of(Checks.call(options, (List<Object> a) -> {
            Array xs = (Array) a.get(1), labels = (Array) a.get(2);
            var g = Jax.valueAndGradWithAux((Dict p) -> {
                Array logits = cnn.apply(Variables.of("params", p), () -> cnn.call(xs)).value();
                return new HasAux<>(Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(logits, labels)), logits);
            }).apply((Dict) a.get(0));
            return List.<Object>of(g.value(), g.aux(), g.grad());
        }, List.of(vars.get().get("params"), x.get(), FixtureArrays.decode(c.get("labels"))))));
        if (c.has("logits")) Checks.array(report, f, name, "logits", c.get("logits"), Tolerance.LONG, () -> r.get().logits());
        if (c.has("loss")) Checks.run(report, f, name, "loss", () -> FixtureTrees.compareScalar(r.get().loss().item(), c.get("loss").asDouble(), Tolerance.LONG));
        for (String kind : List.of("grad_sums", "grad_abs_sums")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = c.path(kind).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Checks.run(report, f, name, kind + "/" + e.getKey(), () -> {
                    Object leaf = Traverse.flattenDict(r.get().grads(), "/").get(e.getKey());
                    if (!(leaf instanceof Array g)) throw new IllegalStateException("no gradient leaf " + e.getKey());
                    double abs = Np.sum(Np.abs(g)).item(), sum = Np.sum(g).item();
                    double expected = e.getValue().asDouble();
                    if (kind.equals("grad_abs_sums")) return FixtureTrees.compareScalar(abs, expected, Tolerance.LONG);
                    // a sum cancels: its rounding scale is the sum of magnitudes
                    return FixtureTrees.compareScalar(sum, expected, new Tolerance(0, Tolerance.LONG.rtol() * abs + 1e-6));
                });
            }
        }
    }

    // ---------------------------------------------------------------- layers

    private static void layers(String f, JsonNode layers, RunOptions options, Report report) {
        for (Iterator<Map.Entry<String, JsonNode>> it = layers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = "layers." + e.getKey();
            JsonNode c = e.getValue();
            if (Set.of("layernorm", "mha", "embed").contains(e.getKey())) Checks.skipUnknownFields(report, f, name, c, Set.of("variables", "x", "ids", "y"));
            switch (e.getKey()) {
                case "layernorm" -> {
                    LayerNorm ln = new LayerNorm();
                    layer(f, name, c, "x", Tolerance.ELEMENTWISE, options, report,
                            (vars, in) -> ln.apply(vars, () -> ln.call(in)).value(), in -> ln.init(Random.key(0), () -> ln.call(in)));
                }
                case "mha" -> {
                    Supplier<MultiHeadDotProductAttention> mha = Checks.memo(() -> {
                        int[] q = FixtureArrays.shape(c.get("variables").get("params").get("query").get("kernel"));   // [in, heads, head_dim]
                        return MultiHeadDotProductAttention.builder().numHeads(q[1]).qkvFeatures(q[1] * q[2]).build();
                    });
                    layer(f, name, c, "x", Tolerance.LONG, options, report,
                            (vars, in) -> mha.get().apply(vars, () -> mha.get().call(in, in)).value(),
                            in -> mha.get().init(Random.key(0), () -> mha.get().call(in, in)));
                }
                case "embed" -> {
                    Supplier<Embed> emb = Checks.memo(() -> {
                        int[] table = FixtureArrays.shape(c.get("variables").get("params").get("embedding"));
                        return new Embed(table[0], table[1]);
                    });
                    // rows are copied exactly
                    layer(f, name, c, "ids", Tolerance.EXACT, options, report,
                            (vars, in) -> emb.get().apply(vars, () -> emb.get().call(in)).value(),
                            in -> emb.get().init(Random.key(0), () -> emb.get().call(in)));
                }
                default -> report.skip(f, name, "", "not implemented: unknown layer '" + e.getKey() + "'");
            }
        }
    }

    private static void layer(String f, String name, JsonNode c, String inputField, Tolerance tol, RunOptions options, Report report,
                              java.util.function.BiFunction<Variables, Array, Array> apply, java.util.function.Function<Array, Variables> init) {
        Supplier<Array> in = Checks.memo(() -> ints(c.get(inputField)));
        if (c.has("y")) Checks.array(report, f, name, "y", c.get("y"), tol, () ->
                Checks.call(options, (List<Object> a) -> apply.apply(variables(a.get(0)), (Array) a.get(1)), List.of(FixtureTrees.decode(c.get("variables")), in.get())));
        else report.skip(f, name, "y", "the fixture gives no expected 'y' for this layer");
        if (c.has("variables")) Checks.run(report, f, name, "init_structure", () -> FixtureTrees.compareShapes(init.apply(in.get()), shapesOf(FixtureTrees.decode(c.get("variables")))));
    }

    /** An encoded array, or a plain JSON list of ints (the embed ids). */
    static Array ints(JsonNode n) {
        if (FixtureArrays.isArray(n)) return FixtureArrays.decode(n);
        int[] v = new int[n.size()];
        for (int i = 0; i < v.length; i++) v[i] = n.get(i).asInt();
        return Array.fromInts(v, v.length);
    }

    // ---------------------------------------------------------------- path_aware_map

    private static void pathAwareMap(String f, JsonNode c, Supplier<Variables> cnnVars, Report report) {
        Checks.skipUnknownFields(report, f, "path_aware_map", c, Set.of("labels_flat"));
        Checks.run(report, f, "path_aware_map", "labels_flat", () -> {
            Dict labels = Traverse.pathAwareMap((path, leaf) -> path.contains("Conv_0") ? "frozen" : "trainable", cnnVars.get().get("params"));
            Map<String, Object> flat = Traverse.flattenDict(labels, "/");
            JsonNode expected = c.path("labels_flat");
            List<String> bad = new ArrayList<>();
            TreeSet<String> want = new TreeSet<>();
            expected.fieldNames().forEachRemaining(want::add);
            if (!want.equals(new TreeSet<>(flat.keySet()))) bad.add("paths " + new TreeSet<>(flat.keySet()) + ", expected " + want);
            expected.fields().forEachRemaining(e -> {
                if (flat.containsKey(e.getKey()) && !e.getValue().asText().equals(flat.get(e.getKey()))) {
                    bad.add(e.getKey() + ": " + flat.get(e.getKey()) + ", expected " + e.getValue().asText());
                }
            });
            return bad.isEmpty() ? new FixtureArrays.Comparison(true, "leaves=" + want.size() + " exact")
                    : new FixtureArrays.Comparison(false, bad.size() + " difference(s); first " + bad.getFirst());
        });
    }

    // ---------------------------------------------------------------- train_state msgpack

    static final String TRAIN_STATE_RUN = "dropout_0.5";

    private static void trainStateMsgpack(FixtureFile file, Report report) {
        String f = file.name(), split = f.substring("flax_".length()).replaceFirst("\\.json$", "");
        Path p = file.path().resolveSibling("train_state_" + split + ".msgpack");
        if (!Files.isRegularFile(p)) return;
        String name = "train_state_msgpack";
        Supplier<byte[]> bytes = Checks.memo(() -> read(p));
        Supplier<Map<?, ?>> state = Checks.memo(() -> (Map<?, ?>) FlaxSerialization.fromBytes(bytes.get()));
        Checks.run(report, f, name, "roundtrip", () -> sameBytes(bytes.get(), FlaxSerialization.toBytes(FlaxSerialization.fromBytes(bytes.get()))));
        JsonNode keys = file.root().get("train_state_msgpack_state_dict_keys");
        if (keys != null) Checks.run(report, f, name, "state_dict_keys", () -> FixtureTrees.compareShapes(state.get(), keys));
        JsonNode run = file.root().path("training").path("trajectories").get(TRAIN_STATE_RUN);
        for (String[] fld : new String[][]{{"params", "final_params"}, {"batch_stats", "final_batch_stats"}}) {
            if (run == null || !run.has(fld[1])) {
                report.skip(f, name, fld[0], "the file has no training trajectory " + TRAIN_STATE_RUN + " with " + fld[1]);
                continue;
            }
            Checks.tree(report, f, name, fld[0], run.get(fld[1]), Tolerance.EXACT, () -> state.get().get(fld[0]));
        }
        JsonNode training = file.root().get("training");
        if (training == null || !training.has("X")) {
            report.skip(f, name, "restore_train_state", "the file has no training section with X");
            return;
        }
        Checks.run(report, f, name, "restore_train_state", () -> {
            TrainState<TrainingNet.Extra> restored = FlaxSerialization.fromBytes(trainStateTarget(training), bytes.get());
            int step = restored.step().intValue();
            if (step != 20) return new FixtureArrays.Comparison(false, "restored step " + step + ", expected 20");
            return sameBytes(bytes.get(), FlaxSerialization.toBytes(restored));
        });
    }

    /** A fresh TrainState of the script's structure (our init, its optimizer and key): the restore target. */
    private static TrainState<TrainingNet.Extra> trainStateTarget(JsonNode training) {
        TrainingNet net = new TrainingNet(0.5);
        Array x = TrainingNet.rows(FixtureArrays.decode(training.get("X")), 0, 2);
        Variables v = net.init(Random.key(0), () -> net.call(x, false));
        return net.createState(v, FlaxTraining.optimizer(training), FlaxTraining.dropoutKey(training));
    }

    // ---------------------------------------------------------------- helpers

    /** A variables tree (a map of collections) as {@link Variables}. */
    @SuppressWarnings("unchecked")
    static Variables variables(Object tree) {
        return tree instanceof Variables v ? v : Variables.copyOf((Map<String, ?>) tree);
    }

    /** The fixture-style shapes tree of a tree of arrays (each leaf its shape as a JSON list). */
    static JsonNode shapesOf(Object tree) {
        var factory = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        if (tree instanceof Array a) {
            var list = factory.arrayNode();
            for (int d : a.shape()) list.add(d);
            return list;
        }
        var obj = factory.objectNode();
        ((Map<?, ?>) tree).forEach((k, v) -> obj.set(String.valueOf(k), shapesOf(v)));
        return obj;
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FixtureArrays.Comparison sameBytes(byte[] expected, byte[] actual) {
        int n = Math.min(expected.length, actual.length), at = -1;
        for (int i = 0; i < n && at < 0; i++) if (expected[i] != actual[i]) at = i;
        if (at < 0 && expected.length == actual.length) return new FixtureArrays.Comparison(true, expected.length + " bytes identical");
        return new FixtureArrays.Comparison(false, "re-encoding differs" + (at >= 0 ? " at byte " + at : "") + ": " + actual.length + " bytes, expected " + expected.length);
    }
}
