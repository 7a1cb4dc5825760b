package io.stateguard.agent.versions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a state key's version lives in its value, as configured per rule. Immutable and thread-safe.
 *
 * <h2>Configuration forms</h2>
 * <ul>
 *   <li>{@code none}: no version check ({@link Kind#NONE});</li>
 *   <li>{@code json:<JSON Pointer>}: the value is a UTF-8 JSON document and the version is the
 *       integer the RFC 6901 pointer designates, e.g. {@code json:/version},
 *       {@code json:/meta/updatedAt}, {@code json:/a~1b/0} (member {@code a/b}, element 0);
 *       {@code json:} alone is the whole document. The version is a JSON number without fraction or
 *       exponent ({@code 7.0} and {@code 7e0} are {@link VersionFailure#NOT_NUMERIC}: no floating
 *       point, one spelling per version) or a string holding a plain integer ({@code "7"}: many
 *       applications store 64-bit versions as strings because JavaScript numbers cannot hold them);
 *       an object, array, boolean or {@code null} is {@link VersionFailure#WRONG_TYPE}. The document
 *       is read only up to the version, and what is read is validated; a truncated document never
 *       yields a version. Details in {@code JsonScanner};</li>
 *   <li>{@code hash:<field>}: the key is a hash and the version is the named field, a plain integer.
 *       The caller finds the field in the reply (see {@link #isHashField(ByteBuffer)}) and passes its
 *       value;</li>
 *   <li>{@code regex:<pattern>}: the version is the first capturing group of the first match
 *       ({@link java.util.regex.Matcher#find()}) of a {@link java.util.regex.Pattern} in the value
 *       decoded as UTF-8, a plain integer.</li>
 * </ul>
 * The source name before the colon is case-insensitive ({@code JSON:/v} works); the part after it is
 * taken literally, spaces included. A <em>plain integer</em> is an optional {@code -} followed by
 * ASCII digits and nothing else: no {@code +}, no spaces, leading zeros allowed, any signed 64-bit
 * value ({@code -9223372036854775808} included, one more overflows).
 *
 * <h2>Extraction</h2>
 * {@link #extract(ByteBuffer, VersionReading)} reads the bytes from the buffer's position to its limit
 * with absolute reads, so the position never moves; heap, direct and read-only buffers all work.
 * The outcome is written into a caller-owned, reusable {@link VersionReading} (versions use the whole
 * {@code long} range, so no return value could double as a failure code), and the method returns
 * {@link VersionReading#ok()} for convenience:
 * <pre>{@code
 * if (spec.extract(value, reading)) {
 *     marks.observe(db, key, reading.version());
 * } else {
 *     failures.increment(reading.failure());
 * }
 * }</pre>
 * Bad data never throws: it is a {@link VersionFailure}. A value longer than {@link #maxValueBytes()}
 * fails with {@link VersionFailure#TOO_LARGE} before a single byte is read.
 *
 * <h2>Cost</h2>
 * {@code json} and {@code hash} allocate nothing when given a {@link ByteBuffer} (except for a JSON
 * string version containing escapes); {@code json} stops reading as soon as the pointer's target has
 * been read. {@code regex} validates the whole value as UTF-8, then allocates a {@link
 * java.util.regex.Matcher} and, for values that are not pure ASCII, a decoded copy of the value (pure
 * ASCII is matched in place). A pattern runs on the event-loop thread, so it should not backtrack
 * catastrophically; its input is bounded by {@link #maxValueBytes()}, and a pattern that recurses too
 * deeply on a long value (a {@link StackOverflowError} inside {@code java.util.regex}) reports
 * {@link VersionFailure#TOO_LARGE}.
 */
public abstract class VersionSpec {

    /** The default {@link #maxValueBytes()}: 1 MiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;

    /** The kinds of version source. */
    public enum Kind {
        /** No version check. */
        NONE,
        /** An integer in a JSON document, designated by a JSON Pointer. */
        JSON,
        /** An integer hash field. */
        HASH,
        /** The first capturing group of a regular expression. */
        REGEX
    }

    private static final String EXPECTED = "(expected none, json:<pointer>, hash:<field>, regex:<pattern>)";

    private final Kind kind;
    private final String argument;
    private final int maxValueBytes;

    VersionSpec(Kind kind, String argument, int maxValueBytes) {
        this.kind = kind;
        this.argument = argument;
        this.maxValueBytes = maxValueBytes;
    }

    /** The {@code none} spec. */
    public static VersionSpec none() {
        return NoVersion.INSTANCE;
    }

    /**
     * Parses a configured version source with the default scan limit, {@value #DEFAULT_MAX_VALUE_BYTES}
     * bytes.
     *
     * @see #parse(String, int)
     */
    public static VersionSpec parse(String value) {
        return parse(value, DEFAULT_MAX_VALUE_BYTES);
    }

    /**
     * Parses a configured version source (see the class comment for the forms).
     *
     * @param value the configured text, not trimmed
     * @param maxValueBytes the longest value {@link #extract} reads; longer values fail with {@link
     *     VersionFailure#TOO_LARGE}. Ignored for {@code none}
     * @throws IllegalArgumentException if {@code value} is not a valid source, with a message saying
     *     what is wrong, e.g. {@code invalid JSON Pointer '/a~2': ~ must be followed by 0 or 1}, or if
     *     {@code maxValueBytes < 1}
     * @throws NullPointerException if {@code value} is null
     */
    public static VersionSpec parse(String value, int maxValueBytes) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be at least 1, not " + maxValueBytes);
        }
        int colon = value.indexOf(':');
        String source = (colon < 0 ? value : value.substring(0, colon)).toLowerCase(Locale.ROOT);
        if (colon < 0) {
            if (source.equals("none")) {
                return NoVersion.INSTANCE;
            }
            if (source.equals("json") || source.equals("hash") || source.equals("regex")) {
                throw new IllegalArgumentException("version source '" + value + "' needs an argument: "
                        + source + ":<" + (source.equals("json") ? "pointer>, e.g. json:/version"
                        : source.equals("hash") ? "field>, e.g. hash:version" : "pattern>, e.g. regex:v=(\\d+)"));
            }
        } else {
            String argument = value.substring(colon + 1);
            switch (source) {
                case "json":
                    return new JsonVersion(JsonPointer.parse(argument), maxValueBytes);
                case "hash":
                    return HashVersion.create(argument, maxValueBytes);
                case "regex":
                    return RegexVersion.create(argument, maxValueBytes);
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("unknown version source '" + value + "' " + EXPECTED);
    }

    /** The kind of source. */
    public final Kind kind() {
        return kind;
    }

    /** The longest value {@link #extract} reads; 0 for {@code none}, which reads nothing. */
    public final int maxValueBytes() {
        return maxValueBytes;
    }

    /**
     * The field of a {@code hash:<field>} spec.
     *
     * @throws IllegalStateException if {@link #kind()} is not {@link Kind#HASH}
     */
    public String hashField() {
        throw notHash();
    }

    /**
     * The field of a {@code hash:<field>} spec as UTF-8, a new array on each call: cache it, or use
     * {@link #isHashField(ByteBuffer)} on the hot path.
     *
     * @throws IllegalStateException if {@link #kind()} is not {@link Kind#HASH}
     */
    public byte[] hashFieldBytes() {
        throw notHash();
    }

    /**
     * Whether the bytes from {@code field}'s position to its limit are this spec's hash field (UTF-8).
     * Always {@code false} unless {@link #kind()} is {@link Kind#HASH}. Does not move the position.
     */
    public boolean isHashField(ByteBuffer field) {
        return false;
    }

    /** Whether {@code field[offset, offset + length)} is this spec's hash field (UTF-8). */
    public boolean isHashField(byte[] field, int offset, int length) {
        return false;
    }

    /**
     * Reads the version from the bytes between {@code value}'s position and limit into {@code into},
     * without moving the position. A {@code none} spec reads nothing and reports {@link
     * VersionFailure#NO_SOURCE}.
     *
     * @return {@code into.ok()}: whether a version was found
     */
    public final boolean extract(ByteBuffer value, VersionReading into) {
        if (kind == Kind.NONE) {
            return into.fail(VersionFailure.NO_SOURCE);
        }
        int start = value.position();
        int end = value.limit();
        if (end - start > maxValueBytes) {
            return into.fail(VersionFailure.TOO_LARGE);
        }
        return read(value, start, end, into);
    }

    /**
     * Reads the version from {@code value[offset, offset + length)} into {@code into}. Allocates one
     * small {@link ByteBuffer} wrapper.
     *
     * @return {@code into.ok()}: whether a version was found
     * @throws IndexOutOfBoundsException if the range is not inside {@code value}
     */
    public final boolean extract(byte[] value, int offset, int length, VersionReading into) {
        return extract(ByteBuffer.wrap(value, offset, length), into);
    }

    /** Reads the version from {@code [start, end)}, at most {@link #maxValueBytes()} long, with absolute reads. */
    abstract boolean read(ByteBuffer value, int start, int end, VersionReading into);

    /** The configuration form, e.g. {@code json:/version} or {@code none}; it parses back to an equal spec. */
    @Override
    public final String toString() {
        return kind == Kind.NONE ? "none" : kind.name().toLowerCase(Locale.ROOT) + ':' + argument;
    }

    /** Specs are equal when they have the same kind, argument and scan limit. */
    @Override
    public final boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof VersionSpec)) {
            return false;
        }
        VersionSpec that = (VersionSpec) other;
        return kind == that.kind && argument.equals(that.argument) && maxValueBytes == that.maxValueBytes;
    }

    @Override
    public final int hashCode() {
        return (kind.hashCode() * 31 + argument.hashCode()) * 31 + maxValueBytes;
    }

    private IllegalStateException notHash() {
        return new IllegalStateException("not a hash:<field> version source: " + this);
    }

    /** {@code none}. */
    private static final class NoVersion extends VersionSpec {

        static final NoVersion INSTANCE = new NoVersion();

        private NoVersion() {
            super(Kind.NONE, "", 0);
        }

        @Override
        boolean read(ByteBuffer value, int start, int end, VersionReading into) {
            return into.fail(VersionFailure.NO_SOURCE);
        }
    }

    /** {@code json:<pointer>}. */
    private static final class JsonVersion extends VersionSpec {

        private final JsonPointer pointer;

        JsonVersion(JsonPointer pointer, int maxValueBytes) {
            super(Kind.JSON, pointer.toString(), maxValueBytes);
            this.pointer = pointer;
        }

        @Override
        boolean read(ByteBuffer value, int start, int end, VersionReading into) {
            return JsonScanner.extract(pointer, value, start, end, into);
        }
    }

    /** {@code hash:<field>}: the caller passes the field's value. */
    private static final class HashVersion extends VersionSpec {

        private final String fieldName;
        private final byte[] field;

        private HashVersion(String fieldName, byte[] field, int maxValueBytes) {
            super(Kind.HASH, fieldName, maxValueBytes);
            this.fieldName = fieldName;
            this.field = field;
        }

        static HashVersion create(String field, int maxValueBytes) {
            if (field.isEmpty()) {
                throw new IllegalArgumentException("version source 'hash:' needs a field name, e.g. hash:version");
            }
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < field.length()
                        && Character.isLowSurrogate(field.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw new IllegalArgumentException(
                            "invalid hash field '" + field + "': unpaired surrogate at index " + i);
                }
            }
            return new HashVersion(field, field.getBytes(StandardCharsets.UTF_8), maxValueBytes);
        }

        @Override
        public String hashField() {
            return fieldName;
        }

        @Override
        public byte[] hashFieldBytes() {
            return field.clone();
        }

        @Override
        public boolean isHashField(ByteBuffer candidate) {
            int start = candidate.position();
            if (candidate.limit() - start != field.length) {
                return false;
            }
            for (int i = 0; i < field.length; i++) {
                if (candidate.get(start + i) != field[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean isHashField(byte[] candidate, int offset, int length) {
            if (offset < 0 || length < 0 || offset > candidate.length - length) {
                throw new IndexOutOfBoundsException("offset " + offset + ", length " + length
                        + ", array length " + candidate.length);
            }
            if (length != field.length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (candidate[offset + i] != field[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        boolean read(ByteBuffer value, int start, int end, VersionReading into) {
            return Decimal.parse(value, start, end, into);
        }
    }
}
