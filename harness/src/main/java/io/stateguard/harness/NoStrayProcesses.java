package io.stateguard.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A JUnit 5 extension that fails a test which leaves child processes of the test JVM running: by default
 * {@code redis-server} processes (the harness's own), and any other processes whose command line contains
 * one of the given markers (a gateway JVM the test forked, say).
 *
 * <p>With {@code @ExtendWith(NoStrayProcesses.class)}, after each test no matching process may exist that
 * was not there before the test (processes of a per-class fixture such as {@link RedisTopologyExtension}
 * may live until the class is done), and after the class none may remain at all. {@link #afterClass(String...)}
 * checks only at the end of the class, for tests that share processes between test methods:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("redis", "ReferenceGateway");
 * }</pre>
 */
public final class NoStrayProcesses implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoStrayProcesses.class);

    private final List<String> markers;

    private final boolean eachTest;

    /** Watches {@code redis} processes after each test and after the class. */
    public NoStrayProcesses() {
        this(List.of("redis"), true);
    }

    private NoStrayProcesses(List<String> markers, boolean eachTest) {
        if (markers.isEmpty()) {
            throw new IllegalArgumentException("no process markers");
        }
        this.markers = List.copyOf(markers);
        this.eachTest = eachTest;
    }

    /** Watches processes whose command line contains one of {@code markers}, after each test and after the class. */
    public static NoStrayProcesses matching(String... markers) {
        return new NoStrayProcesses(Arrays.asList(markers), true);
    }

    /** Watches processes whose command line contains one of {@code markers}, after the class only. */
    public static NoStrayProcesses afterClass(String... markers) {
        return new NoStrayProcesses(Arrays.asList(markers), false);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (eachTest) {
            context.getStore(NAMESPACE).put("before", strays().stream().map(ProcessHandle::pid).collect(Collectors.toSet()));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!eachTest) {
            return;
        }
        @SuppressWarnings("unchecked")
        Set<Long> before = (Set<Long>) context.getStore(NAMESPACE).get("before");
        List<ProcessHandle> started = strays().stream().filter(process -> !before.contains(process.pid()))
                .collect(Collectors.toList());
        if (!started.isEmpty()) {
            throw new AssertionError("processes started by this test and still running: " + describe(started));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<ProcessHandle> remaining = strays();
        if (!remaining.isEmpty()) {
            throw new AssertionError("processes still running after the test class: " + describe(remaining));
        }
    }

    /** Live descendants of this JVM whose command line contains one of the markers. */
    List<ProcessHandle> strays() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(process -> {
                    String command = process.info().commandLine().or(() -> process.info().command()).orElse("");
                    return markers.stream().anyMatch(command::contains);
                })
                .collect(Collectors.toList());
    }

    private static List<String> describe(List<ProcessHandle> processes) {
        return processes.stream()
                .map(process -> process.pid() + " " + process.info().commandLine().orElse("?"))
                .collect(Collectors.toList());
    }
}
