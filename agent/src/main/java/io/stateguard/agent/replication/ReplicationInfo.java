package io.stateguard.agent.replication;

/**
 * What one node's {@code INFO replication} says, the fields the agent needs. Immutable.
 *
 * <p>A primary reports {@code master_repl_offset}: bytes of replication stream produced. A replica reports
 * {@code slave_repl_offset}: the offset it has <em>applied</em> (never {@code slave_read_repl_offset}, which
 * counts bytes received, not applied). Both report {@code master_replid}: a replica shows its primary's.
 * Offsets are comparable only under one replication ID.
 */
public final class ReplicationInfo {

    /** The node's role. */
    public enum Role {
        PRIMARY, REPLICA, UNKNOWN
    }

    private final Role role;

    private final String replicationId;

    private final long offset;

    private final boolean linkUp;

    private ReplicationInfo(Role role, String replicationId, long offset, boolean linkUp) {
        this.role = role;
        this.replicationId = replicationId;
        this.offset = offset;
        this.linkUp = linkUp;
    }

    /** For tests and adapters that read the fields elsewhere. */
    public static ReplicationInfo of(Role role, String replicationId, long offset, boolean linkUp) {
        return new ReplicationInfo(role, replicationId, offset, linkUp);
    }

    /**
     * Parses the text of {@code INFO replication} (lines {@code name:value}, {@code \r\n} or {@code \n}).
     * Missing or malformed fields leave the role {@link Role#UNKNOWN}, the ID {@code null} or the offset -1.
     */
    public static ReplicationInfo parse(String text) {
        Role role = Role.UNKNOWN;
        String id = null;
        long primaryOffset = -1;
        long replicaOffset = -1;
        boolean linkUp = false;
        if (text != null) {
            int start = 0;
            int length = text.length();
            while (start < length) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    end = length;
                }
                int lineEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
                int colon = text.indexOf(':', start);
                if (colon > start && colon < lineEnd) {
                    String name = text.substring(start, colon);
                    String value = text.substring(colon + 1, lineEnd).trim();
                    if (name.equals("role")) {
                        role = value.equals("master") ? Role.PRIMARY
                                : value.equals("slave") || value.equals("replica") ? Role.REPLICA : Role.UNKNOWN;
                    } else if (name.equals("master_replid")) {
                        id = value.isEmpty() ? null : value;
                    } else if (name.equals("master_repl_offset")) {
                        primaryOffset = number(value);
                    } else if (name.equals("slave_repl_offset")) {
                        replicaOffset = number(value);
                    } else if (name.equals("master_link_status")) {
                        linkUp = value.equals("up");
                    }
                }
                start = end + 1;
            }
        }
        long offset = role == Role.PRIMARY ? primaryOffset : role == Role.REPLICA ? replicaOffset : -1;
        return new ReplicationInfo(role, id, offset, role == Role.PRIMARY || linkUp);
    }

    private static long number(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public Role role() {
        return role;
    }

    /** {@code master_replid}: the primary's history ID (a replica shows its primary's), or {@code null}. */
    public String replicationId() {
        return replicationId;
    }

    /**
     * A primary's {@code master_repl_offset}, or a replica's applied {@code slave_repl_offset}; -1 when not
     * reported.
     */
    public long offset() {
        return offset;
    }

    /** A replica's {@code master_link_status:up}; always {@code true} for a primary. */
    public boolean linkUp() {
        return linkUp;
    }

    @Override
    public String toString() {
        return role + "{replid=" + replicationId + ", offset=" + offset + (role == Role.REPLICA ? ", link="
                + (linkUp ? "up" : "down") : "") + "}";
    }
}
