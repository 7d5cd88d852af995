package io.nsnet.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** Flags over the config file over the defaults, for the two switches; a value that is not a boolean is refused. */
class NsnetdConfigTest {
    @TempDir
    Path dir;

    private Nsnetd parsed(String json, String... flags) throws Exception {
        Path cf = dir.resolve("nsnetd.json");
        Files.writeString(cf, json);
        Nsnetd d = new Nsnetd();
        new CommandLine(d).parseArgs(flags);
        d.configFile = cf;
        return d;
    }

    @Test
    void warmupAndProxyComeFromFlagsThenFileThenDefaults() throws Exception {
        Nsnetd defaults = parsed("{}");
        assertThat(defaults.config().userlandProxy()).isTrue();
        assertThat(defaults.warmupWanted()).isTrue();

        Nsnetd fromFile = parsed("{\"warmup\": false, \"userland-proxy\": false}");
        assertThat(fromFile.config().userlandProxy()).isFalse();
        assertThat(fromFile.warmupWanted()).isFalse();

        Nsnetd flagsWin = parsed("{\"warmup\": false, \"userland-proxy\": false}", "--warmup", "true",
                "--userland-proxy", "TRUE");
        assertThat(flagsWin.config().userlandProxy()).isTrue();
        assertThat(flagsWin.warmupWanted()).isTrue();
    }

    @Test
    void aValueThatIsNotABooleanIsRefusedNamingTheKey() throws Exception {
        assertThatThrownBy(() -> parsed("{\"warmup\": \"no\"}").config())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("warmup: \"no\" is not true or false");
        assertThatThrownBy(() -> parsed("{\"userland-proxy\": \"yes\"}").config())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userland-proxy");
        assertThatThrownBy(() -> parsed("{\"warmups\": true}").config())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key \"warmups\"");
    }
}
