package io.nsnet.agent.daemon;

import org.junit.jupiter.api.Tag;

import io.nsnet.agent.firewall.BackendChoice;

/**
 * Every engine kernel test again with {@code --firewall-backend libiptc} (legacy tables, no iptables process),
 * observed with {@code iptables-legacy-save}.
 */
@Tag("kernel")
class EngineLibiptcKernelTest extends EngineKernelTest {

    @Override
    BackendChoice backend() {
        return BackendChoice.LIBIPTC;
    }

    @Override
    String iptables() {
        return "iptables-legacy";
    }

    /**
     * As iptables-legacy-save prints it, minus tables that are entirely at their defaults (no rules, no user
     * chains, ACCEPT policies): a legacy table, once the kernel has instantiated it in a namespace, cannot be
     * removed from userspace, so "back to what it was before nsnet" can only mean "nothing left in it".
     */
    @Override
    String save() {
        StringBuilder out = new StringBuilder();
        StringBuilder table = new StringBuilder();
        boolean pristine = true;
        for (String line : super.save().split("\n", -1)) {
            if (line.startsWith("*")) {
                table.setLength(0);
                pristine = true;
            }
            if (table.length() > 0 || line.startsWith("*")) {
                table.append(line).append('\n');
                pristine &= !line.startsWith("-A") && !(line.startsWith(":") && !line.contains(" ACCEPT "));
                if (line.equals("COMMIT")) {
                    if (!pristine) {
                        out.append(table);
                    }
                    table.setLength(0);
                }
            } else if (!line.isEmpty()) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }
}
