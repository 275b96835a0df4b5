package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.checkpoint.Checkpoints;
import io.jax4j.examples.cli.Jax4jCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15: {@code jax4j train}'s start-up checks (one line, exit 2) and the data-loss cases of resuming. */
class TrainCommandTest {
    @TempDir Path dir;

    record Run(int rc, String err) {}

    /** Runs {@code jax4j train ARGS} in this JVM with a data directory that does not exist (no download, no training). */
    Run train(String... args) {
        var all = new ArrayList<>(List.of("train", "--data", dir.resolve("no-data").toString()));
        all.addAll(List.of(args));
        PrintStream err = System.err;
        var buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int rc = Jax4jCli.commandLine().execute(all.toArray(String[]::new));
            return new Run(rc, buf.toString(StandardCharsets.UTF_8).strip());
        } finally {
            System.setErr(err);
        }
    }

    static void assertOneLine(Run r, String... parts) {
        assertEquals(2, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jax4j train: "), r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "'" + p + "' not in: " + r.err());
    }

    /** The options of `jax4j train` with its defaults, as a checkpoint's metadata records them. */
    static final Map<String, Number> DEFAULT_OPTIONS = Map.of("config.epochs", 3, "config.batch_size", 128, "config.learning_rate", 0.1,
            "config.warmup_epochs", 1, "config.momentum", 0.9, "config.seed", 0);

    @Test
    void resumeWithOtherOptionsIsRefusedBeforeTheDataIsLoaded() throws Exception {
        Path w = dir.resolve("resume-options");
        try (var mgr = Checkpoints.manager(w.resolve("checkpoints"))) {
            mgr.save(468, Map.of("step", Array.scalar(468)), DEFAULT_OPTIONS);
        }
        String json = Files.readString(w.resolve("checkpoints/468/metadata.json"));
        assertTrue(json.contains("\"config.epochs\" : 3") && !json.contains("3.0") && json.contains("\"config.learning_rate\" : 0.1"), json);
        // refused before the data is looked for (the data directory does not exist), the options named as given
        assertOneLine(train("--workdir", w.toString(), "--resume", "--epochs", "5"), "--resume", "epochs=3", "epochs=5",
                "the same options");
    }

    @Test
    void aWorkdirWithCheckpointsIsRefusedAtStartUpWithoutResume() throws Exception {
        Path w = dir.resolve("run");
        try (var mgr = Checkpoints.manager(w.resolve("checkpoints"))) {
            mgr.save(468, Map.of("step", Array.scalar(468)), DEFAULT_OPTIONS);
        }
        Files.writeString(w.resolve("metrics.json"), "{\"the\": \"records\"}");
        Run r = train("--workdir", w.toString());
        // refused before the data is looked for (the data directory does not exist)
        assertOneLine(r, "--workdir " + w, "steps [468]", "--resume", "another --workdir", "--overwrite");
        assertEquals("{\"the\": \"records\"}", Files.readString(w.resolve("metrics.json")));
        // with --resume or --overwrite the workdir passes, and the missing data is the next complaint
        assertTrue(train("--workdir", w.toString(), "--overwrite").err().contains("no-data"));
        assertTrue(train("--workdir", w.toString(), "--resume").err().contains("no-data"));
        assertOneLine(train("--workdir", w.toString(), "--resume", "--overwrite"), "--resume", "--overwrite");
    }

    @Test
    void optionErrorsAreOneLineAndExitCode2() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertOneLine(train("--workdir", file.toString()), "--workdir " + file, "is a file, not a directory");
        assertOneLine(train("--workdir", dir.resolve("w").toString(), "--backend", "nonexistent"), "--backend nonexistent", "unknown backend");
    }

    @Test
    void helpListsOverwrite() {
        var sw = new StringWriter();
        Jax4jCli.commandLine().setOut(new PrintWriter(sw)).execute("train", "--help");
        assertTrue(sw.toString().contains("--overwrite"), sw.toString());
    }

    @Test
    void overwriteStartsAfreshAndPlainRunsRefuse() {
        Path w = dir.resolve("run");
        try (var t = new Trainer(TrainerTest.TINY, TrainerTest.config(w, 1, 8), TrainerTest.TRAIN, TrainerTest.TEST, Display.silent())) {
            t.run();
        }
        var refused = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(TrainerTest.TINY, TrainerTest.config(w, 1, 8), TrainerTest.TRAIN, TrainerTest.TEST, Display.silent()));
        assertTrue(refused.getMessage().contains("--overwrite"), refused.getMessage());
        var info = new ArrayList<String>();
        try (var t = new Trainer(TrainerTest.TINY, TrainerTest.config(w, 1, 8).withOverwrite(true), TrainerTest.TRAIN, TrainerTest.TEST, recording(info))) {
            assertEquals(2, t.run().steps());
            assertEquals(List.of(2L), t.checkpoints().allSteps());
        }
        assertTrue(info.stream().anyMatch(m -> m.contains("--overwrite: deleted") && m.contains("[2]")), info.toString());
    }

    @Test
    void resumeFallsBackToTheNewestIntactCheckpointAndSaysWhy() throws Exception {
        int epochs = 2, batch = 4;   // 4 steps per epoch
        Path w = dir.resolve("run");
        Trainer.Result straight = new Trainer(TrainerTest.TINY, TrainerTest.config(dir.resolve("straight"), epochs, batch),
                TrainerTest.TRAIN, TrainerTest.TEST, Display.silent()).run();
        try (var first = new Trainer(TrainerTest.TINY, TrainerTest.config(w, epochs, batch), TrainerTest.TRAIN, TrainerTest.TEST, Display.silent())
                .onStep((tr, step) -> { if (step == 6) tr.requestStop(); })) {
            assertTrue(first.run().interrupted());
            assertEquals(List.of(4L, 6L), first.checkpoints().allSteps());
        }
        Path state = w.resolve("checkpoints/6/state.msgpack");
        Files.write(state, new byte[]{(byte) 0xc1});                       // msgpack's never-used byte
        var info = new ArrayList<String>();
        Trainer.Result second;
        try (var t = new Trainer(TrainerTest.TINY, TrainerTest.config(w, epochs, batch).withResume(true), TrainerTest.TRAIN, TrainerTest.TEST, recording(info))) {
            second = t.run();
            assertEquals(List.of(4L, 8L), t.checkpoints().allSteps().stream().filter(s -> s != 6).toList());
        }
        assertEquals(8, second.state().step().intValue());
        TrainerTest.assertBitIdentical(straight.state().params(), second.state().params());
        assertTrue(info.stream().anyMatch(m -> m.contains("step 6 is damaged") && m.contains("6.damaged")), info.toString());
        assertTrue(info.stream().anyMatch(m -> m.contains("resuming from") && m.contains("(step 4,")
                && m.contains("the newest intact checkpoint") && m.contains("[6] is damaged")), info.toString());
        assertTrue(Files.isRegularFile(w.resolve("checkpoints/6.damaged/state.msgpack")), "the damaged step is kept aside");
        assertFalse(Files.exists(w.resolve("checkpoints/writer.lock")));
    }

    static Display recording(List<String> info) {
        return new Display() {
            @Override public void info(String message) { info.add(message); }
            @Override public void startEpoch(int epoch, int epochs, int stepsPerEpoch, int firstStep) {}
            @Override public void step(int stepInEpoch, double meanLoss, double meanAccuracy) {}
            @Override public void endEpoch(EpochRecord record, int epochs) {}
        };
    }
}
