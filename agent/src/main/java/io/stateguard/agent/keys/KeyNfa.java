package io.stateguard.agent.keys;

import java.util.Arrays;
import java.util.List;

/**
 * All patterns of a {@link KeyMatcher} as one NFA over bytes, and the subset construction step the
 * lazy DFA calls on a cache miss. Immutable. Nothing here is on the per-byte hot path.
 *
 * <p>NFA states ("positions") are numbered consecutively, pattern after pattern: one per literal
 * byte and per star, four per {@code ?}, one accepting state per pattern. A set of positions is
 * always closed (a star position implies the position after it, since the star may match nothing),
 * sorted and duplicate-free, so equal sets of positions are equal arrays.
 */
final class KeyNfa {

    /** Codes of non-literal positions; codes {@code 0..255} are literal bytes. */
    private static final int ANY = GlobPattern.ANY;
    private static final int STAR = GlobPattern.STAR;
    /** Inside a {@code ?}: that many continuation bytes (1..3) still expected, see {@link #advance}. */
    private static final int CONTINUATION = -3;
    private static final int ACCEPT = -4;

    private final int[] code;
    /** Position after consuming (literal, star, {@code ?}, continuation); unused for accept. */
    private final int[] next;
    /** Rule index of the pattern a position belongs to. */
    private final int[] rule;
    private final int[] start;

    KeyNfa(List<GlobPattern> patterns, int[] rules) {
        int size = 0;
        for (GlobPattern pattern : patterns) {
            for (int op : pattern.ops()) {
                size += op == ANY ? 4 : 1;
            }
            size++;
        }
        code = new int[size];
        next = new int[size];
        rule = new int[size];
        int[] starts = new int[patterns.size()];
        int id = 0;
        for (int p = 0; p < patterns.size(); p++) {
            starts[p] = id;
            int r = rules[p];
            for (int op : patterns.get(p).ops()) {
                if (op == ANY) {
                    // id: the '?'; id + k: k continuation bytes still expected; id + 4: after the '?'.
                    code[id] = ANY;
                    next[id] = id + 4;
                    for (int k = 1; k <= 3; k++) {
                        code[id + k] = CONTINUATION;
                        next[id + k] = k == 1 ? id + 4 : id + k - 1;
                    }
                    Arrays.fill(rule, id, id + 4, r);
                    id += 4;
                } else {
                    code[id] = op;
                    next[id] = id + 1;
                    rule[id] = r;
                    id++;
                }
            }
            code[id] = ACCEPT;
            next[id] = -1;
            rule[id] = r;
            id++;
        }
        IntList set = new IntList(patterns.size() * 2);
        for (int s : starts) {
            addClosure(set, s);
        }
        start = canonical(set);
    }

    /** The positions before any key byte. */
    int[] start() {
        return start;
    }

    /** The positions reached from {@code positions} by consuming byte {@code b} (0..255). */
    int[] advance(int[] positions, int b) {
        IntList out = new IntList(positions.length + 4);
        for (int s : positions) {
            int c = code[s];
            if (c >= 0) {
                if (c == b) {
                    addClosure(out, next[s]);
                }
            } else if (c == STAR) {
                addClosure(out, s); // the star consumes b and stays
            } else if (c == ANY) {
                int more = GlobPattern.continuationBytes(b);
                addClosure(out, more == 0 ? next[s] : s + more);
            } else if (c == CONTINUATION) {
                if (GlobPattern.isContinuation(b)) {
                    addClosure(out, next[s]);
                }
            } // ACCEPT consumes nothing: that thread dies
        }
        return canonical(out);
    }

    /** Lowest rule among the accepting positions, or -1. */
    int matchedRule(int[] positions) {
        int best = -1;
        for (int s : positions) {
            if (code[s] == ACCEPT && (best < 0 || rule[s] < best)) {
                best = rule[s];
            }
        }
        return best;
    }

    /**
     * Whether every continuation of the key gets the same answer ({@link #matchedRule}): the set
     * holds a trailing star (its pattern matches whatever follows) whose rule no other position can
     * beat. Callers stop scanning there. The empty set is decided too (-1).
     */
    boolean isDecided(int[] positions) {
        if (positions.length == 0) {
            return true;
        }
        int trailing = lowestTrailingStarRule(positions);
        if (trailing < 0) {
            return false;
        }
        for (int s : positions) {
            if (rule[s] < trailing) {
                return false;
            }
        }
        return true;
    }

    private void addClosure(IntList set, int s) {
        set.add(s);
        while (code[s] == STAR) { // a star may match nothing
            s = next[s];
            set.add(s);
        }
    }

    /**
     * Sorts and dedupes, and drops positions that can no longer decide the answer: once a trailing
     * star of rule r is in the set, every key continuation matches rule r, so positions of rules
     * above r are dead weight (dropping them also keeps the number of DFA states down).
     */
    private int[] canonical(IntList set) {
        int[] a = set.toSortedDistinctArray();
        int trailing = lowestTrailingStarRule(a);
        if (trailing < 0) {
            return a;
        }
        int n = 0;
        for (int s : a) {
            if (rule[s] <= trailing) {
                a[n++] = s;
            }
        }
        return n == a.length ? a : Arrays.copyOf(a, n);
    }

    /** Lowest rule of a star followed only by the accepting position, or -1. */
    private int lowestTrailingStarRule(int[] positions) {
        int best = -1;
        for (int s : positions) {
            if (code[s] == STAR && code[next[s]] == ACCEPT && (best < 0 || rule[s] < best)) {
                best = rule[s];
            }
        }
        return best;
    }

    /** A growable int array, to avoid boxing in the subset construction. */
    private static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        int[] toSortedDistinctArray() {
            Arrays.sort(a, 0, n);
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (m == 0 || a[i] != a[m - 1]) {
                    a[m++] = a[i];
                }
            }
            return Arrays.copyOf(a, m);
        }
    }
}
