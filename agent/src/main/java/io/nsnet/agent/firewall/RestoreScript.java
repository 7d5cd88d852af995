package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.TableName;
import java.util.ArrayList;
import java.util.List;

/**
 * The planner's iptables-restore input as commands, for backends that carry it out themselves. Only the
 * subset the planner writes is accepted ({@code *table}, {@code :CHAIN POLICY [n:m]}, {@code -A}, {@code -I}
 * with or without a position, {@code -D} by spec, {@code -F}, {@code -X}, {@code -N}, {@code -P},
 * {@code COMMIT}); anything else is an error rather than a guess.
 */
public record RestoreScript(List<Section> sections) {

    /** One table's commands up to its COMMIT. */
    public record Section(TableName table, List<Command> commands) {
        public Section {
            commands = List.copyOf(commands);
        }
    }

    /** One line of the script. {@code line} is the original text, for error messages. */
    public sealed interface Command {
        String chain();

        String line();
    }

    /** {@code :CHAIN - [0:0]} creates a user chain or, under --noflush, flushes an existing one. */
    public record DeclareChain(String chain, String policy, String line) implements Command {
    }

    public record Append(String chain, String spec, String line) implements Command {
    }

    /** @param position 1-based as in iptables; 1 when the script gives none */
    public record Insert(String chain, int position, String spec, String line) implements Command {
    }

    public record Delete(String chain, String spec, String line) implements Command {
    }

    public record Flush(String chain, String line) implements Command {
    }

    public record DeleteChain(String chain, String line) implements Command {
    }

    public record NewChain(String chain, String line) implements Command {
    }

    public record Policy(String chain, String policy, String line) implements Command {
    }

    public RestoreScript {
        sections = List.copyOf(sections);
    }

    /**
     * The script of a plan, for a backend that carries it out itself (libiptc, nf_tables): a script it cannot
     * read is a {@link FirewallException} naming the backend, and nothing has been done.
     */
    static RestoreScript of(RestorePlan plan, String backend) {
        try {
            return parse(plan.script());
        } catch (IllegalArgumentException e) {
            throw new FirewallException(backend + " backend cannot carry out the plan: " + e.getMessage(), e);
        }
    }

    public static RestoreScript parse(String script) {
        List<Section> sections = new ArrayList<>();
        TableName table = null;
        List<Command> commands = new ArrayList<>();
        int n = 0;
        for (String line : script.split("\n")) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                if (table != null) {
                    throw bad(n, line, "table without COMMIT before it");
                }
                table = TableName.fromId(line.substring(1).strip());
                commands = new ArrayList<>();
                continue;
            }
            if (table == null) {
                throw bad(n, line, "command outside a table");
            }
            if (line.equals("COMMIT")) {
                sections.add(new Section(table, commands));
                table = null;
                continue;
            }
            commands.add(command(n, line));
        }
        if (table != null) {
            throw bad(n, "", "missing COMMIT for table " + table.id());
        }
        return new RestoreScript(sections);
    }

    private static Command command(int n, String line) {
        if (line.startsWith(":")) {
            String[] p = line.substring(1).split(" ");
            if (p.length < 2) {
                throw bad(n, line, "bad chain declaration");
            }
            return new DeclareChain(p[0], p[1].equals("-") ? null : p[1], line);
        }
        String[] head = line.split(" ", 3);
        if (head.length < 2) {
            throw bad(n, line, "command without chain");
        }
        String op = head[0];
        String chain = head[1];
        String rest = head.length > 2 ? head[2] : "";
        switch (op) {
            case "-A":
                return new Append(chain, need(n, line, rest), line);
            case "-D":
                return new Delete(chain, need(n, line, rest), line);
            case "-I": {
                // A rule spec starts with '-' or '!', never a digit, so a leading number is the position.
                int sp = rest.indexOf(' ');
                String first = sp < 0 ? rest : rest.substring(0, sp);
                if (!first.isEmpty() && first.chars().allMatch(Character::isDigit)) {
                    return new Insert(chain, Integer.parseInt(first), need(n, line, sp < 0 ? "" : rest.substring(sp + 1)), line);
                }
                return new Insert(chain, 1, need(n, line, rest), line);
            }
            case "-F":
                return new Flush(chain, line);
            case "-X":
                return new DeleteChain(chain, line);
            case "-N":
                return new NewChain(chain, line);
            case "-P":
                return new Policy(chain, need(n, line, rest), line);
            default:
                throw bad(n, line, "unsupported command " + op);
        }
    }

    private static String need(int n, String line, String rest) {
        if (rest.isBlank()) {
            throw bad(n, line, "missing rule");
        }
        return rest;
    }

    private static IllegalArgumentException bad(int n, String line, String why) {
        return new IllegalArgumentException("restore script line " + n + " (" + line + "): " + why);
    }

    /** Whether the script changes anything. */
    public boolean isEmpty() {
        return sections.stream().allMatch(s -> s.commands().isEmpty());
    }
}
