package io.nsnet.agent.api;

import java.util.List;

/** A network as the API shows it; {@code sandboxes} lists the attached sandboxes' endpoints. */
public record NetworkView(String name, String id, String bridge, String subnet, String gateway, String ipRange,
        boolean internal, boolean icc, boolean masquerade, int mtu, boolean isDefault, String created,
        List<AttachedSandbox> sandboxes) {

    /** One sandbox on this network: its name and its address there (with prefix), MAC and interface. */
    public record AttachedSandbox(String name, String ip, String mac, String ifname) {
    }
}
