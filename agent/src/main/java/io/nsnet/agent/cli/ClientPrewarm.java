package io.nsnet.agent.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Opens the API client on a second thread while the main thread is still in picocli, which costs about as
 * much as the client itself (starting Jetty's HttpClient, building Jackson's mapper, initialising the HTTP
 * parser). With a spare core the two overlap and a command's start-up is roughly the larger of the two, not
 * their sum. The socket is predicted from the arguments the same way {@link NsnetCommand} resolves it; if
 * the command ends up asking for another socket, or the early open failed, the client is opened again on the
 * caller's thread, so behaviour and error messages are exactly those of {@link ApiClient#open}.
 */
final class ClientPrewarm implements Function<Path, ApiClient> {
    private final Path predicted;
    private final CompletableFuture<ApiClient> early = new CompletableFuture<>();

    private ClientPrewarm(Path predicted) {
        this.predicted = predicted;
    }

    static ClientPrewarm start(String[] args, Map<String, String> env) {
        ClientPrewarm p = new ClientPrewarm(predictSocket(args, env));
        Thread t = new Thread(() -> {
            try {
                ApiClient client = ApiClient.open(p.predicted);
                client.warm();
                p.early.complete(client);
            } catch (RuntimeException | LinkageError e) {
                p.early.completeExceptionally(e);
            }
        }, "nsnet-prewarm");
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** --socket PATH or --socket=PATH anywhere before "--", else $NSNET_SOCKET, else the default. */
    static Path predictSocket(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("--socket") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--socket=")) {
                return Path.of(args[i].substring("--socket=".length()));
            }
        }
        String fromEnv = env.get(NsnetCommand.SOCKET_ENV);
        return Path.of(fromEnv == null || fromEnv.isBlank() ? NsnetCommand.DEFAULT_SOCKET : fromEnv);
    }

    @Override
    public ApiClient apply(Path socket) {
        if (socket.equals(predicted)) {
            try {
                return early.join();
            } catch (CompletionException e) {
                // Fall through: reopen here for the authoritative error.
            }
        }
        return ApiClient.open(socket);
    }
}
