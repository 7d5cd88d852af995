package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.RuleSpec;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Remembers the rules the generator made for each network and port, so that the next plan reuses the same
 * {@link RuleSpec} objects, whose rendered text is cached.
 *
 * <p>Why: planning compares rules by their text, and at 1000 networks a change re-generated ~8000 rules and
 * rendered their text again (with Ownership's shapes, about half of a ~3 ms plan) only to find them all
 * unchanged but one network's. The generator stays a pure function of the state: the memo only returns an equal
 * rule made earlier. Entries not asked for during a round are dropped once they outnumber the live ones, so
 * the memo never holds much more than the current state's rules.
 *
 * <p>Not thread-safe: one per applier, used under its lock. {@link #NONE} remembers nothing.
 */
public final class RuleMemo {

    /** A memo that remembers nothing (for one-off generation). */
    public static final RuleMemo NONE = new RuleMemo(false);

    private record Key(String kind, Object a, Object b) {
    }

    private static final class Held {
        final RuleSpec rule;
        long round;

        Held(RuleSpec rule, long round) {
            this.rule = rule;
            this.round = round;
        }
    }

    private final boolean enabled;
    private final Map<Key, Held> held = new HashMap<>();
    private long round;
    private int usedThisRound;

    private RuleMemo(boolean enabled) {
        this.enabled = enabled;
    }

    public static RuleMemo create() {
        return new RuleMemo(true);
    }

    /** The rule of this kind for these arguments, made by {@code make} only the first time. */
    RuleSpec get(String kind, Object a, Object b, Supplier<RuleSpec> make) {
        if (!enabled) {
            return make.get();
        }
        Key k = new Key(kind, a, b);
        Held h = held.get(k);
        if (h == null) {
            h = new Held(make.get(), round);
            held.put(k, h);
            usedThisRound++;
        } else if (h.round != round) {
            h.round = round;
            usedThisRound++;
        }
        return h.rule;
    }

    /** Starts a plan: what the previous rounds asked for and this one does not is forgotten when it piles up. */
    void nextRound() {
        if (!enabled) {
            return;
        }
        if (held.size() > 2 * usedThisRound + 256) {
            for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
                if (it.next().round != round) {
                    it.remove();
                }
            }
        }
        round++;
        usedThisRound = 0;
    }

    int size() {
        return held.size();
    }
}
