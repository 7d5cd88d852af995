package io.nsnet.agent.store;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.MacAddress;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.NotFoundException;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.PortMapping;
import io.nsnet.agent.model.Protocol;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.model.Validation;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * {@link Tx} over one JDBC connection inside an open SQLite transaction. The caller ({@link StateStore}) begins
 * and ends the transaction; this class only runs statements. SQL failures surface as {@link SqlFailure} so the
 * store can roll back and translate them.
 */
final class SqlTx implements Tx {

    static final String META_LAST_POOL = "last_pool_index";
    static final String META_NEXT_SEQ = "next_seq";

    /** Unchecked carrier for {@link SQLException} through the functional-interface boundary of {@code update}. */
    static final class SqlFailure extends RuntimeException {
        SqlFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private final Statements c;
    private final boolean writable;
    private boolean ended;
    private final NetworkRows rows;
    /** The networks version this transaction started from and the one it wrote; null until it changes networks. */
    private String versionBefore;
    private String versionAfter;
    private final Replay<List<Network>> networkChanges = new Replay<>();
    /** The same changes for the writer's index of the rows (see {@link NetworkIndex}). */
    private final List<java.util.function.Consumer<NetworkIndex>> indexChanges = new ArrayList<>();
    /** The index as this transaction found it before changing networks (see {@link #index()}). */
    private NetworkIndex index;
    private boolean indexLooked;
    private final PortSandboxRows portRows;
    /** The writer's per-network addresses, and this transaction's changes to endpoints for them; null in readers. */
    private final AddressRows addressRows;
    private final Replay<Map<String, AddressRows.Kept>> addressChanges = new Replay<>();
    private final Replay<List<Sandbox>> sandboxChanges = new Replay<>();

    SqlTx(Statements c, boolean writable) {
        this(c, writable, new NetworkRows());
    }

    SqlTx(Statements c, boolean writable, NetworkRows rows) {
        this(c, writable, rows, null);
    }

    /** @param portRows the writer's cache of sandboxes with ports, which this transaction's commit carries forward */
    SqlTx(Statements c, boolean writable, NetworkRows rows, PortSandboxRows portRows) {
        this(c, writable, rows, portRows, null);
    }

    /** @param addressRows the writer's per-network addresses, which this transaction's commit carries forward */
    SqlTx(Statements c, boolean writable, NetworkRows rows, PortSandboxRows portRows, AddressRows addressRows) {
        this.rows = rows;
        this.c = c;
        this.writable = writable;
        this.portRows = portRows;
        this.addressRows = addressRows;
    }

    /** Records a change of sandboxes, endpoints or ports, to be replayed onto the cached rows at commit. */
    private void changingSandboxes(UnaryOperator<List<Sandbox>> change) {
        sandboxChanges.add(change);
    }

    /** Marks the transaction finished: a {@code Tx} kept beyond its transaction must fail, not write into the next one. */
    void end() {
        ended = true;
    }

    private <T> T sql(SqlWork<T> work) {
        if (ended) {
            throw new IllegalStateException("transaction already ended; use the Tx only inside update/read");
        }
        try {
            return work.run();
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    private void requireWritable() {
        if (!writable) {
            throw new IllegalStateException("write in a read-only transaction");
        }
    }

    private int execute(String sql, Object... args) {
        requireWritable();
        return sql(() -> {
            PreparedStatement ps = c.prepared(sql);
            bind(ps, args);
            return ps.executeUpdate();
        });
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Boolean b) {
                ps.setInt(i + 1, b ? 1 : 0);
            } else if (a == null || a instanceof String || a instanceof Integer || a instanceof Long) {
                ps.setObject(i + 1, a);
            } else {
                ps.setString(i + 1, a.toString());
            }
        }
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return sql(() -> {
            PreparedStatement ps = c.prepared(sql);
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        });
    }

    private static <T> Optional<T> first(List<T> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    // ---- reads ----

    private static final String NETWORK_COLUMNS =
            "name, id, bridge, subnet, gateway, ip_range, internal, icc, masquerade, mtu, seq, created, is_default, state";

    private static Network network(ResultSet rs) throws SQLException {
        String ipRange = rs.getString("ip_range");
        return new Network(rs.getString("name"), rs.getString("id"), rs.getString("bridge"),
                StoredText.cidr(rs.getString("subnet")), StoredText.ipv4(rs.getString("gateway")),
                Optional.ofNullable(ipRange).map(StoredText::cidr),
                rs.getInt("internal") != 0, rs.getInt("icc") != 0, rs.getInt("masquerade") != 0, rs.getInt("mtu"),
                rs.getLong("seq"), StoredText.instant(rs.getString("created")), rs.getInt("is_default") != 0,
                ObjectState.parse(rs.getString("state")));
    }

    @Override
    public List<Network> networks() {
        if (versionAfter != null) {
            return readNetworks(); // this transaction's own changes are not in any cache
        }
        String version = meta(NetworkRows.META_VERSION).orElse("");
        List<Network> cached = rows.get(version);
        if (cached != null) {
            return new ArrayList<>(cached);
        }
        List<Network> all = readNetworks();
        rows.put(version, all);
        return all;
    }

    private List<Network> readNetworks() {
        return query("SELECT " + NETWORK_COLUMNS + " FROM networks ORDER BY seq", SqlTx::network);
    }

    /** Records a change of the networks table: a new version token, and the change for the cache at commit. */
    private void changingNetworks(UnaryOperator<List<Network>> change, java.util.function.Consumer<NetworkIndex> indexChange) {
        if (versionAfter == null) {
            versionBefore = meta(NetworkRows.META_VERSION).orElse("");
            versionAfter = java.util.UUID.randomUUID().toString();
            putMeta(NetworkRows.META_VERSION, versionAfter);
        }
        networkChanges.add(change);
        indexChanges.add(indexChange);
    }

    /**
     * The writer's index of the networks as this transaction sees them, or null when there is none to trust (a
     * reader, a transaction that changed networks already, rows not cached): callers then scan.
     */
    private NetworkIndex index() {
        if (!writable || versionAfter != null) {
            return null;
        }
        // Looked up once per transaction: the version cannot move under a writer but by its own changes, and the
        // allocator may ask once per default pool it tries.
        if (!indexLooked) {
            index = rows.index(meta(NetworkRows.META_VERSION).orElse(""));
            indexLooked = true;
        }
        return index;
    }

    @Override
    public Optional<Network> networkOverlapping(Cidr subnet) {
        NetworkIndex index = index();
        return index != null ? index.overlapping(subnet) : Tx.super.networkOverlapping(subnet);
    }

    /** Called by the store once this transaction has committed. */
    void committed() {
        if (versionAfter != null) {
            rows.committed(versionBefore, versionAfter, networkChanges::applyTo, index -> indexChanges.forEach(ch -> ch.accept(index)));
        }
        if (portRows != null) {
            portRows.committed(sandboxChanges::applyTo);
        }
        if (addressRows != null) {
            addressRows.committed(addressChanges);
        }
    }

    @Override
    public Optional<Network> network(String name) {
        List<Network> cached = cachedNetworks();
        if (cached != null) {
            return cached.stream().filter(n -> n.name().equals(name)).findFirst();
        }
        return first(query("SELECT " + NETWORK_COLUMNS + " FROM networks WHERE name = ?", SqlTx::network, name));
    }

    @Override
    public Optional<Network> defaultNetwork() {
        List<Network> cached = cachedNetworks();
        if (cached != null) {
            return cached.stream().filter(Network::isDefault).findFirst();
        }
        return first(query("SELECT " + NETWORK_COLUMNS + " FROM networks WHERE is_default = 1", SqlTx::network));
    }

    /**
     * The networks as this transaction sees them, if the shared cache holds exactly those (one read of the version
     * token), else null. A sandbox create looks up its network in every transaction: a row read maps 14 columns
     * through JNI (~40-60 µs on the test machine, cold), the token one, and a scan of even 1000 cached rows by name
     * costs a few microseconds.
     */
    private List<Network> cachedNetworks() {
        if (versionAfter != null) {
            return null; // this transaction's own changes are not in any cache
        }
        return rows.get(meta(NetworkRows.META_VERSION).orElse(""));
    }

    private record SandboxRow(String name, String id, String netns, long seq, Instant created, ObjectState state) {
    }

    private record Owned<T>(String sandbox, T value) {
    }

    private static Endpoint endpoint(ResultSet rs) throws SQLException {
        return new Endpoint(rs.getString("network"), rs.getString("ifname"), rs.getString("host_veth"),
                StoredText.ipv4(rs.getString("ip")), MacAddress.parse(rs.getString("mac")), ObjectState.parse(rs.getString("state")));
    }

    private static PortMapping port(ResultSet rs) throws SQLException {
        String hostIp = rs.getString("host_ip");
        return new PortMapping(hostIp.isEmpty() ? Optional.empty() : Optional.of(Ipv4.parse(hostIp)),
                rs.getInt("host_port"), rs.getInt("container_port"), Protocol.parse(rs.getString("protocol")));
    }

    /** Loads sandboxes matching {@code where} with their endpoints and ports in three queries. */
    private List<Sandbox> loadSandboxes(String where, Object... args) {
        List<SandboxRow> rows = query("SELECT name, id, netns, seq, created, state FROM sandboxes " + where + " ORDER BY seq",
                rs -> new SandboxRow(rs.getString("name"), rs.getString("id"), rs.getString("netns"), rs.getLong("seq"),
                        StoredText.instant(rs.getString("created")), ObjectState.parse(rs.getString("state"))),
                args);
        if (rows.isEmpty()) {
            return List.of();
        }
        String sub = "WHERE sandbox IN (SELECT name FROM sandboxes " + where + ")";
        Map<String, List<Endpoint>> endpoints = new HashMap<>();
        for (Owned<Endpoint> e : query("SELECT sandbox, network, ifname, host_veth, ip, mac, state FROM endpoints " + sub,
                rs -> new Owned<>(rs.getString("sandbox"), endpoint(rs)), args)) {
            endpoints.computeIfAbsent(e.sandbox(), k -> new ArrayList<>()).add(e.value());
        }
        Map<String, List<PortMapping>> ports = new HashMap<>();
        for (Owned<PortMapping> p : query("SELECT sandbox, host_ip, host_port, container_port, protocol FROM ports " + sub
                + " ORDER BY sandbox, pos", rs -> new Owned<>(rs.getString("sandbox"), port(rs)), args)) {
            ports.computeIfAbsent(p.sandbox(), k -> new ArrayList<>()).add(p.value());
        }
        List<Sandbox> out = new ArrayList<>(rows.size());
        for (SandboxRow r : rows) {
            out.add(new Sandbox(r.name(), r.id(), r.netns(), endpoints.getOrDefault(r.name(), List.of()),
                    ports.getOrDefault(r.name(), List.of()), r.seq(), r.created(), r.state()));
        }
        return out;
    }

    @Override
    public List<Sandbox> sandboxes() {
        return loadSandboxes("");
    }

    @Override
    public List<Sandbox> sandboxesWithPorts() {
        return loadSandboxes("WHERE name IN (SELECT sandbox FROM ports)");
    }

    @Override
    public Optional<Sandbox> sandbox(String name) {
        return first(loadSandboxes("WHERE name = ?", name));
    }

    @Override
    public Optional<PortHolder> portHolder(PortMapping wanted) {
        // In creation order, as a scan of sandboxes() would find them.
        return first(query("SELECT p.sandbox, p.host_ip, p.host_port, p.container_port, p.protocol FROM ports p"
                + " JOIN sandboxes s ON s.name = p.sandbox WHERE p.host_port = ? AND p.protocol = ? ORDER BY s.seq, p.pos",
                rs -> new Owned<>(rs.getString("sandbox"), port(rs)), wanted.hostPort(), wanted.protocol().lowerName())
                .stream().filter(o -> wanted.conflictsWith(o.value())).map(o -> new PortHolder(o.sandbox(), o.value()))
                .toList());
    }

    @Override
    public List<String> sandboxesOn(String network) {
        return query("SELECT s.name FROM endpoints e JOIN sandboxes s ON s.name = e.sandbox WHERE e.network = ? ORDER BY s.seq",
                rs -> rs.getString(1), network);
    }

    @Override
    public Map<Ipv4, String> addressesOn(String network) {
        // Before this transaction changes endpoints, what the writer reads is the committed state: the kept
        // addresses stand for it, and a read fills them. After, only a read sees this transaction's own changes.
        boolean kept = addressRows != null && addressChanges.isEmpty();
        if (kept) {
            Map<Ipv4, String> held = addressRows.get(network);
            if (held != null) {
                return held;
            }
        }
        Map<Ipv4, String> held = new HashMap<>();
        for (Owned<Ipv4> e : query("SELECT sandbox, ip FROM endpoints WHERE network = ?",
                rs -> new Owned<>(rs.getString(1), StoredText.ipv4(rs.getString(2))), network)) {
            held.put(e.value(), e.sandbox());
        }
        if (kept) {
            Map<Ipv4, String> read = held;
            network(network).ifPresent(n -> addressRows.put(n, read));
        }
        return held;
    }

    @Override
    public Optional<Ipv4> firstFreeAddress(String network) {
        // Like the kept addresses, it describes the committed state: of no use once this transaction changed any.
        if (addressRows == null || !addressChanges.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(addressRows.firstFree(network));
    }

    @Override
    public int lastPoolIndex() {
        return meta(META_LAST_POOL).map(Integer::parseInt).orElse(-1);
    }

    @Override
    public Optional<String> meta(String key) {
        return first(query("SELECT value FROM meta WHERE key = ?", rs -> rs.getString(1), key));
    }

    // ---- writes ----

    @Override
    public long nextSequence() {
        requireWritable();
        // Bumped and read in one statement, not a read and a write: one of the few statements of every create.
        Optional<Long> bumped = first(query("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
                + " WHERE key = ? RETURNING value", rs -> Long.parseLong(rs.getString(1)), META_NEXT_SEQ));
        if (bumped.isPresent()) {
            return bumped.get() - 1;
        }
        putMeta(META_NEXT_SEQ, "2");
        return 1;
    }

    @Override
    public void insertNetwork(Network n) {
        requireWritable();
        NetworkIndex index = index();
        if (index != null) {
            index.firstConflict(n).ifPresent(other -> refuse(other, n)); // the network a scan would stop at
        } else {
            for (Network other : networks()) {
                refuse(other, n);
            }
        }
        changingNetworks(NetworkRows.inserted(n), i -> i.add(n));
        execute("INSERT INTO networks (" + NETWORK_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                n.name(), n.id(), n.bridge(), n.subnet(), n.gateway(), n.ipRange().map(Cidr::toString).orElse(null),
                n.internal(), n.icc(), n.masquerade(), n.mtu(), n.seq(), n.created().toString(), n.isDefault(),
                n.state().lowerName());
    }

    /** Throws what conflicts between an existing network and a new one, in this order; nothing if they do not. */
    private static void refuse(Network other, Network n) {
        if (other.name().equals(n.name())) {
            throw new ConflictException("network " + n.name() + " already exists");
        }
        if (other.bridge().equals(n.bridge())) {
            throw new ConflictException("bridge name \"" + n.bridge() + "\": already used by network " + other.name());
        }
        if (other.subnet().overlaps(n.subnet())) {
            throw new ConflictException("subnet \"" + n.subnet() + "\": overlaps subnet " + other.subnet() + " of network " + other.name());
        }
        if (other.id().equals(n.id())) {
            throw new ConflictException("network id " + n.id() + " already used by network " + other.name());
        }
        if (other.isDefault() && n.isDefault()) {
            throw new ConflictException("network " + other.name() + " is already the default network");
        }
    }

    @Override
    public void setNetworkState(String name, ObjectState state) {
        changingNetworks(NetworkRows.stateSet(name, state), i -> i.setState(name, state));
        if (execute("UPDATE networks SET state = ? WHERE name = ?", state.lowerName(), name) == 0) {
            throw new NotFoundException("network " + name + " not found");
        }
    }

    @Override
    public void deleteNetwork(String name) {
        requireWritable();
        List<String> attached = sandboxesOn(name);
        if (!attached.isEmpty()) {
            throw new ConflictException("network " + name + " has sandboxes attached: " + String.join(", ", attached));
        }
        changingNetworks(NetworkRows.deleted(name), i -> i.remove(name));
        addressChanges.add(AddressRows.networkDeleted(name));
        if (execute("DELETE FROM networks WHERE name = ?", name) == 0) {
            throw new NotFoundException("network " + name + " not found");
        }
    }

    /**
     * Runs an INSERT whose uniqueness and references the schema enforces, and only if the schema refuses it runs
     * {@code explain}: the lookups that name what it conflicts with, which throw the precise error. Looking first
     * cost those lookups on every create (6 of the ~20 statements of a sandbox create, each a prepare and a step).
     * If {@code explain} finds nothing, the refusal itself is thrown.
     */
    private void insertExplained(Runnable explain, String sql, Object... args) {
        try {
            execute(sql, args);
        } catch (SqlFailure f) {
            if (f.getCause() instanceof org.sqlite.SQLiteException se
                    && se.getResultCode().name().startsWith("SQLITE_CONSTRAINT")) {
                explain.run();
            }
            throw f;
        }
    }

    @Override
    public void insertSandbox(Sandbox s) {
        requireWritable();
        boolean done = false;
        try {
            insertExplained(() -> {
                if (sandbox(s.name()).isPresent()) {
                    throw new ConflictException("sandbox " + s.name() + " already exists");
                }
                Optional<String> sameIdOrNetns = first(query("SELECT name FROM sandboxes WHERE id = ? OR netns = ?",
                        rs -> rs.getString(1), s.id(), s.netns()));
                if (sameIdOrNetns.isPresent()) {
                    throw new ConflictException("sandbox id or netns of " + s.name() + " already used by sandbox "
                            + sameIdOrNetns.get());
                }
            }, "INSERT INTO sandboxes (name, id, netns, seq, created, state) VALUES (?, ?, ?, ?, ?, ?)",
                    s.name(), s.id(), s.netns(), s.seq(), s.created().toString(), s.state().lowerName());
            // Per wanted port, only the rows with its host port and protocol: loading every sandbox here made each
            // create read all N sandboxes with their endpoints and ports (attach grew with N).
            for (PortMapping p : s.ports()) {
                Optional<PortHolder> holder = portHolder(p);
                if (holder.isPresent()) {
                    throw new ConflictException("port " + p + ": host port " + p.hostPort() + "/" + p.protocol().lowerName()
                            + " is already published by sandbox " + holder.get().sandbox() + " (" + holder.get().mapping() + ")");
                }
            }
            for (Endpoint e : s.endpoints()) {
                insertEndpointOf(s.name(), e); // the sandbox was just inserted: no need to look it up
            }
            for (int i = 0; i < s.ports().size(); i++) {
                PortMapping p = s.ports().get(i);
                execute("INSERT INTO ports (sandbox, pos, host_ip, host_port, container_port, protocol) VALUES (?, ?, ?, ?, ?, ?)",
                        s.name(), i, p.hostIp().map(Ipv4::toString).orElse(""), p.hostPort(), p.containerPort(),
                        p.protocol().lowerName());
            }
            done = true;
        } finally {
            // A refused insert that the caller goes on from (its statements may have run) drops the cached rows.
            changingSandboxes(done ? PortSandboxRows.inserted(s) : PortSandboxRows.UNKNOWN);
            if (done) {
                s.endpoints().forEach(e -> addressChanges.add(AddressRows.added(e.network(), e.ip(), s.name())));
            } else {
                addressChanges.add(AddressRows.UNKNOWN);
            }
        }
    }

    @Override
    public void setSandboxState(String name, ObjectState state) {
        changingSandboxes(PortSandboxRows.stateSet(name, state));
        if (execute("UPDATE sandboxes SET state = ? WHERE name = ?", state.lowerName(), name) == 0) {
            throw new NotFoundException("sandbox " + name + " not found");
        }
    }

    @Override
    public void deleteSandbox(String name) {
        // Endpoints and ports go with it (ON DELETE CASCADE).
        changingSandboxes(PortSandboxRows.deleted(name));
        addressChanges.add(AddressRows.sandboxDeleted(name));
        if (execute("DELETE FROM sandboxes WHERE name = ?", name) == 0) {
            throw new NotFoundException("sandbox " + name + " not found");
        }
    }

    @Override
    public void insertEndpoint(String sandbox, Endpoint e) {
        requireWritable();
        if (query("SELECT 1 FROM sandboxes WHERE name = ?", rs -> 1, sandbox).isEmpty()) {
            throw new NotFoundException("sandbox " + sandbox + " not found");
        }
        boolean done = false;
        try {
            insertEndpointOf(sandbox, e);
            done = true;
        } finally {
            // A refused insert that the caller goes on from (its statements may have run) drops the cached rows.
            changingSandboxes(done ? PortSandboxRows.endpointAdded(sandbox, e) : PortSandboxRows.UNKNOWN);
            addressChanges.add(done ? AddressRows.added(e.network(), e.ip(), sandbox) : AddressRows.UNKNOWN);
        }
    }

    /** {@link #insertEndpoint} for a sandbox known to exist. */
    private void insertEndpointOf(String sandbox, Endpoint e) {
        Network net = requireNetwork(e.network());
        // IPAM never hands out these; checked again because a wrong address here would break the network.
        Validation.staticAddress(net, e.ip());
        insertExplained(() -> {
            record Holder(String sandbox, String network) {
            }
            Optional<Holder> sameNetOrIf = first(query(
                    "SELECT sandbox, network FROM endpoints WHERE sandbox = ? AND (network = ? OR ifname = ?)",
                    rs -> new Holder(rs.getString(1), rs.getString(2)), sandbox, e.network(), e.ifname()));
            if (sameNetOrIf.isPresent()) {
                throw sameNetOrIf.get().network().equals(e.network())
                        ? new ConflictException("sandbox " + sandbox + " is already connected to network " + e.network())
                        : new ConflictException("sandbox " + sandbox + " already has an interface " + e.ifname()
                                + " (network " + sameNetOrIf.get().network() + ")");
            }
            Optional<String> ipHolder = first(query("SELECT sandbox FROM endpoints WHERE network = ? AND ip = ?",
                    rs -> rs.getString(1), e.network(), e.ip()));
            if (ipHolder.isPresent()) {
                throw new ConflictException("ip \"" + e.ip() + "\": already in use by sandbox " + ipHolder.get()
                        + " on network " + e.network());
            }
            Optional<String> vethHolder = first(query("SELECT sandbox FROM endpoints WHERE host_veth = ?",
                    rs -> rs.getString(1), e.hostVeth()));
            if (vethHolder.isPresent()) {
                throw new ConflictException("veth name " + e.hostVeth() + " already used by sandbox " + vethHolder.get());
            }
        }, "INSERT INTO endpoints (sandbox, network, ifname, host_veth, ip, mac, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                sandbox, e.network(), e.ifname(), e.hostVeth(), e.ip(), e.mac(), e.state().lowerName());
    }

    @Override
    public void setEndpointState(String sandbox, String network, ObjectState state) {
        changingSandboxes(PortSandboxRows.endpointStateSet(sandbox, network, state));
        if (execute("UPDATE endpoints SET state = ? WHERE sandbox = ? AND network = ?", state.lowerName(), sandbox, network) == 0) {
            throw new NotFoundException("sandbox " + sandbox + " is not connected to network " + network);
        }
    }

    @Override
    public void deleteEndpoint(String sandbox, String network) {
        changingSandboxes(PortSandboxRows.endpointRemoved(sandbox, network));
        addressChanges.add(AddressRows.removed(network, sandbox));
        if (execute("DELETE FROM endpoints WHERE sandbox = ? AND network = ?", sandbox, network) == 0) {
            throw new NotFoundException("sandbox " + sandbox + " is not connected to network " + network);
        }
    }

    @Override
    public void setLastPoolIndex(int index) {
        putMeta(META_LAST_POOL, Integer.toString(index));
    }

    @Override
    public void putMeta(String key, String value) {
        execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
    }
}
