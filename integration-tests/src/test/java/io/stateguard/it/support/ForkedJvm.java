package io.stateguard.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a new JVM, as users run their application: optionally with
 * {@code -javaagent:agent/target/stateguard-agent.jar}, on the test class path (minus anything of
 * the agent's own, so the agent's classes only come from its jar).
 */
public final class ForkedJvm {

    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private String agentArgs;
    private boolean withAgent;
    private long timeoutSeconds = 90;
    private String lettuceJar;

    public static ForkedJvm create() {
        return new ForkedJvm();
    }

    /** The built agent jar; fails with a clear message when the agent module has not been packaged. */
    public static Path agentJar() {
        String configured = System.getProperty("stateguard.agent.jar");
        Path jar = configured != null ? Paths.get(configured) : Paths.get("../agent/target/stateguard-agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar not found at " + jar.toAbsolutePath()
                    + ": build it first (mvn -B verify at the project root builds the agent before these tests)");
        }
        return jar.toAbsolutePath();
    }

    /** Adds {@code -javaagent:<agent jar>[=args]}; {@code null} args attaches it without arguments. */
    public ForkedJvm withAgent(String arguments) {
        this.withAgent = true;
        this.agentArgs = arguments;
        return this;
    }

    public ForkedJvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public ForkedJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /**
     * Runs with another Lettuce: the jar of that version (copied by the build to
     * {@code target/lettuce/<version>/}) replaces the test class path's Lettuce.
     */
    public ForkedJvm lettuceVersion(String version) {
        Path jar = Paths.get(System.getProperty("stateguard.lettuce.dir", "target/lettuce"), version, "lettuce-core.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no Lettuce " + version + " at " + jar.toAbsolutePath()
                    + " (the integration-tests build copies it in generate-test-resources)");
        }
        this.lettuceJar = jar.toAbsolutePath().toString();
        return this;
    }

    public ForkedJvm timeoutSeconds(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /** Runs {@code mainClass} with {@code args} and waits for it to exit. */
    public Result run(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        if (withAgent) {
            command.add("-javaagent:" + agentJar() + (agentArgs == null ? "" : "=" + agentArgs));
        }
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(testClassPath(lettuceJar));
        command.add(mainClass);
        command.addAll(Arrays.asList(args));

        Path out = Files.createTempFile("stateguard-forked", ".out");
        Path err = Files.createTempFile("stateguard-forked", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("STATEGUARD_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("forked JVM did not exit within " + timeoutSeconds + " s: " + command
                        + "\nstdout:\n" + read(out) + "\nstderr:\n" + read(err));
            }
            return new Result(command, process.exitValue(), read(out), read(err));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    static String testClassPath(String lettuceJar) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> kept = new ArrayList<>();
        if (lettuceJar != null) {
            kept.add(lettuceJar);
        }
        for (String entry : classPath.split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            // The agent's classes must come from its jar only, never from the class path.
            if (normalized.contains("/agent/target/") || normalized.contains("stateguard-agent")) {
                continue;
            }
            if (lettuceJar != null && normalized.contains("/io/lettuce/lettuce-core/")) {
                continue;
            }
            kept.add(entry);
        }
        return String.join(File.pathSeparator, kept);
    }

    /** What a forked JVM printed and how it ended. */
    public static final class Result {

        private final List<String> command;
        private final int exitCode;
        private final String stdout;
        private final String stderr;

        Result(List<String> command, int exitCode, String stdout, String stderr) {
            this.command = command;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        public int exitCode() {
            return exitCode;
        }

        public String stdout() {
            return stdout;
        }

        public String stderr() {
            return stderr;
        }

        /** Lines {@code <prefix>name=value} of standard output, by name. */
        public Map<String, String> values(String prefix) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : stdout.split("\\R")) {
                if (line.startsWith(prefix)) {
                    int eq = line.indexOf('=');
                    values.put(line.substring(prefix.length(), eq), line.substring(eq + 1));
                }
            }
            return values;
        }

        /** Fails with everything the JVM printed unless it exited with 0. */
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(describe("exited with " + exitCode));
            }
            return this;
        }

        public String describe(String problem) {
            return "forked JVM " + problem + ": " + String.join(" ", command) + "\n--- stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }
}
