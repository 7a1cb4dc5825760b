package io.stateguard.agent.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * How a Redis key appears in telemetry ({@code stateguard.telemetry.keys}): the key itself, a stable
 * hash of it, or not at all. Keys of state often carry customer or instance identifiers, which some
 * tracing backends must not store.
 */
public enum KeyPrivacy {

    /** The key as text (UTF-8, other bytes as {@code \xNN}), as OpenTelemetry's own Redis spans show it. */
    FULL("full"),

    /**
     * {@code sha256:} and the first 16 hex digits of the SHA-256 of the key bytes: the same key always
     * gives the same value (so events of one key can be grouped), and the key cannot be read back.
     */
    HASHED("hashed"),

    /** No key attribute at all; the rule name still says which kind of key it was. */
    NONE("none");

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String label;

    KeyPrivacy(String label) {
        this.label = label;
    }

    /** The setting's value for this mode. */
    public String label() {
        return label;
    }

    /**
     * Parses a setting value, case-insensitively.
     *
     * @return the mode, or {@code null} when {@code value} is not one.
     */
    public static KeyPrivacy parse(String value) {
        if (value == null) {
            return null;
        }
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (KeyPrivacy mode : values()) {
            if (mode.label.equals(normalized)) {
                return mode;
            }
        }
        return null;
    }

    /** The accepted values, for error messages. */
    public static String expected() {
        return "full, hashed, none";
    }

    /**
     * The value of the key attribute for {@code key}, or {@code null} when the attribute is left out.
     *
     * @param keyText the key as text for {@link #FULL} (so callers that already have it do not decode twice)
     */
    public String attribute(byte[] key, String keyText) {
        switch (this) {
            case FULL:
                return keyText != null ? keyText : new String(key, StandardCharsets.UTF_8);
            case HASHED:
                return hash(key);
            default:
                return null;
        }
    }

    /** {@code sha256:} and the first 16 hex digits of SHA-256 over {@code key}. */
    public static String hash(byte[] key) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(key);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256; never fall back to the raw key.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        char[] text = new char[7 + 16];
        "sha256:".getChars(0, 7, text, 0);
        for (int i = 0; i < 8; i++) {
            text[7 + 2 * i] = HEX[(digest[i] >> 4) & 0xf];
            text[8 + 2 * i] = HEX[digest[i] & 0xf];
        }
        return new String(text);
    }
}
