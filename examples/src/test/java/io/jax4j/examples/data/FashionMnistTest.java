package io.jax4j.examples.data;

import io.jax4j.Array;
import io.jax4j.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IDX reader, the loader and its search order and fetch, on small generated gzip IDX files. */
class FashionMnistTest {

    /** Writes a Fashion-MNIST-shaped set: {@code nTrain} and {@code nTest} images of 28x28 with known pixels and labels. */
    static void writeSet(Path dir, int nTrain, int nTest) throws IOException {
        Files.createDirectories(dir);
        writeSplit(dir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, nTrain, 0);
        writeSplit(dir, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, nTest, 100);
    }

    static void writeSplit(Path dir, String images, String labels, int n, int offset) throws IOException {
        byte[] px = new byte[n * 28 * 28];
        for (int i = 0; i < px.length; i++) px[i] = (byte) ((i * 7 + offset) % 256);
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) lb[i] = (byte) ((i + offset) % 10);
        gzip(dir.resolve(images), Idx.encode(new int[]{n, 28, 28}, px));
        gzip(dir.resolve(labels), Idx.encode(new int[]{n}, lb));
    }

    static void gzip(Path f, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        }
        Files.write(f, bos.toByteArray());
    }

    @Test
    void readsGzipIdxIntoScaledNhwcBatches(@TempDir Path dir) throws IOException {
        writeSet(dir, 6, 3);
        FashionMnist.Splits s = FashionMnist.load(dir);
        assertEquals(6, s.train().size());
        assertEquals(3, s.test().size());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5}, s.train().labels());
        assertArrayEquals(new int[]{0, 1, 2}, s.test().labels());

        Dataset.Batcher b = s.train().batcher(4);
        int[] order = {5, 2, 0, 1, 3, 4};
        Array images = b.images(order, 1, 4);
        Array labels = b.labels(order, 1, 4);
        assertEquals(DType.F32, images.dtype());
        assertArrayEquals(new int[]{3, 28, 28, 1}, images.shape());
        assertEquals(DType.I32, labels.dtype());
        assertArrayEquals(new int[]{2, 0, 1}, labels.toIntArray());
        float[] f = images.toFloatArray();
        for (int k = 0; k < 3; k++) {
            int example = order[1 + k];
            for (int j = 0; j < 784; j += 97) {
                int raw = ((example * 784 + j) * 7) % 256;
                assertEquals(raw / 255f, f[k * 784 + j], 0f, "example " + example + " pixel " + j);
            }
        }
        // the host buffers are reused: a second batch does not change the first array
        Array again = b.images(order, 0, 4);
        assertArrayEquals(f, images.toFloatArray());
        assertEquals(4, again.dim(0));
        float[] all = s.train().images().toFloatArray();
        assertTrue(Arrays.stream(toDoubles(all)).allMatch(v -> v >= 0 && v <= 1));
    }

    static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Test
    void truncatedGzipNamesTheFile(@TempDir Path dir) throws IOException {
        writeSet(dir, 4, 2);
        Path f = dir.resolve(FashionMnist.TRAIN_IMAGES);
        byte[] full = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(full, full.length / 2));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aGzipFileThatInflatesBeyondTheLimitIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bomb-idx3-ubyte.gz");
        var gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(new byte[(1 << 20) + 1]);                      // 1 MiB + 1 of zeros: about 1 KB compressed
        }
        Files.write(f, gz.toByteArray());
        assertEquals(1 << 20, Idx.gunzip(f, (1 << 20) + 1).length - 1, "within the limit");
        DataException e = assertThrows(DataException.class, () -> Idx.gunzip(f, 1 << 20));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("decompresses to more than 1048576 bytes"), e.getMessage());
    }

    @Test
    void notGzipNamesTheFile(@TempDir Path dir) throws IOException {
        writeSet(dir, 4, 2);
        Path f = dir.resolve(FashionMnist.TEST_LABELS);
        Files.writeString(f, "<html>404 Not Found</html>");
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not a valid gzip"), e.getMessage());
    }

    @Test
    void idxHeaderAndSizeChecks() {
        byte[] ok = Idx.encode(new int[]{2, 3}, new byte[6]);
        assertEquals(2, Idx.parse("x", ok, 2).count());
        // data shorter than the header promises
        var shortData = assertThrows(DataException.class, () -> Idx.parse("images.idx", Arrays.copyOf(ok, ok.length - 1), 2));
        assertTrue(shortData.getMessage().startsWith("images.idx: truncated") && shortData.getMessage().contains("[2, 3]"), shortData.getMessage());
        // trailing bytes
        var longData = assertThrows(DataException.class, () -> Idx.parse("images.idx", Arrays.copyOf(ok, ok.length + 2), 2));
        assertTrue(longData.getMessage().contains("2 bytes after the data"), longData.getMessage());
        // wrong number of dimensions (a labels file given as images)
        var dims = assertThrows(DataException.class, () -> Idx.parse("labels.idx", Idx.encode(new int[]{4}, new byte[4]), 3));
        assertTrue(dims.getMessage().contains("1 dimensions, expected 3"), dims.getMessage());
        // bad magic (still gzip-compressed)
        var magic = assertThrows(DataException.class, () -> Idx.parse("a.idx", new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0}, 1));
        assertTrue(magic.getMessage().contains("bad IDX magic number 0x1f8b0800"), magic.getMessage());
        // wrong element type (int32 data)
        byte[] ints = ok.clone();
        ints[2] = 0x0c;
        var type = assertThrows(DataException.class, () -> Idx.parse("a.idx", ints, 2));
        assertTrue(type.getMessage().contains("0xc is not unsigned byte"), type.getMessage());
        var empty = assertThrows(DataException.class, () -> Idx.parse("a.idx", new byte[2], 1));
        assertTrue(empty.getMessage().contains("too short"), empty.getMessage());
    }

    @Test
    void imagesAndLabelsMustAgree(@TempDir Path dir) throws IOException {
        writeSet(dir, 4, 2);
        writeSplit(dir, "x.gz", FashionMnist.TRAIN_LABELS, 5, 0);
        DataException e = assertThrows(DataException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("4 images but") && e.getMessage().contains("5 labels"), e.getMessage());
    }

    @Test
    void searchOrderDataOptionThenEnvThenDebianThenCache(@TempDir Path tmp) throws IOException {
        Path opt = tmp.resolve("opt"), env = tmp.resolve("env"), deb = tmp.resolve("deb"), cacheRoot = tmp.resolve("cache");
        Path cache = cacheRoot.resolve("datasets/fashion-mnist");
        for (Path p : List.of(opt, env.resolve("fashion-mnist"), deb, cache)) writeSet(p, 1, 1);
        Map<String, String> vars = Map.of("JAX4J_DATA", env.toString(), "JAX4J_CACHE_DIR", cacheRoot.toString());
        List<String> log = new ArrayList<>();
        assertEquals(opt, FashionMnist.locate(new FashionMnist.Sources(opt, vars, deb, "false", "false"), log::add));
        assertEquals(env.resolve("fashion-mnist"), FashionMnist.locate(new FashionMnist.Sources(null, vars, deb, "false", "false"), log::add));
        assertEquals(deb, FashionMnist.locate(new FashionMnist.Sources(null, Map.of("JAX4J_CACHE_DIR", cacheRoot.toString()), deb, "false", "false"), log::add));
        assertEquals(cache, FashionMnist.locate(new FashionMnist.Sources(null, Map.of("JAX4J_CACHE_DIR", cacheRoot.toString()), tmp.resolve("none"), "false", "false"), log::add));
        assertTrue(log.isEmpty());
        // --data that lacks files is an error naming them, not a fallback
        Files.delete(opt.resolve(FashionMnist.TEST_LABELS));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.locate(new FashionMnist.Sources(opt, vars, deb, "false", "false"), log::add));
        assertTrue(e.getMessage().contains("--data " + opt) && e.getMessage().contains(FashionMnist.TEST_LABELS), e.getMessage());
    }

    @Test
    void missingWithoutAptSaysWhatToDo(@TempDir Path tmp) {
        var s = new FashionMnist.Sources(null, Map.of("JAX4J_CACHE_DIR", tmp.toString()), tmp.resolve("none"),
                tmp.resolve("no-apt-get").toString(), tmp.resolve("no-dpkg-deb").toString());
        DataException e = assertThrows(DataException.class, () -> FashionMnist.locate(s, m -> {}));
        String m = e.getMessage();
        assertTrue(m.contains("Fashion-MNIST not found") && m.contains("zalandoresearch/fashion-mnist")
                && m.contains(tmp.resolve("datasets/fashion-mnist").toString()) && m.contains("--data DIR") && m.contains("JAX4J_DATA"), m);
    }

    @Test
    void fetchesTheDebianPackageIntoTheCache(@TempDir Path tmp) throws IOException {
        // stand-ins for apt-get and dpkg-deb: 'download' drops a .deb, '-x DEB DIR' unpacks the package's files
        Path pkg = tmp.resolve("pkg/usr/share/datasets/fashion-mnist");
        writeSet(pkg, 3, 2);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path apt = script(bin.resolve("apt-get"), "#!/bin/sh\n[ \"$1\" = download ] && [ \"$2\" = dataset-fashion-mnist ] || exit 3\n"
                + "echo fake > dataset-fashion-mnist_0.0_all.deb\n");
        Path dpkg = script(bin.resolve("dpkg-deb"), "#!/bin/sh\n[ \"$1\" = -x ] && [ -f \"$2\" ] || exit 4\nmkdir -p \"$3\" && cp -r "
                + tmp.resolve("pkg") + "/. \"$3\"/\n");
        Path cacheRoot = tmp.resolve("cache");
        var s = new FashionMnist.Sources(null, Map.of("JAX4J_CACHE_DIR", cacheRoot.toString()), tmp.resolve("none"), apt.toString(), dpkg.toString());
        List<String> log = new ArrayList<>();
        Path dir = FashionMnist.locate(s, log::add);
        assertEquals(cacheRoot.resolve("datasets/fashion-mnist"), dir);
        assertEquals(3, FashionMnist.load(dir).train().size());
        assertTrue(log.getFirst().contains("apt") || log.getFirst().contains("Debian"), log.toString());
        try (var leftovers = Files.list(cacheRoot.resolve("datasets"))) {
            assertEquals(List.of(dir), leftovers.toList(), "the temporary download directory is removed");
        }
        // a failing apt-get is reported with its output and the manual way
        Path badApt = script(bin.resolve("bad-apt"), "#!/bin/sh\necho 'E: Unable to locate package dataset-fashion-mnist'\nexit 100\n");
        var bad = new FashionMnist.Sources(null, Map.of("JAX4J_CACHE_DIR", tmp.resolve("c2").toString()), tmp.resolve("none"), badApt.toString(), dpkg.toString());
        DataException e = assertThrows(DataException.class, () -> FashionMnist.locate(bad, m -> {}));
        assertTrue(e.getMessage().contains("Unable to locate package") && e.getMessage().contains("apt-get update")
                && e.getMessage().contains("--data DIR"), e.getMessage());
    }

    static Path script(Path p, String body) throws IOException {
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
