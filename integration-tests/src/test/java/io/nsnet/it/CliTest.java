package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The seed's experiment driven only through the {@code nsnet} CLI (a separate process per command, as a user
 * types it), checked in the kernel: a user network, two sandboxes and a published port, ping out and across,
 * the forbidden path refused, then everything removed and the host back to its state after start.
 */
@Tag("kernel")
class CliTest {
    @RegisterExtension
    final Lab lab = new Lab();

    @Test
    void theSeedsExperimentThroughTheCli() throws Exception {
        lab.start(DaemonOptions.seed());
        Cli cli = new Cli(ItMode.existing() ? ItMode.socket() : lab.daemon().socket());
        HostSnapshot atStart = HostSnapshot.of(lab);
        String web = lab.name("web");
        String api = lab.name("api");
        String db = lab.name("db");
        String lone = lab.name("lone");

        ok(cli.run("network", "create", web, "--subnet", "10.50.0.0/24"));
        ok(cli.run("sandbox", "create", api, "--network", web, "-p", "8080:80"));
        ok(cli.run("sandbox", "create", db, "--network", web));
        ok(cli.run("sandbox", "create", lone));

        JsonNode nets = Api.JSON.readTree(ok(cli.run("network", "ls", "--json")).out());
        assertThat(nets.findValuesAsText("name")).contains("bridge", web);
        JsonNode dbView = Api.JSON.readTree(ok(cli.run("sandbox", "inspect", db, "--json")).out());
        String dbIp = Api.ip(dbView);
        assertThat(dbIp).startsWith("10.50.0.");
        String loneIp = Api.ip(Api.JSON.readTree(ok(cli.run("sandbox", "inspect", lone, "--json")).out()));
        assertThat(ok(cli.run("network", "ls")).out()).as("the table for people").contains(web).contains("10.50.0.0/24");

        // exec runs inside the sandbox: ping out, across the user network, and not to the default network.
        ok(cli.run("exec", api, "--", "ping", "-c", "1", "-W", "1", Lab.WAN_IP));
        ok(cli.run("exec", api, "--", "ping", "-c", "1", "-W", "1", dbIp));
        assertThat(cli.run("exec", api, "--", "ping", "-c", "1", "-W", "1", loneIp).rc())
                .as("api (user network) -> lone (default network) is isolated").isNotZero();
        assertThat(ok(cli.run("exec", api, "--", "ip", "-o", "-4", "addr", "show", "dev", "eth0")).out())
                .contains(Api.ip(Api.JSON.readTree(ok(cli.run("sandbox", "inspect", api, "--json")).out())));

        // The published port from the wan.
        try (Probe.TcpServer srv = new Probe.TcpServer(lab.sandbox(api), "0.0.0.0", 80)) {
            assertThat(Probe.tcp(lab.wan(), Lab.HOST_IP, 8080, 3000)).as("wan -> host:8080").contains(Lab.WAN_IP);
        }

        ok(cli.run("sandbox", "rm", api, db, lone));
        ok(cli.run("network", "rm", web));
        assertThat(HostSnapshot.of(lab)).as("host after removing everything").isEqualTo(atStart);
    }

    private static Cmd.Result ok(Cmd.Result r) {
        assertThat(r.rc()).as("nsnet %s\nstdout: %s\nstderr: %s", r.argv(), r.out(), r.err()).isZero();
        assertThat(r.err()).as("stderr of %s", r.argv()).isEmpty();
        return r;
    }
}
