package io.stateguard.agent.versions;

/**
 * The result of one {@link VersionSpec#extract(java.nio.ByteBuffer, VersionReading) extraction}:
 * a version or a {@link VersionFailure}. Versions use the whole signed 64-bit range, so there is no
 * sentinel value; the outcome travels in this holder instead, which the caller allocates once and
 * reuses, so that extraction itself allocates nothing for it.
 *
 * <p>Mutable and not thread-safe: use one instance per thread (or per connection whose callbacks run
 * on one event loop), and read it before the next extraction into it. A new instance holds the
 * failure {@link VersionFailure#NO_SOURCE} until the first extraction.
 */
public final class VersionReading {

    private boolean ok;
    private long version;
    private VersionFailure failure = VersionFailure.NO_SOURCE;

    /** Whether the last extraction found a version. */
    public boolean ok() {
        return ok;
    }

    /**
     * The version found by the last extraction.
     *
     * @throws IllegalStateException if it failed: a failed reading has no version, and using the
     *     previous one would be a silent error
     */
    public long version() {
        if (!ok) {
            throw new IllegalStateException("no version: " + failure.label());
        }
        return version;
    }

    /** Why the last extraction failed, or {@code null} if it found a version. */
    public VersionFailure failure() {
        return ok ? null : failure;
    }

    /** Records a version; returns {@code true} so that extractors can {@code return out.succeed(v)}. */
    boolean succeed(long value) {
        ok = true;
        version = value;
        return true;
    }

    /** Records a failure; returns {@code false} so that extractors can {@code return out.fail(f)}. */
    boolean fail(VersionFailure reason) {
        ok = false;
        version = 0;
        failure = reason;
        return false;
    }

    @Override
    public String toString() {
        return ok ? "VersionReading{version=" + version + '}' : "VersionReading{failure=" + failure.label() + '}';
    }
}
