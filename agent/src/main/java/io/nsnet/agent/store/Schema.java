package io.nsnet.agent.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database schema and its versioning through SQLite's {@code PRAGMA user_version}. Version 0 is an empty
 * file; each step of {@link #MIGRATIONS} moves the schema up by one, inside the same transaction that sets the new
 * version, so a crash mid-migration leaves the old version intact.
 *
 * <p>Plain columns, no JSON: every field is queryable and checked by the database. STRICT tables make SQLite
 * enforce column types; CHECK constraints keep states and protocols to their closed sets.
 */
final class Schema {

    /** Statements of migration i (0-based) take the schema from version i to i + 1. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE meta (
              key   TEXT PRIMARY KEY,
              value TEXT NOT NULL
            ) STRICT""",
            """
            CREATE TABLE networks (
              name       TEXT PRIMARY KEY,
              id         TEXT NOT NULL UNIQUE CHECK (length(id) = 64),
              bridge     TEXT NOT NULL UNIQUE,
              subnet     TEXT NOT NULL,
              gateway    TEXT NOT NULL,
              ip_range   TEXT,
              internal   INTEGER NOT NULL CHECK (internal IN (0, 1)),
              icc        INTEGER NOT NULL CHECK (icc IN (0, 1)),
              masquerade INTEGER NOT NULL CHECK (masquerade IN (0, 1)),
              mtu        INTEGER NOT NULL CHECK (mtu BETWEEN 68 AND 65535),
              seq        INTEGER NOT NULL UNIQUE,
              created    TEXT NOT NULL,
              is_default INTEGER NOT NULL CHECK (is_default IN (0, 1)),
              state      TEXT NOT NULL CHECK (state IN ('creating', 'ready', 'deleting'))
            ) STRICT""",
            // At most one default network.
            "CREATE UNIQUE INDEX networks_one_default ON networks (is_default) WHERE is_default = 1",
            """
            CREATE TABLE sandboxes (
              name    TEXT PRIMARY KEY,
              id      TEXT NOT NULL UNIQUE CHECK (length(id) = 64),
              netns   TEXT NOT NULL UNIQUE,
              seq     INTEGER NOT NULL UNIQUE,
              created TEXT NOT NULL,
              state   TEXT NOT NULL CHECK (state IN ('creating', 'ready', 'deleting'))
            ) STRICT""",
            // RESTRICT: a network row cannot vanish under an endpoint; UNIQUE (network, ip): no duplicate addresses
            // even if a caller's IPAM were wrong.
            """
            CREATE TABLE endpoints (
              sandbox   TEXT NOT NULL REFERENCES sandboxes (name) ON DELETE CASCADE,
              network   TEXT NOT NULL REFERENCES networks (name) ON DELETE RESTRICT,
              ifname    TEXT NOT NULL,
              host_veth TEXT NOT NULL UNIQUE,
              ip        TEXT NOT NULL,
              mac       TEXT NOT NULL,
              state     TEXT NOT NULL CHECK (state IN ('creating', 'ready', 'deleting')),
              PRIMARY KEY (sandbox, network),
              UNIQUE (sandbox, ifname),
              UNIQUE (network, ip)
            ) STRICT""",
            // host_ip '' means all addresses. pos keeps the order the user gave.
            """
            CREATE TABLE ports (
              sandbox        TEXT NOT NULL REFERENCES sandboxes (name) ON DELETE CASCADE,
              pos            INTEGER NOT NULL,
              host_ip        TEXT NOT NULL,
              host_port      INTEGER NOT NULL CHECK (host_port BETWEEN 1 AND 65535),
              container_port INTEGER NOT NULL CHECK (container_port BETWEEN 1 AND 65535),
              protocol       TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
              PRIMARY KEY (sandbox, pos),
              UNIQUE (host_ip, host_port, protocol)
            ) STRICT"""));

    /** The schema version this code reads and writes. */
    static final int VERSION = MIGRATIONS.size();

    private Schema() {
    }

    /**
     * Brings the database to {@link #VERSION}. Runs with the write connection in autocommit mode and opens its own
     * immediate transaction.
     *
     * @throws StoreException if the database was written by a newer nsnetd
     */
    static void migrate(Connection c, String where) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            boolean ok = false;
            try {
                int version;
                try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                    version = rs.next() ? rs.getInt(1) : 0;
                }
                if (version > VERSION) {
                    throw new StoreException("state database " + where + " has schema version " + version
                            + ", newer than this nsnetd supports (" + VERSION + "); use a newer nsnetd");
                }
                for (int v = version; v < VERSION; v++) {
                    for (String sql : MIGRATIONS.get(v)) {
                        st.execute(sql);
                    }
                }
                st.execute("PRAGMA user_version = " + VERSION);
                st.execute("COMMIT");
                ok = true;
            } finally {
                if (!ok) {
                    st.execute("ROLLBACK");
                }
            }
        }
    }
}
