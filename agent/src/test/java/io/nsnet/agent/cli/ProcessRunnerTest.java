package io.nsnet.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
    @Test
    void returnsTheChildsExitStatus() throws Exception {
        assertThat(ProcessRunner.inheritIo().run(List.of("sh", "-c", "exit 3"))).isEqualTo(3);
        assertThat(ProcessRunner.inheritIo().run(List.of("true"))).isZero();
    }

    @Test
    void argumentsAreNotInterpretedByAShell() throws Exception {
        // One argument with a space and a ';': a shell would split it, an argument array does not.
        assertThat(ProcessRunner.inheritIo().run(List.of("test", "a b; exit 7", "=", "a b; exit 7"))).isZero();
    }

    @Test
    void missingProgramIsAnIoError() {
        assertThatThrownBy(() -> ProcessRunner.inheritIo().run(List.of("/nonexistent/nsnet-no-such-program")))
                .isInstanceOf(IOException.class);
    }
}
