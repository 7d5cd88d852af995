package io.nsnet.agent.store;

import static io.nsnet.agent.store.StoreFixtures.endpoint;
import static io.nsnet.agent.store.StoreFixtures.network;
import static io.nsnet.agent.store.StoreFixtures.sandbox;
import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.model.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers running next to a writer always see whole transactions: a sandbox is written together with its two
 * endpoints, and a reader must never see it with fewer; counts never go backwards.
 */
class ConcurrentReadersTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void readersSeeOnlyCommittedWholeTransactions() throws Exception {
        int writes = 150;
        int readerThreads = 8; // more than the store's read connections: some must wait their turn
        try (StateStore store = StateStore.open(tmp)) {
            store.update(tx -> {
                tx.insertNetwork(network(tx, "a", "10.0.0.0/16"));
                tx.insertNetwork(network(tx, "b", "10.1.0.0/16"));
            });
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(readerThreads + 1);
            try {
                List<Future<Integer>> readers = new ArrayList<>();
                for (int r = 0; r < readerThreads; r++) {
                    readers.add(pool.submit(() -> {
                        int reads = 0;
                        int lastCount = 0;
                        while (!done.get() || reads == 0) {
                            List<Sandbox> seen = store.sandboxes();
                            assertThat(seen.size()).isGreaterThanOrEqualTo(lastCount);
                            lastCount = seen.size();
                            for (Sandbox s : seen) {
                                assertThat(s.endpoints()).hasSize(2);
                            }
                            reads++;
                        }
                        return reads;
                    }));
                }
                Future<?> writer = pool.submit(() -> {
                    for (int i = 0; i < writes; i++) {
                        int n = i;
                        store.update(tx -> tx.insertSandbox(sandbox(tx, "s" + n, List.of(
                                endpoint("a", 0, "10.0." + (n / 250) + "." + (n % 250 + 2), 2 * n + 1),
                                endpoint("b", 1, "10.1." + (n / 250) + "." + (n % 250 + 2), 2 * n + 2)), List.of())));
                    }
                    done.set(true);
                    return null;
                });
                writer.get(50, TimeUnit.SECONDS);
                for (Future<Integer> f : readers) {
                    assertThat(f.get(10, TimeUnit.SECONDS)).isPositive();
                }
            } finally {
                done.set(true);
                pool.shutdownNow();
            }
            assertThat(store.sandboxes()).hasSize(writes);
        }
    }
}
