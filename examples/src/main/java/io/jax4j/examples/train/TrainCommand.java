package io.jax4j.examples.train;

import io.jax4j.autodiff.Jax;
import io.jax4j.checkpoint.CheckpointException;
import io.jax4j.distributed.Distributed;
import io.jax4j.core.Jax4jException;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.examples.data.DataException;
import io.jax4j.examples.data.FashionMnist;
import io.jax4j.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code jax4j train}: the main job. Trains the tutorial's CNN with BatchNorm and Dropout on
 * Fashion-MNIST (fetched on first use), printing a progress bar per epoch and a summary line per
 * epoch, writing a checkpoint per epoch, {@code metrics.json} and {@code curves.png} into the
 * workdir. Ctrl-C saves a checkpoint and exits; {@code --resume} continues exactly.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Trains the Flax tutorial's CNN on Fashion-MNIST, with checkpoints and learning curves.",
        description = "Trains the Flax tutorial's CNN (BatchNorm, Dropout) on Fashion-MNIST with SGD + momentum on a "
                + "warm-up + cosine learning-rate schedule. Writes checkpoints, metrics.json and curves.png into the workdir; "
                + "Ctrl-C saves a checkpoint, --resume continues from the latest one.")
public final class TrainCommand implements CliCommand {
    @Option(names = "--epochs", defaultValue = "3", description = "Epochs to train (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.1", description = "Base learning rate after warm-up (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup-epochs", defaultValue = "1", description = "Epochs of linear warm-up from 0 (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--seed", defaultValue = "0", description = "PRNG seed for init, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", description = "Backend for jit (default: the best available; see 'jax4j info').")
    String backend;

    @Option(names = "--workdir", defaultValue = "./workdir", description = "Checkpoints, metrics.json and curves.png go here (default: ${DEFAULT-VALUE}).")
    Path workdir;

    @Option(names = "--resume", description = "Continue from the latest intact checkpoint in the workdir.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete the checkpoints, metrics.json and curves.png of an earlier run in the workdir and start afresh"
            + " (without --resume or --overwrite, a workdir holding checkpoints is refused).")
    boolean overwrite;

    @Option(names = "--data", description = "Directory holding the four Fashion-MNIST .gz files (default: JAX4J_DATA, "
            + FashionMnist.DEBIAN_DIR + ", the jax4j cache; fetched when missing).")
    Path data;

    @Option(names = "--devices", defaultValue = "1", description = "Data-parallel over this many devices of each process: each batch is "
            + "split into equal shards, gradients averaged (pmap + pmean); on the host these are virtual devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--processes", defaultValue = "1", description = "Data-parallel over this many processes on this machine, started "
            + "through Open MPI's mpirun (default: ${DEFAULT-VALUE}).")
    int processes;

    @Option(names = "--eval-batch-size", defaultValue = "1000", hidden = true)
    int evalBatchSize;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (processes < 1) {
            System.err.println("jax4j train: --processes must be at least 1, got " + processes);
            return 2;
        }
        boolean underMpirun = System.getenv("OMPI_COMM_WORLD_SIZE") != null;
        if (processes > 1 && !underMpirun) return relaunchUnderMpirun();
        try {
            if (underMpirun) Distributed.initialize();
            if (processes > 1 && Jax.processCount() != processes) {
                throw new IllegalArgumentException("--processes " + processes + ", but mpirun started " + Jax.processCount());
            }
            if (devices > 1 && Backends.current().device().platform().equals("cpu") && Jax.localDeviceCount() < devices) {
                System.setProperty("jax4j.cpuDevices", Integer.toString(devices));   // virtual host devices, one per replica
            }
        } catch (Jax4jException | IllegalArgumentException e) {
            System.err.println("jax4j train: " + e.getMessage());
            return 2;
        }
        boolean chief = Jax.processIndex() == 0;
        Display display = chief ? Display.auto(out) : Display.silent();   // process 0 speaks for all
        try {
            if (backend != null) useBackend(backend);
            TrainConfig config = new TrainConfig(epochs, batchSize, lr, warmupEpochs, momentum, seed, workdir, resume, evalBatchSize, 3, overwrite);
            Trainer.checkWorkdir(config);                   // before the data: a refused run costs nothing
            if (!chief) Distributed.barrier();              // process 0 fetches the data set, if it must, before the others read it
            FashionMnist.Splits d = FashionMnist.load(data, display::info);
            if (chief && Jax.processCount() > 1) Distributed.barrier();
            display.info("Fashion-MNIST from " + d.dir() + ": " + d.train().size() + " training, " + d.test().size()
                    + " test images; backend " + Backends.current().name() + "; workdir " + workdir.toAbsolutePath().normalize()
                    + (devices * Jax.processCount() > 1 ? "; data-parallel over " + devices + " device" + (devices == 1 ? "" : "s") + " x "
                    + Jax.processCount() + " process" + (Jax.processCount() == 1 ? "" : "es") : ""));
            try (Trainer trainer = new Trainer(Cnn.tutorial(), config, d.train(), d.test(), display)) {
                trainer.dataParallel(devices);
                int code = runWithInterrupt(trainer, display);
                if (Distributed.isInitialized()) Distributed.shutdown();
                return code;
            }
        } catch (DataException | IllegalArgumentException e) {
            System.err.println("jax4j train: " + e.getMessage());
            return 2;
        } catch (CheckpointException e) {
            System.err.println("jax4j train: " + e.getMessage());
            return 1;
        } catch (java.io.UncheckedIOException e) {
            System.err.println("jax4j train: " + e.getMessage() + " (" + e.getCause() + ")");
            return 1;
        }
    }

    /**
     * {@code --processes N} outside mpirun: this same command, without {@code --processes}, as N
     * processes of {@code mpirun} (each then connects with {@code Distributed.initialize()}); returns mpirun's exit code.
     */
    private int relaunchUnderMpirun() {
        ProcessHandle.Info self = ProcessHandle.current().info();
        if (self.command().isEmpty() || self.arguments().isEmpty()) {
            System.err.println("jax4j train --processes: cannot read this process's command line; start it as 'mpirun -np " + processes
                    + " ./jax4j train ...' instead");
            return 2;
        }
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(self.command().get());
        String[] args = self.arguments().get();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--processes")) i++;
            else if (!args[i].startsWith("--processes=")) command.add(args[i]);
        }
        java.util.List<String> mpirun = Distributed.mpirunCommand(processes, command);
        try {
            return new ProcessBuilder(mpirun).inheritIO().start().waitFor();
        } catch (java.io.IOException e) {
            System.err.println("jax4j train --processes " + processes + ": cannot start mpirun (" + e.getMessage() + "); install Open MPI "
                    + "(Debian/Ubuntu: apt-get install openmpi-bin)");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** {@code --backend NAME}: an unknown or unavailable backend is an option error (exit 2), not a stack trace. */
    static void useBackend(String name) {
        try {
            Backends.use(name);
        } catch (Jax4jException e) {
            throw new IllegalArgumentException("--backend " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the trainer so that Ctrl-C asks it to stop after the current step: a SIGINT handler
     * ({@link CtrlC}) does so while the JVM runs on, so the checkpoint, metrics.json and curves.png are
     * written before the process exits with 130. A shutdown hook does the same for SIGTERM, waiting
     * (up to a minute) until the checkpoint of that step has committed.
     */
    static int runWithInterrupt(Trainer trainer, Display display) {
        var done = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop();
            try {
                done.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jax4j-train-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);   // SIGTERM, or a platform without a SIGINT handler
        Trainer.Result r;
        try (CtrlC ctrlC = CtrlC.onInterrupt(() -> {
            display.info("Ctrl-C: stopping after this step and saving a checkpoint (Ctrl-C again quits at once)");
            trainer.requestStop();
        })) {
            r = trainer.run();
        } finally {
            trainer.checkpoints().waitUntilFinished();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and lets the JVM exit once we return
            }
        }
        if (r.interrupted()) return 130;
        EpochRecord last = r.history().epochs().getLast();
        display.info(String.format(java.util.Locale.ROOT, "done: test accuracy %.4f after %d epoch%s; metrics.json and curves.png in %s",
                last.testAccuracy(), last.epoch(), last.epoch() == 1 ? "" : "s",
                trainer.checkpoints().directory().getParent().toAbsolutePath().normalize()));
        return 0;
    }
}
