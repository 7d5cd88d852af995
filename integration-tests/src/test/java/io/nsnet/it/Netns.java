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

    /** Link names in this namespace ("veth1@if3" shown as "veth1"). */
    List<String> links() {
        return ip("-o", "link", "show").check().out().lines()
                .map(l -> l.split(": ", 3)[1])
                .map(n -> n.contains("@") ? n.substring(0, n.indexOf('@')) : n)
                .sorted().toList();
    }

    /** Link names of one kind ("bridge", "veth") in this namespace. */
    List<String> links(String type) {
        return ip("-o", "link", "show", "type", type).check().out().lines()
                .map(l -> l.split(": ", 3)[1])
                .map(n -> n.contains("@") ? n.substring(0, n.indexOf('@')) : n)
                .sorted().toList();
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
