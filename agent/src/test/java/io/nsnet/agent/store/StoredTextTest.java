package io.nsnet.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.ValidationException;

class StoredTextTest {
    @Test
    void parsesWhatTheStoreWritesLikeTheStrictParsers() {
        for (String ip : new String[] {"0.0.0.0", "10.0.0.1", "172.17.0.1", "255.255.255.255", "192.168.15.254"}) {
            assertThat(StoredText.ipv4(ip)).isEqualTo(Ipv4.parse(ip));
        }
        for (String c : new String[] {"10.0.0.0/8", "172.17.0.0/16", "10.1.255.0/24", "0.0.0.0/0", "10.0.0.7/32"}) {
            assertThat(StoredText.cidr(c)).isEqualTo(Cidr.parse(c));
        }
        Instant now = Instant.now();
        Instant second = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        for (Instant t : new Instant[] {now, second, second.plusNanos(120_000_000), second.plusNanos(123_456_000),
                Instant.parse("1999-12-31T23:59:59Z"), Instant.parse("2026-02-28T00:00:00.000000001Z")}) {
            assertThat(StoredText.instant(t.toString())).isEqualTo(t);
        }
    }

    @Test
    void anythingElseGoesToTheStrictParser() {
        assertThatThrownBy(() -> StoredText.ipv4("10.0.0.256")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> StoredText.ipv4("10.0.0")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> StoredText.cidr("10.0.0.1/24")).isInstanceOf(ValidationException.class);
        assertThat(StoredText.instant("2026-11-27T12:00:00+00:00")).isEqualTo(Instant.parse("2026-11-27T12:00:00Z"));
    }
}
