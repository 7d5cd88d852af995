package io.nsnet.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.nsnet.agent.firewall.BackendChoice;
import io.nsnet.netns.NetNs;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

/**
 * The start-up warm-up against the real kernel: it runs its rounds on a scratch namespace and leaves nothing
 * behind, not in the host namespace, not in /run/netns, not in the state directory; and its log lines are marked
 * so that the daemon's logback configuration drops them.
 */
@Tag("kernel")
class WarmupKernelTest {
    @TempDir
    Path stateDir;

    private ThrowawayNetns namespaces;
    private NetNs host;
    private String prefix;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        host = namespaces.create("warm");
        prefix = "nst-" + Integer.toHexString((int) (System.nanoTime() & 0xfffff)) + "-";
    }

    @AfterEach
    void tearDown() {
        List<String> left = NetNs.list().stream().filter(n -> n.startsWith(prefix)).toList();
        left.forEach(NetNs::delete);
        namespaces.close();
        assertThat(left).as("namespaces left by the warm-up").isEmpty();
    }

    private DaemonConfig config(String sandboxPrefix) {
        return new DaemonConfig(host.name(), stateDir.resolve("sock"), stateDir, "NSNET", "nstbr0", null, sandboxPrefix,
                true, BackendChoice.NFTABLES);
    }

    /** The host's links, without the veth kept made ahead in the spare namespace (it changes with every create). */
    private List<String> hostLinks() {
        return Observer.linkNamesExcept(host.name(), io.nsnet.agent.sandbox.SandboxDriver.SPARE_ALIAS);
    }

    @Test
    void runsRoundsOnAScratchNamespaceAndLeavesNothing() {
        String rulesBefore = Observer.run("ip", "netns", "exec", host.name(), "iptables-nft-save");
        List<String> linksBefore = hostLinks();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        events.start();
        root.addAppender(events);
        int rounds;
        try {
            rounds = new Warmup(config(prefix), BackendChoice.NFTABLES).run();
        } finally {
            root.detachAppender(events);
        }

        assertThat(rounds).isPositive();
        assertThat(NetNs.list()).noneMatch(n -> n.startsWith(prefix));
        assertThat(stateDir.resolve("warmup")).doesNotExist();
        assertThat(hostLinks()).isEqualTo(linksBefore);
        assertThat(Observer.run("ip", "netns", "exec", host.name(), "iptables-nft-save")).isEqualTo(rulesBefore);
        // The scratch daemon did log (its networks and sandboxes), every line marked; only the summary is not.
        List<ILoggingEvent> unmarked = events.list.stream()
                .filter(e -> !"1".equals(e.getMDCPropertyMap().get(Warmup.MDC_KEY))).toList();
        assertThat(events.list.size()).isGreaterThan(unmarked.size());
        assertThat(unmarked).extracting(ILoggingEvent::getLoggerName).containsOnly(Warmup.class.getName());
    }

    /** The warm-up builds the daemon's resolved backend, not whatever an empty namespace would detect. */
    @Test
    void theInProcessBackendNamesTheChoiceThatRebuildsIt() {
        var exec = new io.nsnet.agent.firewall.NetnsIptablesExec(host);
        assertThat(io.nsnet.agent.firewall.FirewallApplier.create(host, exec, BackendChoice.NFTABLES, "NSNET").choice())
                .isEqualTo(BackendChoice.NFTABLES);
    }

    @Test
    void aPrefixWithNoRoomLeftSkipsTheWarmup() throws Exception {
        String longPrefix = "nst-" + "x".repeat(28); // 32 bytes, the most a prefix may have
        assertThat(new Warmup(config(longPrefix), BackendChoice.NFTABLES).run()).isZero();
        assertThat(NetNs.list()).noneMatch(n -> n.startsWith(longPrefix));
        assertThat(Files.exists(stateDir.resolve("warmup"))).isFalse();
    }

    /** The daemon's own logback.xml (not the tests') drops what the warm-up marks, and nothing else. */
    @Test
    void theDaemonsLoggingDropsMarkedLines() throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(org.slf4j.MDC.getMDCAdapter()); // the one the daemon's code marks through
        JoranConfigurator config = new JoranConfigurator();
        config.setContext(ctx);
        config.doConfigure(Warmup.class.getResource("/logback.xml"));
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.setContext(ctx);
        events.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(events);
        Logger log = ctx.getLogger(Engine.class);
        org.slf4j.MDC.put(Warmup.MDC_KEY, "1");
        log.info("sandbox made by the warm-up");
        org.slf4j.MDC.remove(Warmup.MDC_KEY);
        log.info("sandbox made for a user");
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("sandbox made for a user");
        ctx.stop();
    }
}
