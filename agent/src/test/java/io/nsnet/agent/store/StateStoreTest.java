package io.nsnet.agent.store;

import static io.nsnet.agent.store.StoreFixtures.endpoint;
import static io.nsnet.agent.store.StoreFixtures.network;
import static io.nsnet.agent.store.StoreFixtures.sandbox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Fixtures;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.NotFoundException;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.PortMapping;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.model.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @TempDir
    Path tmp;

    Path dir;
    StateStore store;

    @BeforeEach
    void open() {
        dir = tmp.resolve("state");
        store = StateStore.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static String pragma(Path db, String name) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void createsAPrivateDirectoryAndDatabaseInWalMode() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        Path db = dir.resolve("nsnet.db");
        assertThat(store.databaseFile()).isEqualTo(db);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).isEqualTo("rw-------");
        store.close();
        // journal_mode=wal is persistent in the file; user_version is the schema version.
        assertThat(pragma(db, "journal_mode")).isEqualTo("wal");
        assertThat(pragma(db, "user_version")).isEqualTo("1");
    }

    @Test
    void everyDurableCommitIsFsyncedToTheWalBeforeItReturns() {
        // WAL with synchronous=NORMAL (1): SQLite syncs only at checkpoints, the store syncs after each commit.
        assertThat(store.writerPragma("journal_mode")).isEqualTo("wal");
        assertThat(store.writerPragma("synchronous")).isEqualTo("1");
        assertThat(store.writerPragma("foreign_keys")).isEqualTo("1");

        long before = store.walSyncs();
        store.update(tx -> tx.putMeta("k", "v"));
        assertThat(store.walSyncs()).isEqualTo(before + 1);
        String value = store.write(tx -> {
            tx.putMeta("k", "w");
            return "value";
        });
        assertThat(value).isEqualTo("value");
        assertThat(store.walSyncs()).isEqualTo(before + 2);
        // An intent is made durable by the commit that closes it, not on its own.
        store.writeIntent(tx -> {
            tx.putMeta("k", "x");
            return null;
        });
        assertThat(store.walSyncs()).isEqualTo(before + 2);
        // A refused transaction commits nothing and syncs nothing.
        assertThatThrownBy(() -> store.update(tx -> {
            tx.putMeta("k", "y");
            throw new ConflictException("no");
        })).isInstanceOf(ConflictException.class);
        assertThat(store.walSyncs()).isEqualTo(before + 2);
        java.util.Optional<String> k = store.read(tx -> tx.meta("k"));
        assertThat(k).contains("x");
    }

    @Test
    void aCommitMadeAheadIsVisibleAtOnceAndWaitsForItsSyncOnlyWhenAsked() {
        long before = store.walSyncs();
        AheadCommit<Network> ahead = store.writeAhead(tx -> {
            Network n = network(tx, "a", "10.0.0.0/24");
            tx.insertNetwork(n);
            return n;
        });
        // Committed (to the WAL, without fsync) before writeAhead returns: readers see it straight away.
        assertThat(names(store.networks())).containsExactly("a");
        assertThat(dir.resolve("nsnet.db-wal")).exists();
        assertThat(ahead.awaitDurable()).isSameAs(ahead.value());
        assertThat(store.walSyncs()).isEqualTo(before + 1); // its own sync, started after the commit

        store.close();
        assertThatThrownBy(() -> store.writeAhead(tx -> null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void writeThenSyncHandsOverTheCommittedValueBeforeItsSyncAndNothingWhenRefused() {
        long before = store.walSyncs();
        List<String> seenAtHandOver = new java.util.ArrayList<>();
        Network made = store.writeThenSync(tx -> {
            Network n = network(tx, "a", "10.0.0.0/24");
            tx.insertNetwork(n);
            return n;
        }, n -> seenAtHandOver.addAll(names(store.networks()))); // committed, so a reader sees it already
        assertThat(seenAtHandOver).containsExactly("a");
        assertThat(made.name()).isEqualTo("a");
        assertThat(store.walSyncs()).isEqualTo(before + 1);

        List<Object> handedOver = new java.util.ArrayList<>();
        assertThatThrownBy(() -> store.writeThenSync(tx -> {
            tx.insertNetwork(network(tx, "a", "10.1.0.0/24"));
            return "never";
        }, handedOver::add)).isInstanceOf(ConflictException.class);
        assertThat(handedOver).isEmpty();
        assertThat(names(store.networks())).containsExactly("a");
    }

    @Test
    void nestedUpdatesAndEscapedTransactionsAreRefused() {
        assertThatThrownBy(() -> store.update(tx -> store.update(inner -> inner.putMeta("k", "v"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inside another update");
        Tx escaped = store.write(tx -> tx);
        assertThatThrownBy(() -> escaped.putMeta("k", "v"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("transaction already ended");
        assertThat(store.<Optional<String>>read(tx -> tx.meta("k"))).isEmpty();
    }

    @Test
    void snapshotListsTheKernelNamesItOwns() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "10.0.0.0/24"));
            tx.insertSandbox(sandbox(tx, "s1", List.of(endpoint("a", 0, "10.0.0.2", 0xabc)), List.of()));
        });
        StateSnapshot snap = store.snapshot();
        assertThat(snap.bridgeNames()).containsExactly(snap.networks().get(0).bridge());
        assertThat(snap.vethNames()).containsExactly("veth0000abc");
        assertThat(snap.netnsNames()).containsExactly("nsnet-s1");
        assertThatThrownBy(() -> store.update(tx -> tx.insertEndpoint("s1", endpoint("a", 0, "10.0.0.1", 1))))
                .isInstanceOf(ValidationException.class).hasMessage("ip \"10.0.0.1\": is the gateway of network a");
    }

    @Test
    void roundTripsEveryField() {
        Network n = new Network("mynet", Fixtures.id(7), "br-custom", Cidr.parse("10.1.0.0/16"), Ipv4.parse("10.1.255.254"),
                Optional.of(Cidr.parse("10.1.4.0/24")), true, false, false, 9000, 1, Fixtures.T0, true, ObjectState.CREATING);
        store.update(tx -> tx.insertNetwork(n));
        List<PortMapping> ports = List.of(PortMapping.parse("127.0.0.1:8080:80"), PortMapping.parse("5353:53/udp"));
        Sandbox s = new Sandbox("web", Fixtures.id(8), "nsnet-web", List.of(
                Endpoint.create("mynet", "eth0", "veth0a1b2c3", Ipv4.parse("10.1.4.0"))), ports, 2, Fixtures.T0, ObjectState.CREATING);
        store.update(tx -> tx.insertSandbox(s));

        assertThat(store.network("mynet")).contains(n);
        assertThat(store.sandbox("web")).contains(s);
        assertThat(store.sandbox("web").orElseThrow().endpoints().get(0).mac()).hasToString("02:42:0a:01:04:00");
        assertThat(store.networks()).containsExactly(n);
        assertThat(store.sandboxes()).containsExactly(s);
        StateSnapshot snap = store.snapshot();
        assertThat(snap.defaultNetwork()).contains(n);
        assertThat(snap.sandboxesOn("mynet")).containsExactly(s);
        assertThat(snap.pendingNetworks()).containsExactly(n);
        assertThat(snap.pendingSandboxes()).containsExactly(s);
        assertThat(store.network("nope")).isEmpty();
    }

    /**
     * The cached network rows (NetworkRows) never show what is not committed or miss what is: every read below
     * is compared with a connection of its own that bypasses the store and its cache.
     */
    @Test
    void cachedNetworkRowsFollowCommitsAndIgnoreRollbacks() throws Exception {
        store.update(tx -> tx.insertNetwork(network(tx, "a", "172.18.0.0/16")));
        assertThat(names(store.networks())).containsExactly("a").isEqualTo(bySql());
        store.update(tx -> tx.insertNetwork(network(tx, "b", "172.19.0.0/16")));
        assertThat(names(store.networks())).containsExactly("a", "b").isEqualTo(bySql());
        assertThatThrownBy(() -> store.update(tx -> {
            tx.insertNetwork(network(tx, "c", "172.20.0.0/16"));
            tx.setNetworkState("a", ObjectState.DELETING);
            assertThat(names(tx.networks())).containsExactly("a", "b", "c"); // its own changes, inside
            assertThat(tx.network("c")).isPresent();
            assertThat(tx.network("a").orElseThrow().state()).isEqualTo(ObjectState.DELETING);
            throw new IllegalStateException("abandon");
        })).hasMessageContaining("abandon");
        assertThat(names(store.networks())).containsExactly("a", "b").isEqualTo(bySql());
        assertThat(store.networks().get(0).state()).isNotEqualTo(ObjectState.DELETING);
        assertThat(store.network("c")).isEmpty();
        assertThat(store.network("a").orElseThrow().state()).isEqualTo(ObjectState.READY);
        store.update(tx -> tx.setNetworkState("a", ObjectState.DELETING));
        assertThat(store.networks().get(0).state()).isEqualTo(ObjectState.DELETING);
        // One network by name, through the cached rows once they are current, as each sandbox create looks it up.
        assertThat(store.network("a").orElseThrow().state()).isEqualTo(ObjectState.DELETING);
        store.update(tx -> tx.deleteNetwork("a"));
        assertThat(names(store.networks())).containsExactly("b").isEqualTo(bySql());
        assertThat(store.network("a")).isEmpty();
        assertThat(store.network("b")).isPresent();
        assertThat(store.<Optional<Network>>read(ReadTx::defaultNetwork)).isEmpty();
        // A read taken while nothing changed is the same rows; a reopened store starts without a cache.
        store.close();
        store = StateStore.open(dir);
        assertThat(names(store.networks())).containsExactly("b");
    }

    /**
     * The cached sandboxes with ports (PortSandboxRows) are what a fresh read of the tables gives after every kind
     * of commit, and a rolled-back or partly refused write never shows in them.
     */
    @Test
    void cachedSandboxesWithPortsFollowEveryCommit() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "172.18.0.0/16"));
            tx.insertNetwork(network(tx, "b", "172.19.0.0/16"));
        });
        assertThat(store.sandboxesWithPorts()).isEmpty();
        store.update(tx -> tx.insertSandbox(sandbox(tx, "p1", List.of(endpoint("a", 0, "172.18.0.2", 1)),
                List.of(PortMapping.parse("80:80")))));
        assertSameAsTables();
        store.update(tx -> tx.insertSandbox(sandbox(tx, "plain", List.of(endpoint("a", 0, "172.18.0.3", 2)), List.of())));
        store.update(tx -> tx.insertSandbox(sandbox(tx, "p2", List.of(endpoint("b", 0, "172.19.0.2", 3)),
                List.of(PortMapping.parse("81:80"), PortMapping.parse("82:80/udp")))));
        assertThat(store.sandboxesWithPorts()).extracting(Sandbox::name).containsExactly("p1", "p2");
        assertSameAsTables();
        store.update(tx -> tx.setSandboxState("p1", ObjectState.DELETING));
        store.update(tx -> tx.setEndpointState("p2", "b", ObjectState.DELETING));
        assertSameAsTables();
        store.update(tx -> tx.insertEndpoint("p2", endpoint("a", 1, "172.18.0.9", 4)));
        assertSameAsTables();
        store.update(tx -> tx.deleteEndpoint("p2", "b"));
        assertSameAsTables();
        // Rolled back: not in the rows.
        assertThatThrownBy(() -> store.update(tx -> {
            tx.insertSandbox(sandbox(tx, "p3", List.of(endpoint("b", 0, "172.19.0.3", 5)), List.of(PortMapping.parse("83:80"))));
            throw new IllegalStateException("abandon");
        })).hasMessageContaining("abandon");
        assertSameAsTables();
        // Refused half-way (the sandbox row was inserted, its port was taken) and the transaction went on: the
        // rows must not guess what is stored.
        store.update(tx -> {
            try {
                tx.insertSandbox(sandbox(tx, "p4", List.of(endpoint("b", 0, "172.19.0.4", 6)), List.of(PortMapping.parse("81:80"))));
            } catch (ConflictException expected) {
                // committed anyway
            }
        });
        assertSameAsTables();
        store.update(tx -> tx.deleteSandbox("p1"));
        assertSameAsTables();
        store.close();
        store = StateStore.open(dir);
        assertSameAsTables();
    }

    /**
     * The kept per-network addresses (AddressRows) are what a fresh read of the endpoints gives after every kind of
     * commit; a rolled-back or partly refused write never shows in them, and a transaction sees its own changes.
     */
    @Test
    void keptAddressesFollowEveryCommit() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "172.18.0.0/16"));
            tx.insertNetwork(network(tx, "b", "172.19.0.0/16"));
        });
        assertSameAddresses(); // fills the kept rows, empty
        store.update(tx -> tx.insertSandbox(sandbox(tx, "s1", List.of(endpoint("a", 0, "172.18.0.2", 1)), List.of())));
        assertSameAddresses();
        store.update(tx -> tx.insertSandbox(sandbox(tx, "s2", List.of(endpoint("a", 0, "172.18.0.3", 2),
                endpoint("b", 1, "172.19.0.2", 3)), List.of(PortMapping.parse("80:80")))));
        assertSameAddresses();
        assertThat(kept("a")).containsOnlyKeys(Ipv4.parse("172.18.0.2"), Ipv4.parse("172.18.0.3"));
        store.update(tx -> tx.insertEndpoint("s1", endpoint("b", 1, "172.19.0.9", 4)));
        assertSameAddresses();
        store.update(tx -> tx.deleteEndpoint("s2", "a"));
        assertSameAddresses();
        // Inside a transaction, after its own change: that change is seen; rolled back, it is gone.
        assertThatThrownBy(() -> store.update(tx -> {
            tx.insertSandbox(sandbox(tx, "s3", List.of(endpoint("a", 0, "172.18.0.4", 5)), List.of()));
            java.util.Map<Ipv4, String> own = tx.addressesOn("a");
            assertThat(own).containsEntry(Ipv4.parse("172.18.0.4"), "s3");
            throw new IllegalStateException("abandon");
        })).hasMessageContaining("abandon");
        assertSameAddresses();
        // Refused half-way (the sandbox and its endpoint were inserted, its port was taken), committed anyway.
        store.update(tx -> {
            try {
                tx.insertSandbox(sandbox(tx, "s4", List.of(endpoint("b", 0, "172.19.0.4", 6)), List.of(PortMapping.parse("80:80"))));
            } catch (ConflictException expected) {
                // committed anyway
            }
        });
        assertSameAddresses();
        store.update(tx -> tx.deleteSandbox("s2"));
        assertSameAddresses();
        store.update(tx -> {
            tx.deleteSandbox("s1");
            tx.deleteSandbox("s4");
            tx.deleteNetwork("b");
        });
        assertThat(kept("a")).isEmpty();
        assertSameAddresses();
    }

    /**
     * The kept first free address follows allocations and releases in any order, down to a full range and back:
     * allocating from it gives what a scan from the start of the range gives.
     */
    @Test
    void keptFirstFreeAddressFollowsAllocationsAndReleases() {
        store.update(tx -> tx.insertNetwork(network(tx, "a", "10.9.0.0/29"))); // .2-.6 handed out (.1 the gateway)
        java.util.Random random = new java.util.Random(7);
        List<String> live = new java.util.ArrayList<>();
        for (int step = 0; step < 200; step++) {
            if (live.size() < 5 && (live.isEmpty() || random.nextInt(3) > 0)) {
                String name = "s" + step;
                int veth = step;
                Ipv4 got = store.write(tx -> {
                    Network n = tx.requireNetwork("a");
                    java.util.Map<Ipv4, String> held = tx.addressesOn("a");
                    Ipv4 hinted = io.nsnet.agent.ipam.AddressBook.of(n, held, tx.firstFreeAddress("a").orElse(null))
                            .allocate(name);
                    assertThat(hinted).isEqualTo(io.nsnet.agent.ipam.AddressBook.of(n, held).allocate(name));
                    tx.insertSandbox(sandbox(tx, name, List.of(endpoint("a", 0, hinted.toString(), veth)), List.of()));
                    return hinted;
                });
                assertThat(got.toString()).startsWith("10.9.0.");
                live.add(name);
            } else {
                String gone = live.remove(random.nextInt(live.size()));
                store.update(tx -> tx.deleteSandbox(gone));
            }
            assertSameAddresses();
        }
        // Full: nothing is kept as free, and allocating says so.
        while (live.size() < 5) {
            String name = "t" + live.size();
            int veth = 1000 + live.size();
            store.update(tx -> {
                Network n = tx.requireNetwork("a");
                Ipv4 ip = io.nsnet.agent.ipam.AddressBook.of(n, tx.addressesOn("a"),
                        tx.firstFreeAddress("a").orElse(null)).allocate(name);
                tx.insertSandbox(sandbox(tx, name, List.of(endpoint("a", 0, ip.toString(), veth)), List.of()));
            });
            live.add(name);
        }
        assertSameAddresses();
        assertThatThrownBy(() -> store.write(tx -> io.nsnet.agent.ipam.AddressBook.of(tx.requireNetwork("a"),
                tx.addressesOn("a"), tx.firstFreeAddress("a").orElse(null)).allocate("u")))
                .isInstanceOf(io.nsnet.agent.model.ExhaustedException.class);
        store.update(tx -> tx.deleteSandbox(live.get(2)));
        assertSameAddresses();
    }

    private void assertSameAddresses() {
        for (String n : List.of("a", "b")) {
            java.util.Map<Ipv4, String> read = store.read(tx -> tx.addressesOn(n));
            assertThat(kept(n)).as("kept addresses of " + n).isEqualTo(read);
            // The first free address kept beside them is the one a scan of the read addresses finds.
            java.util.Optional<Network> net = store.network(n);
            java.util.Optional<Ipv4> firstFree = store.write(tx -> {
                tx.addressesOn(n);
                return tx.firstFreeAddress(n);
            });
            if (net.isPresent()) {
                assertThat(firstFree).as("first free address of " + n).isEqualTo(
                        io.nsnet.agent.ipam.AddressBook.firstFree(net.get(), read, net.get().subnet().network()));
            } else {
                assertThat(firstFree).isEmpty();
            }
        }
    }

    /** What a write transaction that has changed nothing yet gets: the kept addresses (read once, then kept). */
    private java.util.Map<Ipv4, String> kept(String network) {
        return store.write(tx -> tx.addressesOn(network));
    }

    private void assertSameAsTables() {
        assertThat(store.sandboxesWithPorts()).isEqualTo(store.read(ReadTx::sandboxesWithPorts));
    }

    private static List<String> names(List<Network> networks) {
        return networks.stream().map(Network::name).toList();
    }

    private List<String> bySql() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.databaseFile()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM networks ORDER BY seq")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void survivesCloseAndReopen() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "172.18.0.0/16"));
            tx.setLastPoolIndex(1);
            tx.insertSandbox(sandbox(tx, "s1", List.of(endpoint("a", 0, "172.18.0.2", 1)), List.of(PortMapping.parse("80:80"))));
        });
        StateSnapshot before = store.snapshot();
        store.close();
        store = StateStore.open(dir);
        assertThat(store.snapshot()).isEqualTo(before);
        assertThat(store.snapshot().lastPoolIndex()).isEqualTo(1);
        // Sequence numbers continue after a restart; they are never reused.
        assertThat(store.write(Tx::nextSequence)).isEqualTo(3);
    }

    @Test
    void lastPoolIndexDefaultsToMinusOne() {
        assertThat(store.snapshot().lastPoolIndex()).isEqualTo(-1);
        assertThat(store.snapshot().networks()).isEmpty();
    }

    @Test
    void exceptionRollsBackTheWholeTransaction() {
        assertThatThrownBy(() -> store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "10.0.0.0/24"));
            tx.insertSandbox(sandbox(tx, "s1", List.of(endpoint("a", 0, "10.0.0.2", 1)), List.of()));
            tx.setLastPoolIndex(5);
            throw new IllegalStateException("kernel said no");
        })).isInstanceOf(IllegalStateException.class).hasMessage("kernel said no");
        assertThat(store.snapshot()).isEqualTo(new StateSnapshot(List.of(), List.of(), -1));
        // The sequence counter rolled back as well.
        assertThat(store.write(Tx::nextSequence)).isEqualTo(1);
    }

    @Test
    void conflictInTheMiddleRollsBackEarlierWrites() {
        store.update(tx -> tx.insertNetwork(network(tx, "a", "10.0.0.0/24")));
        assertThatThrownBy(() -> store.update(tx -> {
            tx.insertNetwork(network(tx, "b", "10.1.0.0/24"));
            tx.insertNetwork(network(tx, "c", "10.0.0.128/25"));
        })).isInstanceOf(ConflictException.class)
                .hasMessage("subnet \"10.0.0.128/25\": overlaps subnet 10.0.0.0/24 of network a");
        assertThat(store.networks()).extracting(Network::name).containsExactly("a");
    }

    /**
     * The writer's index of the networks (NetworkIndex) follows every commit and ignores rollbacks: a deleted
     * network's name and subnet are free again, a rolled-back insert never took them, and a conflict still names
     * the holder. Reads between the writes keep the row cache, and so the index, in use.
     */
    @Test
    void networkChecksFollowCommitsAndIgnoreRollbacks() throws Exception {
        store.update(tx -> tx.insertNetwork(network(tx, "a", "10.20.0.0/24")));
        store.update(tx -> tx.insertNetwork(network(tx, "b", "10.21.0.0/24")));
        store.networks();
        assertThatThrownBy(() -> store.update(tx -> {
            tx.insertNetwork(network(tx, "c", "10.22.0.0/24"));
            throw new IllegalStateException("abandon");
        })).hasMessageContaining("abandon");
        store.networks();
        store.update(tx -> tx.setNetworkState("a", ObjectState.DELETING));
        store.update(tx -> tx.deleteNetwork("a"));
        store.networks();
        Optional<Network> seenByReader = store.read(tx -> tx.networkOverlapping(Cidr.parse("10.20.0.0/15")));
        assertThat(seenByReader).map(Network::name).contains("b");
        store.update(tx -> {
            assertThat(tx.networkOverlapping(Cidr.parse("10.20.0.0/24"))).isEmpty();
            assertThat(tx.networkOverlapping(Cidr.parse("10.22.0.0/24"))).isEmpty();
            assertThat(tx.networkOverlapping(Cidr.parse("10.21.0.128/25"))).map(Network::name).contains("b");
        });
        store.update(tx -> tx.insertNetwork(network(tx, "a", "10.20.0.0/24")));
        store.update(tx -> tx.insertNetwork(network(tx, "c", "10.22.0.0/24")));
        store.networks();
        // Overlapping the new a and the older b: b is named, as a scan in creation order would.
        assertThatThrownBy(() -> store.update(tx -> tx.insertNetwork(network(tx, "d", "10.20.0.0/15"))))
                .isInstanceOf(ConflictException.class)
                .hasMessage("subnet \"10.20.0.0/15\": overlaps subnet 10.21.0.0/24 of network b");
        assertThat(names(store.networks())).containsExactly("b", "a", "c").isEqualTo(bySql());
    }

    @Test
    void networkConflictsNameTheHolder() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "10.0.0.0/24"));
        });
        Network a = store.network("a").orElseThrow();
        assertThatThrownBy(() -> store.update(tx -> tx.insertNetwork(network(tx, "a", "10.9.0.0/24"))))
                .isInstanceOf(ConflictException.class).hasMessage("network a already exists");
        Network sameBridge = new Network("b", Fixtures.id(99), a.bridge(), Cidr.parse("10.9.0.0/24"), Ipv4.parse("10.9.0.1"),
                Optional.empty(), false, true, true, 1500, 99, Fixtures.T0, false, ObjectState.READY);
        assertThatThrownBy(() -> store.update(tx -> tx.insertNetwork(sameBridge)))
                .isInstanceOf(ConflictException.class).hasMessage("bridge name \"" + a.bridge() + "\": already used by network a");
        Network def1 = new Network("d1", Fixtures.id(100), "d1", Cidr.parse("10.10.0.0/24"), Ipv4.parse("10.10.0.1"),
                Optional.empty(), false, true, true, 1500, 100, Fixtures.T0, true, ObjectState.READY);
        Network def2 = new Network("d2", Fixtures.id(101), "d2", Cidr.parse("10.11.0.0/24"), Ipv4.parse("10.11.0.1"),
                Optional.empty(), false, true, true, 1500, 101, Fixtures.T0, true, ObjectState.READY);
        store.update(tx -> tx.insertNetwork(def1));
        assertThatThrownBy(() -> store.update(tx -> tx.insertNetwork(def2)))
                .isInstanceOf(ConflictException.class).hasMessage("network d1 is already the default network");
    }

    @Test
    void sandboxConflictsNameTheHolder() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "10.0.0.0/24"));
            tx.insertSandbox(sandbox(tx, "web", List.of(endpoint("a", 0, "10.0.0.2", 1)), List.of(PortMapping.parse("8080:80"))));
        });
        assertThatThrownBy(() -> store.update(tx -> tx.insertSandbox(sandbox(tx, "web", List.of(), List.of()))))
                .isInstanceOf(ConflictException.class).hasMessage("sandbox web already exists");
        assertThatThrownBy(() -> store.update(tx -> tx.insertSandbox(sandbox(tx, "db", List.of(endpoint("a", 0, "10.0.0.2", 2)), List.of()))))
                .isInstanceOf(ConflictException.class).hasMessage("ip \"10.0.0.2\": already in use by sandbox web on network a");
        assertThatThrownBy(() -> store.update(tx -> tx.insertSandbox(sandbox(tx, "db", List.of(endpoint("a", 0, "10.0.0.3", 1)), List.of()))))
                .isInstanceOf(ConflictException.class).hasMessage("veth name veth0000001 already used by sandbox web");
        assertThatThrownBy(() -> store.update(tx -> tx.insertSandbox(sandbox(tx, "db", List.of(),
                List.of(PortMapping.parse("127.0.0.1:8080:81"))))))
                .isInstanceOf(ConflictException.class)
                .hasMessage("port 127.0.0.1:8080:81/tcp: host port 8080/tcp is already published by sandbox web (8080:80/tcp)");
        assertThatThrownBy(() -> store.update(tx -> tx.insertSandbox(sandbox(tx, "db", List.of(endpoint("zz", 0, "10.0.0.3", 2)), List.of()))))
                .isInstanceOf(NotFoundException.class).hasMessage("network zz not found");
        // Same host port on another protocol is fine.
        store.update(tx -> tx.insertSandbox(sandbox(tx, "dns", List.of(), List.of(PortMapping.parse("8080:53/udp")))));
        assertThat(store.sandboxes()).extracting(Sandbox::name).containsExactly("web", "dns");
    }

    @Test
    void portHolderFindsOnlyConflictingPublishedPorts() {
        store.update(tx -> {
            tx.insertSandbox(sandbox(tx, "lo", List.of(), List.of(PortMapping.parse("127.0.0.1:8080:80"))));
            tx.insertSandbox(sandbox(tx, "dns", List.of(), List.of(PortMapping.parse("9090:53/udp"))));
        });
        store.read(tx -> {
            // Another host IP on the same port is free; the wildcard overlaps every host IP.
            assertThat(tx.portHolder(PortMapping.parse("127.0.0.2:8080:80"))).isEmpty();
            assertThat(tx.portHolder(PortMapping.parse("8080:81"))).map(ReadTx.PortHolder::sandbox).hasValue("lo");
            assertThat(tx.portHolder(PortMapping.parse("9090:53/tcp"))).isEmpty();
            assertThat(tx.portHolder(PortMapping.parse("9090:54/udp"))).map(h -> h.mapping().toSpec())
                    .hasValue("9090:53/udp");
            return null;
        });
    }

    @Test
    void networkDeleteIsRefusedWhileSandboxesAreAttached() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "10.0.0.0/24"));
            tx.insertSandbox(sandbox(tx, "s1", List.of(endpoint("a", 0, "10.0.0.2", 1)), List.of()));
            tx.insertSandbox(sandbox(tx, "s2", List.of(endpoint("a", 0, "10.0.0.3", 2)), List.of()));
        });
        assertThatThrownBy(() -> store.update(tx -> tx.deleteNetwork("a")))
                .isInstanceOf(ConflictException.class).hasMessage("network a has sandboxes attached: s1, s2");
        store.update(tx -> {
            tx.deleteSandbox("s1");
            tx.deleteEndpoint("s2", "a");
            tx.deleteNetwork("a");
        });
        assertThat(store.networks()).isEmpty();
        assertThat(store.sandbox("s2").orElseThrow().endpoints()).isEmpty();
        assertThatThrownBy(() -> store.update(tx -> tx.deleteNetwork("a")))
                .isInstanceOf(NotFoundException.class).hasMessage("network a not found");
        assertThatThrownBy(() -> store.update(tx -> tx.deleteSandbox("s1")))
                .isInstanceOf(NotFoundException.class).hasMessage("sandbox s1 not found");
        assertThatThrownBy(() -> store.read(tx -> tx.requireSandbox("s1")))
                .isInstanceOf(NotFoundException.class).hasMessage("sandbox s1 not found");
    }

    @Test
    void intentStatesMoveThroughTheLifecycle() {
        store.update(tx -> {
            tx.insertNetwork(network(tx, "a", "10.0.0.0/24").withState(ObjectState.CREATING));
            tx.insertNetwork(network(tx, "b", "10.0.1.0/24"));
            tx.insertSandbox(sandbox(tx, "s1", List.of(endpoint("b", 0, "10.0.1.2", 1)), List.of()));
        });
        assertThat(store.snapshot().pendingNetworks()).extracting(Network::name).containsExactly("a");
        assertThat(store.snapshot().pendingSandboxes()).isEmpty();

        // connect s1 to a: endpoint first recorded as creating
        store.update(tx -> tx.insertEndpoint("s1", endpoint("a", 1, "10.0.0.2", 2).withState(ObjectState.CREATING)));
        assertThat(store.snapshot().pendingSandboxes()).extracting(Sandbox::name).containsExactly("s1");
        store.update(tx -> {
            tx.setNetworkState("a", ObjectState.READY);
            tx.setEndpointState("s1", "a", ObjectState.READY);
        });
        assertThat(store.snapshot().pendingNetworks()).isEmpty();
        assertThat(store.snapshot().pendingSandboxes()).isEmpty();
        store.update(tx -> tx.setSandboxState("s1", ObjectState.DELETING));
        assertThat(store.sandbox("s1").orElseThrow().state()).isEqualTo(ObjectState.DELETING);
        assertThat(store.<List<String>>read(tx -> tx.sandboxesOn("a"))).containsExactly("s1");

        assertThatThrownBy(() -> store.update(tx -> tx.insertEndpoint("s1", endpoint("a", 2, "10.0.0.3", 3))))
                .isInstanceOf(ConflictException.class).hasMessage("sandbox s1 is already connected to network a");
        assertThatThrownBy(() -> store.update(tx -> tx.setEndpointState("s1", "zz", ObjectState.READY)))
                .isInstanceOf(NotFoundException.class).hasMessage("sandbox s1 is not connected to network zz");
        assertThatThrownBy(() -> store.update(tx -> tx.setNetworkState("zz", ObjectState.READY)))
                .isInstanceOf(NotFoundException.class).hasMessage("network zz not found");
    }

    @Test
    void readTransactionsCannotWrite() {
        assertThatThrownBy(() -> store.read(tx -> {
            ((Tx) tx).putMeta("k", "v");
            return null;
        })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() {
        assertThatThrownBy(() -> StateStore.open(dir))
                .isInstanceOf(StoreException.class).hasMessageContaining("already open");
    }

    @Test
    void closedStoreRefusesUse() {
        store.close();
        store.close();
        assertThatThrownBy(store::networks).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("nsnet.db"));
             Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> StateStore.open(dir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("has schema version 99, newer than this nsnetd supports (1)");
        store = StateStore.open(tmp.resolve("other"));
    }
}
