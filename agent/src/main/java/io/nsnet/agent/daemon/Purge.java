package io.nsnet.agent.daemon;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nsnet.agent.firewall.FirewallState;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.Sandbox;

/**
 * {@code nsnetd --purge}: removes everything nsnet made on the host (sandboxes, their namespaces and veths,
 * bridges, every rule and chain, P-USER included) and the records of it, leaving the host as before nsnet.
 */
final class Purge {
    private static final Logger LOG = LoggerFactory.getLogger(Purge.class);
    private final Engine engine;

    Purge(Engine engine) {
        this.engine = engine;
    }

    boolean run() {
        return engine.locked(() -> {
            Errors errors = new Errors();
            for (Sandbox sb : engine.store().sandboxes()) {
                Errors e = engine.teardownSandboxKernel(sb);
                errors.addAll(e);
                errors.run("forget sandbox " + sb.name(), () -> engine.store().update(tx -> tx.deleteSandbox(sb.name())));
            }
            List<Network> networks = engine.store().networks();
            List<FirewallState.Network> retired = networks.stream().map(Engine::firewallNetwork).toList();
            // Policy first: the teardown drops tables that are left empty with default policies.
            errors.run("forwarding", engine::restoreForwarding);
            errors.run("firewall teardown", () -> engine.firewall().teardown(retired));
            for (Network n : networks) {
                errors.run("delete bridge " + n.bridge(), () -> engine.bridges().delete(n.bridge()));
                errors.run("forget network " + n.name(), () -> engine.store().update(tx -> tx.deleteNetwork(n.name())));
            }
            // And the spare namespace with its veth made ahead: purge is the daemon's last act, nothing needs another.
            errors.run("spare namespace", () -> engine.sandboxes().close());
            errors.logTo(LOG);
            LOG.info("purge: {}", errors.isEmpty() ? "everything nsnet made is removed" : errors.failures().size() + " steps failed");
            return errors.isEmpty();
        });
    }
}
