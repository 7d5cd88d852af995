package io.nsnet.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.nsnet.link.LinkSpec;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

@Tag("kernel")
class SysctlsKernelTest {
    private ThrowawayNetns namespaces;
    private NetNs ns;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        ns = namespaces.create("sysctl");
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private String observed(String path) {
        return Observer.run("ip", "netns", "exec", ns.name(), "cat", path).trim();
    }

    @Test
    void turnsIpv6OffOnOneLinkOnly() {
        Sysctls s = new Sysctls(ns);
        try (Rtnl rtnl = Rtnl.open(ns)) {
            rtnl.links().add(LinkSpec.Bridge.named("nstv6off"));
            rtnl.links().add(LinkSpec.Bridge.named("nstv6on"));
            assertThat(s.disableIpv6("nstv6off")).isTrue();
            rtnl.links().setUp(rtnl.links().get("nstv6off").index());
            rtnl.links().setUp(rtnl.links().get("nstv6on").index());
        }
        assertThat(observed("/proc/sys/net/ipv6/conf/nstv6off/disable_ipv6")).isEqualTo("1");
        assertThat(observed("/proc/sys/net/ipv6/conf/nstv6on/disable_ipv6")).isEqualTo("0");
        assertThat(observed("/proc/sys/net/ipv6/conf/default/disable_ipv6")).isEqualTo("0");
        assertThat(Observer.run("ip", "-n", ns.name(), "-6", "route", "show", "table", "all", "dev", "nstv6off")).isBlank();
        assertThatThrownBy(() -> s.disableIpv6("nst-nope")).isInstanceOf(Sysctls.SysctlException.class)
                .hasMessageContaining("nst-nope").hasMessageContaining("no such link");
    }

    @Test
    void readsAndWritesPerNamespaceSysctls() {
        Sysctls s = new Sysctls(ns);
        assertThat(s.get("net.ipv4.ip_forward")).isEqualTo("0");
        s.set("net.ipv4.ip_forward", "1");
        assertThat(observed("/proc/sys/net/ipv4/ip_forward")).isEqualTo("1");
        assertThat(s.ensure("net.ipv4.ip_forward", "1")).isEqualTo("1");

        s.set("net.bridge.bridge-nf-call-iptables", "1");
        assertThat(observed("/proc/sys/net/bridge/bridge-nf-call-iptables")).isEqualTo("1");

        try (Rtnl rtnl = Rtnl.open(ns)) {
            rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
        }
        String key = Sysctls.interfaceKey("ipv4", "nstbr0", "route_localnet");
        assertThat(s.get(key)).isEqualTo("0");
        s.set(key, "1");
        assertThat(observed("/proc/sys/net/ipv4/conf/nstbr0/route_localnet")).isEqualTo("1");

        assertThatThrownBy(() -> s.get(Sysctls.interfaceKey("ipv4", "nst-nope", "route_localnet")))
                .isInstanceOf(Sysctls.SysctlException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> s.get("kernel.hostname")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.set(Sysctls.interfaceKey("ipv4", "nst-nope", "route_localnet"), "1"))
                .isInstanceOf(Sysctls.SysctlException.class).hasMessageContaining("does not exist in");
        // A value the kernel refuses names the key, the value and the namespace.
        assertThatThrownBy(() -> s.set("net.ipv4.ip_forward", "maybe"))
                .isInstanceOf(Sysctls.SysctlException.class)
                .hasMessageContaining("net.ipv4.ip_forward=maybe").hasMessageContaining("(in " + ns + ")");
    }

    /** From a thread inside the namespace, without a handle: set, and false for a key the kernel does not have. */
    @Test
    void setsOnTheCallingThreadsNamespace() {
        assertThat(ns.call(() -> Sysctls.setOnThisThread("net.ipv6.conf.all.disable_ipv6", "1"))).isTrue();
        assertThat(observed("/proc/sys/net/ipv6/conf/all/disable_ipv6")).isEqualTo("1");
        assertThat(ns.call(() -> Sysctls.setOnThisThread(Sysctls.interfaceKey("ipv4", "nst-nope", "forwarding"), "1")))
                .isFalse();
    }
}
