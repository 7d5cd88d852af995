package io.nsnet.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code nsnet} CLI as a user runs it: a separate process, {@code bin/nsnet} when the launcher exists, else
 * java with the CLI's own class path ({@code agent/target/cli-lib}, no native code), pointed at the socket.
 */
final class Cli {
    private final Path socket;

    Cli(Path socket) {
        this.socket = socket;
    }

    static List<String> command() {
        Path root = Repo.root();
        Path launcher = root.resolve("bin/nsnet");
        if (Files.isExecutable(launcher)) {
            return List.of(launcher.toString());
        }
        Path agent = root.resolve("agent/target");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                agent.resolve("agent-0.1.0-SNAPSHOT.jar") + ":" + agent.resolve("cli-lib") + "/*", "io.nsnet.agent.cli.Nsnet");
    }

    Cmd.Result run(String... args) {
        List<String> argv = new ArrayList<>(command());
        argv.add("--socket");
        argv.add(socket.toString());
        argv.addAll(List.of(args));
        return Cmd.run(argv, 60);
    }
}
