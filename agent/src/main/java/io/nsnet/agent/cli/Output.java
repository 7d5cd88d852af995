package io.nsnet.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;

/** Printing API JSON for scripts: the daemon's own document, indented, nothing added or dropped. */
final class Output {
    private Output() {
    }

    static void json(PrintWriter out, JsonNode node) {
        try {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(node));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new CliException("cannot print JSON: " + e.getOriginalMessage());
        }
    }

    static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
