package io.nsnet.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nsnet.agent.api.Json;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Opens the API client on other threads while the main thread is still in picocli: a first request's
 * connection and code paths, and building Jackson's mapper. With a spare core these overlap and a command's
 * start-up is roughly the largest of them, not their sum. The socket is predicted from the arguments the same way {@link NsnetCommand} resolves it; if
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
        // Two helpers: Jackson's mapper and the first request (mostly Jetty's HTTP parser initialising) need nothing
        // from each other until a response is parsed, so on two cores they overlap with each other and with picocli.
        CompletableFuture<ObjectMapper> mapper = new CompletableFuture<>();
        daemon("nsnet-prewarm-json", () -> {
            try {
                mapper.complete(ApiClient.warmMapper(Json.lenient()));
            } catch (RuntimeException | LinkageError e) {
                mapper.complete(Json.lenient());
            }
        });
        daemon("nsnet-prewarm-http", () -> {
            try {
                ApiClient client = ApiClient.open(p.predicted, mapper);
                client.ping();
                p.early.complete(client);
            } catch (RuntimeException | LinkageError e) {
                p.early.completeExceptionally(e);
            }
        });
        return p;
    }

    private static void daemon(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
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
