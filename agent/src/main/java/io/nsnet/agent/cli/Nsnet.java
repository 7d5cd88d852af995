package io.nsnet.agent.cli;

import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Entry point of the {@code nsnet} CLI. Exit codes: 0 success, 1 error ({@code Error: …} on stderr), 2 usage
 * error, or the command's own status for {@code exec}. The CLI talks to nsnetd only over its socket and loads
 * no native code, which keeps a call under 200 ms on an idle machine (scripts/cli-startup.sh measures it).
 */
public final class Nsnet {
    private Nsnet() {
    }

    public static void main(String[] args) {
        quietAndQuickStart();
        Function<Path, ApiClient> clients = talksToDaemon(args)
                ? ClientPrewarm.start(args, System.getenv())
                : ApiClient::open;
        System.exit(run(CliContext.system(clients), args));
    }

    /**
     * JVM-wide settings for a one-shot CLI process, made before any library reads them; not applied by
     * {@link #run}, so in-process tests keep their JVM as it was.
     */
    static void quietAndQuickStart() {
        // Before anything touches slf4j (Jetty's HTTP parser does): the CLI ships no logging backend, and
        // without an explicit provider slf4j would print a "no providers" warning on every run.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        // Jetty's MimeTypes enumerates Locale.getAvailableLocales() when the HTTP parser loads; with the default
        // CLDR provider that scans jdk.localedata's ~1000 locales (30-120 ms here). The CLI formats nothing
        // locale-sensitive, so the host's locale data is enough.
        if (System.getProperty("java.locale.providers") == null) {
            System.setProperty("java.locale.providers", "HOST");
        }
    }

    /** Help and version never reach the daemon: no point warming its client for them. */
    static boolean talksToDaemon(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
        }
        return args.length > 0;
    }

    /** Runs one command line in-process; tests call this directly. */
    public static int run(CliContext context, String... args) {
        return commandLine(context, args).execute(args);
    }

    static CommandLine commandLine(CliContext context, String... args) {
        CommandLine cl = CommandTree.build(new NsnetCommand(context), args);
        cl.setOut(context.out());
        cl.setErr(context.err());
        // `nsnet exec SB ip addr` without "--": everything after SANDBOX belongs to the command, even "-x".
        CommandLine exec = cl.getSubcommands().get("exec");
        if (exec != null) {
            exec.setStopAtPositional(true);
        }
        cl.setParameterExceptionHandler((ex, badArgs) -> {
            CommandLine cmd = ex.getCommandLine();
            context.err().println("Error: " + ex.getMessage());
            context.err().println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            context.err().flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            context.err().println("Error: " + message);
            if (!(ex instanceof CliException) && context.env().containsKey("NSNET_DEBUG")) {
                ex.printStackTrace(context.err());
            }
            context.err().flush();
            return 1;
        });
        return cl;
    }
}
