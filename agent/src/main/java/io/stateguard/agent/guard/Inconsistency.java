package io.stateguard.agent.guard;

import io.stateguard.agent.keys.KeyPrivacy;

import java.nio.charset.StandardCharsets;

/**
 * One detected inconsistency and what was done about it. Immutable. This is what the reporting
 * interface receives, and what telemetry turns into a span.
 */
public final class Inconsistency {

    private final String rule;
    private final int database;
    private final byte[] key;
    private final String operation;
    private final InconsistencyType type;
    private final GuardAction action;
    private final long expectedVersion;
    private final boolean observedPresent;
    private final long observedVersion;
    private final String serverAddress;
    private final int serverPort;
    private final boolean servedByPrimary;
    private final Object context;
    private final long detectedAtEpochNanos;

    public Inconsistency(String rule, int database, byte[] key, String operation, InconsistencyType type,
            GuardAction action, long expectedVersion, boolean observedPresent, long observedVersion,
            String serverAddress, int serverPort, boolean servedByPrimary) {
        this(rule, database, key, operation, type, action, expectedVersion, observedPresent, observedVersion,
                serverAddress, serverPort, servedByPrimary, null);
    }

    /**
     * @param context the OpenTelemetry context that was current when the application issued the
     *     command (captured at dispatch, since detection happens later on a Netty thread), or {@code null}
     */
    public Inconsistency(String rule, int database, byte[] key, String operation, InconsistencyType type,
            GuardAction action, long expectedVersion, boolean observedPresent, long observedVersion,
            String serverAddress, int serverPort, boolean servedByPrimary, Object context) {
        this.context = context;
        this.detectedAtEpochNanos = System.currentTimeMillis() * 1_000_000L;
        this.rule = rule;
        this.database = database;
        this.key = key.clone();
        this.operation = operation;
        this.type = type;
        this.action = action;
        this.expectedVersion = expectedVersion;
        this.observedPresent = observedPresent;
        this.observedVersion = observedVersion;
        this.serverAddress = serverAddress;
        this.serverPort = serverPort;
        this.servedByPrimary = servedByPrimary;
    }

    /** The name of the rule the key belongs to. */
    public String rule() {
        return rule;
    }

    /** The Redis database index. */
    public int database() {
        return database;
    }

    /** The key's bytes (a copy). */
    public byte[] key() {
        return key.clone();
    }

    /** The key as text, for logs: UTF-8 where valid, with other bytes as {@code \xNN}. */
    public String keyText() {
        return printable(key);
    }

    /** The Redis command name, such as {@code GET}. */
    public String operation() {
        return operation;
    }

    public InconsistencyType type() {
        return type;
    }

    public GuardAction action() {
        return action;
    }

    /** The high-water mark the reply was compared with. */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** Whether the reply had a version; {@code false} for a missing value. */
    public boolean observedPresent() {
        return observedPresent;
    }

    /** The reply's version; only meaningful when {@link #observedPresent()}. */
    public long observedVersion() {
        return observedVersion;
    }

    /** Host of the node that served the inconsistent reply, or {@code null} when unknown. */
    public String serverAddress() {
        return serverAddress;
    }

    /** Port of that node, or -1 when unknown. */
    public int serverPort() {
        return serverPort;
    }

    /** Whether that node was the primary (best effort: a replica-preferring {@code ReadFrom} may fall back). */
    public boolean servedByPrimary() {
        return servedByPrimary;
    }

    /**
     * The OpenTelemetry context of the application when it issued the command (an object of whichever
     * API copy telemetry uses), or {@code null}.
     */
    public Object context() {
        return context;
    }

    /** When the inconsistency was detected, in nanoseconds since the epoch (millisecond precision). */
    public long detectedAtEpochNanos() {
        return detectedAtEpochNanos;
    }

    @Override
    public String toString() {
        return describe(KeyPrivacy.FULL);
    }

    /**
     * The structured log line's fields; the key as {@code keys} says ({@code hashed}: its hash,
     * {@code none}: no {@code key=} field).
     */
    public String describe(KeyPrivacy keys) {
        String keyAttribute = keys.attribute(key, keys == KeyPrivacy.FULL ? keyText() : null);
        return "type=" + type.label() + " action=" + action.label() + " rule=" + rule + " db=" + database
                + (keyAttribute == null ? "" : " key=" + keyAttribute) + " op=" + operation + " expected=" + expected() + " observed="
                + (observedPresent ? String.valueOf(observedVersion) : "missing") + " node="
                + (serverAddress == null ? "unknown" : serverAddress + ":" + serverPort) + " role="
                + (servedByPrimary ? "primary" : "replica");
    }

    /** The expected state as logged: a version, or {@code deleted} for a key the application deleted. */
    private String expected() {
        return type == InconsistencyType.DELETED_VALUE ? "deleted" : String.valueOf(expectedVersion);
    }

    static String printable(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                escaped.append((char) c);
            } else {
                escaped.append(String.format("\\x%02x", c));
            }
        }
        return escaped.toString();
    }
}
