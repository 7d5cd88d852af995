package io.nsnet.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.api.NetworkView;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    private static String render(Table t) {
        StringWriter sw = new StringWriter();
        t.print(new PrintWriter(sw));
        return sw.toString();
    }

    @Test
    void alignsColumnsAndFillsEmptyCells() {
        String out = render(new Table("NAME", "ID", "X").row("a", "123456", "").row("longer-name", null, "z"));
        assertThat(out.split(System.lineSeparator())).containsExactly(
                "NAME          ID       X",
                "a             123456   -",
                "longer-name   -        z");
    }

    @Test
    void noTrailingBlanks() {
        String out = render(new Table("A", "B").row("x", "a-very-long-last-cell").row("y", "s"));
        for (String line : out.split(System.lineSeparator())) {
            assertThat(line).doesNotEndWith(" ");
        }
    }

    @Test
    void rejectsRaggedRows() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shortIdIsTwelveDigits() {
        assertThat(Table.shortId("0123456789abcdef")).isEqualTo("0123456789ab");
        assertThat(Table.shortId("abc")).isEqualTo("abc");
        assertThat(Table.shortId(null)).isEmpty();
    }

    @Test
    void networkFlagsShowOnlyWhatDiffersFromDefaults() {
        NetworkView plain = new NetworkView("n", "id", "br", "10.0.0.0/24", "10.0.0.1", null, false, true, true, 1500,
                false, "t", List.of());
        NetworkView odd = new NetworkView("n", "id", "br", "10.0.0.0/24", "10.0.0.1", "10.0.0.128/25", true, false,
                false, 9000, true, "t", List.of());
        assertThat(NetworkCommand.Ls.flags(plain)).isEmpty();
        assertThat(NetworkCommand.Ls.flags(odd))
                .isEqualTo("default,internal,icc=false,masquerade=false,mtu=9000,ip-range=10.0.0.128/25");
    }
}
