package io.nsnet.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.ipam.AddressBook;
import io.nsnet.agent.ipam.SubnetAllocation;
import io.nsnet.agent.ipam.SubnetAllocator;
import io.nsnet.agent.ipam.SubnetRequest;
import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Names;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.Sandbox;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way the daemon is meant to combine IPAM and the store: allocate inside the write transaction from the
 * transaction's own view of the state, record the pool index, insert as {@code creating}, later flip to
 * {@code ready}. Subnet allocation resumes after the last pool even across a restart.
 */
class IpamWithStoreTest {

    @TempDir
    Path dir;

    private final SubnetAllocator ipam = new SubnetAllocator();
    private final Names names = new Names(new SplittableRandom(7));
    private final List<Cidr> hostRoutes = List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("192.0.2.0/24"));

    private Network createNetwork(StateStore store, String name, boolean isDefault) {
        Network n = store.write(tx -> {
            SubnetAllocation a = ipam.allocate(SubnetRequest.any(name), tx.networks(), hostRoutes, tx.lastPoolIndex());
            a.poolIndex().ifPresent(tx::setLastPoolIndex);
            String id = names.newId();
            Network created = new Network(name, id, isDefault ? "nsnet0" : Names.bridgeNameFor(id), a.subnet(), a.gateway(),
                    a.ipRange(), false, true, true, Network.DEFAULT_MTU, tx.nextSequence(), Instant.now(), isDefault,
                    ObjectState.CREATING);
            tx.insertNetwork(created);
            return created;
        });
        // ... kernel work (bridge, address, rules) would happen here ...
        store.update(tx -> tx.setNetworkState(name, ObjectState.READY));
        return n.withState(ObjectState.READY);
    }

    private Sandbox createSandbox(StateStore store, String name, String network) {
        return store.write(tx -> {
            Network net = tx.requireNetwork(network);
            Ipv4 ip = AddressBook.of(net, tx.sandboxes()).allocate(name);
            Sandbox s = new Sandbox(name, names.newId(), Names.netnsNameFor("nsnet-", name),
                    List.of(Endpoint.create(network, "eth0", names.newVethName(), ip)), List.of(), tx.nextSequence(),
                    Instant.now(), ObjectState.CREATING);
            tx.insertSandbox(s);
            return s;
        });
    }

    @Test
    void allocationsResumeAfterTheLastPoolAcrossRestarts() {
        try (StateStore store = StateStore.open(dir)) {
            assertThat(createNetwork(store, "nsnet0", true).subnet()).hasToString("172.17.0.0/16");
            assertThat(createNetwork(store, "a", false).subnet()).hasToString("172.18.0.0/16");
            assertThat(createNetwork(store, "b", false).subnet()).hasToString("172.19.0.0/16");
            store.update(tx -> tx.deleteNetwork("a"));
        }
        try (StateStore store = StateStore.open(dir)) {
            Network c = createNetwork(store, "c", false);
            assertThat(c.subnet()).hasToString("172.20.0.0/16");
            assertThat(c.bridge()).matches("nsn-[0-9a-f]{11}");
            assertThat(store.snapshot().pendingNetworks()).isEmpty();
        }
    }

    @Test
    void addressesComeFromTheStoredEndpoints() {
        try (StateStore store = StateStore.open(dir)) {
            createNetwork(store, "nsnet0", true);
            assertThat(createSandbox(store, "s1", "nsnet0").endpoints().get(0).ip()).hasToString("172.17.0.2");
            Sandbox s2 = createSandbox(store, "s2", "nsnet0");
            assertThat(s2.endpoints().get(0).ip()).hasToString("172.17.0.3");
            assertThat(s2.endpoints().get(0).mac()).hasToString("02:42:ac:11:00:03");
            store.update(tx -> tx.deleteSandbox("s1"));
            assertThat(createSandbox(store, "s3", "nsnet0").endpoints().get(0).ip()).hasToString("172.17.0.2");
            assertThat(store.snapshot().pendingSandboxes()).extracting(Sandbox::name).containsExactly("s2", "s3");
        }
    }
}
