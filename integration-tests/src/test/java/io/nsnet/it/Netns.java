package io.nsnet.it;

import java.util.Arrays;
import java.util.List;

/**
 * A network namespace as the tests see it, through iproute2. {@code name == null} is the namespace the test
 * JVM runs in (only in the existing-daemon mode on a throwaway VM; in CI every command targets an nst- name).
 */
record Netns(String name) {

    static Netns root() {
        return new Netns(null);
    }

    boolean isRoot() {
        return name == null;
    }

    /** argv that runs {@code cmd} inside this namespace. */
    List<String> exec(String... cmd) {
        return isRoot() ? Arrays.asList(cmd) : Cmd.concat(List.of("ip", "netns", "exec", name), cmd);
    }

    Cmd.Result run(String... cmd) {
        return Cmd.run(exec(cmd), 60);
    }

    /** {@code ip -n NAME ARGS...}: iproute2's own namespace switch, no exec needed. */
    Cmd.Result ip(String... args) {
        List<String> argv = isRoot() ? Cmd.concat(List.of("ip"), args) : Cmd.concat(List.of("ip", "-n", name), args);
        return Cmd.run(argv, 30);
    }

    /**
     * The alias of the veth nsnetd keeps made ahead in its spare namespace, down and on no bridge (see SandboxDriver):
     * it comes and goes with every create, so the listings below leave it out unless asked.
     */
    static final String SPARE_ALIAS = "nsnet:spare";

    /** `ip -o link show ARGS` lines, without nsnetd's spare veth unless {@code withSpare}. */
    private java.util.stream.Stream<String> linkLines(boolean withSpare, String... args) {
        return ip(Cmd.concat(List.of("-o", "link", "show"), args).toArray(String[]::new)).check().out().lines()
                .filter(l -> withSpare || !l.contains("alias " + SPARE_ALIAS));
    }

    private static String name(String line) {
        String n = line.split(": ", 3)[1];
        return n.contains("@") ? n.substring(0, n.indexOf('@')) : n;
    }

    /** Link names in this namespace ("veth1@if3" shown as "veth1"), nsnetd's spare veth left out. */
    List<String> links() {
        return linkLines(false).map(Netns::name).sorted().toList();
    }

    /** "ifindex:name" of every link (the spare veth left out): a link deleted and made again gets a new index. */
    List<String> linkIndexes() {
        return linkLines(false).map(l -> l.split(": ", 3)[0] + ":" + name(l)).sorted().toList();
    }

    /** Link names of one kind ("bridge", "veth") in this namespace, nsnetd's spare veth left out. */
    List<String> links(String type) {
        return linkLines(false, "type", type).map(Netns::name).sorted().toList();
    }

    /** As {@link #links(String)}, nsnetd's spare veth included: for when no nsnetd runs. */
    List<String> everyLink(String type) {
        return linkLines(true, "type", type).map(Netns::name).sorted().toList();
    }

    /** Names under /run/netns starting with {@code prefix}. */
    static List<String> named(String prefix) {
        return Cmd.run("ip", "netns", "list").check().out().lines()
                .map(l -> l.split(" ", 2)[0])
                .filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    static void add(String name) {
        Cmd.run("ip", "netns", "add", name).check();
    }

    static void delete(String name) {
        if (named(name).contains(name)) {
            Cmd.run("ip", "netns", "delete", name).check();
        }
    }

    @Override
    public String toString() {
        return isRoot() ? "(root namespace)" : name;
    }
}
