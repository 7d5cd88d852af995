package io.nsnet.agent.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One connection and its prepared statements, kept for reuse by SQL text.
 *
 * <p>Why: preparing is SQLite parsing and planning the statement, plus the JDBC objects around it, and the
 * statements a sandbox create runs (about a dozen, from BEGIN to COMMIT) were each prepared afresh. Reusing one
 * only rebinds its parameters (the driver resets it before each run).
 *
 * <p>Not thread-safe: used only by whoever holds the connection (the writer under the store's write lock, a reader
 * while it has borrowed it). The SQL texts come from the store's own code, a small fixed set; the bound is a guard.
 */
final class Statements implements AutoCloseable {
    private static final int MAX = 64;

    private final Connection connection;
    private final Map<String, PreparedStatement> bySql = new LinkedHashMap<>(32, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() > MAX) {
                closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    Statements(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** The statement for {@code sql}, prepared once, with no parameters bound. Not to be closed by the caller. */
    PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement ps = bySql.get(sql);
        if (ps == null || ps.isClosed()) {
            ps = connection.prepareStatement(sql);
            bySql.put(sql, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    /** Runs a statement without parameters or results (BEGIN, COMMIT, a PRAGMA setting). */
    void run(String sql) throws SQLException {
        prepared(sql).execute();
    }

    /** Closes the statements, then the connection. */
    @Override
    public void close() {
        bySql.values().forEach(Statements::closeQuietly);
        bySql.clear();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing at shutdown or after a failure: nothing useful to do with a second error.
        }
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // The connection is going away or the statement was already finalized.
        }
    }
}
