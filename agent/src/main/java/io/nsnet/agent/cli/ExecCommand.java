package io.nsnet.agent.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nsnet exec SANDBOX -- CMD…}: runs CMD in the sandbox's network namespace through
 * {@code ip netns exec}, with the CLI's stdio, and exits with CMD's status. Entering a namespace needs
 * CAP_SYS_ADMIN, so this command needs root even when the socket's group lets a user run the others.
 * The CLI starts {@code ip} rather than calling setns itself because it must load no native code.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command inside a sandbox's network namespace (needs root: it uses `ip netns exec`).",
            "Exits with the command's status."})
final class ExecCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "SANDBOX")
    String sandbox;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "Command and its arguments.")
    List<String> command;

    /** The argument array for the child: no shell, so arguments pass through untouched. */
    static List<String> argv(String netns, List<String> command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(command);
        return argv;
    }

    @Override
    public Integer call() {
        NsnetCommand root = NsnetCommand.of(spec);
        List<String> cmd = command;
        // With stop-at-positional parsing a "--" after SANDBOX arrives as an argument: it is the separator.
        if (!cmd.isEmpty() && cmd.get(0).equals("--")) {
            cmd = cmd.subList(1, cmd.size());
        }
        if (cmd.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command to run");
        }
        String netns;
        try (ApiClient api = root.connect()) {
            netns = api.inspectSandbox(sandbox).netns();
        }
        if (netns == null || netns.isEmpty()) {
            throw new CliException("sandbox " + sandbox + " has no network namespace");
        }
        try {
            return root.context().processes().run(argv(netns, cmd));
        } catch (IOException e) {
            throw new CliException("cannot run ip netns exec: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }
}
