package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Computes the smallest practical set of {@code -D}/{@code -I}/{@code -A} commands that turn one live chain
 * into one whose nsnet rules are exactly {@code head ++ tail}, in order, without touching other rules.
 *
 * <p>Algorithm, O(n log n) in the chain length (1000 networks put about 4000 rules in FORWARD):
 * <ol>
 *   <li>Walk the live chain once; match each nsnet rule greedily to the next desired rule with the same text
 *       (hash map from text to desired positions + binary search), so matched rules keep their relative order.
 *       Unmatched nsnet rules are deleted by exact spec ({@code -D CHAIN spec}: never by number, so a rule
 *       added concurrently by someone else cannot be hit by a shifted index).</li>
 *   <li>{@code -D} by spec removes the <em>first</em> identical rule. When a kept copy precedes a copy to
 *       delete, every copy of that text is deleted and re-inserted, so the simulation below stays exact.</li>
 *   <li>Insert each missing desired rule: a head rule right after the previous nsnet rule (the first one at the
 *       top, as Docker's {@code -I}); a tail rule right before the next kept nsnet rule, else at the end (as
 *       Docker's {@code -A}). Positions are computed on a simulated copy of the chain, so each {@code -I n}
 *       is the number iptables-restore sees when it executes that line.</li>
 * </ol>
 */
final class ChainEditor {

    /**
     * The commands (restore lines), the chain as it will be after them, and whether any command inserts at a
     * numbered position (only correct if the chain is exactly as {@code live} said).
     */
    record Result(List<String> commands, List<Rule> after, boolean positional) {
        boolean isEmpty() {
            return commands.isEmpty();
        }
    }

    private static final class Entry {
        final Rule rule;
        int desired; // index in head++tail, or -1 for foreign rules

        boolean delete;

        Entry(Rule rule, int desired, boolean delete) {
            this.rule = rule;
            this.desired = desired;
            this.delete = delete;
        }
    }

    private ChainEditor() {
    }

    static Result edit(String chain, List<Rule> live, Predicate<Rule> isNsnet, List<RuleSpec> head, List<RuleSpec> tail) {
        return edit(chain, live, isNsnet, head, tail, false);
    }

    /**
     * @param positionFree avoid numbered inserts in the head: when a missing head rule is not the first, the
     *                     head up to the last missing rule is deleted by spec and re-inserted at the top
     *                     (Docker's own way of keeping its jumps first). The result is then right even if the
     *                     chain has changed since {@code live} was read, except that foreign rules that sat
     *                     among those head rules end up below them.
     */
    static Result edit(String chain, List<Rule> live, Predicate<Rule> isNsnet, List<RuleSpec> head, List<RuleSpec> tail,
            boolean positionFree) {
        if (!positionFree) {
            Result quick = oneBlock(chain, live, isNsnet, head, tail);
            if (quick != null) {
                return quick;
            }
        }
        List<RuleSpec> desired = new ArrayList<>(head.size() + tail.size());
        desired.addAll(head);
        desired.addAll(tail);
        int headSize = head.size();

        // Text -> ascending positions in head++tail; sized up front (FORWARD has ~4000 rules at 1000 networks).
        Map<String, int[]> positions = new HashMap<>(desired.size() * 2);
        for (int i = 0; i < desired.size(); i++) {
            String spec = desired.get(i).spec();
            int[] at = positions.get(spec);
            if (at == null) {
                positions.put(spec, new int[] {i});
            } else {
                int[] more = Arrays.copyOf(at, at.length + 1);
                more[at.length] = i;
                positions.put(spec, more);
            }
        }

        // 1. Greedy in-order matching.
        boolean[] matched = new boolean[desired.size()];
        List<Entry> entries = new ArrayList<>(live.size() + desired.size());
        int deletes = 0;
        int last = -1;
        for (Rule r : live) {
            if (!isNsnet.test(r)) {
                entries.add(new Entry(r, -1, false));
                continue;
            }
            int[] pos = positions.get(r.spec());
            int k = pos == null ? -1 : firstGreater(pos, last);
            if (k < 0) {
                deletes++;
            } else {
                matched[k] = true;
                last = k;
            }
            entries.add(new Entry(r, k, k < 0));
        }

        // 1b. Position-free head: everything above the last missing head rule is re-inserted from the top.
        int lastMissingHead = -1;
        if (positionFree) {
            for (int j = head.size() - 1; j > 0; j--) {
                if (!matched[j]) {
                    lastMissingHead = j;
                    break;
                }
            }
            if (lastMissingHead > 0) {
                for (Entry e : entries) {
                    if (e.desired >= 0 && e.desired <= lastMissingHead) {
                        matched[e.desired] = false;
                        e.desired = -1;
                        e.delete = true;
                        deletes++;
                    }
                }
            }
        }

        // 2. Make "-D by spec deletes the first copy" exact: purge texts whose kept copy precedes a deleted one.
        List<String> commands = new ArrayList<>();
        boolean positional = false;
        if (deletes > 0) {
            Set<String> keptSeen = new HashSet<>();
            Set<String> purge = new HashSet<>();
            for (Entry e : entries) {
                if (e.delete) {
                    if (keptSeen.contains(e.rule.spec())) {
                        purge.add(e.rule.spec());
                    }
                } else if (e.desired >= 0) {
                    keptSeen.add(e.rule.spec());
                }
            }
            for (Entry e : entries) {
                if (e.desired >= 0 && purge.contains(e.rule.spec())) {
                    matched[e.desired] = false;
                    e.desired = -1;
                    e.delete = true;
                }
            }
            List<Entry> keep = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                if (e.delete) {
                    commands.add("-D " + chain + " " + e.rule.spec());
                } else {
                    keep.add(e);
                }
            }
            entries = keep;
        }

        // 3. Insert what is missing.
        boolean allMatched = true;
        for (boolean m : matched) {
            allMatched &= m;
        }
        if (!allMatched) {
            int[] nextMatched = new int[desired.size() + 1];
            nextMatched[desired.size()] = -1;
            for (int j = desired.size() - 1; j >= 0; j--) {
                nextMatched[j] = matched[j] ? j : nextMatched[j + 1];
            }
            if (lastMissingHead > 0) {
                for (int j = lastMissingHead; j >= 0; j--) {
                    commands.add("-I " + chain + " " + desired.get(j).spec());
                    entries.add(0, new Entry(desired.get(j), j, false));
                    matched[j] = true;
                }
            }
            int cursor = -1;
            for (int j = 0; j < desired.size(); j++) {
                if (matched[j]) {
                    cursor = find(entries, j, cursor + 1);
                    continue;
                }
                int pos;
                if (j < headSize) {
                    pos = j == 0 ? 0 : cursor + 1;
                } else {
                    int k = nextMatched[j];
                    pos = k < 0 ? entries.size() : find(entries, k, cursor + 1);
                }
                RuleSpec r = desired.get(j);
                if (pos == entries.size()) {
                    commands.add("-A " + chain + " " + r.spec());
                } else if (pos == 0) {
                    commands.add("-I " + chain + " " + r.spec());
                } else {
                    commands.add("-I " + chain + " " + (pos + 1) + " " + r.spec());
                    positional = true;
                }
                entries.add(pos, new Entry(r, j, false));
                cursor = pos;
            }
        }

        List<Rule> after = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            after.add(e.rule);
        }
        return new Result(commands, after, positional);
    }

    /**
     * The common cases without hashing: nothing to do, one contiguous block of desired rules to insert (a new
     * network's or port's rules), or one contiguous block of nsnet rules to delete (a removed one's), found by
     * comparing the chain's nsnet rules with the desired list from both ends. The rules' texts are interned, so
     * the comparisons are mostly identity checks; at 1000 networks this is what keeps a change from hashing all
     * 4000 FORWARD rules. Returns null for anything else (the general algorithm takes over). The block goes where
     * the general algorithm would put it: head rules right after the previous nsnet rule (the top if none), tail
     * rules right before the next one (the end if none). A delete by spec is used only if no rule above the
     * one to delete has the same text (iptables deletes the first match).
     */
    private static Result oneBlock(String chain, List<Rule> live, Predicate<Rule> isNsnet, List<RuleSpec> head,
            List<RuleSpec> tail) {
        int headSize = head.size();
        int d = headSize + tail.size();
        int n = live.size();
        // The walks below visit every rule of a chain that changed (FORWARD: 4000 at 1000 networks), so they run
        // on arrays with the rules' classes known: on C1 (the daemon's JIT) the List and Rule interface calls
        // were most of a walk's cost (measured in the daemon at 1000 networks: 0.4-0.7 ms per create).
        Rule[] lv = live.toArray(new Rule[0]);
        RuleSpec[] dv = new RuleSpec[d];
        System.arraycopy(head.toArray(new RuleSpec[0]), 0, dv, 0, headSize);
        System.arraycopy(tail.toArray(new RuleSpec[0]), 0, dv, headSize, d - headSize);
        // From the top: a live rule with the next desired text is that rule (whoever would own it, Ownership
        // says nsnet); only rules that differ are asked about, so foreign ones can be stepped over.
        int i = 0;
        int p = 0;
        int lastPrefix = -1;
        while (i < n && p < d) {
            Rule r = lv[i];
            if (sameText(r, dv[p])) {
                lastPrefix = i++;
                p++;
            } else if (!isNsnet.test(r)) {
                i++;
            } else {
                break;
            }
        }
        // From the bottom, down to where the top walk stopped.
        int i2 = n - 1;
        int q = d - 1;
        int firstSuffix = n;
        while (i2 >= i && q >= p) {
            Rule r = lv[i2];
            if (sameText(r, dv[q])) {
                firstSuffix = i2--;
                q--;
            } else if (!isNsnet.test(r)) {
                i2--;
            } else {
                break;
            }
        }
        // What is left: live rules i..i2 (nsnet ones among them are unmatched) and desired p..q.
        List<Integer> stale = new ArrayList<>();
        for (int k = i; k <= i2; k++) {
            if (isNsnet.test(live.get(k))) {
                stale.add(k);
            }
        }
        int missing = q - p + 1;
        if (stale.isEmpty() && missing == 0) {
            return new Result(List.of(), live, false);
        }
        if (stale.isEmpty()) {
            boolean inHead = q < headSize;
            if (!inHead && p < headSize) {
                return null; // the block straddles head and tail
            }
            int base = inHead ? lastPrefix + 1 : firstSuffix;
            List<Rule> after = new ArrayList<>(n + missing);
            after.addAll(live.subList(0, base));
            List<String> commands = new ArrayList<>(missing);
            boolean positional = false;
            for (int k = 0; k < missing; k++) {
                RuleSpec r = desired(head, tail, p + k);
                int pos = base + k;
                if (pos == n + k) {
                    commands.add("-A " + chain + " " + r.spec());
                } else if (pos == 0) {
                    commands.add("-I " + chain + " " + r.spec());
                } else {
                    commands.add("-I " + chain + " " + (pos + 1) + " " + r.spec());
                    positional = true;
                }
                after.add(r);
            }
            after.addAll(live.subList(base, n));
            return new Result(commands, after, positional);
        }
        if (missing == 0) {
            List<String> commands = new ArrayList<>(stale.size());
            java.util.Set<Integer> gone = new java.util.HashSet<>(stale);
            for (int k : stale) {
                String spec = live.get(k).spec();
                for (int j = 0; j < k; j++) {
                    if (!gone.contains(j) && live.get(j).spec().equals(spec)) {
                        return null; // an identical rule above it would be deleted instead
                    }
                }
                commands.add("-D " + chain + " " + spec);
            }
            List<Rule> after = new ArrayList<>(n - stale.size());
            for (int k = 0; k < n; k++) {
                if (!gone.contains(k)) {
                    after.add(live.get(k));
                }
            }
            return new Result(commands, after, false);
        }
        return null;
    }

    /** Whether a live rule has a desired rule's text; texts are interned, so mostly an identity check. */
    private static boolean sameText(Rule live, RuleSpec desired) {
        String a = live instanceof RuleSpec rs ? rs.spec() : live.spec();
        String b = desired.spec();
        return a == b || a.equals(b);
    }

    private static RuleSpec desired(List<RuleSpec> head, List<RuleSpec> tail, int j) {
        return j < head.size() ? head.get(j) : tail.get(j - head.size());
    }

    private static int find(List<Entry> entries, int desiredIndex, int from) {
        for (int i = Math.max(from, 0); i < entries.size(); i++) {
            if (entries.get(i).desired == desiredIndex) {
                return i;
            }
        }
        throw new IllegalStateException("matched rule #" + desiredIndex + " not found after position " + from);
    }

    /** The smallest element of the sorted array greater than {@code bound}, or -1. */
    private static int firstGreater(int[] sorted, int bound) {
        int i = Arrays.binarySearch(sorted, bound + 1);
        if (i < 0) {
            i = -i - 1;
        }
        return i < sorted.length ? sorted[i] : -1;
    }
}
