package io.jax4j.checkpoint;

import io.jax4j.Array;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 15, data loss: what the manager deletes, damaged metadata and steps, read-only directories, two writers. */
class CheckpointHardeningTest {
    @TempDir Path dir;

    static CheckpointManagerTest.Small small(int step) { return CheckpointManagerTest.small(step); }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    @Test
    void openingDeletesOnlyItsOwnTempEntries() throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.tmp-backup.txt"), "keep me");
        Path data = Files.createDirectories(dir.resolve("data.tmp-old"));
        Files.writeString(data.resolve("important.bin"), "keep me too");
        Path stepLike = Files.createDirectories(dir.resolve("7.tmp-backup"));          // not a uuid: not ours
        Path outside = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-outside"));
        Files.writeString(outside.resolve("precious.txt"), "outside");
        Path link = Files.createSymbolicLink(dir.resolve("6.tmp-" + UUID.randomUUID()), outside);
        Path killedSave = Files.createDirectories(dir.resolve("2.tmp-" + UUID.randomUUID()));
        Files.write(killedSave.resolve("state.msgpack"), new byte[]{1});
        Path killedDelete = Files.createDirectories(dir.resolve("1.tmp-delete-" + UUID.randomUUID()));
        try (var mgr = Checkpoints.manager(dir)) {
            assertEquals(List.of(), mgr.allSteps());
        }
        assertFalse(Files.exists(killedSave));
        assertFalse(Files.exists(killedDelete));
        assertEquals("keep me", Files.readString(notes));
        assertEquals("keep me too", Files.readString(data.resolve("important.bin")));
        assertTrue(Files.isDirectory(stepLike));
        assertTrue(Files.isSymbolicLink(link), "a link is never followed nor removed");
        assertEquals("outside", Files.readString(outside.resolve("precious.txt")));
        Files.delete(link);
        StepDirectory.deleteRecursively(outside);
    }

    @Test
    void keepBestSkipsADamagedMetadataFileAndRetentionGoesOn() throws IOException {
        var warnings = new ArrayList<String>();
        var options = CheckpointOptions.defaults().keepBest(2, "accuracy", true);
        try (var mgr = new CheckpointManager(dir, options, warnings::add)) {
            mgr.save(1, small(1), Map.of("accuracy", 0.1));
            mgr.save(2, small(2), Map.of("accuracy", 0.2));
        }
        Files.writeString(dir.resolve("1").resolve("metadata.json"), "{\"format_version\": 1, \"metr");   // torn by hand
        try (var mgr = new CheckpointManager(dir, options, warnings::add)) {
            for (int s = 3; s <= 6; s++) assertTrue(mgr.save(s, small(s), Map.of("accuracy", s / 10.0)));   // no throw after commit
            // step 1 cannot be ranked: kept, not guessed away; of the others the best two (6 is also the latest)
            assertEquals(List.of(1L, 5L, 6L), mgr.allSteps());
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("cannot rank step 1") && w.contains("metadata.json")), warnings.toString());
    }

    @Test
    void aReadOnlyDirectoryWithALeftoverCanStillBeOpenedToRestore() throws Exception {
        try (var mgr = Checkpoints.manager(dir)) {
            mgr.save(1, small(1));
        }
        Path leftover = Files.createDirectories(dir.resolve("2.tmp-" + UUID.randomUUID()));
        Files.write(leftover.resolve("state.msgpack"), new byte[]{1});
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        boolean immutable = false;
        try {
            if (Files.isWritable(dir)) immutable = chattr("+i", dir);     // root ignores permissions; an immutable directory binds it too
            assumeTrue(!canCreateIn(dir), "cannot make a read-only directory here");
            var warnings = new ArrayList<String>();
            try (var mgr = new CheckpointManager(dir, CheckpointOptions.defaults(), warnings::add)) {
                assertFalse(mgr.isWriter());
                assertEquals(List.of(1L), mgr.allSteps());
                assertArrayEquals(CheckpointManagerTest.bits(small(1)), CheckpointManagerTest.bits(mgr.restoreLatest(small(0))));
                var e = assertThrows(CheckpointException.class, () -> mgr.save(3, small(3)));
                assertMessage(e, "CheckpointManager.save", "cannot write to " + dir, "not writable");
            }
            assertTrue(Files.isDirectory(leftover), "nothing is deleted by a manager that does not write");
        } finally {
            if (immutable) chattr("-i", dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean canCreateIn(Path d) {
        try {
            Files.delete(Files.createFile(d.resolve("probe")));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean chattr(String flag, Path p) {
        try {
            return new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void oneWriterPerDirectory() throws Exception {
        try (var first = Checkpoints.manager(dir); var second = Checkpoints.manager(dir)) {
            assertTrue(first.isWriter());
            assertFalse(second.isWriter());
            first.save(1, small(1));
            var e = assertThrows(CheckpointException.class, () -> second.save(2, small(2)));
            assertMessage(e, "CheckpointManager.save", "another CheckpointManager of this process", "close the other one");
            assertEquals(1, second.restoreLatest(small(0)).step().intValue());    // a reader all the same
            first.save(2, small(2));                                              // the writer is undisturbed
            Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
            try (var viaLink = Checkpoints.manager(link)) {                        // the same directory by another name
                assertFalse(viaLink.isWriter());
            } finally {
                Files.delete(link);
            }
            assertTrue(Files.exists(dir.resolve(StepDirectory.LOCK_FILE)), "the first manager still holds its lock");
        }
        assertFalse(Files.exists(dir.resolve(StepDirectory.LOCK_FILE)), "close releases the lock");

        // another live process holds the lock: refused, naming its pid
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        Files.writeString(dir.resolve(StepDirectory.LOCK_FILE), "pid " + live + "\n");
        try (var mgr = Checkpoints.manager(dir)) {
            var e = assertThrows(CheckpointException.class, () -> mgr.save(3, small(3)));
            assertMessage(e, "process " + live, StepDirectory.LOCK_FILE);
        }
        assertTrue(Files.exists(dir.resolve(StepDirectory.LOCK_FILE)), "another process's lock is left alone");

        // a stale lock of a process that has ended is taken over
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Files.writeString(dir.resolve(StepDirectory.LOCK_FILE), "pid " + p.pid() + "\n");
        var warnings = new ArrayList<String>();
        try (var mgr = new CheckpointManager(dir, CheckpointOptions.defaults(), warnings::add)) {
            assertTrue(mgr.isWriter());
            mgr.save(3, small(3));
            assertEquals(List.of(1L, 2L, 3L), mgr.allSteps());
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("stale lock") && w.contains(Long.toString(p.pid()))), warnings.toString());
    }

    @Test
    void aDamagedLatestStepIsNamedAndTheNewestIntactOneRestored() throws IOException {
        try (var mgr = Checkpoints.manager(dir)) {
            for (int s = 1; s <= 3; s++) mgr.save(s, small(s));
        }
        Path state = dir.resolve("3").resolve(StepDirectory.STATE_FILE);
        byte[] bytes = Files.readAllBytes(state);
        Files.write(state, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        try (var mgr = Checkpoints.manager(dir)) {
            var e = assertThrows(DamagedCheckpointException.class, () -> mgr.restoreLatest(small(0)));
            assertEquals(3, e.step());
            assertMessage(e, "the latest step 3 is damaged", state.toString(), "restoreLatestIntact", "[1, 2]");

            CheckpointManager.Restored<CheckpointManagerTest.Small> r = mgr.restoreLatestIntact(small(0));
            assertEquals(2, r.step());
            assertEquals(2, r.state().step().intValue());
            assertEquals(List.of(3L), List.copyOf(r.damaged().keySet()));
            assertTrue(r.damaged().get(3L).contains("step 3 is damaged"), r.damaged().toString());

            Path aside = mgr.moveAside(3);
            assertEquals(dir.resolve("3.damaged"), aside);
            assertArrayEquals(java.util.Arrays.copyOf(bytes, bytes.length / 2), Files.readAllBytes(aside.resolve(StepDirectory.STATE_FILE)));
            assertEquals(List.of(1L, 2L), mgr.allSteps());
            mgr.save(3, small(3));                                                // the step can be saved again
            assertEquals(3, mgr.restoreLatest(small(0)).step().intValue());
        }
        // a damaged metadata file is damage, too; a state that does not fit is not
        Files.writeString(dir.resolve("3").resolve(StepDirectory.METADATA_FILE), "not json");
        try (var mgr = Checkpoints.manager(dir)) {
            assertEquals(2, mgr.restoreLatestIntact(small(0)).step());
            var misfit = assertThrows(CheckpointException.class, () -> mgr.restoreLatestIntact(Map.of("other", Array.zeros(1))));
            assertFalse(misfit instanceof DamagedCheckpointException, misfit.toString());
        }
    }
}
