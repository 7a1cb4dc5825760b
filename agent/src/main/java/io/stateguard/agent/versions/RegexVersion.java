package io.stateguard.agent.versions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code regex:<pattern>}: the first capturing group of the first match, a plain integer. */
final class RegexVersion extends VersionSpec {

    private final Pattern pattern;

    private RegexVersion(Pattern pattern, int maxValueBytes) {
        super(Kind.REGEX, pattern.pattern(), maxValueBytes);
        this.pattern = pattern;
    }

    static RegexVersion create(String regex, int maxValueBytes) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex '" + regex + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""), e);
        }
        if (pattern.matcher("").groupCount() < 1) {
            throw new IllegalArgumentException("regex has no capture group: '" + regex
                    + "' (the version is the first group, e.g. regex:v=(\\d+))");
        }
        return new RegexVersion(pattern, maxValueBytes);
    }

    @Override
    boolean read(ByteBuffer value, int start, int end, VersionReading into) {
        int text = Utf8.classify(value, start, end);
        if (text == Utf8.INVALID) {
            return into.fail(VersionFailure.BINARY);
        }
        // ASCII bytes are chars already: match in place instead of copying up to maxValueBytes.
        CharSequence chars = text == Utf8.ASCII ? new AsciiChars(value, start, end - start) : decode(value, start, end);
        Matcher matcher = pattern.matcher(chars);
        try {
            if (!matcher.find()) {
                return into.fail(VersionFailure.NOT_FOUND);
            }
        } catch (StackOverflowError e) {
            // java.util.regex recurses per repetition for some patterns; a long value can exhaust the
            // event loop's stack. The value is too large for this pattern: fail it, keep the thread.
            return into.fail(VersionFailure.TOO_LARGE);
        }
        int groupStart = matcher.start(1);
        if (groupStart < 0) {
            return into.fail(VersionFailure.NOT_FOUND); // an optional first group did not take part
        }
        return Decimal.parse(chars, groupStart, matcher.end(1), into);
    }

    private static String decode(ByteBuffer value, int start, int end) {
        if (value.hasArray()) {
            return new String(value.array(), value.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[end - start];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = value.get(start + i);
        }
        return new String(copy, StandardCharsets.UTF_8);
    }

    /** ASCII bytes of a buffer seen as chars, without copying. */
    private static final class AsciiChars implements CharSequence {

        private final ByteBuffer bytes;
        private final int start;
        private final int length;

        AsciiChars(ByteBuffer bytes, int start, int length) {
            this.bytes = bytes;
            this.start = start;
            this.length = length;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (index < 0 || index >= length) {
                throw new IndexOutOfBoundsException("index " + index + ", length " + length);
            }
            return (char) bytes.get(start + index);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            if (from < 0 || to > length || from > to) {
                throw new IndexOutOfBoundsException("from " + from + ", to " + to + ", length " + length);
            }
            return new AsciiChars(bytes, start + from, to - from);
        }

        @Override
        public String toString() {
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = (char) bytes.get(start + i);
            }
            return new String(chars);
        }
    }
}
