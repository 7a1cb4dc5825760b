package io.stateguard.harness;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test that leaves a redis-server child process of this JVM running: after each test, no redis
 * process may exist that was not there before it (processes of a per-class fixture are allowed until the
 * class is done), and after the class none may remain at all.
 */
final class NoStrayRedisProcesses implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoStrayRedisProcesses.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", pids(redisDescendants()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Set<Long> before = (Set<Long>) context.getStore(NAMESPACE).get("before");
        List<ProcessHandle> strays = redisDescendants().stream()
                .filter(process -> !before.contains(process.pid()))
                .collect(Collectors.toList());
        assertThat(describe(strays)).as("redis processes started by this test and still running").isEmpty();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertThat(describe(redisDescendants())).as("redis processes still running after the test class").isEmpty();
    }

    static List<ProcessHandle> redisDescendants() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info().command().map(command -> command.contains("redis")).orElse(false))
                .collect(Collectors.toList());
    }

    private static Set<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static List<String> describe(List<ProcessHandle> processes) {
        return processes.stream()
                .map(process -> process.pid() + " " + process.info().commandLine().orElse("?"))
                .collect(Collectors.toList());
    }
}
