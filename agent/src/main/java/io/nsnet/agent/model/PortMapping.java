package io.nsnet.agent.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A published port: traffic to {@code [hostIp:]hostPort/protocol} on the host is forwarded to
 * {@code containerPort/protocol} of the sandbox. An empty {@code hostIp} means every host address (Docker's
 * {@code 0.0.0.0}).
 */
public record PortMapping(Optional<Ipv4> hostIp, int hostPort, int containerPort, Protocol protocol) {

    public PortMapping {
        Objects.requireNonNull(hostIp, "hostIp");
        Objects.requireNonNull(protocol, "protocol");
        Validation.port("host port", hostPort);
        Validation.port("container port", containerPort);
    }

    /**
     * Parses Docker's {@code -p [HOSTIP:]HOSTPORT:PORT[/tcp|udp]} (protocol defaults to tcp). Port ranges and
     * the host-port-less form {@code -p PORT} (random host port) are not supported and are refused by name.
     */
    public static PortMapping parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new ValidationException("port spec is empty; expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp]");
        }
        String body = spec;
        Protocol protocol = Protocol.TCP;
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            body = spec.substring(0, slash);
            String proto = spec.substring(slash + 1);
            try {
                protocol = Protocol.parse(proto);
            } catch (ValidationException e) {
                throw new ValidationException("port spec \"" + spec + "\": protocol \"" + proto + "\" must be tcp or udp");
            }
        }
        String[] parts = body.split(":", -1);
        Optional<Ipv4> hostIp;
        String hostPort;
        String containerPort;
        switch (parts.length) {
            case 2:
                hostIp = Optional.empty();
                hostPort = parts[0];
                containerPort = parts[1];
                break;
            case 3:
                try {
                    hostIp = parts[0].isEmpty() ? Optional.empty() : Optional.of(Ipv4.parse("host IP", parts[0]));
                } catch (ValidationException e) {
                    throw new ValidationException("port spec \"" + spec + "\": host IP \"" + parts[0] + "\" is not an IPv4 address");
                }
                hostPort = parts[1];
                containerPort = parts[2];
                break;
            case 1:
                throw new ValidationException("port spec \"" + spec + "\": host port missing; expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp]");
            default:
                throw new ValidationException("port spec \"" + spec + "\": too many ':'; expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp] (IPv6 host IPs are not supported)");
        }
        // 0.0.0.0 is Docker's spelling of "all addresses": store it as empty so conflicts compare alike.
        if (hostIp.isPresent() && hostIp.get().bits() == 0) {
            hostIp = Optional.empty();
        }
        return new PortMapping(hostIp,
                portNumber(spec, "host port", hostPort),
                portNumber(spec, "container port", containerPort),
                protocol);
    }

    private static int portNumber(String spec, String field, String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            String hint = text.contains("-") ? " (port ranges are not supported)" : "";
            throw new ValidationException("port spec \"" + spec + "\": " + field + " \"" + text + "\" must be a number 1-65535" + hint);
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new ValidationException("port spec \"" + spec + "\": " + field + " " + port + " is out of range 1-65535");
        }
        return port;
    }

    /**
     * True when both mappings cannot be bound at the same time: same protocol and host port, and host addresses
     * that overlap (equal, or either one is "all addresses").
     */
    public boolean conflictsWith(PortMapping other) {
        return protocol == other.protocol
                && hostPort == other.hostPort
                && (hostIp.isEmpty() || other.hostIp.isEmpty() || hostIp.equals(other.hostIp));
    }

    /** Back in {@code -p} syntax, e.g. {@code 127.0.0.1:8080:80/tcp}. */
    public String toSpec() {
        return hostIp.map(ip -> ip + ":").orElse("") + hostPort + ":" + containerPort + "/" + protocol.lowerName();
    }

    @Override
    public String toString() {
        return toSpec();
    }
}
