package io.stateguard.agent.versions;

import java.util.Locale;

/**
 * Why no version could be read from a value. Used as a metric attribute: {@link #label()} is the
 * attribute value.
 *
 * <p>When several reasons apply, the one found first while reading wins, except that a size check
 * ({@link #TOO_LARGE}) comes before any reading and, within a plain integer, {@link #NOT_NUMERIC}
 * wins over {@link #OVERFLOW}.
 */
public enum VersionFailure {

    /** The spec is {@code none}: it reads no version. Callers normally check the kind first. */
    NO_SOURCE,

    /**
     * The value is longer than the spec's {@link VersionSpec#maxValueBytes() scan limit}; it was not
     * read at all. For {@code regex} also reported when the pattern recursed too deeply on the value.
     */
    TOO_LARGE,

    /** Text was required ({@code json}, {@code regex}) and the value is not well-formed UTF-8. */
    BINARY,

    /** {@code json}: the bytes read up to the point of decision are not valid JSON. */
    MALFORMED_JSON,

    /**
     * The version is not there: a JSON Pointer token matches no member or element (or meets a
     * scalar), or the regex has no match or its first group did not participate in the match.
     */
    NOT_FOUND,

    /** {@code json}: the pointer designates an object, array, {@code true}, {@code false} or {@code null}. */
    WRONG_TYPE,

    /**
     * The text where the version should be is not an integer: not {@code -?[0-9]+}, or a JSON number
     * with a fraction or exponent (even {@code 7.0} or {@code 7e0}).
     */
    NOT_NUMERIC,

    /** An integer outside the signed 64-bit range. */
    OVERFLOW;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name, e.g. {@code not_numeric}: stable, for metric attributes and logs. */
    public String label() {
        return label;
    }
}
