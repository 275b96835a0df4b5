package io.jax4j.examples.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28x28 gray pixels in 10
 * classes, as four gzip IDX files. They are looked for, in order, in
 * <ol>
 *   <li>the directory given with {@code --data DIR},</li>
 *   <li>{@code $JAX4J_DATA} (the directory itself or its {@code fashion-mnist} subdirectory),</li>
 *   <li>{@value #DEBIAN_DIR}, where Debian's {@code dataset-fashion-mnist} package installs them,</li>
 *   <li>jax4j's cache, {@code $JAX4J_CACHE_DIR/datasets/fashion-mnist} (default {@code ~/.cache/jax4j}).</li>
 * </ol>
 * Where none has them on a Debian-family system, {@link #locate} fetches the Debian package with
 * {@code apt-get download} (no root needed) and unpacks the files into the cache with
 * {@code dpkg-deb -x}; elsewhere it fails with a message saying what to do.
 */
public final class FashionMnist {
    private FashionMnist() {}

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The training and test sets. */
    public record Splits(Dataset train, Dataset test, Path dir) {}

    /** Where to look and how to fetch: the environment, the Debian directory and the commands (replaceable in tests). */
    public record Sources(Path dataOption, Map<String, String> env, Path debianDir, String aptGet, String dpkgDeb) {
        public static Sources system(Path dataOption) {
            return new Sources(dataOption, System.getenv(), Path.of(DEBIAN_DIR), "apt-get", "dpkg-deb");
        }

        /** jax4j's dataset cache for Fashion-MNIST. */
        public Path cacheDir() {
            return io.jax4j.core.CacheDirs.datasets(env).resolve("fashion-mnist");
        }

        /** The directories searched, in order. */
        public List<Path> candidates() {
            List<Path> c = new ArrayList<>();
            String env = this.env.get("JAX4J_DATA");
            if (env != null && !env.isBlank()) {
                c.add(Path.of(env));
                c.add(Path.of(env, "fashion-mnist"));
            }
            c.add(debianDir);
            c.add(cacheDir());
            return c;
        }
    }

    /** Loads both splits from the first place that has them, fetching them first where needed. */
    public static Splits load(Path dataOption, Consumer<String> log) {
        Path dir = locate(Sources.system(dataOption), log);
        return load(dir);
    }

    /** Loads both splits from {@code dir}. */
    public static Splits load(Path dir) {
        Dataset train = read(dir.resolve(TRAIN_IMAGES), dir.resolve(TRAIN_LABELS));
        Dataset test = read(dir.resolve(TEST_IMAGES), dir.resolve(TEST_LABELS));
        return new Splits(train, test, dir);
    }

    /** One split: the images file (N x 28 x 28) and the labels file (N), checked against each other. */
    public static Dataset read(Path imagesFile, Path labelsFile) {
        Idx.Tensor images = Idx.read(imagesFile, 3);
        Idx.Tensor labels = Idx.read(labelsFile, 1);
        if (images.count() != labels.count()) {
            throw new DataException(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds "
                    + labels.count() + " labels; the files come from different sets");
        }
        int[] l = new int[labels.count()];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.data()[i] & 0xff;
            if (l[i] >= 10) throw new DataException(labelsFile + ": label " + l[i] + " at index " + i + " is not a class 0..9 (corrupt file?)");
        }
        return new Dataset(images.data(), l, images.dims()[1], images.dims()[2], 1, 10);
    }

    /** The first directory holding all four files; fetches them into the cache where none does. */
    public static Path locate(Sources s, Consumer<String> log) {
        if (s.dataOption() != null) {
            List<String> missing = missing(s.dataOption());
            if (!missing.isEmpty()) {
                throw new DataException("--data " + s.dataOption() + ": missing " + String.join(", ", missing)
                        + "; the directory must hold the four Fashion-MNIST files " + FILES);
            }
            return s.dataOption();
        }
        for (Path p : s.candidates()) if (missing(p).isEmpty()) return p;
        return fetch(s, log);
    }

    static List<String> missing(Path dir) {
        return FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
    }

    /** Fetches the Debian package into the cache, or explains how to get the files. */
    static Path fetch(Sources s, Consumer<String> log) {
        Path cache = s.cacheDir();
        String searched = String.join(", ", s.candidates().stream().map(Path::toString).toList());
        if (!onPath(s.aptGet()) || !onPath(s.dpkgDeb())) {
            throw new DataException("Fashion-MNIST not found (looked in " + searched + ").\n" + howTo(cache));
        }
        log.accept("Fashion-MNIST not found; fetching Debian's " + DEBIAN_PACKAGE + " package (about 31 MB) into " + cache);
        Path tmp = null;
        try {
            Files.createDirectories(cache.getParent());
            tmp = Files.createTempDirectory(cache.getParent(), "fashion-mnist-fetch");
            run(tmp, List.of(s.aptGet(), "download", DEBIAN_PACKAGE), "apt-get download " + DEBIAN_PACKAGE, cache);
            Path deb;
            try (Stream<Path> files = Files.list(tmp)) {
                deb = files.filter(f -> f.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new DataException("apt-get download " + DEBIAN_PACKAGE + " left no .deb file.\n" + howTo(cache)));
            }
            Path unpacked = tmp.resolve("root");
            run(tmp, List.of(s.dpkgDeb(), "-x", deb.toString(), unpacked.toString()), "dpkg-deb -x", cache);
            Path from = unpacked.resolve(DEBIAN_DIR.substring(1));
            List<String> missing = missing(from);
            if (!missing.isEmpty()) throw new DataException("the " + DEBIAN_PACKAGE + " package lacks " + missing + ".\n" + howTo(cache));
            Files.createDirectories(cache);
            for (String f : FILES) {
                Path part = cache.resolve(f + ".part");
                Files.copy(from.resolve(f), part, StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, cache.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            log.accept("Fashion-MNIST is in " + cache);
            return cache;
        } catch (IOException e) {
            throw new DataException("fetching Fashion-MNIST into " + cache + " failed: " + e + "\n" + howTo(cache), e);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /** What a user does by hand: the four files and where they go. */
    static String howTo(Path cache) {
        return "Get the four files " + FILES + " from https://github.com/zalandoresearch/fashion-mnist (data/fashion/),\n"
                + "then either put them in " + cache + ", or set JAX4J_DATA=DIR, or pass --data DIR.\n"
                + "On Debian or Ubuntu, 'sudo apt-get install " + DEBIAN_PACKAGE + "' installs them in " + DEBIAN_DIR + ".";
    }

    private static void run(Path dir, List<String> cmd, String what, Path cache) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new DataException(what + " did not finish in 10 minutes.\n" + howTo(cache));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DataException(what + " was interrupted");
        }
        if (p.exitValue() != 0) {
            String hint = out.contains("Unable to locate package") || out.contains("has no installation candidate")
                    ? "\nThe package lists do not know " + DEBIAN_PACKAGE + ": run 'sudo apt-get update' (it is in Debian bookworm and later, Ubuntu 22.04 and later)."
                    : "";
            throw new DataException(what + " failed (exit " + p.exitValue() + "): " + out + hint + "\n" + howTo(cache));
        }
    }

    static boolean onPath(String command) {
        if (command.contains("/")) return Files.isExecutable(Path.of(command));
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) return true;
        }
        return false;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover temporary directory in the cache is harmless
        }
    }
}
