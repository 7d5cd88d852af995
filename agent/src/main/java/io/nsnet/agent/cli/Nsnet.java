package io.nsnet.agent.cli;

import picocli.CommandLine;

/**
 * Entry point of the {@code nsnet} CLI. Exit codes: 0 success, 1 error ({@code Error: …} on stderr), 2 usage
 * error, or the command's own status for {@code exec}. The CLI talks to nsnetd only over its socket and loads
 * no native code, which keeps a call well under 200 ms.
 */
public final class Nsnet {
    private Nsnet() {
    }

    public static void main(String[] args) {
        // Before anything touches slf4j (Jetty's client classes do): the CLI ships no logging backend, and
        // without an explicit provider slf4j would print a "no providers" warning on every run.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOPServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        System.exit(run(CliContext.system(), args));
    }

    /** Runs one command line in-process; tests call this directly. */
    public static int run(CliContext context, String... args) {
        return commandLine(context).execute(args);
    }

    static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new NsnetCommand(context));
        cl.setOut(context.out());
        cl.setErr(context.err());
        // `nsnet exec SB ip addr` without "--": everything after SANDBOX belongs to the command, even "-x".
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        cl.setParameterExceptionHandler((ex, args) -> {
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
