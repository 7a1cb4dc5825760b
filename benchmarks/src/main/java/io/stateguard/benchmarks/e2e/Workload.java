package io.stateguard.benchmarks.e2e;

/**
 * The keys and values of the end-to-end workload, shared by the runner (which loads them) and the client.
 *
 * <p>Reads go to {@code evolution:state:r<i>} (loaded before the runs, replicated), writes to
 * {@code evolution:state:w<i>}: both match the rules of the variants that match state keys. Values are JSON
 * state documents of about 100 bytes with a {@code version} member; writes raise it. Reads and writes use
 * different keys so that a read on the replica never races a write of the same key: the guarded variant
 * measures checking, not re-reads of lagging keys.
 */
public final class Workload {

    /** Keys read, and keys written. */
    public static final int KEYS = 1_000;

    private Workload() {
    }

    public static String readKey(int i) {
        return "evolution:state:r" + pad(i);
    }

    public static String writeKey(int i) {
        return "evolution:state:w" + pad(i);
    }

    public static String value(String instance, long version) {
        return "{\"state\":\"open\",\"version\":" + version + ",\"updatedAt\":1764240000000,\"instance\":\""
                + instance + "\",\"owner\":\"gw-01\"}";
    }

    private static String pad(int i) {
        String digits = Integer.toString(i);
        return "000000".substring(digits.length()) + digits;
    }
}
