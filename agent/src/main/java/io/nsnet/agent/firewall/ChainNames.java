package io.nsnet.agent.firewall;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The chains nsnet owns for prefix {@code P}: {@code P} (filter and nat), {@code P-USER},
 * {@code P-ISOLATION-STAGE-1}, {@code P-ISOLATION-STAGE-2}. With prefix {@code DOCKER} these are Docker's names.
 */
public record ChainNames(String prefix) {

    public static final String DEFAULT_PREFIX = "NSNET";
    // iptables chain names are at most 28 characters; the longest suffix is "-ISOLATION-STAGE-1" (18).
    private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,9}");

    public ChainNames {
        if (prefix == null || !VALID.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid chain prefix '" + prefix
                    + "': use 1-10 letters, digits, '_' or '-', starting with a letter");
        }
    }

    public String main() {
        return prefix;
    }

    public String user() {
        return prefix + "-USER";
    }

    public String isolation1() {
        return prefix + "-ISOLATION-STAGE-1";
    }

    public String isolation2() {
        return prefix + "-ISOLATION-STAGE-2";
    }

    public Set<String> all() {
        return Set.of(main(), user(), isolation1(), isolation2());
    }

    /** The filter-table chains nsnet rewrites whole (P-USER is not among them: it is the admin's). */
    public List<String> rewrittenFilterChains() {
        return List.of(main(), isolation1(), isolation2());
    }
}
