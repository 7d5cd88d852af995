package io.nsnet.agent.cli;

import io.nsnet.agent.api.ConnectRequest;
import io.nsnet.agent.api.NetworkCreateRequest;
import io.nsnet.agent.api.NetworkView;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nsnet network …}: create, rm, ls, inspect, connect, disconnect. */
@Command(name = "network", description = "Manage networks.", mixinStandardHelpOptions = true)
final class NetworkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing network command");
    }

    @Command(name = "create", description = "Create a bridge network; prints its ID.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME", description = "Network name.")
        String name;
        @Option(names = "--subnet", paramLabel = "CIDR", description = "Subnet (default: next free default pool).")
        String subnet;
        @Option(names = "--gateway", paramLabel = "IP", description = "Gateway (default: first host of the subnet).")
        String gateway;
        @Option(names = "--ip-range", paramLabel = "CIDR", description = "Allocate sandbox addresses from this range.")
        String ipRange;
        // Booleans take an optional value so both `--internal` and Docker's `--icc=false` spellings work; null
        // means "not given" and leaves the daemon's default.
        @Option(names = "--internal", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "No route to the outside (default false).")
        Boolean internal;
        @Option(names = "--icc", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "Let sandboxes on this network talk to each other (default true).")
        Boolean icc;
        @Option(names = "--masquerade", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "Masquerade outgoing traffic (default true).")
        Boolean masquerade;
        @Option(names = "--bridge-name", paramLabel = "NAME", description = "Bridge name (default nsn-<id>).")
        String bridgeName;
        @Option(names = "--mtu", paramLabel = "BYTES", description = "MTU (default 1500).")
        Integer mtu;

        NetworkCreateRequest request() {
            return new NetworkCreateRequest(name, subnet, gateway, ipRange, internal, icc, masquerade, bridgeName,
                    mtu);
        }

        @Override
        public Integer call() {
            NsnetCommand root = NsnetCommand.of(spec);
            try (ApiClient api = root.connect()) {
                NetworkView created = api.createNetwork(request());
                root.context().out().println(created.id());
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove networks; prints each name removed.",
            mixinStandardHelpOptions = true)
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Networks to remove.")
        List<String> names;

        @Override
        public Integer call() {
            NsnetCommand root = NsnetCommand.of(spec);
            try (ApiClient api = root.connect()) {
                return Removal.each(names, api::deleteNetwork, root.context());
            }
        }
    }

    @Command(name = "ls", aliases = "list", description = "List networks.", mixinStandardHelpOptions = true)
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--json", description = "Print the API's JSON.")
        boolean json;
        @Option(names = {"-q", "--quiet"}, description = "Print names only.")
        boolean quiet;

        @Override
        public Integer call() {
            return Show.run(spec, json, "/v1/networks", ApiClient::listNetworks, (list, out) -> {
                if (quiet) {
                    list.forEach(n -> out.println(n.name()));
                } else {
                    table(list).print(out);
                }
            });
        }

        static Table table(List<NetworkView> networks) {
            Table t = new Table("NAME", "NETWORK ID", "BRIDGE", "SUBNET", "GATEWAY", "SANDBOXES", "FLAGS");
            for (NetworkView n : networks) {
                t.row(n.name(), Table.shortId(n.id()), n.bridge(), n.subnet(), n.gateway(),
                        String.valueOf(n.sandboxes() == null ? 0 : n.sandboxes().size()), flags(n));
            }
            return t;
        }

        /** Only what differs from a plain `network create`, so the usual network shows "-". */
        static String flags(NetworkView n) {
            List<String> f = new ArrayList<>();
            if (n.isDefault()) {
                f.add("default");
            }
            if (n.internal()) {
                f.add("internal");
            }
            if (!n.icc()) {
                f.add("icc=false");
            }
            if (!n.masquerade()) {
                f.add("masquerade=false");
            }
            if (n.mtu() > 0 && n.mtu() != 1500) {
                f.add("mtu=" + n.mtu());
            }
            if (n.ipRange() != null && !n.ipRange().isEmpty()) {
                f.add("ip-range=" + n.ipRange());
            }
            return String.join(",", f);
        }
    }

    @Command(name = "inspect", description = "Show one network.", mixinStandardHelpOptions = true)
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--json", description = "Print the API's JSON.")
        boolean json;

        @Override
        public Integer call() {
            return Show.run(spec, json, "/v1/networks/" + ApiClient.segment(name), api -> api.inspectNetwork(name),
                    Inspect::print);
        }

        static void print(NetworkView n, PrintWriter out) {
            out.println("Name:         " + n.name());
            out.println("ID:           " + n.id());
            out.println("Bridge:       " + Output.orDash(n.bridge()));
            out.println("Subnet:       " + Output.orDash(n.subnet()));
            out.println("Gateway:      " + Output.orDash(n.gateway()));
            out.println("IP range:     " + Output.orDash(n.ipRange()));
            out.println("Internal:     " + n.internal());
            out.println("ICC:          " + n.icc());
            out.println("Masquerade:   " + n.masquerade());
            out.println("MTU:          " + n.mtu());
            out.println("Default:      " + n.isDefault());
            out.println("Created:      " + Output.orDash(n.created()));
            if (n.sandboxes() == null || n.sandboxes().isEmpty()) {
                out.println("Sandboxes:    -");
            } else {
                out.println("Sandboxes:");
                Table t = new Table("  NAME", "IP", "MAC", "IFNAME");
                for (NetworkView.AttachedSandbox s : n.sandboxes()) {
                    t.row("  " + s.name(), s.ip(), s.mac(), s.ifname());
                }
                t.print(out);
            }
            out.flush();
        }
    }

    @Command(name = "connect", description = "Attach a sandbox to a network.", mixinStandardHelpOptions = true)
    static final class Connect implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;
        @Parameters(index = "1", paramLabel = "SANDBOX")
        String sandbox;
        @Option(names = "--ip", paramLabel = "IP", description = "Static address on this network.")
        String ip;

        @Override
        public Integer call() {
            try (ApiClient api = NsnetCommand.of(spec).connect()) {
                api.connect(network, new ConnectRequest(sandbox, ip));
            }
            return 0;
        }
    }

    @Command(name = "disconnect", description = "Detach a sandbox from a network.", mixinStandardHelpOptions = true)
    static final class Disconnect implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;
        @Parameters(index = "1", paramLabel = "SANDBOX")
        String sandbox;

        @Override
        public Integer call() {
            try (ApiClient api = NsnetCommand.of(spec).connect()) {
                api.disconnect(network, new ConnectRequest(sandbox, null));
            }
            return 0;
        }
    }
}
