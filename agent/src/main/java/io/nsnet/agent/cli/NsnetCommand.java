package io.nsnet.agent.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code nsnet}: the root command; owns the global {@code --socket} option and the run's context. */
@Command(name = "nsnet", mixinStandardHelpOptions = true, versionProvider = NsnetCommand.Version.class,
        description = "Drive nsnetd: Docker-style bridge networks and network sandboxes.")

public final class NsnetCommand implements Callable<Integer> {
    public static final String DEFAULT_SOCKET = "/run/nsnet/nsnetd.sock";
    public static final String SOCKET_ENV = "NSNET_SOCKET";

    private final CliContext context;

    @Spec
    CommandSpec spec;

    // INHERIT: accepted before or after the subcommand (`nsnet --socket S network ls` or `nsnet network ls
    // --socket S`); picocli writes either spelling to this one field.
    @Option(names = "--socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "nsnetd's API socket (default: $" + SOCKET_ENV + ", else " + DEFAULT_SOCKET + ").")
    Path socket;

    public NsnetCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    CliContext context() {
        return context;
    }

    /** --socket, else $NSNET_SOCKET, else the default. */
    Path socketPath() {
        if (socket != null) {
            return socket;
        }
        String env = context.env().get(SOCKET_ENV);
        return Path.of(env == null || env.isBlank() ? DEFAULT_SOCKET : env);
    }

    ApiClient connect() {
        return context.clients().apply(socketPath());
    }

    /** The root of any command's tree, where the context and the socket live. */
    static NsnetCommand of(CommandSpec spec) {
        return (NsnetCommand) spec.root().userObject();
    }

    /** The jar's Implementation-Version, so `nsnet --version` matches what was built. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = NsnetCommand.class.getPackage().getImplementationVersion();
            return new String[] {"nsnet " + (v == null ? "(development build)" : v)};
        }
    }
}
