package io.stateguard.agent.replication;

/** One answer to {@code INFO replication}: what it said, when it was sent and when it arrived. Immutable. */
final class Sample {

    final ReplicationInfo info;
    final long sentNanos;
    final long receivedNanos;

    Sample(ReplicationInfo info, long sentNanos, long receivedNanos) {
        this.info = info;
        this.sentNanos = sentNanos;
        this.receivedNanos = receivedNanos;
    }
}
