package io.nsnet.agent.cli;

import java.io.PrintWriter;
import java.util.function.BiConsumer;
import java.util.function.Function;

import picocli.CommandLine.Model.CommandSpec;

/**
 * The read-only commands' one shape (info, ls, inspect): with {@code --json} print the API's JSON for the path
 * as it came, otherwise fetch the typed answer and render it for people.
 */
final class Show {
    private Show() {
    }

    static <T> int run(CommandSpec spec, boolean json, String path, Function<ApiClient, T> fetch,
            BiConsumer<T, PrintWriter> render) {
        NsnetCommand root = NsnetCommand.of(spec);
        PrintWriter out = root.context().out();
        try (ApiClient api = root.connect()) {
            if (json) {
                Output.json(out, api.getJson(path));
            } else {
                render.accept(fetch.apply(api), out);
            }
        }
        out.flush();
        return 0;
    }
}
