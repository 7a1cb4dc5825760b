package io.stateguard.it.gateway;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test class that leaves a gateway JVM or a redis-server process running as a child of the test JVM:
 * the demo promises to leave nothing behind, and these tests use the same code.
 */
final class NoStrayProcesses implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> strays = ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .map(process -> process.pid() + " " + process.info().commandLine().orElse("?"))
                .filter(line -> line.contains("ReferenceGateway") || line.contains("redis"))
                .toList();
        assertThat(strays).as("gateway and redis processes still running after the test class").isEmpty();
    }
}
