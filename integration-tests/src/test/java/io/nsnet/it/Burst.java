package io.nsnet.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Several clients at once, each looping: create a network, create a sandbox on it, connect the sandbox to the
 * default network, delete the previous iteration's sandbox and network. Every call's outcome is recorded:
 * acknowledged (2xx), refused (another status), or unknown (no answer: the daemon died mid-request).
 */
final class Burst {
    enum Outcome { ACKED, REFUSED, UNKNOWN }

    enum Op { CREATE_NETWORK, CREATE_SANDBOX, CONNECT, DELETE_SANDBOX, DELETE_NETWORK }

    record Call(Op op, String target, Outcome outcome, int status, String answer) {
    }

    private final Api api;
    private final String defaultNetwork;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    Burst(Api api, String defaultNetwork) {
        this.api = api;
        this.defaultNetwork = defaultNetwork;
    }

    void start(int clients) {
        for (int t = 0; t < clients; t++) {
            int client = t;
            Thread th = new Thread(() -> loop(client), "burst-" + t);
            threads.add(th);
            th.start();
        }
    }

    long acked() {
        return calls.stream().filter(c -> c.outcome() == Outcome.ACKED).count();
    }

    List<Call> calls() {
        return calls;
    }

    /** Waits for the clients: each stops at its first unanswered call (the daemon is gone) or when told to. */
    void join() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    private void loop(int t) {
        for (int i = 0; !stop.get(); i++) {
            String net = "k" + t + "n" + i;
            String sb = "k" + t + "s" + i;
            if (!call(Op.CREATE_NETWORK, net, () -> api.post("/v1/networks", Map.of("name", net)))
                    || !call(Op.CREATE_SANDBOX, sb, () -> api.post("/v1/sandboxes", Map.of("name", sb, "networks", List.of(net))))
                    || !call(Op.CONNECT, sb, () -> api.post("/v1/networks/" + defaultNetwork + "/connect", Map.of("sandbox", sb)))) {
                return;
            }
            String prevNet = "k" + t + "n" + (i - 1);
            String prevSb = "k" + t + "s" + (i - 1);
            if (i > 0 && (!call(Op.DELETE_SANDBOX, prevSb, () -> api.delete("/v1/sandboxes/" + prevSb))
                    || !call(Op.DELETE_NETWORK, prevNet, () -> api.delete("/v1/networks/" + prevNet)))) {
                return;
            }
        }
    }

    /** Records one call; false when there was no answer (stop this client). */
    private boolean call(Op op, String target, java.util.function.Supplier<Api.Reply> request) {
        try {
            Api.Reply r = request.get();
            calls.add(new Call(op, target, r.ok() ? Outcome.ACKED : Outcome.REFUSED, r.status(), r.raw()));
            return true;
        } catch (Api.ApiUnavailable e) {
            calls.add(new Call(op, target, Outcome.UNKNOWN, 0, e.getMessage()));
            return false;
        }
    }
}
