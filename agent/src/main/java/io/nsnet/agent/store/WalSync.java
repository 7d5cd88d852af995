package io.nsnet.agent.store;

import io.nsnet.sched.SideThread;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Makes the writer's commits ({@code synchronous=NORMAL}) durable, on the caller's thread or on one of its own:
 * one fdatasync of the database's write-ahead log, which is all SQLite itself does at a {@code synchronous=FULL}
 * commit in WAL mode (a commit only appends to the log; checkpoints sync on their own). The point is when: the
 * daemon can wait for the disk while the kernel work a commit records runs, instead of after it.
 */
final class WalSync implements AutoCloseable {

    private final Path wal;
    /** Kept off the committing thread's CPU: that thread goes on to the kernel work the sync overlaps. */
    private final SideThread thread = new SideThread("nsnet-store-sync");
    /** The log as last opened, and its inode; guarded by this. */
    private FileChannel channel;
    private Object inode;
    /** Syncs done; guarded by this. For tests: that a commit's sync happened, since no test can pull the plug. */
    private long syncs;

    WalSync(Path db) {
        this.wal = db.resolveSibling(db.getFileName() + "-wal");
    }

    /** Starts a sync; what was committed before this call is on disk when the future completes. */
    Future<Void> start() {
        return thread.submit(() -> {
            syncNow();
            return null;
        });
    }

    /** Syncs on the calling thread; what was committed before this call is on disk when it returns. */
    synchronized void syncNow() throws IOException {
        // SQLite deletes and recreates the log only when its last connection closes, which the store never does
        // while open; checked anyway, since syncing a stale descriptor would make nothing durable and say so.
        Object now = Files.getAttribute(wal, "unix:ino");
        if (channel == null || !now.equals(inode)) {
            if (channel != null) {
                channel.close();
            }
            channel = FileChannel.open(wal, StandardOpenOption.READ);
            inode = now;
            // The log's directory entry too, as SQLite syncs a journal's directory after creating it: once per
            // log file, normally once per daemon run.
            try (FileChannel dir = FileChannel.open(wal.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
        channel.force(false);
        syncs++;
    }

    synchronized long syncs() {
        return syncs;
    }

    @Override
    public void close() {
        try {
            thread.shutdown(10, TimeUnit.SECONDS); // syncs already started still run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closeChannel();
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing at shutdown: nothing to do with a second error.
            }
        }
    }
}
