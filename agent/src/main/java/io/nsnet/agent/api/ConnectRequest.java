package io.nsnet.agent.api;

/** Body of {@code POST /v1/networks/{name}/connect} and {@code /disconnect}; {@code ip} only for connect. */
public record ConnectRequest(String sandbox, String ip) {
}
