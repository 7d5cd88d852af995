package io.nsnet.agent.store;

import static io.nsnet.agent.store.StoreFixtures.endpoint;
import static io.nsnet.agent.store.StoreFixtures.network;
import static io.nsnet.agent.store.StoreFixtures.sandbox;

import io.nsnet.agent.model.PortMapping;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process for {@link CrashSafetyTest}: writes transactions in a loop and prints {@code committed N} only
 * after {@link StateStore#update} returned, i.e. after the point where nsnetd would acknowledge a client. It is
 * killed with SIGKILL at an arbitrary moment.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        StateStore store = StateStore.open(Path.of(args[0]));
        // Continue after the last transaction of an earlier (killed) run.
        for (int i = store.snapshot().lastPoolIndex() + 1; ; i++) {
            int n = i;
            // One transaction, several tables: a network, a sandbox on it with a published port, the pool index.
            store.update(tx -> {
                tx.insertNetwork(network(tx, "n" + n, "10." + (n / 256 % 256) + "." + (n % 256) + ".0/24"));
                tx.insertSandbox(sandbox(tx, "s" + n,
                        List.of(endpoint("n" + n, 0, "10." + (n / 256 % 256) + "." + (n % 256) + ".2", n + 1)),
                        List.of(PortMapping.parse((1024 + n % 60000) + ":80"))));
                tx.setLastPoolIndex(n);
            });
            System.out.println("committed " + n);
            System.out.flush();
        }
    }
}
