package io.stateguard.agent.guard;

import io.stateguard.agent.keys.CommandKeyReader;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.versions.VersionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides which keys of a command the guard follows: for each key of a versioned rule, whether the
 * command reads it (its reply is checked) or writes it (the written value raises its mark once the
 * reply says Redis applied it), and for hash rules whether the version field is among the fields read
 * or written. For writes it also tells when Redis applies them ({@link WriteCondition}: {@code SETNX},
 * {@code MSETNX}, {@code HSETNX}, {@code SET}'s {@code NX}/{@code XX}) and whether the reply is the
 * previous value ({@code GETSET}, {@code SET}'s {@code GET}); options are the value arguments after
 * the written value, compared in any case. Knows no Redis client:
 * the adapter hands over the command's name and its {@link EncodedArguments}. Immutable.
 */
public final class CommandClassifier {

    /** {@link #quickLook} result: the command has no key of a versioned rule. */
    public static final int NOT_TRACKED = -1;

    /** {@link #quickLook} result: whether it is tracked is decided by {@link #classify}. */
    public static final int UNDECIDED = -2;

    private final VersionGuard guard;
    private final KeyMatcher matcher;
    private final boolean[] versioned;

    /** Per rule index, the one-element rule array of a single-key command: shared, never modified. */
    private final int[][] singleRule;

    public CommandClassifier(VersionGuard guard, KeyMatcher matcher) {
        this.guard = guard;
        this.matcher = matcher;
        this.versioned = new boolean[guard.rules().size()];
        this.singleRule = new int[versioned.length][];
        for (int i = 0; i < versioned.length; i++) {
            versioned[i] = guard.checks(i);
            singleRule[i] = new int[] {i};
        }
    }

    /**
     * A cheap first look, without allocating: can the command's keys belong to a versioned rule?
     * Commands whose first key decides (and {@code MGET}) are answered exactly; the rarer multi-key
     * writes and deletes always get the full look.
     *
     * @return the rule of the command's first key when it decides, {@link #NOT_TRACKED} or
     *     {@link #UNDECIDED}.
     */
    public int quickLook(CommandKind kind, CommandKeyReader reader, Object command) throws Exception {
        if (kind == CommandKind.MSET || kind == CommandKind.MSETNX || kind == CommandKind.DELETE) {
            return UNDECIDED;
        }
        if (kind == CommandKind.FLUSH) {
            return NOT_TRACKED; // no keys: the adapter tells the policy directly
        }
        int rule = reader.firstAcceptedRule(command, matcher, versioned);
        if (kind == CommandKind.MGET) {
            return rule < 0 ? NOT_TRACKED : UNDECIDED;
        }
        return rule >= 0 ? rule : NOT_TRACKED;
    }

    /**
     * The common case without argument lists: a {@code GET} of one key whose rule the
     * {@link #quickLook} found. {@code null} when that rule versions hashes ({@code GET} of a hash
     * is a {@code WRONGTYPE} error, nothing to check).
     */
    public TrackedCommand singleKeyRead(String operation, Object connection, int database, int rule, byte[] key) {
        if (key == null || isHash(rule)) {
            return null;
        }
        return new TrackedCommand(CommandKind.GET, operation, connection, database, singleRule[rule],
                new byte[][] {key}, null, WriteCondition.ALWAYS, false,
                new long[] {guard.marks().get(database, key, 0, key.length)});
    }

    /** The keys of a command the guard follows, or {@code null} when there are none. */
    public TrackedCommand classify(CommandKind kind, String operation, Object connection, int database,
            EncodedArguments arguments) {
        if (arguments.size() == 0 || !arguments.isKey(0)) {
            return null;
        }
        List<Integer> rules = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> written = new ArrayList<>();
        WriteCondition condition = WriteCondition.ALWAYS;
        boolean returnsPrevious = false;
        switch (kind) {
            case GET:
            case HGETALL:
            case DELETE: {
                int limit = kind == CommandKind.DELETE ? arguments.size() : 1;
                for (int i = 0; i < limit; i++) {
                    int rule = arguments.isKey(i) ? versionedRule(arguments.bytes(i)) : -1;
                    if (rule >= 0 && (kind != CommandKind.HGETALL || isHash(rule))
                            && (kind != CommandKind.GET || !isHash(rule))) {
                        rules.add(rule);
                        keys.add(arguments.bytes(i));
                    }
                }
                break;
            }
            case MGET:
                for (int i = 0; i < arguments.size(); i++) {
                    int rule = versionedRule(arguments.bytes(i));
                    // A key named twice has one value in the reply: checked (and reported) once.
                    if (rule >= 0 && !isHash(rule) && !contains(keys, arguments.bytes(i))) {
                        rules.add(rule);
                        keys.add(arguments.bytes(i));
                    }
                }
                break;
            case HGET:
            case HMGET: {
                int rule = versionedRule(arguments.bytes(0));
                if (rule >= 0 && isHash(rule)) {
                    VersionSpec spec = guard.rules().get(rule).version();
                    for (int i = 1; i < arguments.size(); i++) {
                        byte[] field = arguments.bytes(i);
                        if (field != null && spec.isHashField(field, 0, field.length)) {
                            rules.add(rule);
                            keys.add(arguments.bytes(0));
                            break;
                        }
                    }
                }
                break;
            }
            case SET:
            case SETNX:
            case GETSET: {
                int rule = versionedRule(arguments.bytes(0));
                if (rule >= 0 && !isHash(rule)) {
                    int value = 1;
                    while (value < arguments.size() && (arguments.isKey(value) || arguments.isNumber(value))) {
                        value++;
                    }
                    if (value < arguments.size()) {
                        rules.add(rule);
                        keys.add(arguments.bytes(0));
                        written.add(arguments.bytes(value));
                    }
                    if (kind == CommandKind.SETNX) {
                        condition = WriteCondition.IF_ABSENT;
                    } else if (kind == CommandKind.GETSET) {
                        returnsPrevious = true;
                    } else {
                        // SET's options follow the value: NX, XX, GET (any case), among EX/PX/KEEPTTL ...
                        for (int i = value + 1; i < arguments.size(); i++) {
                            byte[] option = arguments.isKey(i) ? null : arguments.bytes(i);
                            if (isWord(option, "NX")) {
                                condition = WriteCondition.IF_ABSENT;
                            } else if (isWord(option, "XX")) {
                                condition = WriteCondition.IF_PRESENT;
                            } else if (isWord(option, "GET")) {
                                returnsPrevious = true;
                            }
                        }
                    }
                }
                break;
            }
            case EXPIRE: {
                // A time to live that is not positive deletes the key at once; any other is left alone (the
                // key expires later, and a nil read on the primary then resets the mark).
                int rule = versionedRule(arguments.bytes(0));
                if (rule >= 0 && arguments.size() > 1 && arguments.isNumber(1) && notPositive(arguments.bytes(1))) {
                    rules.add(rule);
                    keys.add(arguments.bytes(0));
                }
                break;
            }
            case MSET:
            case MSETNX:
                if (kind == CommandKind.MSETNX) {
                    condition = WriteCondition.IF_ABSENT; // all or nothing: one answer for every key
                }
                for (int i = 0; i + 1 < arguments.size(); i += 2) {
                    int rule = versionedRule(arguments.bytes(i));
                    if (rule >= 0 && !isHash(rule)) {
                        rules.add(rule);
                        keys.add(arguments.bytes(i));
                        written.add(arguments.bytes(i + 1));
                    }
                }
                break;
            case HSETNX:
            case HSET: {
                if (kind == CommandKind.HSETNX) {
                    condition = WriteCondition.IF_ABSENT;
                }
                int rule = versionedRule(arguments.bytes(0));
                if (rule >= 0 && isHash(rule)) {
                    VersionSpec spec = guard.rules().get(rule).version();
                    for (int i = 1; i + 1 < arguments.size(); i += 2) {
                        byte[] field = arguments.bytes(i);
                        if (field != null && spec.isHashField(field, 0, field.length)) {
                            rules.add(rule);
                            keys.add(arguments.bytes(0));
                            written.add(arguments.bytes(i + 1));
                            break;
                        }
                    }
                }
                break;
            }
            default:
                return null;
        }
        if (rules.isEmpty()) {
            return null;
        }
        int[] ruleArray = new int[rules.size()];
        for (int i = 0; i < ruleArray.length; i++) {
            ruleArray[i] = rules.get(i);
        }
        byte[][] keyArray = keys.toArray(new byte[0][]);
        long[] floors = null;
        if (kind.isRead()) {
            floors = new long[keyArray.length];
            for (int i = 0; i < keyArray.length; i++) {
                floors[i] = guard.marks().get(database, keyArray[i], 0, keyArray[i].length);
            }
        }
        return new TrackedCommand(kind, operation, connection, database, ruleArray, keyArray,
                written.isEmpty() ? null : written.toArray(new byte[0][]), condition, returnsPrevious, floors);
    }

    /** Whether rule {@code rule} versions hashes ({@code hash:<field>}) rather than string values. */
    public boolean isHash(int rule) {
        return guard.rules().get(rule).version().kind() == VersionSpec.Kind.HASH;
    }

    private int versionedRule(byte[] key) {
        int rule = key == null ? -1 : matcher.match(key);
        return guard.checks(rule) ? rule : -1;
    }

    /** Whether {@code argument} is the ASCII word {@code upperCase}, in any case. */
    static boolean isWord(byte[] argument, String upperCase) {
        if (argument == null || argument.length != upperCase.length()) {
            return false;
        }
        for (int i = 0; i < argument.length; i++) {
            int c = argument[i];
            if (c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            }
            if (c != upperCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code number} is the ASCII decimal of an integer at or below zero. */
    static boolean notPositive(byte[] number) {
        if (number == null || number.length == 0) {
            return false;
        }
        if (number[0] == '-') {
            if (number.length == 1) {
                return false;
            }
            for (int i = 1; i < number.length; i++) {
                if (number[i] < '0' || number[i] > '9') {
                    return false;
                }
            }
            return true;
        }
        for (byte digit : number) {
            if (digit != '0') {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(List<byte[]> keys, byte[] key) {
        for (byte[] each : keys) {
            if (Arrays.equals(each, key)) {
                return true;
            }
        }
        return false;
    }
}
