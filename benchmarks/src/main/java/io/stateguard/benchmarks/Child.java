package io.stateguard.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A forked JVM running one of the benchmark mains, the way an application runs: {@code java [-javaagent:...]
 * -cp <class path without the agent's classes> Main args}. Standard output is read line by line as it comes
 * (the start-up benchmark times the arrival of a line); standard error goes to a file.
 */
public final class Child {

    private final List<String> command = new ArrayList<>();

    private Child() {
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The {@code name=value} arguments a benchmark main was started with, by name. */
    public static Map<String, String> arguments(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            args.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return args;
    }

    public static Child java() {
        return new Child();
    }

    public Child jvmArgs(List<String> args) {
        command.addAll(args);
        return this;
    }

    public Child jvmArgs(String... args) {
        return jvmArgs(Arrays.asList(args));
    }

    /** Adds {@code -cp <this JVM's class path minus the agent's classes>} and the main class with its arguments. */
    public Child main(Class<?> mainClass, String... args) {
        command.add("-cp");
        command.add(applicationClassPath());
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return this;
    }

    /**
     * Adds {@code -cp <this JVM's class path>} (the agent's classes included: for a measurement that calls them
     * directly, as JMH's forks do) and the main class with its arguments.
     */
    public Child mainWithAgentClasses(Class<?> mainClass, String... args) {
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return this;
    }

    public List<String> command() {
        return command;
    }

    /**
     * The class path of this JVM without the agent's classes: in the forked applications the agent's classes
     * come from its jar only, as in production.
     */
    public static String applicationClassPath() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            if (normalized.contains("/agent/target/") || normalized.contains("stateguard-agent")
                    || normalized.contains("/org/openjdk/jmh/") || normalized.contains("/net/sf/jopt-simple/")
                    || normalized.contains("/org/apache/commons/commons-math3/")) {
                continue;
            }
            kept.add(entry);
        }
        return String.join(File.pathSeparator, kept);
    }

    /** Runs to completion; fails unless the exit code is 0. */
    public Result run(long timeoutSeconds) throws IOException, InterruptedException {
        return run(timeoutSeconds, null);
    }

    /**
     * Runs to completion; {@code marker}, if not null, is a line prefix whose first arrival on standard output is
     * timed from just before the process was started ({@link Result#markerNanos()}).
     */
    public Result run(long timeoutSeconds, String marker) throws IOException, InterruptedException {
        Path err = Files.createTempFile("stateguard-bench", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("STATEGUARD_") || name.startsWith("OTEL_")
                || name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS"));
        long start = System.nanoTime();
        Process process = builder.start();
        long markerNanos = -1;
        List<String> lines = new ArrayList<>();
        try {
            Thread killer = new Thread(() -> {
                try {
                    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                }
            }, "child-timeout");
            killer.setDaemon(true);
            killer.start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (marker != null && markerNanos < 0 && line.startsWith(marker)) {
                        markerNanos = System.nanoTime() - start;
                    }
                    lines.add(line);
                }
            }
            boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            String stderr = new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
            Result result = new Result(command, exited ? process.exitValue() : -1, lines, stderr, markerNanos);
            if (!exited || process.exitValue() != 0) {
                throw new IllegalStateException(result.describe(exited ? "exited with " + process.exitValue()
                        : "did not exit within " + timeoutSeconds + " s"));
            }
            return result;
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(err);
        }
    }

    /** What a child printed. */
    public static final class Result {
        private final List<String> command;
        private final int exitCode;
        private final List<String> stdout;
        private final String stderr;
        private final long markerNanos;

        Result(List<String> command, int exitCode, List<String> stdout, String stderr, long markerNanos) {
            this.command = command;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
            this.markerNanos = markerNanos;
        }

        /** Lines {@code result.<name>=<value>} of standard output, by name. */
        public Map<String, String> values() {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : stdout) {
                if (line.startsWith("result.")) {
                    int eq = line.indexOf('=');
                    values.put(line.substring("result.".length(), eq), line.substring(eq + 1));
                }
            }
            return values;
        }

        public double number(String name) {
            String value = values().get(name);
            if (value == null) {
                throw new IllegalStateException(describe("printed no result." + name));
            }
            return Double.parseDouble(value);
        }

        public String stderr() {
            return stderr;
        }

        public long markerNanos() {
            return markerNanos;
        }

        public String describe(String problem) {
            return "forked JVM " + problem + " (exit code " + exitCode + "): " + String.join(" ", command)
                    + "\n--- stdout ---\n" + String.join("\n", stdout) + "\n--- stderr ---\n" + stderr;
        }
    }
}
