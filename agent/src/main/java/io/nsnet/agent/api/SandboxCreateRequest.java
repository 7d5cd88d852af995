package io.nsnet.agent.api;

import java.util.List;

/**
 * {@code POST /v1/sandboxes}. {@code networks} null or empty: the default network, as {@code docker run};
 * {@code ["none"]}: no network. The first network gives the default route and gets {@code ip} if set.
 * {@code ports} are {@code [HOSTIP:]HOSTPORT:PORT[/tcp|udp]} specs, published on the first network's address.
 */
public record SandboxCreateRequest(String name, List<String> networks, String ip, List<String> ports) {
}
