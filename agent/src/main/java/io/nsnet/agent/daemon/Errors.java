package io.nsnet.agent.daemon;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;

/**
 * Runs every step of a teardown and keeps going after a failure, so one stuck object does not leave the rest
 * behind; the collected failures are reported together (as netavark's teardown does).
 */
final class Errors {
    private final List<String> failures = new ArrayList<>();

    void run(String step, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            failures.add(step + ": " + e.getMessage());
        }
    }

    void addAll(Errors other) {
        failures.addAll(other.failures);
    }

    boolean isEmpty() {
        return failures.isEmpty();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    void logTo(Logger log) {
        failures.forEach(f -> log.warn("cleanup step failed: {}", f));
    }

    void throwIfAny(String what) {
        if (!failures.isEmpty()) {
            throw new IllegalStateException(what + " failed: " + String.join("; ", failures));
        }
    }
}
