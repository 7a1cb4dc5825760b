package io.stateguard.harness;

import org.opentest4j.TestAbortedException;


/**
 * What a test needs from the machine, checked the same way everywhere: on a developer's machine a missing
 * precondition skips the test (JUnit reports it as aborted), but when the environment variable {@code CI}
 * is set it fails, with a message saying what to install, so that a CI run can never pass by skipping.
 *
 * <pre>{@code
 * Preconditions.require(Files.isExecutable(sentinel), "redis-sentinel on PATH (apt-get install redis-sentinel)");
 * }</pre>
 */
public final class Preconditions {

    /** The environment variable CI systems set; any value but empty or {@code false} means "on CI". */
    public static final String CI_ENV = "CI";

    private Preconditions() {
    }

    /** Whether the tests run on CI ({@value #CI_ENV} set). */
    public static boolean onCi() {
        String ci = System.getenv(CI_ENV);
        return ci != null && !ci.isBlank() && !ci.trim().equalsIgnoreCase("false");
    }

    /**
     * Skips the test (fails it on CI) unless {@code met}.
     *
     * @param need what is missing and how to provide it, e.g. "a JDK newer than 17 below /usr/lib/jvm"
     */
    public static void require(boolean met, String need) {
        if (met) {
            return;
        }
        if (onCi()) {
            throw new AssertionError("CI needs " + need + " (the environment variable " + CI_ENV
                    + " is set, so a missing precondition fails instead of skipping the test)");
        }
        throw new TestAbortedException("skipped: this machine lacks " + need + " (with " + CI_ENV
                + " set this fails)");
    }
}
