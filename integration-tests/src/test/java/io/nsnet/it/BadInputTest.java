package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * (l) Every kind of bad request gets a clear 4xx whose message names the field or the conflict; the daemon keeps
 * serving; nothing changes (GET lists, links, namespaces and iptables-save identical before and after).
 */
@Tag("kernel")
class BadInputTest {
    @RegisterExtension
    final Lab lab = new Lab();

    /** One bad request: what is sent, the status expected, and words its message must contain. */
    record Case(String what, String method, String path, String body, int status, List<String> mentions) {
        static Case of(String what, String method, String path, String body, int status, String... mentions) {
            return new Case(what, method, path, body, status, List.of(mentions));
        }
    }

    @Test
    void badRequestsAreRefusedClearlyAndChangeNothing() {
        lab.start(DaemonOptions.seed());
        Api api = lab.api();
        String net = lab.name("used");
        String sb = lab.name("holder");
        // Objects the conflicts need: a network with a sandbox on it, publishing a host port.
        api.createNetwork(Map.of("name", net, "subnet", "10.60.0.0/24"));
        api.createSandbox(Map.of("name", sb, "networks", List.of(net), "ports", List.of("18080:80/tcp")));

        String networksBefore = api.get("/v1/networks").check().raw();
        String sandboxesBefore = api.get("/v1/sandboxes").check().raw();
        HostSnapshot before = HostSnapshot.of(lab);

        String n = lab.name("x");
        List<Case> cases = new ArrayList<>(List.of(
                Case.of("malformed JSON", "POST", "/v1/networks", "{\"name\": \"" + n + "\"", 400),
                Case.of("not an object", "POST", "/v1/networks", "[1,2]", 400),
                Case.of("unknown field", "POST", "/v1/networks", "{\"name\":\"" + n + "\",\"bogus\":1}", 400, "bogus"),
                Case.of("wrong type", "POST", "/v1/networks", "{\"name\":\"" + n + "\",\"mtu\":\"big\"}", 400, "mtu"),
                Case.of("missing name", "POST", "/v1/networks", "{\"subnet\":\"10.61.0.0/24\"}", 400, "name"),
                Case.of("bad CIDR", "POST", "/v1/networks", "{\"name\":\"" + n + "\",\"subnet\":\"10.61.0.0/33\"}", 400, "subnet"),
                Case.of("CIDR junk", "POST", "/v1/networks", "{\"name\":\"" + n + "\",\"subnet\":\"10.61.0/x\"}", 400, "subnet"),
                Case.of("gateway outside subnet", "POST", "/v1/networks",
                        "{\"name\":\"" + n + "\",\"subnet\":\"10.61.0.0/24\",\"gateway\":\"10.62.0.1\"}", 400, "gateway"),
                Case.of("bad MTU", "POST", "/v1/networks", "{\"name\":\"" + n + "\",\"mtu\":10}", 400, "mtu"),
                Case.of("bridge name too long", "POST", "/v1/networks",
                        "{\"name\":\"" + n + "\",\"bridgeName\":\"averyveryverylongbridge\"}", 400, "bridge"),
                Case.of("name too long", "POST", "/v1/networks", "{\"name\":\"" + "n".repeat(300) + "\"}", 400, "name"),
                Case.of("name with a slash", "POST", "/v1/networks", "{\"name\":\"a/b\"}", 400, "name"),
                Case.of("name with a space", "POST", "/v1/networks", "{\"name\":\"a b\"}", 400, "name"),
                Case.of("overlapping subnet", "POST", "/v1/networks",
                        "{\"name\":\"" + n + "\",\"subnet\":\"10.60.0.0/16\"}", 409, net),
                Case.of("duplicate network", "POST", "/v1/networks", "{\"name\":\"" + net + "\"}", 409, net),
                Case.of("delete a network in use", "DELETE", "/v1/networks/" + net, null, 409, sb),
                Case.of("delete an unknown network", "DELETE", "/v1/networks/" + lab.name("nope"), null, 404, lab.name("nope")),
                Case.of("bad IP", "POST", "/v1/sandboxes",
                        "{\"name\":\"" + n + "\",\"networks\":[\"" + net + "\"],\"ip\":\"10.60.0.300\"}", 400, "ip"),
                Case.of("IP outside the subnet", "POST", "/v1/sandboxes",
                        "{\"name\":\"" + n + "\",\"networks\":[\"" + net + "\"],\"ip\":\"10.99.0.5\"}", 400, "10.99.0.5"),
                Case.of("IP taken", "POST", "/v1/sandboxes",
                        "{\"name\":\"" + n + "\",\"networks\":[\"" + net + "\"],\"ip\":\"10.60.0.2\"}", 409, "10.60.0.2"),
                Case.of("port out of range", "POST", "/v1/sandboxes",
                        "{\"name\":\"" + n + "\",\"ports\":[\"70000:80/tcp\"]}", 400, "70000"),
                Case.of("bad protocol", "POST", "/v1/sandboxes", "{\"name\":\"" + n + "\",\"ports\":[\"8081:80/sctp\"]}", 400, "sctp"),
                Case.of("port junk", "POST", "/v1/sandboxes", "{\"name\":\"" + n + "\",\"ports\":[\"web\"]}", 400, "web"),
                Case.of("publishing a taken port", "POST", "/v1/sandboxes",
                        "{\"name\":\"" + n + "\",\"ports\":[\"18080:81/tcp\"]}", 409, "18080"),
                Case.of("sandbox name with bad characters", "POST", "/v1/sandboxes", "{\"name\":\"../etc\"}", 400, "name"),
                Case.of("sandbox name too long", "POST", "/v1/sandboxes", "{\"name\":\"" + "s".repeat(200) + "\"}", 400, "name"),
                Case.of("duplicate sandbox", "POST", "/v1/sandboxes", "{\"name\":\"" + sb + "\"}", 409, sb),
                Case.of("unknown network", "POST", "/v1/sandboxes",
                        "{\"name\":\"" + n + "\",\"networks\":[\"" + lab.name("nope") + "\"]}", 404, lab.name("nope")),
                Case.of("connect an unknown sandbox", "POST", "/v1/networks/" + net + "/connect",
                        "{\"sandbox\":\"" + lab.name("nope") + "\"}", 404, lab.name("nope")),
                Case.of("connect twice", "POST", "/v1/networks/" + net + "/connect", "{\"sandbox\":\"" + sb + "\"}", 409, sb),
                Case.of("disconnect from a network it is not on", "POST", "/v1/networks/bridge/disconnect",
                        "{\"sandbox\":\"" + sb + "\"}", 4, sb),
                Case.of("delete an unknown sandbox", "DELETE", "/v1/sandboxes/" + lab.name("nope"), null, 404, lab.name("nope"))));

        SoftAssertions soft = new SoftAssertions();
        for (Case c : cases) {
            lab.note(c.what());
            Api.Reply r = api.send(c.method(), c.path(), c.body());
            String label = c.what() + ": " + c.method() + " " + c.path() + " " + c.body() + " -> " + r.status() + " " + r.raw();
            if (c.status() == 4) {
                soft.assertThat(r.status() / 100).as(label).isEqualTo(4);
            } else {
                soft.assertThat(r.status()).as(label).isEqualTo(c.status());
            }
            soft.assertThat(r.json()).as(label + " (a JSON error body)").isNotNull();
            if (r.json() != null) {
                soft.assertThat(r.json().path("message").asText()).as(label + " (message)").isNotBlank();
                for (String word : c.mentions()) {
                    soft.assertThat(r.message().toLowerCase(java.util.Locale.ROOT)).as(label + " (names the field)")
                            .contains(word.toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        soft.assertAll();

        // The daemon still serves and nothing changed.
        assertThat(api.info().get("networks").asInt()).isPositive();
        assertThat(api.get("/v1/networks").check().raw()).as("GET /v1/networks").isEqualTo(networksBefore);
        assertThat(api.get("/v1/sandboxes").check().raw()).as("GET /v1/sandboxes").isEqualTo(sandboxesBefore);
        assertThat(HostSnapshot.of(lab)).as("links, addresses, routes, namespaces, iptables-save").isEqualTo(before);

        // The CLI reports errors as "Error: ..." on stderr with exit code 1, and usage errors with 2.
        if (!ItMode.existing()) {
            Cli cli = new Cli(lab.daemon().socket());
            Cmd.Result dup = cli.run("network", "create", net);
            assertThat(dup.rc()).as("nsnet network create (duplicate) exit code: %s", dup).isEqualTo(1);
            assertThat(dup.err()).startsWith("Error: ").contains(net);
            Cmd.Result usage = cli.run("network", "create");
            assertThat(usage.rc()).as("nsnet network create without a name: %s", usage).isEqualTo(2);
            assertThat(api.get("/v1/networks").check().raw()).isEqualTo(networksBefore);
        }
    }
}
