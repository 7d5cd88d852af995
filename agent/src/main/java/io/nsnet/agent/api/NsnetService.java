package io.nsnet.agent.api;

import java.util.List;

/**
 * What nsnetd offers its clients, independent of transport: the HTTP API ({@code /v1/...}) is a thin mapping
 * of these calls. Implementations serialize mutations, make every change durable before returning, and throw
 * {@code io.nsnet.agent.model.NsnetException} subclasses (validation 400, not found 404, conflict 409) with
 * messages that name the field and the rule; anything else is a 500.
 */
public interface NsnetService {
    NetworkView createNetwork(NetworkCreateRequest request);

    /** Refused with a conflict naming the sandboxes while any is attached. */
    void deleteNetwork(String name);

    List<NetworkView> listNetworks();

    NetworkView inspectNetwork(String name);

    SandboxView connect(String network, ConnectRequest request);

    SandboxView disconnect(String network, ConnectRequest request);

    SandboxView createSandbox(SandboxCreateRequest request);

    void deleteSandbox(String name);

    List<SandboxView> listSandboxes();

    SandboxView inspectSandbox(String name);

    InfoView info();
}
