package io.nsnet.agent.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Builds the picocli tree for one command line. picocli reflects over every registered command class when the
 * tree is built, about 100 ms for the whole CLI on this class of machine, half the start-up budget. So only
 * the branch the arguments name is registered (`nsnet network ls` builds root → network → ls); when the
 * arguments name no known command (help, typos, usage errors) the whole tree is built, so help and error
 * messages list every command as usual.
 */
final class CommandTree {
    /** Command groups in help order, each with its subcommands (empty: a leaf like exec). */
    private static final Map<Class<?>, List<Class<?>>> GROUPS = groups();

    private CommandTree() {
    }

    private static Map<Class<?>, List<Class<?>>> groups() {
        Map<Class<?>, List<Class<?>>> g = new LinkedHashMap<>();
        g.put(NetworkCommand.class, List.of(NetworkCommand.Create.class, NetworkCommand.Rm.class,
                NetworkCommand.Ls.class, NetworkCommand.Inspect.class, NetworkCommand.Connect.class,
                NetworkCommand.Disconnect.class));
        g.put(SandboxCommand.class, List.of(SandboxCommand.Create.class, SandboxCommand.Rm.class,
                SandboxCommand.Ls.class, SandboxCommand.Inspect.class));
        g.put(ExecCommand.class, List.of());
        g.put(InfoCommand.class, List.of());
        return g;
    }

    static CommandLine build(NsnetCommand root, String[] args) {
        CommandLine cl = new CommandLine(root);
        List<String> words = positionals(args);
        Class<?> group = words.isEmpty() ? null : find(GROUPS.keySet(), words.get(0));
        for (Map.Entry<Class<?>, List<Class<?>>> e : GROUPS.entrySet()) {
            if (group != null && e.getKey() != group) {
                continue;
            }
            CommandLine groupLine = new CommandLine(e.getKey());
            // Leaves of the named group only; all of them when the leaf is missing or unknown.
            Class<?> leaf = group != null && words.size() > 1 ? find(e.getValue(), words.get(1)) : null;
            for (Class<?> c : e.getValue()) {
                if (leaf == null || c == leaf) {
                    groupLine.addSubcommand(c);
                }
            }
            cl.addSubcommand(groupLine);
        }
        return cl;
    }

    /**
     * The words before the first option that is not {@code --socket}: enough to name group and leaf. Options
     * in between are skipped, with {@code --socket}'s value, so `nsnet --socket S network ls` is understood.
     */
    static List<String> positionals(String[] args) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length && words.size() < 2; i++) {
            String a = args[i];
            if (a.equals("--socket")) {
                i++;
            } else if (a.equals("--")) {
                break;
            } else if (!a.startsWith("-")) {
                words.add(a);
            }
        }
        return words;
    }

    private static Class<?> find(Iterable<Class<?>> classes, String word) {
        for (Class<?> c : classes) {
            Command command = c.getAnnotation(Command.class);
            if (command.name().equals(word) || List.of(command.aliases()).contains(word)) {
                return c;
            }
        }
        return null;
    }
}
