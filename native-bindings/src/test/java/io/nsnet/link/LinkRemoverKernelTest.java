package io.nsnet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.nsnet.libc.Errno;
import io.nsnet.netlink.NetlinkException;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

@Tag("kernel")
class LinkRemoverKernelTest {
    private ThrowawayNetns namespaces;
    private NetNs host;
    private NetNs sandbox;
    private Rtnl rtnl;
    private LinkRemover remover;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        host = namespaces.create("lrm");
        sandbox = namespaces.create("lrm-sb");
        rtnl = Rtnl.open(host);
        remover = new LinkRemover(host, 2);
        rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
    }

    @AfterEach
    void tearDown() {
        remover.close();
        rtnl.close();
        namespaces.close();
    }

    private int bridge() {
        return rtnl.links().get("nstbr0").index();
    }

    @Test
    void aVethIsGoneWithItsPeerAndBridgePortWhenDeleteReturns() {
        rtnl.links().add(LinkSpec.Veth.pair("nstv0", "eth0", sandbox).withMaster(bridge()).withUp(true));
        assertThat(Observer.ipJson(host.name(), "link", "show", "master", "nstbr0")).hasSize(1);

        remover.delete("nstv0");

        assertThat(rtnl.links().find("nstv0")).isEmpty(); // in-process, at once
        // Observed right after the return, by iproute2: no host end, no bridge port, no peer.
        assertThat(Observer.linkNames(host.name())).doesNotContain("nstv0");
        assertThat(Observer.ipJson(host.name(), "link", "show", "master", "nstbr0")).isEmpty();
        assertThat(Observer.linkNames(sandbox.name())).doesNotContain("eth0");
        // The name is free at once, though the kernel may still be in its RCU wait for the old link.
        rtnl.links().add(LinkSpec.Veth.pair("nstv0", "eth0", sandbox).withMaster(bridge()));
        assertThat(Observer.linkNames(host.name())).contains("nstv0");
    }

    @Test
    void aMissingLinkIsATypedNotFoundNamingIt() {
        assertThatThrownBy(() -> remover.delete("nst-missing"))
                .isInstanceOf(NetlinkException.NotFoundException.class)
                .hasMessageContaining("delete link nst-missing")
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.ENODEV));
    }

    @Test
    void aNotificationOfAnotherLinkDoesNotEndTheWait() {
        rtnl.links().add(LinkSpec.Veth.pair("nstv1", "eth1", sandbox).withMaster(bridge()).withUp(true));
        rtnl.links().add(LinkSpec.Veth.pair("nstv2", "eth2", sandbox).withMaster(bridge()).withUp(true));
        remover.delete("nstv1");
        assertThat(Observer.linkNames(host.name())).doesNotContain("nstv1").contains("nstv2");
        remover.delete("nstv2");
        assertThat(Observer.linkNames(host.name())).doesNotContain("nstv2");
        // Deleting a name again after its notification was seen is NotFound, not a stale "done".
        assertThatThrownBy(() -> remover.delete("nstv2")).isInstanceOf(NetlinkException.NotFoundException.class);
    }

    @Test
    void concurrentRemovalsAllFinishAndAreAllGone() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            names.add("nstc" + i);
            rtnl.links().add(LinkSpec.Veth.pair("nstc" + i, "c" + i, sandbox).withMaster(bridge()).withUp(true));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String n : names) {
                done.add(pool.submit(() -> remover.delete(n)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Observer.linkNames(host.name())).doesNotContainAnyElementsOf(names);
        assertThat(Observer.linkNames(sandbox.name())).containsExactly("lo");
    }

    @Test
    void aBridgeIsGoneWhenDeleteReturns() {
        remover.delete("nstbr0");
        assertThat(Observer.linkNames(host.name())).doesNotContain("nstbr0");
    }
}
