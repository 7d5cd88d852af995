package io.nsnet.peerbench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The durability floor: one 4 KiB append plus fdatasync on the filesystem that holds nsnetd's state, which is
 * what a durable SQLite WAL commit waits for. Any operation acknowledged only once it is on disk costs at least
 * this, whatever the daemon does in memory or in the kernel.
 */
final class FsyncFloor {
    private FsyncFloor() {
    }

    static void measure(Samples samples, String op, Path dir, int n) throws IOException {
        Path f = Files.createTempFile(dir, "fsync", ".bin");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer page = ByteBuffer.allocate(4096);
            for (int i = 0; i < n; i++) {
                samples.time("fsync (4 KiB append + fdatasync)", op, i, () -> Double.NaN, () -> {
                    try {
                        page.clear();
                        ch.write(page);
                        ch.force(false);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
