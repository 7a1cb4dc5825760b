package io.stateguard.agent.guard;

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

    public Inconsistency(String rule, int database, byte[] key, String operation, InconsistencyType type,
            GuardAction action, long expectedVersion, boolean observedPresent, long observedVersion,
            String serverAddress, int serverPort, boolean servedByPrimary) {
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

    @Override
    public String toString() {
        return "type=" + type.label() + " action=" + action.label() + " rule=" + rule + " db=" + database + " key="
                + keyText() + " op=" + operation + " expected=" + expectedVersion + " observed="
                + (observedPresent ? String.valueOf(observedVersion) : "missing") + " node="
                + (serverAddress == null ? "unknown" : serverAddress + ":" + serverPort) + " role="
                + (servedByPrimary ? "primary" : "replica");
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
