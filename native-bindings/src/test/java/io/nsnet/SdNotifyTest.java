package io.nsnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nsnet.systemd.SdNotify;

class SdNotifyTest {
    @Test
    void sendsOneDatagramToTheNotifySocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("notify");
        // The JDK cannot bind an AF_UNIX datagram socket, so a python3 one-liner plays systemd's receiver
        // (skipped where python3 is missing; the disabled path is checked either way).
        assertThat(new SdNotify(null).notify("READY=1")).isFalse();
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return;
        }
        Process receiver = new ProcessBuilder("python3", "-c",
                "import socket,sys;s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM);s.bind(sys.argv[1]);"
                + "print('bound',flush=True);print(s.recv(100).decode(),flush=True)", sock.toString()).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("bound");
        assertThat(new SdNotify(sock.toString()).notify("READY=1")).isTrue();
        assertThat(out.readLine()).isEqualTo("READY=1");
        receiver.waitFor();
    }
}
