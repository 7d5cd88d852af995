package io.nsnet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * iproute2 as the independent observer of kernel state: {@code ip -j -n NS ...}, argument arrays only.
 * Never used by the code under test.
 */
public final class Observer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Observer() {
    }

    public static String run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", argv));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", argv) + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code ip -j -d -n NS ARGS...} parsed. */
    public static JsonNode ipJson(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-j", "-d", "-n", ns));
        argv.addAll(List.of(args));
        String out = run(argv.toArray(String[]::new)).trim();
        try {
            return JSON.readTree(out.isEmpty() ? "[]" : out);
        } catch (IOException e) {
            throw new AssertionError("ip printed no JSON: " + out, e);
        }
    }

    public static JsonNode link(String ns, String name) {
        JsonNode all = ipJson(ns, "link", "show");
        for (JsonNode l : all) {
            if (name.equals(l.path("ifname").asText())) {
                return l;
            }
        }
        return null;
    }

    public static List<String> linkNames(String ns) {
        List<String> names = new ArrayList<>();
        ipJson(ns, "link", "show").forEach(l -> names.add(l.path("ifname").asText()));
        return names;
    }

    /** As {@link #linkNames}, leaving out the links whose alias is {@code alias}. */
    public static List<String> linkNamesExcept(String ns, String alias) {
        List<String> names = new ArrayList<>();
        ipJson(ns, "link", "show").forEach(l -> {
            if (!alias.equals(l.path("ifalias").asText())) {
                names.add(l.path("ifname").asText());
            }
        });
        return names;
    }

    /** The links whose alias is {@code alias}, from one listing. */
    public static List<String> linkNamesWithAlias(String ns, String alias) {
        List<String> names = new ArrayList<>();
        ipJson(ns, "link", "show").forEach(l -> {
            if (alias.equals(l.path("ifalias").asText())) {
                names.add(l.path("ifname").asText());
            }
        });
        return names;
    }

    public static List<String> netnsList() {
        List<String> names = new ArrayList<>();
        for (String line : run("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split("\\s+")[0]);
            }
        }
        return names;
    }

    /** How many CPUs the kernel counts as possible (/sys/devices/system/cpu/possible, e.g. "0-1" or "0,2-3"). */
    public static int possibleCpus() {
        try {
            int n = 0;
            for (String range : java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/possible"))
                    .strip().split(",")) {
                String[] ends = range.split("-");
                n += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return n;
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read the possible CPUs", e);
        }
    }
}
