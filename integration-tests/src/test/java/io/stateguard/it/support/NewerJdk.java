package io.stateguard.it.support;

import io.stateguard.harness.Preconditions;

import java.nio.file.Path;
import java.util.Optional;

/** The precondition of the tests that run a newer JDK than the build's. */
public final class NewerJdk {

    private NewerJdk() {
    }

    /**
     * The newest JDK on the machine ({@link ForkedJvm#newestJavaHome()}), which must be newer than the JVM
     * running the tests: skips the test without one, and fails it on CI ({@link Preconditions#require}).
     */
    public static Path require() {
        int running = Runtime.version().feature();
        Optional<Path> newest = ForkedJvm.newestJavaHome();
        int newestVersion = newest.map(ForkedJvm::featureVersion).orElse(-1);
        Preconditions.require(newestVersion > running, "a JDK newer than " + running
                + " below /usr/lib/jvm (Temurin 25 is on these machines) or -Dstateguard.test.newest.java.home"
                + "=<java home>; found " + newest.map(home -> home + " (Java " + newestVersion + ")").orElse("none"));
        return newest.orElseThrow();
    }
}
