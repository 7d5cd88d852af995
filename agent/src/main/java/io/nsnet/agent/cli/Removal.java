package io.nsnet.agent.cli;

import java.util.List;
import java.util.function.Consumer;

/**
 * `rm A B C` as docker does it: try every name, print each one removed, report each failure as
 * {@code Error: …} and exit 1 if any failed, so one bad name does not leave the others in place.
 */
final class Removal {
    private Removal() {
    }

    static int each(List<String> names, Consumer<String> delete, CliContext context) {
        int status = 0;
        for (String name : names) {
            try {
                delete.accept(name);
                context.out().println(name);
            } catch (ApiException e) {
                context.err().println("Error: " + e.getMessage());
                status = 1;
            }
        }
        context.out().flush();
        context.err().flush();
        return status;
    }
}
