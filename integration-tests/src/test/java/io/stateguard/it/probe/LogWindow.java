package io.stateguard.it.probe;

/**
 * The agent logs at most 10 inconsistency lines per second of {@link System#nanoTime()} (whole seconds
 * of this JVM's clock) and drops the rest. A probe that causes more than 10 events calls {@link #next()}
 * before each group of at most 10, so that every event is logged and a test can compare the full list.
 */
final class LogWindow {

    private LogWindow() {
    }

    /** Waits until the agent's next one-second logging window has begun. */
    static void next() throws InterruptedException {
        long second = System.nanoTime() / 1_000_000_000L;
        while (System.nanoTime() / 1_000_000_000L == second) {
            Thread.sleep(1);
        }
    }
}
