package io.nsnet.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The seed's ruleset after start (docker-bridge-layout.md, step 02: 15 rules, FORWARD policy DROP) in the
 * normalised form of {@link Firewall#save()}. Written for prefix DOCKER, docker0 and 172.17.0.0/16; other
 * names are substituted so the existing-daemon mode can compare its own daemon's baseline too.
 */
final class SeedRuleset {
    private SeedRuleset() {
    }

    static List<String> expected(String chainPrefix, String bridge, String subnet) {
        try (InputStream in = SeedRuleset.class.getResourceAsStream("seed-ruleset.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.replace("DOCKER", chainPrefix).replace("docker0", bridge).replace("172.17.0.0/16", subnet)
                    .lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long ruleCount(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("-A ")).count();
    }
}
