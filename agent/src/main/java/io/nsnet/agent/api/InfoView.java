package io.nsnet.agent.api;

/** {@code GET /v1/info}. */
public record InfoView(String version, String firewallBackend, String chainPrefix, String hostNetns,
        String defaultNetwork, boolean userlandProxy, String sandboxPrefix, String socket, String stateDir,
        int networks, int sandboxes) {
}
