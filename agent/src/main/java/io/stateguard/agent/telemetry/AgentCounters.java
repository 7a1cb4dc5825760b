package io.stateguard.agent.telemetry;

/**
 * The agent's own counters that telemetry publishes as metrics, read when a metric reader collects.
 * The bootstrap connects them to routing and the guard, so that telemetry depends on neither.
 */
public interface AgentCounters {

    /** Counters that are all zero: before the bootstrap connects the real ones. */
    AgentCounters NONE = new AgentCounters() {
        @Override
        public long routedToPrimary(int rule) {
            return 0;
        }

        @Override
        public long checkedOnReplica(int rule) {
            return 0;
        }

        @Override
        public long trackedKeys() {
            return 0;
        }

        @Override
        public long marksReset(boolean absentOnPrimary) {
            return 0;
        }
    };

    /** Reads of rule {@code rule}'s keys the agent sent to the primary. */
    long routedToPrimary(int rule);

    /** Reads of rule {@code rule}'s keys left on the application's routing and checked. */
    long checkedOnReplica(int rule);

    /** Keys whose high-water mark is kept. */
    long trackedKeys();

    /**
     * Marks that followed the primary without proof of lost writes: the key was nil on the primary
     * ({@code absentOnPrimary}: expired, evicted, deleted by another process) or older there (rewritten by
     * another process).
     */
    long marksReset(boolean absentOnPrimary);

    /**
     * Replies of versioned keys whose version could not be read, by reason ({@code binary}, {@code not_found},
     * {@code too_large}, ...: a {@code VersionFailure} label): they were not checked.
     */
    default void unreadableVersions(Unreadable recorder) {
    }

    /** Receives counts of unreadable versions. */
    interface Unreadable {
        void count(String reason, long count);
    }

    /** Failovers the replication monitor proved (a shard primary's replication ID changed). */
    default long failovers() {
        return 0;
    }

    /** Hands each replica whose lag the replication monitor knows to {@code recorder}. */
    default void replicaLags(ReplicaLags recorder) {
    }

    /** Receives replica lags. */
    interface ReplicaLags {
        void lag(String host, int port, long lagNanos, long lagBytes);
    }
}
