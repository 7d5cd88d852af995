package io.nsnet.agent.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.Sandbox;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a stream of writes loses no committed transaction and leaves no partial one. (A
 * process kill keeps the OS page cache, so this checks atomicity and recovery, not the fsync itself; power-loss
 * safety rests on the fdatasync of the write-ahead log after each commit, which {@link StateStoreTest} checks is done.)
 */
class CrashSafetyTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void killMinus9LosesNoCommittedTransaction() throws Exception {
        Path dir = tmp.resolve("state");
        int rounds = 3;
        Set<Integer> committed = new HashSet<>();
        for (int round = 0; round < rounds; round++) {
            // Each round continues on the same database; later rounds start after what is already there.
            committed.addAll(runAndKill(dir, 40 + 37 * round));
            try (StateStore store = StateStore.open(dir)) {
                StateSnapshot snap = store.snapshot();
                Set<String> networks = new HashSet<>();
                snap.networks().forEach(n -> networks.add(n.name()));
                for (int n : committed) {
                    assertThat(networks).contains("n" + n);
                }
                // Atomicity: every network came with its sandbox, endpoint and port, or not at all.
                for (Network n : snap.networks()) {
                    Sandbox s = snap.sandbox("s" + n.name().substring(1)).orElseThrow();
                    assertThat(s.endpoints()).hasSize(1);
                    assertThat(s.ports()).hasSize(1);
                }
                assertThat(snap.sandboxes()).hasSameSizeAs(snap.networks());
                // At most the one transaction in flight at the kill may have committed without being reported.
                assertThat(snap.networks().size()).isBetween(committed.size(), committed.size() + 1);
                // Make the next round's writer continue after the existing rows: drop the unreported one, if any.
                for (Network n : snap.networks()) {
                    int i = Integer.parseInt(n.name().substring(1));
                    if (!committed.contains(i)) {
                        store.update(tx -> {
                            tx.deleteSandbox("s" + i);
                            tx.deleteNetwork(n.name());
                        });
                    }
                }
            }
            assertThat(integrityCheck(dir.resolve(StateStore.DB_FILE))).isEqualTo("ok");
        }
        assertThat(committed).hasSizeGreaterThanOrEqualTo(40);
    }

    /** Starts a {@link CrashWriter}, waits for at least {@code atLeast} commits, SIGKILLs it, returns what it reported. */
    private static List<Integer> runAndKill(Path dir, int atLeast) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-cp", classpath, CrashWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Integer> reported = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            int seen = 0;
            while ((line = out.readLine()) != null) {
                int n = Integer.parseInt(line.substring("committed ".length()));
                reported.add(n);
                if (++seen >= atLeast) {
                    // Kill while it is still writing: SIGKILL, no shutdown hooks. Through the ProcessHandle, because
                    // Process.destroyForcibly() would also close our end of its stdout before we drain it.
                    p.toHandle().destroyForcibly();
                    break;
                }
            }
            // Lines already written before the kill were reported after their commit: they count as acknowledged.
            while ((line = out.readLine()) != null) {
                if (line.startsWith("committed ")) {
                    reported.add(Integer.parseInt(line.substring("committed ".length())));
                }
            }
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(reported).hasSizeGreaterThanOrEqualTo(atLeast);
        return reported;
    }

    private static String integrityCheck(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            return rs.next() ? rs.getString(1) : "";
        }
    }
}
