package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.SaveFormat;
import io.nsnet.agent.firewall.model.TableName;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The iptables programs as a backend ({@code --firewall-backend nft|legacy}): reads with one
 * {@code iptables-save}, commits with one {@code iptables-restore --noflush --wait} per change, argument vectors
 * only, in whatever namespace the {@link IptablesExec} runs them. The reference the in-process backends are held
 * to, and the fallback where neither of them can run.
 */
final class RestoreProcessBackend implements FirewallBackend {

    private final IptablesExec exec;
    private final IptablesVariant variant;

    RestoreProcessBackend(IptablesExec exec, IptablesVariant variant) {
        this.exec = Objects.requireNonNull(exec, "exec");
        this.variant = Objects.requireNonNull(variant, "variant");
    }

    IptablesVariant variant() {
        return variant;
    }

    @Override
    public Ruleset readLive() {
        IptablesExec.Result r = runChecked(variant.saveArgv(), null);
        try {
            return SaveFormat.parse(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new FirewallException(variant.save() + " printed output nsnet cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(RestorePlan plan) {
        IptablesExec.Result r;
        try {
            r = exec.run(variant.restoreArgv(), plan.script());
        } catch (IOException e) {
            throw new FirewallException("cannot run " + variant.restore() + ": " + e.getMessage() + " ("
                    + BackendDetector.INSTALL_HINT + ")", e);
        }
        if (!r.ok()) {
            throw new FirewallException(variant.restore() + " failed (exit " + r.exitCode() + "): "
                    + r.stderr().strip() + "\n" + excerpt(plan.script(), r.stderr()));
        }
    }

    @Override
    public String name() {
        return variant.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code iptables -w -P}: no restore input needed for one policy. */
    @Override
    public void setFilterPolicy(String chain, String policy) {
        runChecked(List.of(variant.iptables(), "-w", "-t", "filter", "-P", chain, policy), null);
    }

    /**
     * A flush-mode restore of the empty table, which iptables-nft carries out as "delete table". Legacy tables
     * cannot be deleted from userspace.
     */
    @Override
    public void dropTable(TableName table) {
        if (variant != IptablesVariant.NFT) {
            throw new UnsupportedOperationException(name() + " tables cannot be deleted");
        }
        runChecked(List.of(variant.restore(), "--wait"), "*" + table.id() + "\nCOMMIT\n");
    }

    private IptablesExec.Result runChecked(List<String> argv, String stdin) {
        IptablesExec.Result r;
        try {
            r = exec.run(argv, stdin);
        } catch (IOException e) {
            throw new FirewallException("cannot run " + argv.get(0) + ": " + e.getMessage() + " ("
                    + BackendDetector.INSTALL_HINT + ")", e);
        }
        if (!r.ok()) {
            throw new FirewallException(argv.get(0) + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return r;
    }

    /** iptables-restore names the failing line ("line N failed"); quote it so the error is actionable. */
    static String excerpt(String script, String stderr) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+)").matcher(stderr);
        if (m.find()) {
            int n = Integer.parseInt(m.group(1));
            String[] lines = script.split("\n");
            if (n >= 1 && n <= lines.length) {
                return "failing input line " + n + ": " + lines[n - 1];
            }
        }
        return "restore input had " + script.split("\n").length + " lines";
    }

    @Override
    public String toString() {
        return variant.iptables() + " programs";
    }
}
