package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What nsnet wants in one chain.
 *
 * <p>For a {@link Kind#BUILTIN} chain, {@code head} rules sit at the top in this order (Docker inserts them with
 * {@code -I}) and {@code tail} rules at the bottom (Docker appends them with {@code -A}); foreign rules may sit
 * anywhere around them and are left alone. For an {@link Kind#OWNED} chain the rules are the whole chain
 * ({@code tail} is empty). An {@link Kind#ADMIN} chain ({@code P-USER}) gets its rules only when it is created.
 */
public record ChainPlan(TableName table, String chain, Kind kind, List<RuleSpec> head, List<RuleSpec> tail) {

    public enum Kind { BUILTIN, OWNED, ADMIN }

    public ChainPlan {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(kind, "kind");
        head = List.copyOf(head);
        tail = List.copyOf(tail);
        if (kind != Kind.BUILTIN && !tail.isEmpty()) {
            throw new IllegalArgumentException("only built-in chains have a tail: " + chain);
        }
    }

    /** All rules in chain order. */
    public List<RuleSpec> rules() {
        if (tail.isEmpty()) {
            return head;
        }
        List<RuleSpec> all = new ArrayList<>(head.size() + tail.size());
        all.addAll(head);
        all.addAll(tail);
        return all;
    }
}
