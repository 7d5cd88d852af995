package io.nsnet.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Fixtures;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The index answers exactly what a scan of the rows in creation order answers, through any sequence of changes. */
class NetworkIndexTest {

    private static Optional<Network> scanOverlap(List<Network> rows, Cidr c) {
        return rows.stream().filter(n -> n.subnet().overlaps(c)).findFirst();
    }

    /** The network the store's former loop stopped at: the first in creation order that conflicts in any way. */
    private static Optional<Network> scanConflict(List<Network> rows, Network n) {
        return rows.stream().filter(o -> o.name().equals(n.name()) || o.bridge().equals(n.bridge())
                || o.subnet().overlaps(n.subnet()) || o.id().equals(n.id()) || (o.isDefault() && n.isDefault()))
                .findFirst();
    }

    private static Cidr randomSubnet(Random r) {
        int prefix = 16 + r.nextInt(13); // /16 … /28, all inside 10.0.0.0/14, so that many overlap
        int bits = (10 << 24) | (r.nextInt(4) << 16) | (r.nextInt(256) << 8) | r.nextInt(256);
        return Cidr.parse(new Ipv4(bits & (-1 << (32 - prefix))) + "/" + prefix);
    }

    @Test
    void answersAsAScanInCreationOrderThroughInsertsStateChangesAndDeletes() {
        Random r = new Random(7);
        List<Network> rows = new ArrayList<>();
        NetworkIndex index = NetworkIndex.build("v0", rows);
        long seq = 0;
        for (int step = 0; step < 3000; step++) {
            int op = r.nextInt(10);
            if (op < 6 || rows.isEmpty()) {
                Cidr c = randomSubnet(r);
                seq++;
                Network n = new Network("n" + r.nextInt(400), Fixtures.id((int) seq), "br" + r.nextInt(400), c,
                        c.network().plus(1), Optional.empty(), false, true, true, 1500, seq, Fixtures.T0,
                        r.nextInt(50) == 0, ObjectState.READY);
                Optional<Network> expected = scanConflict(rows, n);
                assertThat(index.firstConflict(n)).as("conflict of %s", n).isEqualTo(expected);
                if (expected.isEmpty()) { // what the store does: insert only what conflicts with nothing
                    rows.add(n);
                    assertThat(index.add(n)).isTrue();
                }
            } else if (op < 8) {
                Network n = rows.get(r.nextInt(rows.size()));
                ObjectState s = r.nextBoolean() ? ObjectState.DELETING : ObjectState.READY;
                rows.replaceAll(o -> o.name().equals(n.name()) ? o.withState(s) : o);
                index.setState(n.name(), s);
            } else {
                Network n = rows.remove(r.nextInt(rows.size()));
                index.remove(n.name());
            }
            assertThat(index.broken()).isFalse();
            for (int q = 0; q < 5; q++) {
                Cidr c = randomSubnet(r);
                assertThat(index.overlapping(c)).as("overlap of %s", c).isEqualTo(scanOverlap(rows, c));
            }
        }
        assertThat(rows.size()).isGreaterThan(20);
        // Built from the rows as they are, it agrees too.
        NetworkIndex rebuilt = NetworkIndex.build("v1", rows);
        for (int q = 0; q < 500; q++) {
            Cidr c = randomSubnet(r);
            assertThat(rebuilt.overlapping(c)).isEqualTo(scanOverlap(rows, c));
        }
    }

    @Test
    void ofSeveralOverlappingNetworksTheOldestIsNamed() {
        Network young = Fixtures.network("young", "10.5.0.0/24", 2);
        Network old = Fixtures.network("old", "10.5.1.0/24", 1);
        NetworkIndex index = NetworkIndex.build("v", List.of(old, young));
        assertThat(index.overlapping(Cidr.parse("10.5.0.0/16"))).contains(old);
        assertThat(index.overlapping(Cidr.parse("10.5.0.128/25"))).contains(young);
        assertThat(index.overlapping(Cidr.parse("10.5.2.0/24"))).isEmpty();
    }

    @Test
    void rowsWhoseSubnetsOverlapGetNoIndex() {
        List<Network> rows = List.of(Fixtures.network("a", "10.6.0.0/16", 1), Fixtures.network("b", "10.6.1.0/24", 2));
        assertThat(NetworkIndex.build("v", rows)).isNull();
    }
}
