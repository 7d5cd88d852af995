package io.nsnet.agent.store;

import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.Sandbox;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * nsnetd's durable state: networks, sandboxes, endpoints, published ports and a little metadata, in an SQLite
 * database {@code <stateDir>/nsnet.db}.
 *
 * <h2>Why SQLite</h2>
 * <ul>
 *   <li><b>Durability before acknowledgement.</b> The database runs in WAL mode: every commit appends to the
 *       write-ahead log, and the store fdatasyncs the log before {@link #update} returns, so an acknowledged
 *       change survives kill -9, a kernel panic and power loss. That sync is all SQLite itself does at a commit
 *       with {@code synchronous=FULL} in WAL mode; the writer runs with {@code synchronous=NORMAL} (checkpoints
 *       still sync the log before and the database after) and the store does the commit's sync itself, so that
 *       it can choose when: after the commit on the same thread ({@link #update}), or while the kernel work the
 *       commit records runs ({@link #writeAhead}, {@link #writeThenSync}). Both pragmas are checked after
 *       opening, not just requested.</li>
 *   <li><b>Atomic multi-row transactions.</b> Creating a sandbox writes a sandbox, endpoints and ports; deleting a
 *       network must check attachments and delete in one step. SQLite gives all-or-nothing commits, so no crash
 *       leaves half an object, and no hand-written journal, snapshot or fsync/rename protocol has to be right.</li>
 *   <li><b>Integrity in the schema.</b> Unique indexes on names, bridge names, veth names, (network, ip) and
 *       published host ports, foreign keys and CHECK constraints back up the application's own checks.</li>
 *   <li><b>Embedded, one file, battle-tested recovery.</b> No server to run; the WAL is replayed automatically
 *       on the next open after a crash; {@code sqlite3 nsnet.db} lets an operator look inside.</li>
 * </ul>
 *
 * <h2>Concurrency</h2>
 * One write connection, used under a lock, so writes are serialised in this process (SQLite allows one writer
 * anyway, and the daemon serialises mutations). A few read connections serve concurrent readers; in WAL mode they
 * read a consistent snapshot without blocking the writer. A lock file keeps a second nsnetd off the same state.
 *
 * <h2>Crash safety of kernel changes</h2>
 * The store only makes the <i>records</i> atomic. Multi-step kernel changes are made crash safe by the intent
 * states of {@link io.nsnet.agent.model.ObjectState}: a row is committed as {@code creating} or {@code deleting}
 * before the kernel is touched, and reconcile finishes or rolls back whatever it finds in those states. A row
 * may also be committed {@code ready} ahead of its kernel work ({@link #writeAhead}); reconcile then completes it.
 */
public final class StateStore implements AutoCloseable {

    public static final String DB_FILE = "nsnet.db";
    public static final String LOCK_FILE = "nsnet.lock";

    /** Concurrent read transactions; more readers wait for a free connection. */
    private static final int READERS = 4;

    private final Path dbFile;
    private final FileChannel lockChannel;
    private final Statements writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Network rows shared by all transactions, valid by version token (see {@link NetworkRows}). */
    private final NetworkRows networkRows = new NetworkRows();
    /** Guarded by {@link #writeLock}. */
    private final PortSandboxRows portSandboxRows = new PortSandboxRows();
    /** Guarded by {@link #writeLock}. */
    private final AddressRows addressRows = new AddressRows();
    private final BlockingQueue<Statements> readers;
    private final WalSync walSync;
    private volatile boolean closed;

    private StateStore(Path dbFile, FileChannel lockChannel, Statements writer, List<Statements> readers) {
        this.dbFile = dbFile;
        this.walSync = new WalSync(dbFile);
        this.lockChannel = lockChannel;
        this.writer = writer;
        this.readers = new ArrayBlockingQueue<>(readers.size(), false, readers);
    }

    /**
     * Opens (creating if needed) the store in {@code stateDir}: the directory gets mode 0700 and the database
     * 0600, since the state names every network and sandbox on the host. Migrates the schema to the current
     * version.
     *
     * @throws StoreException if the directory cannot be prepared, another process holds the state, the database
     *     is unreadable or was written by a newer nsnetd, or WAL/synchronous=NORMAL cannot be enabled
     */
    public static StateStore open(Path stateDir) {
        Path dir = stateDir.toAbsolutePath();
        FileChannel lockChannel = null;
        List<Connection> opened = new ArrayList<>();
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            lockChannel = lock(dir);
            Path db = dir.resolve(DB_FILE);
            try {
                Files.createFile(db, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                // Existing state: keep it.
            }
            Connection writer = connect(db, false);
            opened.add(writer);
            Schema.migrate(writer, db.toString());
            List<Statements> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                Connection r = connect(db, true);
                opened.add(r);
                readers.add(new Statements(r));
            }
            // Make the directory entries of the database, its WAL and its lock file durable too.
            fsyncDirectory(dir);
            StateStore store = new StateStore(db, lockChannel, new Statements(writer), readers);
            try {
                store.syncWal(); // the migration's commit, like any other
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            return store;
        } catch (IOException | SQLException | RuntimeException e) {
            for (Connection c : opened) {
                closeQuietly(c);
            }
            if (lockChannel != null) {
                try {
                    lockChannel.close();
                } catch (IOException ignored) {
                    // Already failing; the original error matters.
                }
            }
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot open state store in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static FileChannel lock(Path dir) throws IOException {
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new StoreException("state directory " + dir + " is in use by another process (lock " + lockFile + " is held)");
            }
            return ch;
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new StoreException("state directory " + dir + " is already open in this process");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static Connection connect(Path db, boolean reader) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // NORMAL: the commit's fsync is the store's to do (see the class comment); this saves switching the
        // pragma around each commit made ahead of its sync, two statements on the way of every attach.
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.enforceForeignKeys(true);
        // Only matters if something outside this process (an operator's sqlite3) holds a lock for a moment.
        cfg.setBusyTimeout(10_000);
        Connection c = cfg.createConnection("jdbc:sqlite:" + db);
        try (Statement st = c.createStatement()) {
            // Verify rather than trust: the durability promise rests on these two settings.
            String journal = single(st, "PRAGMA journal_mode");
            if (!"wal".equals(journal.toLowerCase(Locale.ROOT))) {
                throw new StoreException("state database " + db + ": journal_mode is " + journal + ", not wal (filesystem without shared memory support?)");
            }
            String sync = single(st, "PRAGMA synchronous");
            if (!"1".equals(sync)) {
                throw new StoreException("state database " + db + ": synchronous is " + sync + ", not 1 (NORMAL)");
            }
            if (reader) {
                st.execute("PRAGMA query_only = 1");
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** The database file, for messages and operators. */
    public Path databaseFile() {
        return dbFile;
    }

    /**
     * Runs {@code work} in one write transaction and commits it durably (fsync'd) before returning. If
     * {@code work} throws, the transaction is rolled back and the exception rethrown: nothing of it is stored.
     *
     * @throws io.nsnet.agent.model.NsnetException as thrown by {@code work} or the {@link Tx} checks
     * @throws StoreException if the database fails
     */
    public void update(Consumer<Tx> work) {
        write(tx -> {
            work.accept(tx);
            return null;
        });
    }

    /** As {@link #update}, returning what {@code work} returns (e.g. the created object). */
    public <T> T write(Function<Tx, T> work) {
        return write(work, true);
    }

    /**
     * As {@link #write}, but for an <i>intent</i> commit ({@code creating}/{@code deleting}) that is followed by a
     * closing durable commit before anyone is answered: this one is not fsync'd on its own. The WAL is append-only,
     * so the closing commit's fsync makes this one durable too; one fsync per operation instead of two.
     *
     * <p>Why that is as safe: the intent row exists to let reconcile finish or undo kernel work after a crash. If a
     * crash loses it (power loss before the closing fsync), the operation was never acknowledged, and what it made
     * in the kernel carries nsnet's marks (bridge/veth aliases, the sandbox prefix) with no stored owner, so
     * reconcile removes it as an orphan, rules included. A process crash (kill -9) loses nothing either way: the
     * commit is in the WAL file, only not yet on the platter.
     */
    public <T> T writeIntent(Function<Tx, T> work) {
        return write(work, false);
    }

    /**
     * Commits {@code work} now and makes it durable in the background: for a row that records kernel work about to
     * be done (a network committed {@code ready} before its bridge and rules exist), so that the fsync overlaps that
     * work instead of following it. The caller answers only after {@link AheadCommit#awaitDurable()}. On this
     * project's test machine that takes one fsync (~0.5 ms) off every network create.
     *
     * <p>Why that is safe: a process crash loses nothing (the commit is in the WAL file), and reconcile finishes
     * the kernel work for a {@code ready} row; a power loss may lose the row, but then the kernel objects are gone
     * too, and nothing was acknowledged. The commit is durable before {@code awaitDurable} returns, because the
     * sync starts after it.
     */
    public <T> AheadCommit<T> writeAhead(Function<Tx, T> work) {
        T value = write(work, false);
        try {
            return new AheadCommit<>(value, walSync.start());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new StoreException("state store is closed", e);
        }
    }

    /**
     * As {@link #writeAhead}, for a caller on a thread of its own beside the one doing the kernel work: commits
     * {@code work}, hands its value to {@code committed} (whoever waits for it goes on with that work), then makes
     * the commit durable on this thread instead of handing the sync to another, and returns once it is on disk.
     * The hand-off's wake-up (tens of microseconds on an idle CPU of a virtual machine) is then not between the
     * commit and its fsync, which is what an attach waits for last.
     *
     * @throws StoreException if the commit or the sync fails; {@code committed} has been called if the commit did
     *     not, and the change may then be lost on power failure
     */
    public <T> T writeThenSync(Function<Tx, T> work, Consumer<? super T> committed) {
        T value = write(work, false);
        committed.accept(value);
        syncWal();
        return value;
    }

    private <T> T write(Function<Tx, T> work, boolean durable) {
        if (writeLock.isHeldByCurrentThread()) {
            // SQLite has no nested transactions; an inner update would commit or roll back the outer one's work.
            throw new IllegalStateException("update called inside another update on the same thread");
        }
        T value;
        writeLock.lock();
        try {
            ensureOpen();
            value = writeLocked(work);
        } finally {
            writeLock.unlock();
        }
        if (durable) {
            // Outside the lock: the sync covers everything committed before it starts, this commit included.
            syncWal();
        }
        return value;
    }

    /**
     * The sync SQLite would do at a {@code synchronous=FULL} commit. If it fails the commit stands, visible but
     * perhaps not on disk, and the caller is told so: its operation was not acknowledged.
     */
    private void syncWal() {
        try {
            walSync.syncNow();
        } catch (IOException e) {
            throw new StoreException("state store: cannot make the change durable (fsync of the write-ahead log "
                    + "failed): " + e, e);
        }
    }

    private <T> T writeLocked(Function<Tx, T> work) {
        execute(writer, "BEGIN IMMEDIATE", "begin");
        T result;
        SqlTx tx = new SqlTx(writer, true, networkRows, portSandboxRows, addressRows);
        try {
            result = work.apply(tx);
        } catch (RuntimeException | Error e) {
            rollback(writer, e);
            throw translate(e);
        } finally {
            tx.end();
        }
        try {
            execute(writer, "COMMIT", "commit");
        } catch (StoreException e) {
            rollback(writer, e);
            throw e;
        }
        tx.committed();
        return result;
    }

    /**
     * Runs {@code work} in one read transaction: it sees a single consistent snapshot, unaffected by writes that
     * commit meanwhile. Readers run concurrently with each other and with the writer.
     */
    public <T> T read(Function<ReadTx, T> work) {
        ensureOpen();
        Statements c = null;
        try {
            // Poll rather than take: once close() has drained the pool, a waiting reader must fail, not hang.
            while (c == null) {
                ensureOpen();
                c = readers.poll(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a state store connection", e);
        }
        try {
            ensureOpen();
            execute(c, "BEGIN", "begin");
            SqlTx tx = new SqlTx(c, false, networkRows);
            try {
                return work.apply(tx);
            } catch (RuntimeException e) {
                throw translate(e);
            } finally {
                tx.end();
                execute(c, "ROLLBACK", "end read");
            }
        } finally {
            readers.add(c);
        }
    }

    public List<Network> networks() {
        return read(ReadTx::networks);
    }

    /**
     * The networks as some recent transaction read or wrote them, from the shared cache, without a read of its own;
     * empty when the cache holds none. A hint, not the committed state: a reader may have cached an older version.
     * A write that acts on it must check in its own transaction that it still holds (as the sandbox create does: it
     * plugs its veths from this while its transaction runs, and plugs them again if the transaction finds otherwise).
     */
    public Optional<List<Network>> cachedNetworks() {
        return Optional.ofNullable(networkRows.latest());
    }

    public Optional<Network> network(String name) {
        return read(tx -> tx.network(name));
    }

    public List<Sandbox> sandboxes() {
        return read(ReadTx::sandboxes);
    }

    /**
     * The committed sandboxes that publish ports, with endpoints and ports: all the firewall needs of sandboxes.
     * Kept between commits ({@link PortSandboxRows}), so a change that syncs the firewall right after its own commit
     * does not read them again. Call it outside a write: inside one it would not see that write's changes.
     */
    public List<Sandbox> sandboxesWithPorts() {
        writeLock.lock(); // no commit between the read and the rows it fills
        try {
            ensureOpen();
            List<Sandbox> rows = portSandboxRows.get();
            if (rows == null) {
                rows = read(ReadTx::sandboxesWithPorts);
                portSandboxRows.put(rows);
            }
            return rows;
        } finally {
            writeLock.unlock();
        }
    }

    public Optional<Sandbox> sandbox(String name) {
        return read(tx -> tx.sandbox(name));
    }

    /** The whole state in one consistent read, for reconcile. */
    public StateSnapshot snapshot() {
        return read(ReadTx::snapshot);
    }

    /** How many times the write-ahead log has been fsync'd; lets tests check that each durable commit was. */
    long walSyncs() {
        return walSync.syncs();
    }

    /** The value of a pragma on the write connection; lets tests check the durability settings in effect. */
    String writerPragma(String name) {
        writeLock.lock();
        try {
            ensureOpen();
            try (Statement st = writer.connection().createStatement()) {
                return single(st, "PRAGMA " + name);
            }
        } catch (SQLException e) {
            throw new StoreException("state store pragma " + name + " failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("state store " + dbFile + " is closed");
        }
    }

    private static void execute(Statements c, String sql, String what) {
        try {
            c.run(sql);
        } catch (SQLException e) {
            throw new StoreException("state store " + what + " failed: " + e.getMessage(), e);
        }
    }

    private static void rollback(Statements c, Throwable cause) {
        try {
            c.run("ROLLBACK");
        } catch (SQLException e) {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); keep the original error.
            cause.addSuppressed(e);
        }
    }

    /**
     * Constraint violations that slipped past {@link Tx}'s own checks are conflicts with stored state; any other
     * SQL failure is the store's fault.
     */
    private static RuntimeException translate(Throwable e) {
        if (e instanceof SqlTx.SqlFailure f) {
            SQLException cause = f.getCause();
            if (cause instanceof SQLiteException se && se.getResultCode().name().startsWith("SQLITE_CONSTRAINT")) {
                return new ConflictException("conflicts with stored state: " + se.getMessage());
            }
            return new StoreException("state store failed: " + cause.getMessage(), cause);
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        throw (Error) e;
    }

    /** Closes all connections (waiting for running transactions) and releases the state directory. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            walSync.close();
            writer.close();
            for (int i = 0; i < READERS; i++) {
                try {
                    readers.take().close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try {
                lockChannel.close();
            } catch (IOException ignored) {
                // Closing releases the lock; nothing to do if the channel was already broken.
            }
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Closing at shutdown or after a failure: nothing useful to do with a second error.
        }
    }
}
