package io.nsnet.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.nsnet.link.LinkSpec;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

@Tag("kernel")
class NetNsKernelTest {
    private ThrowawayNetns namespaces;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private static NsId threadNs() {
        return NsId.of(Path.of("/proc/thread-self/ns/net"));
    }

    @Test
    void createsANamespaceThatIproute2CanUse() {
        String name = "nst-create-" + ProcessHandle.current().pid();
        namespaces.adopt(name);
        try (NetNs ns = NetNs.create(name)) {
            assertThat(Observer.netnsList()).contains(name);
            assertThat(NetNs.list()).contains(name);
            // ip netns exec works and runs inside it: a link made by nsnet is visible there.
            try (Rtnl rtnl = Rtnl.open(ns)) {
                rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
            }
            assertThat(Observer.run("ip", "netns", "exec", name, "ip", "-o", "link", "show")).contains("nstbr0");
            assertThat(ns.id()).isNotEqualTo(NetNs.defaultExecutor().home());

            assertThatThrownBy(() -> NetNs.create(name)).isInstanceOf(NamespaceException.class)
                    .hasMessageContaining("already exists");
        }
        assertThat(NetNs.delete(name)).isTrue();
        assertThat(Observer.netnsList()).doesNotContain(name);
        assertThat(NetNs.exists(name)).isFalse();
        assertThat(NetNs.delete(name)).isFalse();
    }

    /** An unnamed namespace with a bridge made inside it before it has any name. */
    private static NetNs.Created<Rtnl> unnamedWithBridge(String bridge) throws Exception {
        return NetNs.createUnnamed(NetNs.defaultExecutor(), () -> {
            Rtnl r = Rtnl.open();
            r.links().add(LinkSpec.Bridge.named(bridge));
            return r;
        }).get();
    }

    @Test
    void anUnnamedNamespaceIsMadeAheadAndNamedLater() throws Exception {
        String name = "nst-unnamed-" + ProcessHandle.current().pid();
        namespaces.adopt(name);
        NetNs.Created<Rtnl> made = unnamedWithBridge("nstbr0");
        try (NetNs unnamed = made.ns(); Rtnl inside = made.value()) {
            assertThat(unnamed.name()).isNull();
            assertThat(unnamed.id()).isNotEqualTo(NetNs.defaultExecutor().home());
            assertThat(Observer.netnsList()).doesNotContain(name);
            try (NetNs named = unnamed.bindName(name)) {
                assertThat(named.sameAs(unnamed)).isTrue();
                assertThat(named.name()).isEqualTo(name);
                // What was made inside before it had a name is there under the name, for iproute2 too.
                assertThat(Observer.run("ip", "netns", "exec", name, "ip", "-o", "link", "show")).contains("nstbr0");
                assertThatThrownBy(() -> unnamed.bindName(name)).isInstanceOf(NamespaceException.class)
                        .hasMessageContaining("already exists");
            }
        }
        assertThat(NetNs.delete(name)).isTrue();
        assertThat(Observer.netnsList()).doesNotContain(name);
    }

    /** giveName names the namespace in place: the handle keeps working, and the name is taken once only. */
    @Test
    void anUnnamedNamespaceCanBeNamedInPlace() throws Exception {
        String name = "nst-inplace-" + ProcessHandle.current().pid();
        namespaces.adopt(name);
        NetNs.Created<Rtnl> made = unnamedWithBridge("nstbr1");
        try (NetNs unnamed = made.ns(); Rtnl inside = made.value()) {
            unnamed.giveName(name);
            assertThat(Observer.run("ip", "netns", "exec", name, "ip", "-o", "link", "show")).contains("nstbr1");
            try (NetNs byName = NetNs.open(name)) {
                assertThat(byName.sameAs(unnamed)).isTrue();
            }
            assertThatThrownBy(() -> unnamed.giveName(name)).isInstanceOf(NamespaceException.class)
                    .hasMessageContaining("already exists");
            assertThat(inside.links().get("nstbr1").index()).isPositive(); // the handle still works
        }
        assertThat(NetNs.delete(name)).isTrue();
        assertThat(Observer.netnsList()).doesNotContain(name);
    }

    /** This process's descriptors on unnamed inodes in /run/netns (shown as "/run/netns/#INODE (deleted)"). */
    private static long unnamedInodesHeld() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (Exception gone) {
                    return "";
                }
            }).filter(target -> target.startsWith(NetNs.RUN_DIR + "/#")).count();
        }
    }

    @Test
    void theFileForTheNameIsMadeAheadAndLinkedAtNamingOrFreedUnused() throws Exception {
        String name = "nst-ahead-" + ProcessHandle.current().pid();
        String taken = "nst-taken-" + ProcessHandle.current().pid();
        namespaces.adopt(name);
        long before = unnamedInodesHeld();
        NetNs.Created<Object> first = NetNs.createUnnamed(NetNs.defaultExecutor(), () -> null).get();
        NetNs.Created<Object> second = NetNs.createUnnamed(NetNs.defaultExecutor(), () -> null).get();
        try (NetNs unnamed = first.ns(); NetNs unused = second.ns()) {
            // Each namespace made ahead holds the inode its name will take, invisible to ip netns list.
            assertThat(unnamedInodesHeld()).isEqualTo(before + 2);
            try (NetNs named = unnamed.bindName(name)) {
                assertThat(unnamedInodesHeld()).isEqualTo(before + 1);
                assertThat(named.sameAs(unnamed)).isTrue();
                assertThat(Observer.netnsList()).contains(name);
                assertThat(NetNs.open(name).sameAs(unnamed)).isTrue();
            }
            // A name already taken is refused as an exclusive create would be, and nothing is left half made.
            namespaces.adopt(taken);
            NetNs.create(taken).close();
            assertThatThrownBy(() -> unused.bindName(taken)).isInstanceOf(NamespaceException.class)
                    .hasMessageContaining("\"" + taken + "\" already exists");
            assertThat(NetNs.open(taken).sameAs(unused)).isFalse();
        }
        // Closing a namespace that was never named frees its inode: no file is left in /run/netns.
        assertThat(unnamedInodesHeld()).isEqualTo(before);
        assertThat(NetNs.delete(name)).isTrue();
        assertThat(NetNs.delete(taken)).isTrue();
        assertThat(Observer.netnsList()).doesNotContain(name, taken);
    }

    @Test
    void opensByNamePathAndPidAndComparesByDeviceAndInode() throws Exception {
        NetNs ns = namespaces.create("open");
        Process sleeper = new ProcessBuilder("ip", "netns", "exec", ns.name(), "sleep", "30").start();
        try {
            // wait until the child has entered the namespace (ip netns exec execs sleep after setns)
            long deadline = System.nanoTime() + 5_000_000_000L;
            NsId pidNs;
            do {
                Thread.sleep(20);
                pidNs = NsId.of(Path.of("/proc/" + sleeper.pid() + "/ns/net"));
            } while (!pidNs.equals(ns.id()) && System.nanoTime() < deadline);
            try (NetNs byName = NetNs.open(ns.name());
                 NetNs byPath = NetNs.openPath(Path.of("/run/netns/" + ns.name()));
                 NetNs byPid = NetNs.openPid(sleeper.pid());
                 NetNs home = NetNs.home()) {
                assertThat(byName.sameAs(ns)).isTrue();
                assertThat(byPath.sameAs(ns)).isTrue();
                assertThat(byPid.sameAs(ns)).isTrue();
                assertThat(home.sameAs(ns)).isFalse();
            }
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
        assertThatThrownBy(() -> NetNs.open("nst-does-not-exist")).isInstanceOf(NamespaceException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void tasksRunInsideAndWorkersReturnHome() {
        NetNs a = namespaces.create("ta");
        NetNs b = namespaces.create("tb");
        NsId home = NetNs.defaultExecutor().home();
        assertThat(a.call(NetNsKernelTest::threadNs)).isEqualTo(a.id());
        // A nested call from inside a task lands in the other namespace, not in the caller's.
        assertThat(a.call(() -> b.call(NetNsKernelTest::threadNs))).isEqualTo(b.id());
        // After the tasks every worker is back home.
        for (int i = 0; i < 8; i++) {
            assertThat(NetNs.defaultExecutor().callAtHome(NetNsKernelTest::threadNs)).isEqualTo(home);
        }
        // This thread never moved.
        assertThat(threadNs()).isEqualTo(home);
    }

    @Test
    void aThreadAlreadyInsideRunsTheTaskItself() throws Exception {
        NetNs a = namespaces.create("own");
        try (NetNs home = NetNs.home()) {
            Thread me = Thread.currentThread();
            assertThat(home.call(Thread::currentThread)).isSameAs(me);
            // A worker inside a runs a's tasks itself, and still hands home's to another worker.
            assertThat(a.call(() -> a.call(Thread::currentThread) == Thread.currentThread())).isTrue();
            assertThat(a.call(() -> home.call(Thread::currentThread) != Thread.currentThread())).isTrue();
            assertThat(a.call(() -> home.call(NetNsKernelTest::threadNs))).isEqualTo(home.id());
            // Exceptions come out as they do from a worker.
            assertThatThrownBy(() -> home.call(() -> {
                throw new java.io.IOException("boom");
            })).isInstanceOf(NamespaceException.class).hasMessageContaining("failed: boom");
            assertThatThrownBy(() -> home.call(() -> {
                throw new IllegalArgumentException("plain");
            })).isExactlyInstanceOf(IllegalArgumentException.class);
            // A task that moves the caller's thread elsewhere is moved back.
            home.run(() -> io.nsnet.libc.Native.libc().setns(a.fd(), io.nsnet.libc.Native.CLONE_NEWNET));
            assertThat(threadNs()).isEqualTo(home.id());
        }
    }

    @Test
    void aThreadStartedInsideANamespaceInheritsIt() throws Exception {
        // The pitfall the executor guards against: threads inherit their creator's namespace.
        NetNs a = namespaces.create("inh");
        AtomicReference<NsId> seen = new AtomicReference<>();
        a.run(() -> {
            Thread t = new Thread(() -> seen.set(threadNs()));
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(seen.get()).isEqualTo(a.id());
    }

    @Test
    void exceptionsOfTheTaskReachTheCaller() {
        NetNs a = namespaces.create("exc");
        assertThatThrownBy(() -> a.call(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(a.call(NetNsKernelTest::threadNs)).isEqualTo(a.id());
    }
}
