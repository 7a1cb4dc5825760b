package io.stateguard.demo;

import io.stateguard.gateway.ReferenceGateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@link ReferenceGateway} running in its own JVM, as users run their gateway: optionally with
 * {@code -javaagent:<agent jar>=<arguments>}, on this JVM's class path minus anything of the agent (so the
 * agent's classes come from its jar only). Used by the demo and by the end-to-end tests alike.
 *
 * <pre>{@code
 * try (GatewayProcess gateway = GatewayProcess.builder()
 *         .env("CACHE_REDIS_URI", "redis://127.0.0.1:6379,redis://127.0.0.1:6380")
 *         .agent("keys=evolution:state:*;rule.creds.keys=evolution:instance:*")
 *         .start()) {
 *     URI api = gateway.baseUri();
 *     ...
 * }   // SIGTERM, then the gateway's exit is awaited
 * }</pre>
 *
 * A JVM shutdown hook kills the gateway if this JVM exits first, so no gateway outlives its parent.
 */
public final class GatewayProcess implements AutoCloseable {

    /** System property naming the agent jar; otherwise {@code agent/target/stateguard-agent.jar} is looked up. */
    public static final String AGENT_JAR_PROPERTY = "stateguard.agent.jar";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final String PORT_LINE = "gateway.port=";

    private final Process process;
    private final List<String> command;
    private final StringBuffer stdout = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread killOnExit;
    private final List<Thread> pumps = new ArrayList<>();
    private volatile int port = -1;
    private volatile Integer exitCode;

    private GatewayProcess(Process process, List<String> command) {
        this.process = process;
        this.command = command;
        this.killOnExit = new Thread(process::destroyForcibly, "gateway-reaper");
    }

    /** @return a builder for a gateway without the agent */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The agent jar: system property {@value #AGENT_JAR_PROPERTY}, else {@code agent/target/stateguard-agent.jar}
     * relative to the working directory or its parent (the repository root or the integration-tests module).
     *
     * @throws IllegalStateException if it is not there, telling how to build it
     */
    public static Path agentJar() {
        String configured = System.getProperty(AGENT_JAR_PROPERTY);
        List<Path> candidates = configured != null ? List.of(Paths.get(configured))
                : List.of(Paths.get("agent/target/stateguard-agent.jar"),
                        Paths.get("../agent/target/stateguard-agent.jar"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("Agent jar not found at " + candidates
                + ": build it first (mvn -B -q -pl agent package -DskipTests)");
    }

    /** @return {@code http://127.0.0.1:<port>} */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** @return the HTTP port the gateway reported */
    public int port() {
        return port;
    }

    /** @return whether the process is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the process id */
    public long pid() {
        return process.pid();
    }

    /** @return everything the gateway printed on standard output so far */
    public String stdout() {
        return stdout.toString();
    }

    /** @return everything the gateway (and the agent, and Lettuce) printed on standard error so far */
    public String stderr() {
        return stderr.toString();
    }

    /** @return the agent's log lines ({@code [stateguard] ...}) printed so far */
    public List<String> agentLog() {
        List<String> lines = new ArrayList<>();
        for (String line : stderr().split("\\R")) {
            if (line.startsWith("[stateguard]")) {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * Stops the gateway the way an orchestrator does: SIGTERM, then SIGKILL after 10 s.
     *
     * @return the exit code (143 after a clean shutdown on SIGTERM)
     */
    public synchronized int stop() {
        if (exitCode != null) {
            return exitCode;
        }
        // ProcessHandle.destroy() sends SIGTERM and, unlike Process.destroy(), leaves our ends of the output
        // pipes open: what the gateway prints while shutting down (gateway.stopped) is still read.
        process.toHandle().destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("[demo] gateway pid " + process.pid() + " ignored SIGTERM for "
                        + STOP_TIMEOUT.toSeconds() + " s; killing it");
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException jvmExiting) {
            // The hook is running or about to: fine.
        }
        // The output pumps end at end of stream; join them so that the last lines (gateway.stopped) are in.
        for (Thread pump : pumps) {
            try {
                pump.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        exitCode = process.isAlive() ? -1 : process.exitValue();
        return exitCode;
    }

    /** @return whether the gateway reported a clean shutdown ({@code gateway.stopped}) */
    public boolean stoppedCleanly() {
        return stdout().contains("gateway.stopped");
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** @return the command line, for diagnostics */
    public String commandLine() {
        return String.join(" ", command);
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(50, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String problem = process.isAlive() ? "was not ready within " + timeout.toSeconds() + " s"
                        : "exited with " + process.exitValue() + " before it was ready";
                stop();
                throw new IllegalStateException("Gateway " + problem + ": " + commandLine()
                        + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr());
            }
        }
    }

    private void pump(InputStream in, StringBuffer sink, boolean watchForReady) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    sink.append(line).append('\n');
                    if (watchForReady && line.startsWith(PORT_LINE)) {
                        port = Integer.parseInt(line.substring(PORT_LINE.length()).trim());
                    } else if (watchForReady && line.equals("gateway.ready")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // The process ended; what was read is kept.
            }
        }, "gateway-output-" + process.pid());
        thread.setDaemon(true);
        thread.start();
        pumps.add(thread);
    }

    /**
     * The class path for the gateway: this JVM's (the test class path under Surefire), without the agent's
     * classes, which must only be loaded from the agent jar.
     */
    static String classPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> kept = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            if (normalized.contains("/agent/target/") || normalized.contains("stateguard-agent")) {
                continue;
            }
            kept.add(entry);
        }
        return String.join(File.pathSeparator, kept);
    }

    /** Configures and starts a {@link GatewayProcess}. */
    public static final class Builder {
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String agentArguments;
        private boolean withAgent;
        private Duration readyTimeout = Duration.ofSeconds(30);

        private Builder() {
            environment.put("SERVER_PORT", "0");
        }

        /** Sets an environment variable of the gateway (see {@link io.stateguard.gateway.GatewayConfig}). */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** Sets several environment variables. */
        public Builder env(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        /** Runs with {@code -javaagent:<agent jar>=<arguments>}; {@code null} arguments attach it without. */
        public Builder agent(String arguments) {
            this.withAgent = true;
            this.agentArguments = arguments;
            return this;
        }

        /** How long to wait for {@code gateway.ready}. Default 30 s. */
        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = readyTimeout;
            return this;
        }

        /**
         * Starts the JVM and waits until the gateway serves.
         *
         * @throws IllegalStateException if it exits or is not ready in time (with its output)
         */
        public GatewayProcess start() throws InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            // Small and quick: C1 only, serial GC. The gateway is I/O bound; C2 compiles would compete for the
            // few cores with Redis and the poller.
            command.add("-XX:TieredStopAtLevel=1");
            command.add("-XX:+UseSerialGC");
            command.add("-Xmx256m");
            if (withAgent) {
                command.add("-javaagent:" + agentJar() + (agentArguments == null ? "" : "=" + agentArguments));
            }
            command.add("-cp");
            command.add(classPath());
            command.add(ReferenceGateway.class.getName());
            ProcessBuilder builder = new ProcessBuilder(command);
            // Settings of the agent must come from the arguments above only, never from the caller's environment.
            builder.environment().keySet().removeIf(name -> name.startsWith("STATEGUARD_"));
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start " + command.get(0), e);
            }
            GatewayProcess gateway = new GatewayProcess(process, command);
            Runtime.getRuntime().addShutdownHook(gateway.killOnExit);
            gateway.pump(process.getInputStream(), gateway.stdout, true);
            gateway.pump(process.getErrorStream(), gateway.stderr, false);
            gateway.awaitReady(readyTimeout);
            return gateway;
        }
    }
}
