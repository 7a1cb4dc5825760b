package io.stateguard.agent.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class KeyMatcherTest {

    /** Builds a matcher from alternating glob, rule arguments. */
    static KeyMatcher matcher(Object... globAndRule) {
        KeyMatcher.Builder builder = KeyMatcher.builder();
        for (int i = 0; i < globAndRule.length; i += 2) {
            builder.add((String) globAndRule[i], (Integer) globAndRule[i + 1]);
        }
        return builder.build();
    }

    static byte[] bytes(int... values) {
        return GlobPatternTest.bytes(values);
    }

    /** What the matcher must answer: the lowest rule of the patterns whose reference matcher says yes. */
    static int expected(List<GlobPattern> patterns, int[] rules, byte[] key) {
        int best = -1;
        for (int i = 0; i < patterns.size(); i++) {
            if ((best < 0 || rules[i] < best) && patterns.get(i).matches(key)) {
                best = rules[i];
            }
        }
        return best;
    }

    /** Matches through every entry point that takes bytes, checks they agree, returns the answer. */
    static int matchAllWays(KeyMatcher m, byte[] key) {
        int answer = m.match(key);
        byte[] padded = new byte[key.length + 5];
        Arrays.fill(padded, (byte) 'x');
        System.arraycopy(key, 0, padded, 3, key.length);
        assertThat(m.match(padded, 3, key.length)).as("offset").isEqualTo(answer);
        ByteBuffer heap = ByteBuffer.wrap(padded, 3, key.length);
        assertThat(m.match(heap)).as("heap buffer").isEqualTo(answer);
        assertThat(heap.position()).isEqualTo(3);
        ByteBuffer direct = ByteBuffer.allocateDirect(padded.length);
        direct.put(padded).position(3).limit(3 + key.length);
        assertThat(m.match(direct)).as("direct buffer").isEqualTo(answer);
        assertThat(direct.position()).isEqualTo(3);
        if (key.length < 100_000) { // the fallback allocates per byte: slow on huge keys
            assertThat(m.nfaMatch(key, 0, key.length)).as("NFA simulation").isEqualTo(answer);
        }
        return answer;
    }

    @Test
    void lowestMatchingRuleWins() {
        KeyMatcher m = matcher(
                "user:*:cart", 3,
                "user:*", 1,
                "user:42:*", 2,
                "*:cart", 0,
                "lock:?", 4,
                "lock:?", 5);
        assertThat(m.match("user:42:cart")).isEqualTo(0);
        assertThat(m.match("user:42:x")).isEqualTo(1);
        assertThat(m.match("user:")).isEqualTo(1);
        assertThat(m.match("lock:a")).isEqualTo(4);
        assertThat(m.match("lock:ab")).isEqualTo(-1);
        assertThat(m.match("session:1")).isEqualTo(KeyMatcher.NO_MATCH).isEqualTo(-1);
        assertThat(m.match("")).isEqualTo(-1);
        assertThat(m.isEmpty()).isFalse();
    }

    @Test
    void patternsOfOneRule() {
        KeyMatcher m = KeyMatcher.of(
                Arrays.asList(GlobPattern.compile("a:*"), GlobPattern.compile("b:*"), GlobPattern.compile("c")),
                new int[] {7, 7, 2});
        assertThat(m.match("a:1")).isEqualTo(7);
        assertThat(m.match("b:")).isEqualTo(7);
        assertThat(m.match("c")).isEqualTo(2);
        assertThat(m.match("d")).isEqualTo(-1);
    }

    @Test
    void none() {
        KeyMatcher none = KeyMatcher.none();
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.match("")).isEqualTo(-1);
        assertThat(none.match("anything")).isEqualTo(-1);
        assertThat(none.match(new byte[1 << 20])).isEqualTo(-1);
        assertThat(none.match(ByteBuffer.allocateDirect(10))).isEqualTo(-1);
        assertThat(KeyMatcher.of(Collections.<GlobPattern>emptyList(), new int[0]).isEmpty()).isTrue();
        assertThat(KeyMatcher.builder().build().match("x")).isEqualTo(-1);
    }

    @Test
    void invalidArguments() {
        List<GlobPattern> one = Collections.singletonList(GlobPattern.compile("a"));
        assertThatThrownBy(() -> KeyMatcher.of(one, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyMatcher.of(one, new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> KeyMatcher.of(Collections.singletonList((GlobPattern) null), new int[] {0}))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> KeyMatcher.builder().add("a", -2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyMatcher.builder().add("x\\", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x\\");
        KeyMatcher m = matcher("a", 0);
        assertThatThrownBy(() -> m.match(new byte[3], 2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.match(new byte[3], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void inputsAreCopied() {
        List<GlobPattern> patterns = new ArrayList<>(List.of(GlobPattern.compile("a")));
        int[] rules = {3};
        KeyMatcher m = KeyMatcher.of(patterns, rules);
        patterns.set(0, GlobPattern.compile("b"));
        rules[0] = 9;
        assertThat(m.match("a")).isEqualTo(3);
        assertThat(m.match("b")).isEqualTo(-1);
    }

    @Test
    void starsQuestionMarksAndEscapes() {
        KeyMatcher m = matcher(
                "\\*", 0,
                "a\\?", 1,
                "\\\\*", 2,
                "*end", 3,
                "mid*dle", 4,
                "x*y*z", 5,
                "q?q", 6);
        assertThat(m.match("*")).isEqualTo(0);
        assertThat(m.match("a")).isEqualTo(-1);
        assertThat(m.match("a?")).isEqualTo(1);
        assertThat(m.match("ab")).isEqualTo(-1);
        assertThat(m.match("\\")).isEqualTo(2);
        assertThat(m.match("\\foo")).isEqualTo(2);
        assertThat(m.match("the end")).isEqualTo(3);
        assertThat(m.match("end")).isEqualTo(3);
        assertThat(m.match("endx")).isEqualTo(-1);
        assertThat(m.match("middle")).isEqualTo(4);
        assertThat(m.match("mid:::dle")).isEqualTo(4);
        assertThat(m.match("xyz")).isEqualTo(5);
        assertThat(m.match("x1y2z")).isEqualTo(5);
        assertThat(m.match("x1z2y")).isEqualTo(-1);
        assertThat(m.match("qéq")).isEqualTo(6);
        assertThat(m.match("q😀q")).isEqualTo(6);
        assertThat(m.match("qq")).isEqualTo(-1);
    }

    @Test
    void nonUtf8KeyBytes() {
        KeyMatcher m = matcher("?", 0, "k:??", 1, "b:*", 2, "*?", 3);
        assertThat(matchAllWays(m, bytes(0xFF))).isEqualTo(0);
        assertThat(matchAllWays(m, bytes(0x80))).isEqualTo(0);
        assertThat(matchAllWays(m, bytes(0xC3))).as("lone lead: not '?', not '*?'").isEqualTo(-1);
        assertThat(matchAllWays(m, bytes(0xC3, 0xA9))).isEqualTo(0);
        assertThat(matchAllWays(m, bytes('k', ':', 0xFF, 0x80))).isEqualTo(1);
        assertThat(matchAllWays(m, bytes('k', ':', 0xC3, 'A'))).as("'*?' still matches").isEqualTo(3);
        assertThat(matchAllWays(m, bytes('b', ':', 0xC3))).isEqualTo(2);
        assertThat(matchAllWays(m, bytes('x', 0xE2, 0x82))).isEqualTo(3);
        assertThat(matchAllWays(m, bytes('x', 0xF0, 0x9F, 0x98))).as("ends in 98: stray").isEqualTo(3);
        assertThat(matchAllWays(m, bytes('x', 0xF0))).isEqualTo(-1);
        assertThat(matchAllWays(matcher("*?*???", 0), bytes(0xF0, 0x9F, 0x98, 0x80, 'A'))).isEqualTo(0);
    }

    @Test
    void multiByteCharacters() {
        KeyMatcher m = matcher("c:?", 0, "c:??", 1, "café:*", 2);
        for (String c : new String[] {"a", "é", "€", "😀"}) {
            assertThat(matchAllWays(m, ("c:" + c).getBytes(UTF_8))).as(c).isEqualTo(0);
            assertThat(matchAllWays(m, ("c:" + c + c).getBytes(UTF_8))).as(c).isEqualTo(1);
            assertThat(m.match("c:" + c + c + c)).as(c).isEqualTo(-1);
        }
        assertThat(m.match("café:x")).isEqualTo(2);
        assertThat(m.match("cafe:x")).isEqualTo(-1);
    }

    @Test
    void emptyKey() {
        assertThat(matchAllWays(matcher("*", 4), new byte[0])).isEqualTo(4);
        assertThat(matchAllWays(matcher("a*", 0, "**", 5), new byte[0])).isEqualTo(5);
        assertThat(matchAllWays(matcher("?", 0, "a*", 1), new byte[0])).isEqualTo(-1);
        assertThat(matcher("*", 4).match("")).isEqualTo(4);
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void veryLongKeys() {
        List<GlobPattern> patterns = new ArrayList<>();
        for (String glob : new String[] {"big:*:end", "big:?", "*:tail", "*a*b*", "x*", "??????"}) {
            patterns.add(GlobPattern.compile(glob));
        }
        int[] rules = {0, 1, 2, 3, 4, 5};
        KeyMatcher m = KeyMatcher.of(patterns, rules);
        byte[] key = new byte[1 << 20];
        Random random = new Random(7);
        for (String prefix : new String[] {"big:", "x", "y"}) {
            for (String suffix : new String[] {":end", ":tail", "b", "c"}) {
                for (int i = 0; i < key.length; i++) {
                    key[i] = (byte) "abc:"
                            .charAt(random.nextInt(4)); // contains a and b somewhere, surely
                }
                byte[] p = prefix.getBytes(UTF_8);
                byte[] s = suffix.getBytes(UTF_8);
                System.arraycopy(p, 0, key, 0, p.length);
                System.arraycopy(s, 0, key, key.length - s.length, s.length);
                assertThat(matchAllWays(m, key)).as(prefix + "..." + suffix).isEqualTo(expected(patterns, rules, key));
            }
        }
        Arrays.fill(key, (byte) 'z');
        assertThat(matchAllWays(m, key)).isEqualTo(-1);
        key[key.length - 1] = 'b';
        key[0] = 'a';
        assertThat(matchAllWays(m, key)).isEqualTo(3);
        StringBuilder text = new StringBuilder("big:");
        while (text.length() < 1 << 20) {
            text.append("é€😀:");
        }
        text.append("end");
        assertThat(m.match(text)).isEqualTo(0);
        assertThat(m.match(text.toString().getBytes(UTF_8))).isEqualTo(0);
    }

    @Test
    void byteBuffersAreReadInPlace() {
        KeyMatcher m = matcher("user:*", 0, "lock:?", 1);
        byte[] content = "....user:42....".getBytes(UTF_8);

        ByteBuffer heap = ByteBuffer.wrap(content);
        heap.position(4).limit(11);
        assertThat(m.match(heap)).isEqualTo(0);
        assertThat(heap.position()).isEqualTo(4);
        assertThat(heap.limit()).isEqualTo(11);
        heap.limit(8);
        assertThat(m.match(heap)).as("only up to the limit: 'user'").isEqualTo(-1);

        ByteBuffer slice = ByteBuffer.wrap(content, 4, 11).slice(); // array offset 4
        assertThat(slice.arrayOffset()).isEqualTo(4);
        assertThat(m.match(slice)).as("user:42....").isEqualTo(0);

        ByteBuffer readOnly = ByteBuffer.wrap(content).asReadOnlyBuffer();
        readOnly.position(4).limit(11);
        assertThat(readOnly.hasArray()).isFalse();
        assertThat(m.match(readOnly)).isEqualTo(0);
        assertThat(readOnly.position()).isEqualTo(4);

        ByteBuffer direct = ByteBuffer.allocateDirect(32);
        direct.put("xxlock:€".getBytes(UTF_8)).flip().position(2);
        direct.mark();
        assertThat(m.match(direct)).isEqualTo(1);
        assertThat(direct.position()).isEqualTo(2);
        direct.position(5);
        direct.reset(); // the mark survived
        assertThat(direct.position()).isEqualTo(2);

        ByteBuffer empty = ByteBuffer.allocateDirect(4);
        empty.position(4);
        assertThat(m.match(empty)).isEqualTo(-1);
        assertThat(matcher("*", 3).match(empty)).isEqualTo(3);
    }

    @Test
    void charSequencesMatchTheirUtf8Bytes() {
        KeyMatcher m = matcher("user:?", 0, "*:?", 1, "??", 2, "?", 3, "*€*", 4, "\\?*", 5);
        String[] keys = {
            "user:x", "user:é", "user:😀", "a:€", "€", "é", "😀", "x:😀", "??", "",
            "\uD800", // lone high surrogate: encodes as '?'
            "\uDC00", // lone low surrogate
            "user:\uD800", "a\uD83D", "\uD83D\uD83D", "\uDE00\uD83D\uDE00", "\uD83Dx", "x\uDE00€"};
        for (String key : keys) {
            int expected = m.match(key.getBytes(UTF_8));
            assertThat(m.match(key)).as(key).isEqualTo(expected);
            assertThat(m.match(new StringBuilder(key))).as(key).isEqualTo(expected);
        }
        assertThat(matcher("\\?", 0).match("\uD800")).as("encodes as a literal '?'").isEqualTo(0);
        assertThat(matcher("\\?\\?x", 0).match("\uDC00\uD800x")).isEqualTo(0);
        assertThat(m.match("user:😀")).isEqualTo(0);
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void charSequencesRandomized() {
        Random random = new Random(11);
        char[] alphabet = {'a', ':', '?', '*', 'é', '€', '\uD83D', '\uDE00', '\uD800', '\uDFFF', '\u07FF', '\u0800', '\uFFFF'};
        List<GlobPattern> patterns = new ArrayList<>();
        for (String glob : new String[] {"?", "??", "???", "*a", "a*", "*?*?:", "\\?*", "*€*", "😀*", "*\uFFFF"}) {
            patterns.add(GlobPattern.compile(glob));
        }
        int[] rules = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        KeyMatcher m = KeyMatcher.of(patterns, rules);
        for (int trial = 0; trial < 20_000; trial++) {
            char[] chars = new char[random.nextInt(6)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = alphabet[random.nextInt(alphabet.length)];
            }
            String key = new String(chars);
            byte[] encoded = key.getBytes(UTF_8);
            assertThat(m.match(key)).as(key).isEqualTo(expected(patterns, rules, encoded));
        }
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void thousandPatterns() {
        List<GlobPattern> patterns = new ArrayList<>();
        int[] rules = new int[1000];
        for (int i = 0; i < 1000; i++) {
            String glob;
            switch (i % 4) {
                case 0: glob = "session" + i + ":*"; break;
                case 1: glob = "*:lock" + i; break;
                case 2: glob = "user:*:cart" + i; break;
                default: glob = "tenant" + i + ":*:state:??"; break;
            }
            patterns.add(GlobPattern.compile(glob));
            rules[i] = 999 - i; // precedence reversed from insertion order
        }
        KeyMatcher m = KeyMatcher.of(patterns, rules);
        assertThat(m.match("session0:abc")).isEqualTo(999);
        assertThat(m.match("session996:abc")).isEqualTo(3);
        assertThat(m.match("session996:x:lock1")).as("both match, lower rule wins").isEqualTo(3);
        assertThat(m.match("session4:x:lock997")).isEqualTo(2);
        assertThat(m.match("user:7:cart998")).isEqualTo(1);
        assertThat(m.match("tenant999:a:b:state:é€")).isEqualTo(0);
        assertThat(m.match("tenant999:a:b:state:abc")).isEqualTo(-1);
        assertThat(m.match("nothing")).isEqualTo(-1);
        Random random = new Random(3);
        for (int trial = 0; trial < 2000; trial++) {
            int i = random.nextInt(1000);
            String key;
            switch (random.nextInt(5)) {
                case 0: key = "session" + i + ":" + random.nextInt(); break;
                case 1: key = random.nextInt() + ":lock" + i; break;
                case 2: key = "user:" + random.nextInt(100) + ":cart" + i; break;
                case 3: key = "tenant" + i + ":" + random.nextInt(100) + ":state:" + (char) ('a' + random.nextInt(26)) + "€"; break;
                default: key = "session" + i + ":x:lock" + random.nextInt(1000); break;
            }
            byte[] bytes = key.getBytes(UTF_8);
            int expected = expected(patterns, rules, bytes);
            assertThat(m.match(bytes)).as(key).isEqualTo(expected);
            assertThat(m.match(key)).as(key).isEqualTo(expected);
        }
    }

    /** Differential test against the reference implementation, fixed seed. */
    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void randomizedAgainstReference() {
        Random random = new Random(20240601);
        String[] patternAlphabet = {"a", "b", ":", "*", "*", "?", "?", "\\*", "\\?", "\\\\", "é", "€", "😀"};
        int[][] keyPieces = {{'a'}, {'b'}, {':'}, {'*'}, {'?'}, {'\\'}, {0xC3, 0xA9}, {0xE2, 0x82, 0xAC},
            {0xF0, 0x9F, 0x98, 0x80}, {0xC3}, {0xA9}, {0x80}, {0xFF}, {0xF0}, {0xE2, 0x82}};
        int matched = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int count = 1 + random.nextInt(5);
            List<GlobPattern> patterns = new ArrayList<>();
            int[] rules = new int[count];
            for (int p = 0; p < count; p++) {
                StringBuilder glob = new StringBuilder();
                for (int i = 1 + random.nextInt(6); i > 0; i--) {
                    glob.append(patternAlphabet[random.nextInt(patternAlphabet.length)]);
                }
                patterns.add(GlobPattern.compile(glob.toString()));
                rules[p] = random.nextInt(4);
            }
            KeyMatcher m = KeyMatcher.of(patterns, rules, 1 + random.nextInt(40)); // small caches too
            for (int k = 0; k < 12; k++) {
                byte[] key = GlobPatternTest.randomKey(random, keyPieces, random.nextInt(8));
                int expected = expected(patterns, rules, key);
                assertThat(matchAllWays(m, key)).as("%s %s vs %s", patterns, Arrays.toString(rules),
                        GlobPatternTest.hex(key)).isEqualTo(expected);
                if (expected >= 0) {
                    matched++;
                }
            }
        }
        assertThat(matched).as("the test exercises matches, not only misses").isGreaterThan(3000);
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void concurrentMatchingAgreesWithSingleThreaded() throws Exception {
        List<GlobPattern> patterns = new ArrayList<>();
        String[] globs = {"*a?b*", "user:*:?", "*:lock", "?*é", "a*b*c*d", "*€", "s:*", "*😀*:x"};
        for (String glob : globs) {
            patterns.add(GlobPattern.compile(glob));
        }
        int[] rules = {5, 1, 2, 0, 4, 3, 6, 7};
        Random random = new Random(5);
        int[][] pieces = {{'a'}, {'b'}, {'c'}, {'d'}, {':'}, {'u'}, {0xC3, 0xA9}, {0xE2, 0x82, 0xAC},
            {0xF0, 0x9F, 0x98, 0x80}, {0xFF}, {0x80}};
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            keys.add(GlobPatternTest.randomKey(random, pieces, random.nextInt(30)));
        }
        KeyMatcher reference = KeyMatcher.of(patterns, rules);
        int[] expected = new int[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            expected[i] = reference.match(keys.get(i));
            assertThat(expected[i]).isEqualTo(expected(patterns, rules, keys.get(i)));
        }
        // A fresh matcher with the default cache, and one so small that resets race with matching.
        for (int budget : new int[] {KeyMatcher.DEFAULT_CACHE_BUDGET, 20}) {
            KeyMatcher shared = KeyMatcher.of(patterns, rules, budget);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<int[]>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int seed = t;
                    results.add(pool.submit(() -> {
                        List<Integer> order = new ArrayList<>();
                        for (int i = 0; i < keys.size(); i++) {
                            order.add(i);
                        }
                        Collections.shuffle(order, new Random(seed));
                        int[] answers = new int[keys.size()];
                        start.await();
                        for (int round = 0; round < 3; round++) {
                            for (int i : order) {
                                byte[] key = keys.get(i);
                                int answer = (i + round) % 2 == 0 ? shared.match(key)
                                        : shared.match(ByteBuffer.wrap(key).asReadOnlyBuffer());
                                if (round > 0 && answer != answers[i]) {
                                    answers[i] = -100; // unstable answer: fails below
                                } else {
                                    answers[i] = answer;
                                }
                            }
                        }
                        return answers;
                    }));
                }
                start.countDown();
                for (Future<int[]> result : results) {
                    assertThat(result.get(2, TimeUnit.MINUTES)).as("budget " + budget).isEqualTo(expected);
                }
            } finally {
                pool.shutdownNow();
            }
            if (budget == 20) {
                assertThat(shared.cacheResets()).isPositive();
            }
            assertThat(shared.cachedStates()).isLessThanOrEqualTo(budget + 8); // + racing inserts
        }
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void dfaCacheIsBounded() {
        // The classic exponential DFA: "the 15th byte from the end is an 'a'" needs 2^15 states to
        // remember the last 15 bytes, more than the default budget; random keys of a and b visit them.
        List<GlobPattern> patterns = Arrays.asList(
                GlobPattern.compile("*a" + "?".repeat(14)), GlobPattern.compile("b*"));
        int[] rules = {1, 0};
        Random random = new Random(9);
        for (int budget : new int[] {50, KeyMatcher.DEFAULT_CACHE_BUDGET}) {
            KeyMatcher m = KeyMatcher.of(patterns, rules, budget);
            for (int k = 0; k < 60; k++) {
                byte[] key = new byte[2000];
                for (int i = 0; i < key.length; i++) {
                    key[i] = (byte) (random.nextBoolean() ? 'a' : 'b');
                }
                key[0] = 'a'; // so that "b*" does not decide at once
                assertThat(m.match(key)).isEqualTo(expected(patterns, rules, key));
                assertThat(m.cachedStates()).isLessThanOrEqualTo(budget);
            }
            assertThat(m.cacheResets()).as("budget " + budget).isPositive();
        }
        // A fresh small-budget matcher answers simple cases right after its first resets too.
        KeyMatcher m = KeyMatcher.of(patterns, rules, 50);
        String tail = "a" + "b".repeat(14);
        assertThat(m.match("x" + tail)).isEqualTo(1);
        assertThat(m.match("x" + tail + "b")).isEqualTo(-1);
        assertThat(m.match("b")).isEqualTo(0);
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void hugePatternSetsAreChargedForTheirPositions() {
        // 2000 star patterns: every DFA state holds thousands of positions and costs accordingly.
        List<GlobPattern> patterns = new ArrayList<>();
        int[] rules = new int[2000];
        for (int i = 0; i < 2000; i++) {
            patterns.add(GlobPattern.compile("*:" + i + ":*:x"));
            rules[i] = i;
        }
        KeyMatcher m = KeyMatcher.of(patterns, rules, 100);
        Random random = new Random(1);
        int maxStates = 0;
        for (int k = 0; k < 50; k++) {
            String key = "p:" + random.nextInt(2000) + ":" + random.nextInt(100) + ":x";
            assertThat(m.match(key)).as(key).isEqualTo(expected(patterns, rules, key.getBytes(UTF_8)));
            maxStates = Math.max(maxStates, m.cachedStates());
        }
        // Each state holds over 4000 positions (the leading "*:" of every pattern), 16+ units each.
        assertThat(maxStates).isBetween(2, 100 / 16 + 1);
        assertThat(m.cacheResets()).isPositive();
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void steadyStateMatchingDoesNotAllocate() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        KeyMatcher m = matcher("user:*", 0, "*:lock", 1, "t:?:*:s", 2);
        String[] strings = {"user:1", "a:b:lock", "t:é:x:s", "nothing:here", "t:😀:x:s\uD800"};
        byte[][] bytes = new byte[strings.length][];
        ByteBuffer[] direct = new ByteBuffer[strings.length];
        for (int i = 0; i < strings.length; i++) {
            bytes[i] = strings[i].getBytes(UTF_8);
            direct[i] = ByteBuffer.allocateDirect(bytes[i].length).put(bytes[i]);
            direct[i].flip();
        }
        long sum = 0;
        for (int round = 0; round < 3; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int j = 0; j < 20_000; j++) {
                for (int i = 0; i < strings.length; i++) {
                    sum += m.match(bytes[i]) + m.match(strings[i]) + m.match(direct[i]);
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                // Tolerance for the measurement itself; per-match allocation would be megabytes.
                assertThat(allocated).isLessThan(10_000);
            }
        }
        assertThat(sum).isNotZero();
    }

    /** A NUL byte is a literal like any other, in the DFA, the buffer paths and the NFA simulation. */
    @Test
    void aNulByteIsALiteral() {
        KeyMatcher m = matcher("a\u0000b", 0, "x*", 1);
        assertThat(matchAllWays(m, bytes('a', 0, 'b'))).isEqualTo(0);
        assertThat(matchAllWays(m, bytes('a', 1, 'b'))).isEqualTo(-1);
        assertThat(matchAllWays(m, bytes('x', 0))).isEqualTo(1);
    }

    /** Several patterns accept the key: the lowest rule wins whichever pattern comes first. */
    @Test
    void theLowestRuleWinsAmongAcceptingPatternsInEitherOrder() {
        assertThat(matchAllWays(matcher("ab", 0, "a?", 1, "?b", 2), "ab".getBytes(UTF_8))).isEqualTo(0);
        assertThat(matchAllWays(matcher("?b", 2, "a?", 1, "ab", 0), "ab".getBytes(UTF_8))).isEqualTo(0);
        assertThat(matchAllWays(matcher("ab", 1, "a?", 2, "??", 3), "ab".getBytes(UTF_8))).isEqualTo(1);
        assertThat(matchAllWays(matcher("??", 3, "a?", 2), "ab".getBytes(UTF_8))).isEqualTo(2);
    }

    /**
     * Star-separated literals reached along several paths at once: a position reached twice is one
     * position, and none is lost (the "*a*b" star must survive a run of a's).
     */
    @Test
    void positionsReachedTwiceAreKeptOnce() {
        KeyMatcher m = matcher("*a*b", 0);
        assertThat(matchAllWays(m, "aacb".getBytes(UTF_8))).isEqualTo(0);
        assertThat(matchAllWays(m, "aaacccb".getBytes(UTF_8))).isEqualTo(0);
        assertThat(matchAllWays(m, "aaac".getBytes(UTF_8))).isEqualTo(-1);
        KeyMatcher two = matcher("*a*a*b*c", 0, "*a*b*d", 1);
        assertThat(matchAllWays(two, "aaxaabbxc".getBytes(UTF_8))).isEqualTo(0);
        assertThat(matchAllWays(two, "aaxaabbxd".getBytes(UTF_8))).isEqualTo(1);
        assertThat(matchAllWays(two, "aaxaabbx".getBytes(UTF_8))).isEqualTo(-1);
    }

    /** Many stars alive at once: the position sets outgrow their first capacity. */
    @Test
    void largePositionSetsGrow() {
        KeyMatcher m = matcher("*a*a*a*a*a*a*a*a*a*a*b", 0, "*a*a*a*a*a*a*a*a*a*a*c", 1);
        assertThat(matchAllWays(m, "aaaaaaaaaaaab".getBytes(UTF_8))).isEqualTo(0);
        assertThat(matchAllWays(m, "aaaaaaaaaaaac".getBytes(UTF_8))).isEqualTo(1);
        assertThat(matchAllWays(m, "aaaaaaaaab".getBytes(UTF_8))).as("nine a's").isEqualTo(-1);
    }
}
