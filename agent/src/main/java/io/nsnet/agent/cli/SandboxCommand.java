package io.nsnet.agent.cli;

import io.nsnet.agent.api.SandboxCreateRequest;
import io.nsnet.agent.api.SandboxView;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nsnet sandbox …}: create, rm, ls, inspect. */
@Command(name = "sandbox", description = "Manage sandboxes (network namespaces, what containers are to Docker).",
        mixinStandardHelpOptions = true)
final class SandboxCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing sandbox command");
    }

    @Command(name = "create", description = "Create a sandbox; prints its ID.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--network", paramLabel = "NET",
                description = "Network to join; repeat for more (default: the default network; 'none': no network).")
        List<String> networks;
        @Option(names = "--ip", paramLabel = "IP", description = "Static address on the first network.")
        String ip;
        @Option(names = {"-p", "--publish"}, paramLabel = "SPEC",
                description = "Publish a port: [HOSTIP:]HOSTPORT:PORT[/tcp|udp]; repeatable.")
        List<String> ports;

        SandboxCreateRequest request() {
            return new SandboxCreateRequest(name, networks, ip, ports);
        }

        @Override
        public Integer call() {
            NsnetCommand root = NsnetCommand.of(spec);
            try (ApiClient api = root.connect()) {
                root.context().out().println(api.createSandbox(request()).id());
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove sandboxes; prints each name removed.",
            mixinStandardHelpOptions = true)
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME", arity = "1..*")
        List<String> names;

        @Override
        public Integer call() {
            NsnetCommand root = NsnetCommand.of(spec);
            try (ApiClient api = root.connect()) {
                return Removal.each(names, api::deleteSandbox, root.context());
            }
        }
    }

    @Command(name = "ls", aliases = "list", description = "List sandboxes.", mixinStandardHelpOptions = true)
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--json", description = "Print the API's JSON.")
        boolean json;
        @Option(names = {"-q", "--quiet"}, description = "Print names only.")
        boolean quiet;

        @Override
        public Integer call() {
            return Show.run(spec, json, "/v1/sandboxes", ApiClient::listSandboxes, (list, out) -> {
                if (quiet) {
                    list.forEach(s -> out.println(s.name()));
                } else {
                    table(list).print(out);
                }
            });
        }

        static Table table(List<SandboxView> sandboxes) {
            Table t = new Table("NAME", "SANDBOX ID", "NETNS", "NETWORKS", "PORTS");
            for (SandboxView s : sandboxes) {
                t.row(s.name(), Table.shortId(s.id()), s.netns(), networks(s),
                        s.ports() == null ? "" : String.join(",", s.ports()));
            }
            return t;
        }

        /** "front=172.18.0.2/16,back=172.19.0.2/16": each network with the sandbox's address on it. */
        static String networks(SandboxView s) {
            if (s.endpoints() == null) {
                return "";
            }
            return s.endpoints().stream().map(e -> e.network() + "=" + Output.orDash(e.ip()))
                    .collect(Collectors.joining(","));
        }
    }

    @Command(name = "inspect", description = "Show one sandbox.", mixinStandardHelpOptions = true)
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--json", description = "Print the API's JSON.")
        boolean json;

        @Override
        public Integer call() {
            return Show.run(spec, json, "/v1/sandboxes/" + ApiClient.segment(name), api -> api.inspectSandbox(name),
                    Inspect::print);
        }

        static void print(SandboxView s, PrintWriter out) {
            out.println("Name:       " + s.name());
            out.println("ID:         " + s.id());
            out.println("Netns:      " + Output.orDash(s.netns()));
            out.println("Created:    " + Output.orDash(s.created()));
            out.println("Ports:      " + (s.ports() == null || s.ports().isEmpty() ? "-" : String.join(", ", s.ports())));
            if (s.endpoints() == null || s.endpoints().isEmpty()) {
                out.println("Endpoints:  -");
            } else {
                out.println("Endpoints:");
                Table t = new Table("  NETWORK", "IFNAME", "HOST VETH", "IP", "MAC", "GATEWAY");
                for (SandboxView.EndpointView e : s.endpoints()) {
                    t.row("  " + e.network(), e.ifname(), e.hostVeth(), e.ip(), e.mac(), e.gateway());
                }
                t.print(out);
            }
            out.flush();
        }
    }
}
