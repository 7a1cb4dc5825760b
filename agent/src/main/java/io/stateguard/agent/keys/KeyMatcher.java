package io.stateguard.agent.keys;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Matches a key against many {@link GlobPattern}s at once and tells which rule it belongs to.
 *
 * <p>Each pattern carries a rule index ({@code >= 0}); several patterns may share one. The result of
 * a match is the <em>lowest</em> rule index among the patterns that match the whole key (see
 * {@link GlobPattern} for the matching semantics), or {@link #NO_MATCH} ({@code -1}). Keys are bytes;
 * {@link #match(CharSequence)} matches the UTF-8 encoding of a string.
 *
 * <p>Cost: one table lookup per key byte, independent of the number of patterns, and no allocation
 * once warmed up. Scanning stops as soon as the answer cannot change: when no pattern can match any
 * more (e.g. the key's first byte starts no pattern), or when a pattern ending in {@code *} whose rule
 * nothing else can beat has matched a prefix ({@code session:*} decides after {@code session:}).
 * Keys shorter or longer than every pattern can match are rejected without scanning.
 *
 * <p>How: all patterns are compiled into one NFA over bytes, which is turned into a DFA lazily, on
 * the key bytes actually seen (like RE2). DFA states are built on first need and cached. The cache is
 * bounded (about 10,000 states, about 10 MB); when it is full it is dropped and rebuilt from scratch,
 * so a pathological pattern set (a DFA can be exponentially larger than its NFA) costs time, never
 * unbounded memory.
 *
 * <p>Immutable from the outside and thread-safe, without locks on the matching path.
 */
public final class KeyMatcher {

    /*
     * Implementation notes.
     *
     * A DFA state is a canonical set of NFA positions (KeyNfa), cached by that set. It is represented
     * by its transition table itself, an Object[257]: slots 0..255 hold the successor per byte (null
     * until computed, then another table, or a Decided once the answer is known), slot INFO its Info
     * (positions, answer if the key ends here, cache generation). Compared with a state object
     * holding a table, this makes the per-byte step one dependent load instead of two, which
     * measured about twice as fast.
     *
     * Races are benign by construction. Every value ever written to a slot is a correct successor
     * (states are pure functions of their positions; racing threads may write equal copies, one
     * copy wins in the cache, the other is garbage), so a reader sees null (and computes the
     * successor itself) or a correct successor. Decided and Info publish their content through final
     * fields. One thing the Java memory model does not cover: a table's INFO element is written
     * before the table is published (through the ConcurrentHashMap, a full fence, then a plain store
     * into a slot), and every reader of the table sees it on the hardware the JVM runs on (address
     * dependency, the mechanism final fields rely on as well), but the JMM does not promise it. So
     * nothing depends on it: a table whose INFO reads null makes that one match fall back to
     * simulating the NFA (nfaMatch), which is slow but correct.
     */

    /** The result when no pattern matches. */
    public static final int NO_MATCH = -1;

    /** Default cache budget, in units of {@link #cost}: about 10 MB of transition tables. */
    static final int DEFAULT_CACHE_BUDGET = 10_000;

    /** Index of a state table's {@link Info}. */
    private static final int INFO = 256;

    /** Internal result of {@link #answer}: fall back to the NFA. Never returned to callers. */
    private static final int UNKNOWN = -2;

    /** The empty set of positions: no pattern can match any more. */
    private static final Decided DEAD = new Decided(NO_MATCH);

    private static final Charset UTF_8 = Charset.forName("UTF-8");

    private static final KeyMatcher NONE =
            new KeyMatcher(new ArrayList<GlobPattern>(), new int[0], DEFAULT_CACHE_BUDGET);

    private final KeyNfa nfa;
    private final int patternCount;
    /** Bytes: keys outside [minLength, maxLength] cannot match any pattern. */
    private final int minLength;
    private final int maxLength;
    private final int cacheBudget;
    private volatile Cache cache;
    private int cacheResets; // guarded by this

    private KeyMatcher(List<GlobPattern> patterns, int[] ruleIndexes, int cacheBudget) {
        this.nfa = new KeyNfa(patterns, ruleIndexes);
        this.patternCount = patterns.size();
        int min = Integer.MAX_VALUE;
        int max = -1;
        for (GlobPattern pattern : patterns) {
            min = Math.min(min, pattern.minLength());
            max = Math.max(max, pattern.maxLength());
        }
        this.minLength = min;
        this.maxLength = max;
        this.cacheBudget = cacheBudget;
        this.cache = newCache(0);
    }

    /**
     * A matcher for {@code patterns.get(i)} belonging to rule {@code ruleIndexes[i]}. The arguments are
     * copied.
     *
     * @throws IllegalArgumentException if the sizes differ or a rule index is negative
     * @throws NullPointerException if an argument or a pattern is null
     */
    public static KeyMatcher of(List<GlobPattern> patterns, int[] ruleIndexes) {
        return of(patterns, ruleIndexes, DEFAULT_CACHE_BUDGET);
    }

    /** As {@link #of(List, int[])}, with a chosen cache budget (tests). */
    static KeyMatcher of(List<GlobPattern> patterns, int[] ruleIndexes, int cacheBudget) {
        List<GlobPattern> copy = new ArrayList<GlobPattern>(patterns);
        int[] rules = ruleIndexes.clone();
        if (copy.size() != rules.length) {
            throw new IllegalArgumentException(
                    copy.size() + " patterns but " + rules.length + " rule indexes");
        }
        for (int i = 0; i < rules.length; i++) {
            if (copy.get(i) == null) {
                throw new NullPointerException("patterns[" + i + "]");
            }
            if (rules[i] < 0) {
                throw new IllegalArgumentException("ruleIndexes[" + i + "] is negative: " + rules[i]);
            }
        }
        return copy.isEmpty() ? NONE : new KeyMatcher(copy, rules, cacheBudget);
    }

    /** A builder, for adding patterns rule by rule. */
    public static Builder builder() {
        return new Builder();
    }

    /** The matcher without patterns: every key gets {@link #NO_MATCH}, in constant time. */
    public static KeyMatcher none() {
        return NONE;
    }

    /** Whether this matcher has no patterns (it then matches nothing). */
    public boolean isEmpty() {
        return patternCount == 0;
    }

    /** The lowest rule index whose patterns match the whole of {@code key}, or {@link #NO_MATCH}. */
    public int match(byte[] key) {
        return match(key, 0, key.length);
    }

    /** As {@link #match(byte[])} for the key {@code key[offset .. offset + length)}. */
    public int match(byte[] key, int offset, int length) {
        if (offset < 0 || length < 0 || offset > key.length - length) {
            throw new IndexOutOfBoundsException(
                    "offset " + offset + ", length " + length + ", array length " + key.length);
        }
        if (length < minLength || length > maxLength) {
            return NO_MATCH;
        }
        Object s = cache.start;
        for (int i = offset, end = offset + length; i < end && s instanceof Object[]; i++) {
            s = step((Object[]) s, key[i] & 0xFF);
        }
        int rule = answer(s);
        return rule != UNKNOWN ? rule : nfaMatch(key, offset, length);
    }

    /**
     * As {@link #match(byte[])} for the bytes from the buffer's position to its limit. Heap, direct
     * and read-only buffers work; the buffer's position, limit and mark are not changed.
     */
    public int match(ByteBuffer key) {
        int from = key.position();
        int to = key.limit();
        if (key.hasArray()) {
            return match(key.array(), key.arrayOffset() + from, to - from);
        }
        if (to - from < minLength || to - from > maxLength) {
            return NO_MATCH;
        }
        Object s = cache.start;
        for (int i = from; i < to && s instanceof Object[]; i++) {
            s = step((Object[]) s, key.get(i) & 0xFF); // absolute get: the position stays
        }
        int rule = answer(s);
        if (rule != UNKNOWN) {
            return rule;
        }
        byte[] copy = new byte[to - from];
        key.duplicate().get(copy); // the duplicate's position moves, not the key's
        return nfaMatch(copy, 0, copy.length);
    }

    /**
     * As {@link #match(byte[])} for the UTF-8 encoding of {@code key}, encoded on the fly without
     * allocating. As with {@code String.getBytes(UTF_8)}, an unpaired surrogate encodes as {@code '?'}.
     * Meant for keys whose codec encodes them as UTF-8.
     */
    public int match(CharSequence key) {
        int n = key.length();
        // A char encodes to 1..3 bytes (a surrogate pair, 2 chars, to 4).
        if (3L * n < minLength || n > maxLength) {
            return NO_MATCH;
        }
        Object s = cache.start;
        for (int i = 0; i < n && s instanceof Object[]; i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                s = step((Object[]) s, c);
                continue;
            }
            // Pack the encoding, first byte lowest, and feed it byte by byte.
            int bytes;
            int count;
            if (c < 0x800) {
                bytes = (0xC0 | (c >>> 6)) | (0x80 | (c & 0x3F)) << 8;
                count = 2;
            } else if (!Character.isSurrogate(c)) {
                bytes = (0xE0 | (c >>> 12)) | (0x80 | ((c >>> 6) & 0x3F)) << 8 | (0x80 | (c & 0x3F)) << 16;
                count = 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(key.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, key.charAt(++i));
                bytes = (0xF0 | (cp >>> 18)) | (0x80 | ((cp >>> 12) & 0x3F)) << 8
                        | (0x80 | ((cp >>> 6) & 0x3F)) << 16 | (0x80 | (cp & 0x3F)) << 24;
                count = 4;
            } else {
                bytes = '?';
                count = 1;
            }
            for (int k = 0; k < count && s instanceof Object[]; k++) {
                s = step((Object[]) s, (bytes >>> (8 * k)) & 0xFF);
            }
        }
        int rule = answer(s);
        if (rule != UNKNOWN) {
            return rule;
        }
        byte[] bytes = key.toString().getBytes(UTF_8);
        return nfaMatch(bytes, 0, bytes.length);
    }

    @Override
    public String toString() {
        return "KeyMatcher[" + patternCount + " patterns]";
    }

    /** The successor of state {@code table} on byte {@code b}, or {@code null}: fall back to the NFA. */
    private Object step(Object[] table, int b) {
        Object next = table[b];
        return next != null ? next : computeNext(table, b);
    }

    /** The result for a key that ends in state {@code s}, or {@link #UNKNOWN}. */
    private static int answer(Object s) {
        if (s instanceof Decided) {
            return ((Decided) s).rule;
        }
        Info info = s == null ? null : (Info) ((Object[]) s)[INFO];
        return info != null ? info.matchedRule : UNKNOWN;
    }

    /** Slow path of {@link #step}: builds (or finds) the successor and fills the slot. */
    private Object computeNext(Object[] table, int b) {
        Info info = (Info) table[INFO];
        if (info == null) {
            return null; // not visible to this thread, see the implementation notes
        }
        Object next = intern(nfa.advance(info.positions, b));
        // Links only ever point to the same or a newer cache generation, so that a dropped
        // generation is not kept alive by the ones after it (only by matches still walking it).
        if (!(next instanceof Object[]) || ((Info) ((Object[]) next)[INFO]).generation >= info.generation) {
            table[b] = next;
        }
        return next;
    }

    /**
     * Matching without the DFA: subset simulation of the NFA. Correct but slow and allocating; used
     * only when a state's info is not visible (see the implementation notes), and by tests.
     */
    int nfaMatch(byte[] key, int offset, int length) {
        int[] positions = nfa.start();
        for (int i = offset; i < offset + length && !nfa.isDecided(positions); i++) {
            positions = nfa.advance(positions, key[i] & 0xFF);
        }
        return nfa.matchedRule(positions);
    }

    /** The state for a set of positions: a {@link Decided}, or a cached table. */
    private Object intern(int[] positions) {
        if (positions.length == 0) {
            return DEAD;
        }
        if (nfa.isDecided(positions)) {
            return new Decided(nfa.matchedRule(positions));
        }
        Key key = new Key(positions);
        Cache c = cache;
        Object[] table = c.states.get(key);
        if (table != null) {
            return table;
        }
        if (c.used.addAndGet(cost(positions)) > cacheBudget) {
            c = reset(c);
            c.used.addAndGet(cost(positions));
        }
        table = newTable(positions, c.generation);
        Object[] raced = c.states.putIfAbsent(key, table);
        return raced != null ? raced : table;
    }

    /**
     * Cache budget units of a state: its table (257 references) plus its positions, in units of 256
     * slots, so that the states of huge pattern sets (thousands of positions) count for what they
     * weigh.
     */
    private static int cost(int[] positions) {
        return 1 + positions.length / 256;
    }

    /**
     * Replaces the full cache by a fresh one. Threads in the middle of a match keep walking the old
     * tables they hold; those now lead into the new cache, and become garbage once no match uses them.
     */
    private synchronized Cache reset(Cache full) {
        if (cache == full) {
            cacheResets++;
            cache = newCache(cacheResets);
        }
        return cache;
    }

    private Cache newCache(int generation) {
        int[] positions = nfa.start();
        if (nfa.isDecided(positions)) { // e.g. no patterns, or "*" with the lowest rule
            return new Cache(positions.length == 0 ? DEAD : new Decided(nfa.matchedRule(positions)), generation);
        }
        Object[] table = newTable(positions, generation);
        Cache c = new Cache(table, generation);
        c.states.put(new Key(positions), table);
        c.used.set(cost(positions));
        return c;
    }

    private Object[] newTable(int[] positions, int generation) {
        Object[] table = new Object[INFO + 1];
        table[INFO] = new Info(positions, nfa.matchedRule(positions), generation);
        return table;
    }

    /** Number of DFA states in the cache (tests). */
    int cachedStates() {
        return cache.states.size();
    }

    /** How many times the cache was dropped for being full (tests). */
    synchronized int cacheResets() {
        return cacheResets;
    }

    /** One generation of the DFA cache. Published through the volatile {@link #cache} field. */
    private static final class Cache {
        final ConcurrentHashMap<Key, Object[]> states = new ConcurrentHashMap<Key, Object[]>();
        final AtomicInteger used = new AtomicInteger();
        /** A table, or a {@link Decided} if the answer does not depend on the key. */
        final Object start;
        final int generation;

        Cache(Object start, int generation) {
            this.start = start;
            this.generation = generation;
        }
    }

    /** The non-transition part of an undecided state. */
    private static final class Info {
        final int[] positions;
        /** The answer if the key ends in this state: lowest rule of its accepting positions, or -1. */
        final int matchedRule;
        /** Of the {@link Cache} the table belongs to. */
        final int generation;

        Info(int[] positions, int matchedRule, int generation) {
            this.positions = positions;
            this.matchedRule = matchedRule;
            this.generation = generation;
        }
    }

    /** A state whose answer no further byte can change; matching stops on reaching it. */
    private static final class Decided {
        final int rule;

        Decided(int rule) {
            this.rule = rule;
        }
    }

    /** Position set as a hash key. */
    private static final class Key {
        private final int[] positions;
        private final int hash;

        Key(int[] positions) {
            this.positions = positions;
            this.hash = Arrays.hashCode(positions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).hash == hash && Arrays.equals(((Key) o).positions, positions);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Collects (pattern, rule index) pairs. */
    public static final class Builder {
        private final List<GlobPattern> patterns = new ArrayList<GlobPattern>();
        private int[] rules = new int[8];

        private Builder() {
        }

        /** Adds a pattern for a rule ({@code >= 0}; the lowest matching rule wins). */
        public Builder add(GlobPattern pattern, int ruleIndex) {
            if (pattern == null) {
                throw new NullPointerException("pattern");
            }
            if (ruleIndex < 0) {
                throw new IllegalArgumentException("rule index is negative: " + ruleIndex);
            }
            if (patterns.size() == rules.length) {
                rules = Arrays.copyOf(rules, 2 * rules.length);
            }
            rules[patterns.size()] = ruleIndex;
            patterns.add(pattern);
            return this;
        }

        /** Compiles {@code glob} (see {@link GlobPattern#compile(String)}) and adds it. */
        public Builder add(String glob, int ruleIndex) {
            return add(GlobPattern.compile(glob), ruleIndex);
        }

        public KeyMatcher build() {
            return of(patterns, Arrays.copyOf(rules, patterns.size()));
        }
    }
}
