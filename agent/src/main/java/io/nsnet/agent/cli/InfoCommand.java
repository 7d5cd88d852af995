package io.nsnet.agent.cli;

import io.nsnet.agent.api.InfoView;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nsnet info}: the daemon's version and configuration. */
@Command(name = "info", description = "Show nsnetd's version and configuration.", mixinStandardHelpOptions = true)
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--json", description = "Print the API's JSON.")
    boolean json;

    @Override
    public Integer call() {
        return Show.run(spec, json, "/v1/info", ApiClient::info, InfoCommand::print);
    }

    static void print(InfoView i, PrintWriter out) {
        out.println("Version:            " + Output.orDash(i.version()));
        out.println("Firewall backend:   " + Output.orDash(i.firewallBackend()));
        out.println("Chain prefix:       " + Output.orDash(i.chainPrefix()));
        out.println("Host netns:         " + Output.orDash(i.hostNetns()));
        out.println("Default network:    " + Output.orDash(i.defaultNetwork()));
        out.println("Userland proxy:     " + i.userlandProxy());
        out.println("Sandbox prefix:     " + Output.orDash(i.sandboxPrefix()));
        out.println("Socket:             " + Output.orDash(i.socket()));
        out.println("State dir:          " + Output.orDash(i.stateDir()));
        out.println("Networks:           " + i.networks());
        out.println("Sandboxes:          " + i.sandboxes());
        out.flush();
    }
}
