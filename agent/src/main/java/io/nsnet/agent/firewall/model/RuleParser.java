package io.nsnet.agent.firewall.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the text after {@code -A CHAIN } into a {@link Rule}. Anything outside nsnet's vocabulary, or written in
 * an order nsnet would not render identically, becomes a {@link ForeignRule} holding the original text: the
 * differ must never rewrite a rule it does not fully understand.
 */
public final class RuleParser {

    private RuleParser() {
    }

    public static Rule parse(String spec) {
        String text = spec.strip();
        try {
            RuleSpec parsed = parseSpec(tokenize(text));
            if (parsed != null && parsed.spec().equals(text)) {
                return parsed;
            }
        } catch (IllegalArgumentException e) {
            // Outside nsnet's vocabulary or invalid for it: keep verbatim below.
        }
        return new ForeignRule(text);
    }

    private static RuleSpec parseSpec(List<String> tokens) {
        Negatable s = null, d = null, in = null, out = null;
        String proto = null, srcType = null, dstType = null, ctstate = null, comment = null, module = null;
        Integer dport = null;
        Target target = null;
        boolean neg = false;
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("!")) {
                if (neg) {
                    return null;
                }
                neg = true;
                continue;
            }
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            switch (t) {
                case "-s" -> s = new Negatable(req(next), neg);
                case "-d" -> d = new Negatable(req(next), neg);
                case "-i" -> in = new Negatable(req(next), neg);
                case "-o" -> out = new Negatable(req(next), neg);
                case "-p" -> {
                    if (neg) {
                        return null;
                    }
                    proto = req(next);
                }
                case "-m" -> {
                    if (neg) {
                        return null;
                    }
                    module = req(next);
                    if (!List.of("tcp", "udp", "addrtype", "conntrack", "comment").contains(module)) {
                        return null;
                    }
                }
                case "--dport" -> {
                    if (neg || !("tcp".equals(module) || "udp".equals(module)) || !module.equals(proto)) {
                        return null;
                    }
                    dport = Integer.parseInt(req(next));
                }
                case "--src-type" -> {
                    if (neg || !"addrtype".equals(module)) {
                        return null;
                    }
                    srcType = req(next);
                }
                case "--dst-type" -> {
                    if (neg || !"addrtype".equals(module)) {
                        return null;
                    }
                    dstType = req(next);
                }
                case "--ctstate" -> {
                    if (neg || !"conntrack".equals(module)) {
                        return null;
                    }
                    ctstate = req(next);
                }
                case "--comment" -> {
                    if (neg || !"comment".equals(module)) {
                        return null;
                    }
                    comment = req(next);
                }
                case "-j" -> {
                    if (neg || target != null) {
                        return null;
                    }
                    String name = req(next);
                    switch (name) {
                        case "ACCEPT" -> target = Target.ACCEPT;
                        case "DROP" -> target = Target.DROP;
                        case "RETURN" -> target = Target.RETURN;
                        case "MASQUERADE" -> target = Target.MASQUERADE;
                        case "DNAT" -> {
                            if (i + 3 < tokens.size() && tokens.get(i + 2).equals("--to-destination")) {
                                target = Target.dnat(tokens.get(i + 3));
                                i += 2;
                            } else {
                                return null;
                            }
                        }
                        default -> {
                            // Targets with options (LOG, REJECT --reject-with, SNAT …) are foreign; a bare
                            // name is a jump to a user chain.
                            if (i + 2 < tokens.size() || name.startsWith("-")) {
                                return null;
                            }
                            target = Target.jump(name);
                        }
                    }
                }
                default -> {
                    return null;
                }
            }
            i++; // every option above takes one value
            neg = false;
        }
        if (target == null || neg) {
            return null;
        }
        return new RuleSpec(s, d, in, out, proto, dport, srcType, dstType, ctstate, comment, target);
    }

    private static String req(String v) {
        if (v == null) {
            throw new IllegalArgumentException("option without value");
        }
        return v;
    }

    /** Splits like iptables-restore: whitespace separates, double quotes group, backslash escapes inside quotes. */
    static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuotes = false;
        boolean have = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inQuotes) {
                if (c == '\\' && i + 1 < text.length()) {
                    cur.append(text.charAt(++i));
                } else if (c == '"') {
                    inQuotes = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                inQuotes = true;
                have = true;
            } else if (Character.isWhitespace(c)) {
                if (have) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    have = false;
                }
            } else {
                cur.append(c);
                have = true;
            }
        }
        if (inQuotes) {
            throw new IllegalArgumentException("unterminated quote");
        }
        if (have) {
            out.add(cur.toString());
        }
        return out;
    }
}
